import pytest

from finder.applicants import Applicant
from finder.catalog import load_catalog
from finder.eligibility import judge
from tests.conftest import CATALOG

RECORDS = {r.id: r for r in load_catalog(CATALOG)[0]}


@pytest.mark.parametrize("pid, applicant, kind", [
    ("66.468", Applicant.CITY, "not_eligible"),  # DWSRF: states, tribes, territories
    ("66.458", Applicant.TRIBE, "eligible"),
    ("66.458", Applicant.STATE, "eligible"),
    ("10.766", Applicant.COUNTY, "eligible"),
    ("66.447", Applicant.CITY, "not_eligible"),
    ("66.616", Applicant.NONPROFIT, "eligible"),
    ("97.137", Applicant.CITY, "not_eligible"),
    ("20.823", Applicant.COUNTY, "eligible"),
    ("10.760", Applicant.SPECIAL_DISTRICT, "eligible"),
    ("20.939", Applicant.CITY, "eligible"),
    ("20.939", Applicant.STATE, "check"),  # "Government - General" may or may not mean states
    ("20.823", Applicant.INDIVIDUAL, "not_eligible"),
    ("20.205-cfi", Applicant.CITY, "eligible"),
    ("20.205-nevi", Applicant.COUNTY, "not_eligible"),
])
def test_verdicts(pid, applicant, kind):
    assert judge(RECORDS[pid], applicant).kind == kind


def test_not_eligible_reason_names_who_applies_and_the_pass_through():
    v = judge(RECORDS["66.468"], Applicant.CITY)
    assert "Cities are not direct applicants" in v.reason
    assert "states, tribes and territories" in v.reason
    assert RECORDS["66.468"].applicant_notes in v.reason


def test_eligible_reason_quotes_the_listing_term():
    assert '"Local"' in judge(RECORDS["20.939"], Applicant.CITY).reason


def test_check_reason_names_the_ambiguous_term():
    v = judge(RECORDS["20.939"], Applicant.STATE)
    assert v.kind == "check" and "Government - General" in v.reason


@pytest.mark.parametrize("applicant", list(Applicant))
def test_every_applicant_type_gets_a_verdict_consistent_with_the_record(applicant):
    for op in RECORDS.values():
        v = judge(op, applicant)
        if applicant.value in op.eligible_applicants:
            assert v.kind == "eligible"
        elif "check" not in op.eligible_applicants:
            assert v.kind == "not_eligible"
