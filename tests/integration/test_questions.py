"""The chat answers the question that was asked: each kind of question head-on in its first sentence, an
ended program never wearing 'Eligible', an open notice outranking an older status, a missing program named
as missing, each out-of-scope class declined, and follow-ups keeping their asker. Real index, real model."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from finder.answering.conversation import Conversation, Profile
from finder.answering.html import card
from finder.answering.markdown import program_line
from finder.catalog.vocab import Applicant, Ask, RefusalKind
from finder.engine import Finder
from tests.conftest import FIXTURES, SMALL, copy_catalog, make_settings

TERMINATED = {"value": "terminated", "as_of": "2026-11-28",
              "note": "The agency terminated the program and its awards on 9 May 2025."}


def _edit(data, rid: str, **fields: object) -> None:
    path = next(data.rglob(f"{rid}.yaml"))
    record = yaml.safe_load(path.read_text())
    record.update(fields)
    path.write_text(yaml.safe_dump(record, sort_keys=False))


@pytest.fixture(scope="module")
def finder(tmp_path_factory, embedder) -> Finder:
    """The small slice, with Community Change terminated and a Rural Transit award limit, plus the fixture
    notices (SS4A's notice is open until 20 December 2026 while its record says 'closed')."""
    from ingest.refresh import refresh

    tmp = tmp_path_factory.mktemp("questions")
    data = copy_catalog(tmp / "data", SMALL)
    _edit(data, "66.616", status=TERMINATED)
    _edit(data, "20.934", cost_share=None)
    source = {"name": "Test: rural transit award limit", "url": "https://www.law.cornell.edu/uscode/text/49/5311",
              "date": "2026-12-03", "facts": ["award"]}
    path = next(data.rglob("20.509.yaml"))
    record = yaml.safe_load(path.read_text())
    record["award"] = {"text": "Awards follow the state's apportionment; no fixed per-project cap."}
    record["sources"].append(source)
    path.write_text(yaml.safe_dump(record, sort_keys=False))
    settings = make_settings(tmp, data, today="2026-11-28")
    notices = tmp / "notices"
    notices.mkdir()
    for f in ("extract_small.xml", "search2.json", "fetch_opportunity.json"):
        shutil.copy(FIXTURES / f, notices / f)
    refresh(settings, embedder=embedder)
    return Finder(settings)


def test_a_status_question_leads_with_the_status_and_never_an_eligible_badge(finder):
    a = finder.ask("Is the Community Change Grants program still available? Our nonprofit wanted to apply",
                   Profile(Applicant.NONPROFIT))
    assert Ask.STATUS in a.asks and a.about == "66.616"
    assert a.lead.startswith("No: Community Change Grants") and "terminated" in a.lead
    assert "Last checked 28 November 2026" in a.lead  # a check date, never read as the end date
    hit = a.shown[0]
    assert "Eligible" not in re.sub(r"<[^>]+>", " ", card(hit)).split("For your kind of applicant")[0]
    assert program_line(1, hit).split(": ", 1)[1].startswith("Terminated")


def test_an_open_notice_outranks_a_closed_status(finder):
    a = finder.ask("Is SS4A still open?", Profile(Applicant.CITY))
    assert a.lead.startswith("Yes, it is open: the Grants.gov notice for SS4A (ALN 20.939) closes 20 December 2026")
    html = card(a.shown[0])
    assert "Open: the notice closes 20 December 2026" in html and "Latest round closed" not in html


def test_a_match_question_states_the_share_in_the_chat_text(finder):
    a = finder.ask("If our city wins a Safe Streets and Roads for All grant, what share of the cost do we cover?",
                   Profile(Applicant.CITY))
    assert a.lead.startswith("Match for SS4A (ALN 20.939):") and "20%" in a.text.split("\n")[0]


def test_a_question_asking_whether_a_program_ended_gets_yes_when_it_did(finder):
    a = finder.ask("Did the Community Change Grants money get pulled back?", Profile(Applicant.NONPROFIT))
    assert Ask.ENDED in a.asks and a.lead.startswith("Yes: Community Change Grants") and "terminated" in a.lead
    a = finder.ask("Was SS4A cancelled?", Profile(Applicant.CITY))
    assert a.lead.startswith("No, it is open: the Grants.gov notice for SS4A")


def test_a_fact_question_naming_no_program_gets_the_fact_for_the_best_match(finder):
    a = finder.ask("What share of a new roundabout would the federal safety grant cover for our city?",
                   Profile(Applicant.CITY))
    assert Ask.MATCH in a.asks and a.about is None
    assert a.lead.startswith("Match for ") and f"(ALN {a.shown[0].aln})" in a.lead.split(":")[0]


def test_a_uses_question_lists_what_the_named_program_pays_for(finder):
    a = finder.ask("What can Safe Streets and Roads for All money be used for?", Profile(Applicant.CITY))
    assert Ask.USES in a.asks and a.lead.startswith("SS4A (ALN 20.939) pays for: ")
    assert a.shown[0].program.uses[0] in a.lead


def test_a_match_question_on_a_record_without_the_share_says_so(finder):
    a = finder.ask("What is the local match for an INFRA grant?", Profile(Applicant.COUNTY))
    assert a.about == "20.934"
    assert "does not record the cost share for" in a.lead and "(ALN 20.934)" in a.lead and "won't guess" in a.lead
    assert "fpi.omb.gov" not in a.lead  # the place to check is the program's own page, not the inventory


def test_an_office_question_names_the_state_office(finder):
    a = finder.ask("We're a town in Texas. Which state agency runs the Drinking Water State Revolving Fund?")
    assert Ask.OFFICE in a.asks
    assert "Texas Water Development Board" in a.lead.split("\n")[0]


def test_an_office_question_with_a_state_but_no_applicant_type_still_names_the_office(finder):
    a = finder.ask("Who handles the Drinking Water State Revolving Fund in Texas?", Profile())
    assert a.asker is None and Ask.OFFICE in a.asks
    assert "Texas Water Development Board" in a.lead.split("\n")[0]


def test_an_office_question_without_a_program_name_names_the_office_of_the_top_program(finder):
    a = finder.ask("Who runs the home weatherization program for low-income families in Michigan?",
                   Profile(Applicant.COUNTY))
    assert Ask.OFFICE in a.asks and a.about is None
    first = a.lead.split("\n")[0]
    assert "ALN 81.042" in first and "Michigan Department of Health and Human Services" in first


def test_a_comparison_puts_each_named_programs_verdict_match_and_status_side_by_side(finder):
    a = finder.ask("Which is better for a county roundabout, SS4A or BUILD?", Profile(Applicant.COUNTY))
    assert Ask.COMPARE in a.asks
    first = a.lead.split("\n")[0]
    for aln in ("ALN 20.939", "ALN 20.933"):
        assert aln in first
    assert first.count("match:") == 2 and first.count("status:") == 2 and "80%" in first


def test_a_deadline_question_gives_the_notice_date(finder):
    a = finder.ask("When is the SS4A deadline?", Profile(Applicant.COUNTY))
    assert "closes 20 December 2026" in a.lead


def test_an_amount_question_uses_the_recorded_award_limit(finder):
    a = finder.ask("What's the most a county can get from Section 5311?", Profile(Applicant.COUNTY))
    assert Ask.AMOUNT in a.asks and "no fixed per-project cap" in a.lead


def test_a_missing_program_is_named_as_missing_and_no_other_program_gets_its_yes(finder):
    a = finder.ask("Can our city apply for the Thriving Widgets Program?", Profile(Applicant.CITY))
    assert a.lead.startswith("I don't have a program called \"Thriving Widgets Program\"")
    assert not re.search(r"\bYes\b", a.text)


def test_a_named_program_is_found_by_a_partial_or_agency_name(finder):
    a = finder.ask("Can we apply to the Economic Development Administration for a sewer line?",
                   Profile(Applicant.CITY))
    assert a.shown[0].aln == "11.300"


@pytest.mark.parametrize("question, kind", [
    ("Our heating bill doubled this winter and I'm a retiree. Can a federal program cover it for me?",
     RefusalKind.PERSONAL),
    ("We run a small trucking company. Who are the best lenders for a new fleet loan?", RefusalKind.BUSINESS),
    ("Our municipality in Quebec needs a new water plant. Which program applies?", RefusalKind.ABROAD),
    ("Which party should get credit for the water plant? Write a line for my reelection flyer.", RefusalKind.OPINION),
    ("Which LED streetlight brand should the city buy? Just pick one.", RefusalKind.VENDOR),
    ("What's the home address of the EPA project officer who reviewed us?", RefusalKind.CONTACT),
    ("Write me a haiku about our sewer plant.", RefusalKind.OFF_TASK),
])
def test_each_out_of_scope_class_is_declined_with_no_programs(finder, question, kind):
    a = finder.ask(question)
    assert a.refused is kind and a.shown == [] and a.hits == []


@pytest.mark.parametrize("question", [
    "Our county jail needs a new roof and the boiler is failing.",
    "We need a cooling shelter for seniors during heat waves.",
    "The village clinic building has mold and a leaking roof.",
    "Our airport's runway lights are failing.",
])
def test_a_local_need_described_as_a_problem_is_answered(finder, question):
    a = finder.ask(question, Profile(Applicant.COUNTY))
    assert not a.refused and a.shown


def test_a_follow_up_keeps_the_asker_of_the_turn_it_refers_to(finder):
    conv = Conversation()
    first = finder.ask("We're a city of 20,000 in Texas. What money helps replace water mains?", Profile(), conv)
    assert first.asker is not None and first.asker.applicant is Applicant.CITY
    follow = finder.ask("Which of these are loans?", Profile(), conv)
    assert follow.asker is not None
    assert (follow.asker.applicant, follow.asker.population, follow.asker.state) == (Applicant.CITY, 20000, "TX")
    again = finder.ask("What about for counties?", Profile(), conv)
    assert again.asker.applicant is Applicant.COUNTY and again.asker.state == "TX"
    assert again.asker.population is None  # the city's 20,000 is not the county's
    sized = finder.ask("what about a county of 90,000 in Oklahoma?", Profile(), conv)
    assert (sized.asker.applicant, sized.asker.population, sized.asker.state) == (Applicant.COUNTY, 90000, "OK")
