"""Verdicts over the real catalog: reviewed rules for the priority programs, listing codes for the rest."""

import pytest

from finder.catalog.applicants import CHECK
from finder.catalog.eligibility import Asker, judge
from finder.catalog.model import load_catalog
from finder.catalog.vocab import Applicant, VerdictKind
from tests.conftest import CATALOG

RECORDS = {r.id: r for r in load_catalog(CATALOG)[0]}
V = VerdictKind
A = Applicant


@pytest.mark.parametrize("pid, asker, kind", [
    ("66.468", A.CITY, V.THROUGH),  # DWSRF: states capitalised; systems borrow from the state fund
    ("66.458", A.TRIBE, V.ELIGIBLE),  # CWSRF tribal set-aside
    ("66.458", A.STATE, V.ELIGIBLE),
    ("10.766", A.COUNTY, V.ELIGIBLE),
    ("66.447", A.CITY, V.THROUGH),
    ("97.137", A.CITY, V.THROUGH),
    ("97.039", A.CITY, V.THROUGH),
    ("20.823", A.COUNTY, V.ELIGIBLE),
    ("10.760", A.SPECIAL_DISTRICT, V.ELIGIBLE),
    ("20.939", A.CITY, V.ELIGIBLE),
    ("20.939", A.TRIBE, V.ELIGIBLE),
    ("20.933", A.COUNTY, V.ELIGIBLE),  # RAISE/BUILD names local governments
    ("20.941", A.CITY, V.ELIGIBLE),
    ("20.938", A.CITY, V.ELIGIBLE),
    ("20.940", A.COUNTY, V.ELIGIBLE),
    ("20.823", A.INDIVIDUAL, V.NOT_ELIGIBLE),
    ("20.205-cfi", A.CITY, V.ELIGIBLE),
    ("20.205-nevi", A.COUNTY, V.THROUGH),
    ("20.219", A.COUNTY, V.THROUGH),
    ("15.916", A.CITY, V.THROUGH),  # LWCF: only the state's lead agency applies
    ("97.008", A.NONPROFIT, V.THROUGH),  # NSGP: the state applies, nonprofits go through it
    ("20.205", A.STATE, V.ELIGIBLE),  # the listing omitted states
    ("81.042", Asker(A.CITY, 20000), V.THROUGH),  # Weatherization: DOE pays states
    ("20.507", Asker(A.CITY, 20000), V.CHECK),  # 5307 tests the urbanized area (50,000+), not the town
    ("20.507", Asker(A.CITY, 20000, urban_population=0), V.THROUGH),  # outside any urbanized area: 5311
    ("10.766", Asker(A.CITY, 35000), V.NOT_ELIGIBLE),
    ("10.766", Asker(A.CITY, 8500), V.ELIGIBLE),
    ("10.760", Asker(A.CITY, 25000), V.NOT_ELIGIBLE),
    ("10.760", Asker(A.CITY, 900), V.ELIGIBLE),
    ("81.128", Asker(A.COUNTY, 450000), V.ELIGIBLE),
    ("81.128", Asker(A.COUNTY, 30000), V.CHECK),  # below 200,000, but may rank among the state's 10 largest
    ("14.218", Asker(A.CITY, 9000), V.THROUGH),
    ("23.001", Asker(A.CITY, state="TX"), V.NOT_ELIGIBLE),
    ("23.001", Asker(A.CITY, state="WV"), V.ELIGIBLE),
    ("23.001", Asker(A.CITY, state="OH"), V.CHECK),
])
def test_priority_verdicts_follow_program_rules(pid, asker, kind):
    assert judge(RECORDS[pid], asker).kind is kind


def test_through_reason_names_the_path_and_who_applies():
    v = judge(RECORDS["66.468"], A.CITY)
    assert "reaches cities through" in v.reason and "revolving fund" in v.reason.lower()
    assert "states" in v.reason and v.badge == "Not directly: through your state"


def test_community_facilities_population_reasons_in_both_directions():
    assert "8,500 is within" in judge(RECORDS["10.766"], Asker(A.CITY, 8500)).reason
    assert "85,000 is above" in judge(RECORDS["10.766"], Asker(A.CITY, 85000)).reason


def test_regional_commission_outside_its_area_says_why():
    v = judge(RECORDS["90.601"], Asker(A.COUNTY, state="TX"))
    assert v.kind is V.NOT_ELIGIBLE and "Texas is outside" in v.reason


def test_unreviewed_record_says_its_verdict_is_from_the_listing():
    unreviewed = next(op for op in RECORDS.values() if op.rules is None and "county" in op.eligible_applicants)
    v = judge(unreviewed, A.COUNTY)
    assert not v.reviewed and "has not been reviewed" in v.reason


def test_every_priority_program_has_reviewed_rules_and_a_status(shared):
    import csv

    with open(shared / "data/priority_programs.tsv") as f:
        ids = [r["id"] for r in csv.DictReader(f, delimiter="\t")]
    missing = [i for i in ids if i not in RECORDS or RECORDS[i].rules is None or RECORDS[i].status is None]
    assert missing == []


@pytest.mark.parametrize("applicant", list(Applicant))
def test_unreviewed_verdicts_stay_consistent_with_the_listing(applicant):
    for op in RECORDS.values():
        if op.rules is not None:
            continue
        v = judge(op, applicant)
        if applicant.value in op.eligible_applicants:
            assert v.kind is V.ELIGIBLE
        elif CHECK not in op.eligible_applicants:
            assert v.kind is V.NOT_ELIGIBLE
