"""The SAM.gov term table: vague terms give 'check', never a guess."""

from finder.catalog.applicants import CHECK, eligible_list, sam_coverage
from finder.catalog.vocab import Applicant

A = Applicant


def test_anyone_general_public_is_check_not_everyone():
    cov = sam_coverage("Anyone/general public")
    assert not cov.sure and A.CITY in cov.maybe
    assert eligible_list([cov]) == [CHECK]


def test_state_term_including_public_universities_does_not_make_universities_eligible():
    cov = sam_coverage("State (includes District of Columbia, public institutions of higher education and hospitals)")
    assert cov.sure == {A.STATE} and A.HIGHER_ED in cov.maybe
    assert eligible_list([cov]) == ["state", CHECK]


def test_quasi_public_nonprofit_is_check():
    cov = sam_coverage("Quasi-public nonprofit institution/organization")
    assert not cov.sure and {A.NONPROFIT, A.SPECIAL_DISTRICT} <= cov.maybe
