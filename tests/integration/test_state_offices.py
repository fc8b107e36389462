"""A through-the-state answer names that state's office and links it; place rules follow the asker's state."""

import pytest

from finder.answering.conversation import Profile
from finder.catalog.offices import load_offices
from finder.catalog.rules import STATES
from finder.catalog.vocab import Applicant, VerdictKind
from finder.engine import Finder
from tests.conftest import ROOT

TABLE, _ = load_offices(ROOT / "data" / "state_offices")
CASES = [("Drinking Water State Revolving Fund", "66.468", Applicant.CITY),
         ("Hazard Mitigation Grant Program", "97.039", Applicant.COUNTY),
         ("BEAD broadband program", "11.035", Applicant.COUNTY),
         ("Recreational Trails Program", "20.219", Applicant.COUNTY)]


def confirmed_states(program_id: str, n: int = 3) -> list[str]:
    f = TABLE.by_program[program_id]
    return [code for code in ("TX", "OH", "CA", "PA", "WA", "CO", "IA", "MN", "IL") if code in f.states
            and f.states[code].seen][:n]


@pytest.mark.parametrize("program, pid, applicant", CASES)
def test_through_answer_names_the_states_office_for_three_states(full_index, program, pid, applicant):
    finder = Finder(full_index)
    label = "town" if applicant is Applicant.CITY else "county"
    states = confirmed_states(pid)
    assert len(states) == 3
    for code in states:
        a = finder.ask(f"We're a {label} in {STATES[code]}. Can we apply directly for the {program}?",
                       Profile(applicant))
        row = TABLE.by_program[pid].states[code]
        lead = a.text.split("\n")[0]
        assert a.about == pid and lead.startswith("Not directly.")
        assert f"In {STATES[code]}: [{row.agency}]({row.url})" in lead
        hit = next(h for h in a.shown if h.id == pid)
        assert hit.office is not None and hit.office.agency == row.agency


def test_state_from_the_profile_reaches_the_verdict_and_an_unknown_office_links_the_federal_list(full_index):
    finder = Finder(full_index)
    a = finder.ask("Can we apply directly for the Drinking Water State Revolving Fund?",
                   Profile(Applicant.CITY, state="TX"))
    assert "Texas Water Development Board" in a.text
    b = finder.ask("Can we apply directly for the Drinking Water State Revolving Fund?", Profile(Applicant.CITY))
    assert "federal list of state contacts" in b.text and "epa.gov/dwsrf" in b.text


def test_regional_commission_outside_and_inside_its_area(full_index):
    finder = Finder(full_index)
    out = finder.ask("We're a county in Texas. Can we apply to the Appalachian Regional Commission?",
                     Profile(Applicant.COUNTY))
    hit = next(h for h in out.hits if h.id == "23.001")
    assert hit.verdict.kind is VerdictKind.NOT_ELIGIBLE and "Texas is outside" in hit.verdict.reason
    inside = finder.ask("We're a county in West Virginia. Can we apply to the Appalachian Regional Commission?",
                        Profile(Applicant.COUNTY))
    hit = next(h for h in inside.hits if h.id == "23.001")
    assert hit.verdict.kind is VerdictKind.ELIGIBLE and "Appalachian Region" in hit.verdict.reason
    part = finder.ask("We're a county in Ohio. Can we apply to the Appalachian Regional Commission?",
                      Profile(Applicant.COUNTY))
    hit = next(h for h in part.hits if h.id == "23.001")
    assert hit.verdict.kind is VerdictKind.CHECK and "only part of Ohio" in hit.verdict.reason
