import json

import pytest

from finder.catalog.applicants import (
    CHECK,
    GRANTS_GOV_CODES,
    SAM_TERMS,
    eligible_list,
    normalise_term,
    parse_applicant,
    sam_coverage,
)
from finder.catalog.vocab import Applicant


def test_every_fpi_applicant_term_is_in_the_table(shared):
    data = json.loads((shared / "data/fpi/fpi_assistance_listings_2025-02-26.json").read_text())
    terms = {t for r in data for t in r.get("applicant_types", [])}
    missing = sorted(t for t in terms if normalise_term(t) not in SAM_TERMS)
    assert missing == []


def test_typo_lndian_maps_like_indian():
    typo = "Federally Recognized lndian Tribal Governments"
    assert sam_coverage(typo) == sam_coverage("Federally Recognized Indian Tribal Governments")
    assert Applicant.TRIBE in sam_coverage(typo).sure


def test_local_covers_local_governments_and_only_maybe_tribes():
    cov = sam_coverage("Local (includes State-designated Indian Tribes, excludes institutions of higher "
                       "education and hospitals")
    assert {Applicant.CITY, Applicant.COUNTY, Applicant.SPECIAL_DISTRICT} <= cov.sure
    assert Applicant.TRIBE in cov.maybe and Applicant.STATE not in cov.sure


def test_ambiguous_term_gives_check_marker_not_a_guess():
    listed = eligible_list([sam_coverage("Government - General"), sam_coverage("State")])
    assert listed == ["state", CHECK]


def test_grants_gov_codes_cover_reference_list():
    assert set(GRANTS_GOV_CODES) == {"00", "01", "02", "04", "05", "06", "07", "08", "11", "12", "13", "20", "21",
                                     "22", "23", "25", "99"}
    assert GRANTS_GOV_CODES["25"][1].maybe and not GRANTS_GOV_CODES["25"][1].sure


def test_parse_applicant_accepts_spaces_and_rejects_unknown():
    assert parse_applicant("Special District") is Applicant.SPECIAL_DISTRICT
    with pytest.raises(ValueError, match="expected one of"):
        parse_applicant("wizard")
