"""Verdicts from each program's own rules: population and place limits, pass-through paths, conditions."""

import pytest
from pydantic import ValidationError

from finder.catalog.eligibility import Asker, judge
from finder.catalog.vocab import Applicant, VerdictKind
from tests.unit.records import record, reviewed

A = Applicant
CITY, COUNTY, TRIBE = A.CITY, A.COUNTY, A.TRIBE
RURAL_LIMIT = {"applicants": ["city"], "max": 20000, "area": "rural area"}
COUNTY_THRESHOLD = {"applicants": ["county"], "min": 200000, "area": "county",
                    "otherwise": {"applicants": ["county"], "via": "your state energy office's subgrants",
                                  "office": "energy"}}


def cf():
    return reviewed(direct=["county", "city", "tribe"], population=[RURAL_LIMIT])


@pytest.mark.parametrize("population, kind", [(8500, VerdictKind.ELIGIBLE), (20000, VerdictKind.ELIGIBLE),
                                              (20001, VerdictKind.NOT_ELIGIBLE), (85000, VerdictKind.NOT_ELIGIBLE)])
def test_maximum_population_at_the_limit_and_above(population, kind):
    v = judge(cf(), Asker(CITY, population))
    assert v.kind is kind
    word = "within" if kind is VerdictKind.ELIGIBLE else "above"
    assert f"city of {population:,} is {word}" in v.reason and "20,000" in v.reason


@pytest.mark.parametrize("population, kind", [(200000, VerdictKind.ELIGIBLE), (450000, VerdictKind.ELIGIBLE),
                                              (199999, VerdictKind.THROUGH), (30000, VerdictKind.THROUGH)])
def test_minimum_population_threshold_sends_smaller_places_through_the_state(population, kind):
    op = reviewed(direct=["city", "county"], population=[COUNTY_THRESHOLD])
    v = judge(op, Asker(COUNTY, population))
    assert v.kind is kind
    if kind is VerdictKind.THROUGH:
        assert "below" in v.reason and "your state energy office's subgrants" in v.reason
        assert v.badge == "Not directly: through your state"


def test_population_rule_tests_only_the_applicants_it_names():
    assert judge(cf(), Asker(COUNTY, 900_000)).kind is VerdictKind.ELIGIBLE


def test_unknown_population_is_eligible_under_a_maximum_and_check_under_a_minimum():
    v = judge(cf(), Asker(CITY))
    assert v.kind is VerdictKind.ELIGIBLE and "20,000 people or fewer" in v.reason
    op = reviewed(direct=["county"], population=[COUNTY_THRESHOLD])
    v = judge(op, Asker(COUNTY))
    assert v.kind is VerdictKind.CHECK and "200,000 people or more" in v.reason and "energy office" in v.reason


def test_through_verdict_names_its_path_and_the_direct_applicants():
    op = reviewed(direct=["state", "tribe"], through=[{"applicants": ["city", "county", "special_district"],
                                                      "via": "your state's drinking water revolving fund",
                                                      "office": "dwsrf"}])
    v = judge(op, CITY)
    assert v.kind is VerdictKind.THROUGH and v.via == "your state's drinking water revolving fund"
    assert "reaches cities through your state's drinking water revolving fund" in v.reason
    assert "states and tribes" in v.reason
    assert judge(op, TRIBE).kind is VerdictKind.ELIGIBLE
    assert judge(op, A.INDIVIDUAL).kind is VerdictKind.NOT_ELIGIBLE


def test_condition_gives_check_and_says_what_to_check():
    op = reviewed(direct=["state"], conditions=[{"applicants": ["nonprofit"],
                                                 "check": "whether you partner with a local government"}])
    v = judge(op, A.NONPROFIT)
    assert v.kind is VerdictKind.CHECK and v.reason == "Check whether you partner with a local government."


def test_place_rule_outside_inside_and_partial():
    op = reviewed(direct=["county", "city"], place={"states": ["WV"], "partial": ["OH", "PA"],
                                                     "area": "the Appalachian Region",
                                                     "partial_note": "the counties listed in 40 U.S.C. 14102"})
    out = judge(op, Asker(CITY, state="TX"))
    assert out.kind is VerdictKind.NOT_ELIGIBLE and "Texas is outside the Appalachian Region" in out.reason
    assert "West Virginia" in out.reason
    part = judge(op, Asker(COUNTY, state="OH"))
    assert part.kind is VerdictKind.CHECK and "only part of Ohio" in part.reason and "14102" in part.reason
    assert judge(op, Asker(COUNTY, state="WV")).kind is VerdictKind.ELIGIBLE
    assert judge(op, Asker(COUNTY)).kind is VerdictKind.ELIGIBLE  # no state known: no place verdict


def test_unreviewed_record_keeps_listing_verdict_and_says_so():
    op = record(eligible_applicants=["county", "city"],
                applicant_terms=["County Government", "City or Township Government"])
    v = judge(op, CITY)
    assert v.kind is VerdictKind.ELIGIBLE and not v.reviewed
    assert "listing's applicant codes and has not been reviewed" in v.reason
    assert judge(reviewed(direct=["city"]), CITY).reviewed


def test_reviewed_rules_refuse_check_marker_and_need_a_source():
    with pytest.raises(ValidationError, match="rules.conditions"):
        reviewed(direct=["state", "check"])
    with pytest.raises(ValidationError, match="eligible_applicants"):
        record(rules={"reviewed": "2026-11-28"},
               sources=[{"name": "x", "url": "https://example.gov/a/b", "date": "2026-11-28", "facts": ["status"]}])
    with pytest.raises(ValidationError, match="unknown state code"):
        reviewed(place={"states": ["XX"], "area": "nowhere"})


def test_status_needs_a_source_and_knows_ended_from_live():
    ended = record(status={"value": "terminated", "as_of": "2026-11-28", "note": "cancelled in 2025"})
    assert ended.status is not None and not ended.status.live
    assert record(status={"value": "annual", "as_of": "2026-11-28"}).status.live
    with pytest.raises(ValidationError, match="status needs a source"):
        record(status={"value": "open", "as_of": "2026-11-28"},
               sources=[{"name": "x", "url": "https://example.gov/a/b", "date": "2026-11-28", "facts": ["uses"]}])


def test_a_condition_still_applies_when_the_population_is_within_the_limit():
    op = reviewed(direct=["city"], population=[RURAL_LIMIT],
                  conditions=[{"applicants": ["city"], "check": "that the area's median income is below the state's"}])
    v = judge(op, Asker(CITY, 8_000))
    assert v.kind is VerdictKind.CHECK and "within" in v.reason and "median income" in v.reason
    assert judge(op, Asker(CITY, 30_000)).kind is VerdictKind.NOT_ELIGIBLE


EECBG_CITY = {"applicants": ["city"], "min": 35000, "or_largest": 10, "area": "city",
              "otherwise": {"applicants": ["city"], "via": "your state's EECBG subgrants", "office": "energy"}}


@pytest.mark.parametrize("population, kind", [(35000, VerdictKind.ELIGIBLE), (34999, VerdictKind.CHECK),
                                              (12000, VerdictKind.CHECK)])
def test_a_rank_within_the_state_is_an_alternative_to_the_threshold(population, kind):
    v = judge(reviewed(direct=["city"], population=[EECBG_CITY]), Asker(CITY, population))
    assert v.kind is kind
    if kind is VerdictKind.CHECK:
        assert "10 most populous" in v.reason and "EECBG subgrants" in v.reason


def test_an_urbanized_area_test_reads_the_area_not_the_town():
    rule = {"applicants": ["city"], "max": 150000, "area": "urbanized area", "counts": "urbanized_area",
            "if_unknown": "eligible"}
    op = reviewed(direct=["city"], population=[rule])
    assert judge(op, Asker(CITY, 9_000, urban_population=2_700_000)).kind is VerdictKind.NOT_ELIGIBLE
    assert judge(op, Asker(CITY, 9_000, urban_population=0)).kind is VerdictKind.ELIGIBLE
    assert judge(op, Asker(CITY, 9_000)).kind is VerdictKind.ELIGIBLE


def test_a_region_defined_by_counties_excludes_a_named_county_outside_it():
    place = {"area": "the Southeast Crescent region", "states": ["NC", "GA"],
             "exclude_counties": {"NC": ["Buncombe", "Haywood"]}}
    op = reviewed(direct=["county"], place=place)
    out = judge(op, Asker(COUNTY, state="NC", county="Buncombe"))
    assert out.kind is VerdictKind.NOT_ELIGIBLE and "Buncombe" in out.reason
    assert judge(op, Asker(COUNTY, state="NC", county="Wake")).kind is VerdictKind.ELIGIBLE
    assert judge(op, Asker(COUNTY, state="NC")).kind is VerdictKind.CHECK
    assert judge(op, Asker(COUNTY, state="GA")).kind is VerdictKind.ELIGIBLE
    listed = reviewed(direct=["county"], place={"area": "the Appalachian Region", "partial": ["OH"],
                                                "counties": {"OH": ["Athens", "Adams"]}})
    assert judge(listed, Asker(COUNTY, state="OH", county="Athens County")).kind is VerdictKind.ELIGIBLE
    assert judge(listed, Asker(COUNTY, state="OH", county="Franklin")).kind is VerdictKind.NOT_ELIGIBLE


def test_cost_share_must_add_up_and_needs_a_source():
    from tests.unit.records import record
    with pytest.raises(ValidationError, match="add up to"):
        record(cost_share={"text": "Pays up to 80% of costs.", "federal_max": 80, "applicant_min": 30})
    with pytest.raises(ValidationError, match="cost_share needs a source"):
        record(cost_share={"text": "Pays up to 80% of costs.", "federal_max": 80})


def test_a_requirement_on_every_project_is_said_without_downgrading_the_verdict():
    op = reviewed(direct=["county"], requires=["the facility serves a rural area"])
    v = judge(op, COUNTY)
    assert v.kind is VerdictKind.ELIGIBLE and "serves a rural area" in v.reason


def test_a_condition_the_asker_says_they_meet_is_settled():
    op = reviewed(direct=["state", "for_profit"],
                  conditions=[{"applicants": ["for_profit"], "check": "that you are a Class II or III railroad",
                               "met_by": ["class iii", "short line"]}])
    assert judge(op, Asker(A.FOR_PROFIT)).kind is VerdictKind.CHECK
    said = judge(op, Asker(A.FOR_PROFIT, words="We're a privately owned Class III short line railroad"))
    assert said.kind is VerdictKind.ELIGIBLE and "as you describe yourselves" in said.reason


def test_a_revolving_loan_fund_the_grantee_runs_is_not_money_it_borrows():
    from tests.unit.records import record

    runs = record("81.128", uses=["rebate or revolving loan programs for building retrofits"])
    lends = record("66.040", uses=["clean diesel grant, rebate or loan program"])
    assert not runs.lends and lends.lends
