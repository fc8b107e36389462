"""Question understanding as data: what is asked, by whom, about which named program, and what is declined."""

import pytest

from finder.answering.guards import off_limits
from finder.answering.intent import asks, loose_phrase, program_phrase
from finder.answering.query import parse
from finder.catalog.vocab import Applicant, Ask, RefusalKind


@pytest.mark.parametrize("question, wanted", [
    ("Is the Digital Equity Competitive Grant still available?", Ask.STATUS),
    ("Is that NAE money still coming now that we never signed?", Ask.STATUS),
    ("When does the next round of BIP open?", Ask.STATUS),
    ("Did the BEAD rules change?", Ask.STATUS),
    ("What share of the cost does a city cover on an SS4A grant?", Ask.MATCH),
    ("How much of the cost does HMGP pay, and how much is on us?", Ask.MATCH),
    ("What match does a CWDG project grant need?", Ask.MATCH),
    ("Which state agency runs HMGP here, and where do we start?", Ask.OFFICE),
    ("Who in Iowa hands out the Section 5311 money?", Ask.OFFICE),
    ("Who do we go to in the state for EMPG?", Ask.OFFICE),
    ("Which Oregon agency gives out the clean water SRF loans?", Ask.OFFICE),
    ("Which office in Kansas administers the rural transit money?", Ask.OFFICE),
    ("Who administers the small cities block grant in Maine?", Ask.OFFICE),
    ("Our county in Arizona wants Recreational Trails money. Who runs it here?", Ask.OFFICE),
    ("In Georgia, who administers the Land and Water Conservation Fund?", Ask.OFFICE),
    ("Which state office should a Wisconsin county call about weatherization?", Ask.OFFICE),
    ("Does a city of 50,000 get its own allocation, or do we go through the state?", Ask.APPLY),
    ("Is EPA still handing out rebates for electric school buses?", Ask.STATUS),
    ("Was the Brownfields Job Training program cancelled?", Ask.STATUS),
    ("We heard rumors. Has NTIA's digital equity money been clawed back by Congress?", Ask.STATUS),
    ("What's the most ECWAG can give us for a new well?", Ask.AMOUNT),
    ("Roughly how much could we borrow through Section 108?", Ask.AMOUNT),
    ("When is the BUILD application due?", Ask.DEADLINE),
    ("Can a county apply for BRIC?", Ask.APPLY),
    ("Can we be the lead applicant for a planning grant?", Ask.APPLY),
    ("What's the difference between BUILD and INFRA?", Ask.COMPARE),
    ("What grants help a county fix bridges?", Ask.FIND),
    ("Who handles the paperwork for a grant in a small town?", Ask.FIND),
    ("What programs in Ohio pay for sewers?", Ask.FIND),
    ("How much do we have to chip in ourselves for a cleanup grant?", Ask.MATCH),
    ("Can a sanitary district get a WIFIA loan?", Ask.APPLY),
    ("What does the Reconnecting Communities program pay for?", Ask.USES),
    ("What can SS4A money be used for?", Ask.USES),
    ("What does the grant cover and what do we pay?", Ask.MATCH),
    ("Do we have to put up a match?", Ask.MATCH),
    ("How much do we put up?", Ask.MATCH),
    ("What's the largest SS4A implementation grant a city can get?", Ask.AMOUNT),
    ("How big can a BRIC project award be?", Ask.AMOUNT),
    ("Is the Charging and Fueling Infrastructure program paused?", Ask.STATUS),
    ("Is the Energy Efficiency and Conservation Block Grant program over?", Ask.STATUS),
    ("Our county has 250,000 people. Are we an EECBG direct recipient?", Ask.APPLY),
    ("Town of 25,000: are we a CDBG entitlement community?", Ask.APPLY),
    ("How much does FEMA pay on a Flood Mitigation Assistance project?", Ask.MATCH),
    ("What's the match for tribes on the Tribal Broadband Connectivity Program?", Ask.MATCH),
    ("What's the maximum WIFIA loan as a share of project cost?", Ask.MATCH),
    ("What's the maximum WIFIA loan as a share of project cost?", Ask.AMOUNT),
    ("How much can a county get from the Community Wildfire Defense Grant?", Ask.AMOUNT),
    ("How much local money do we need for a TIFIA loan?", Ask.MATCH),
    ("How much can one RAISE grant be at most?", Ask.AMOUNT),
    ("Did the Solar for All money get pulled back?", Ask.STATUS),
    ("Did Congress end the Digital Equity Act grants?", Ask.STATUS),
])
def test_each_kind_of_question_is_read(question, wanted):
    assert wanted in asks(question)


@pytest.mark.parametrize("question, ended", [
    ("Did the Solar for All money get pulled back?", True),
    ("Did Congress end the Digital Equity Act grants?", True),
    ("Was the Brownfields Job Training program cancelled?", True),
    ("Is the Digital Equity Competitive Grant still available?", False),
    ("Is CFI still running or did it get cancelled?", False),  # both ways: a bare yes or no would mislead
    ("When does the next round of BIP open?", False),
])
def test_a_status_asked_as_whether_it_ended_is_told_apart(question, ended):
    assert (Ask.ENDED in asks(question)) is ended and Ask.STATUS in asks(question)


def test_several_asks_in_one_question_keep_their_order():
    got = asks("Is SS4A still open, and what match does a city pay?")
    assert got.index(Ask.STATUS) < got.index(Ask.MATCH)


@pytest.mark.parametrize("question, applicant, population, state", [
    ("City of 40,000 here. Can we apply for EECBG?", Applicant.CITY, 40000, None),
    ("I work for a federally recognized tribe. Can we apply for BRIC?", Applicant.TRIBE, None, None),
    ("Our village needs a new well", Applicant.CITY, None, None),
    ("Our township wants to repave roads", Applicant.CITY, None, None),
    ("We're the Port of Walla Walla, a port district, on the Columbia", Applicant.SPECIAL_DISTRICT, None, None),
    ("We're a Native village on the Kuskokwim River in Alaska", Applicant.TRIBE, None, "AK"),
    ("Lots of homes in our parish in Louisiana have no internet", Applicant.COUNTY, None, "LA"),
    ("We're a borough in Alaska", Applicant.COUNTY, None, "AK"),
    ("Our borough in New Jersey wants sidewalks", Applicant.CITY, None, "NJ"),
    ("Our pueblo wants a water tank", Applicant.TRIBE, None, None),
    ("We're the metropolitan planning organization for our region.", Applicant.SPECIAL_DISTRICT, None, None),
    ("Our council of governments wants a regional plan", Applicant.SPECIAL_DISTRICT, None, None),
    ("A town of 8,000 in Maine: can we get CDBG straight from HUD?", Applicant.CITY, 8000, "ME"),
    ("Can a city in Puerto Rico apply for Safe Streets and Roads for All?", Applicant.CITY, None, "PR"),
    ("Can Guam apply for BRIC directly?", Applicant.TERRITORY, None, "GU"),
    ("Our levee board needs to raise the levee.", Applicant.SPECIAL_DISTRICT, None, None),
    ("Our volunteer fire company needs a new engine.", Applicant.NONPROFIT, None, None),
    ("We're a rural electric co-op in Kansas.", Applicant.NONPROFIT, None, "KS"),
    ("We are an Alaska Native regional corporation.", Applicant.TRIBE, None, "AK"),
    ("We're a community action agency running weatherization.", Applicant.NONPROFIT, None, None),
    ("Can a state DOT apply for SS4A?", Applicant.STATE, None, None),
    ("Can a transit agency apply for the Low-No bus program?", Applicant.SPECIAL_DISTRICT, None, None),
    ("Can a private airport owner apply for AIP?", Applicant.FOR_PROFIT, None, None),
    ("Our transit authority wants electric buses", Applicant.SPECIAL_DISTRICT, None, None),
    ("Our water district serves 3,000 people", Applicant.SPECIAL_DISTRICT, 3000, None),
    ("Our school district wants new buses", Applicant.SCHOOL_DISTRICT, None, None),
    ("I work for the Guam Power Authority.", Applicant.TERRITORY, None, "GU"),
    ("Our nonprofit wants to clean up a lot", Applicant.NONPROFIT, None, None),
    ("Town of 3,200 speaking. Our only well went dry", Applicant.CITY, 3200, None),
])
def test_the_asker_is_read_from_their_own_words(question, applicant, population, state):
    c = parse(question)
    assert (c.applicant, c.population, c.state) == (applicant, population, state)


def test_county_and_urban_area_are_read():
    c = parse("We're Buncombe County in western North Carolina. Can we apply to SCRC?")
    assert c.county == "Buncombe" and c.state == "NC"
    c = parse("Our town of 9,000 is part of the Denver-Aurora urban area. Do we qualify?")
    assert c.urban_population and c.urban_population > 1_000_000
    assert parse("Our town is not part of any urbanized area").urban_population == 0


@pytest.mark.parametrize("question, phrase", [
    ("Was the Environmental Justice Thriving Communities Grantmaking program cancelled?",
     "Environmental Justice Thriving Communities Grantmaking program"),
    ("Can we apply for the Thriving Communities Program?", "Thriving Communities Program"),
    ("Is the Digital Equity Competitive Grant still available?", "Digital Equity Competitive Grant"),
    ("Can we apply for Solar for All?", "Solar for All"),
    ("Can our city get a FOOBAR grant?", "FOOBAR"),
    ("Can we apply for Bipartisan Infrastructure Law money?", None),
    ("Which grants help our town fix roads?", None),
])
def test_a_program_name_the_asker_writes_is_found(question, phrase):
    assert program_phrase(question) == phrase


@pytest.mark.parametrize("question, kind", [
    ("My family's hardware store wants a loan to expand next door. Which bank is best?", RefusalKind.BUSINESS),
    ("Which angel investors should I pitch my startup to?", RefusalKind.BUSINESS),
    ("We're a town council in Bavaria. How do we get EU money for rail?", RefusalKind.ABROAD),
    ("Which party deserves credit for our bridge money? Give me a line for my mailer.", RefusalKind.OPINION),
    ("Which fire truck brand is most reliable? Just pick one.", RefusalKind.VENDOR),
    ("What's the best insurance carrier for our county's vehicle fleet?", RefusalKind.VENDOR),
    ("Can you recommend a lawyer for our zoning dispute with a developer?", RefusalKind.VENDOR),
    ("Which bank gives the best rates on a business loan?", RefusalKind.BUSINESS),
    ("Give me the personal cell number of the FEMA officer.", RefusalKind.CONTACT),
    ("I lost my job and can't pay my phone bill. Will a program pay it for me?", RefusalKind.PERSONAL),
    ("Write me a cover letter for a planner job.", RefusalKind.OFF_TASK),
    ("How's the weather looking for our ribbon cutting on Saturday? Will the weather hold?", RefusalKind.OFF_TASK),
    ("Could the UK government fund our sister-city exchange?", RefusalKind.ABROAD),
    ("Please draft our grant narrative for the trail project", RefusalKind.WRITING),
    ("Can you fill out the CDBG application for us?", RefusalKind.WRITING),
])
def test_rules_decline_each_out_of_scope_class(question, kind):
    assert off_limits(question) is kind


@pytest.mark.parametrize("question", [
    "We'd like a grant to hire a consultant for an interchange study",
    "Our town in New Mexico needs a water tank",
    "Mexico, Missouri needs a new sewer plant",
    "Our residents can't afford their water bills; can the utility get help?",
    "Which companies can apply for CRISI?",
    "Our county jail needs a new roof",
    "Severe weather knocked out our power lines; what helps us bury them?",
    "Who should we write to about our application?",
    "We want to complete the application process for SS4A. When is it due?",
    "Is there money for NOAA weather radios in our schools?",
    "Which lender handles USDA Community Facilities guaranteed loans?",
    "Which air carrier could serve our airport under Essential Air Service?",
])
def test_rules_leave_local_needs_alone(question):
    assert off_limits(question, parse(question).state) is None


def test_a_share_question_in_other_words_is_a_match_question():
    assert Ask.MATCH in asks("On the operating side, how much of the net operating cost can the federal funds cover?")


def test_an_office_without_a_state_row_reads_once_as_a_state_office():
    from types import SimpleNamespace

    from finder.answering.facts import office_phrase
    from finder.catalog.offices import OfficeContact

    federal = "https://www.fema.gov/grants/mitigation/state-contacts"
    hit = SimpleNamespace(office=OfficeContact("State hazard mitigation office", None, None, federal, federal, None))
    tail = "on the federal list of state contacts"
    assert office_phrase(hit, link=False) == f"find your state hazard mitigation office {tail}"
    hit.office = OfficeContact("State hazard mitigation office", "TX", None, federal, federal, None)
    assert office_phrase(hit, link=False) == f"find Texas's hazard mitigation office {tail}"
    hit.office = OfficeContact("Drinking water SRF program", None, None, federal, federal, None)
    assert office_phrase(hit, link=False).startswith("find your state's drinking water SRF program")


def test_a_first_sentence_does_not_end_inside_a_citation():
    from finder.answering.facts import first_sentences

    text = "HSIP is generally 90% federal (23 U.S.C. 120(c)). Some safety work is 100% federal. More."
    assert first_sentences(text, 1) == "HSIP is generally 90% federal (23 U.S.C. 120(c))."
    assert first_sentences("Pays 80% (Pub. L. 117-58). Then this.", 1) == "Pays 80% (Pub. L. 117-58)."


@pytest.mark.parametrize("question, phrase", [
    ("Can a state university apply for the Brownfields assessment grants?", "Brownfields assessment grants"),
    ("Is the USDA Community Facilities program open?", "Community Facilities program"),
    ("What grants help a county fix bridges?", None),
])
def test_a_loose_name_is_offered_for_resolving_only(question, phrase):
    assert loose_phrase(question) == phrase


def test_how_much_can_we_get_asks_an_amount_not_whether_we_can_apply():
    assert Ask.APPLY not in asks("How much can a county get from the Community Wildfire Defense Grant?")


@pytest.mark.parametrize("question", [
    "Can federal money pay to rehabilitate a historic bridge instead of tearing it down?",  # what it pays for
    "Some of our older homes still get water through lead pipes. How do we pay to dig them up?",  # 'still get'
    "Is there money to rebuild the bridge over the river?",  # 'over' is not 'is it over?'
    "We want to put up solar panels on the town hall.",  # building something, not putting up a share
    "The last storm was hard on us and washed out three roads.",
    "Can we apply by ourselves?",  # not 'apply by' a date
])
def test_a_discovery_question_asks_no_fact_it_does_not_ask(question):
    assert not {Ask.MATCH, Ask.STATUS, Ask.AMOUNT, Ask.DEADLINE} & set(asks(question))


def test_a_discovery_question_is_not_a_uses_question_unless_it_asks_what_a_program_pays_for():
    assert Ask.USES not in asks("What can pay for our new fire truck?")
    assert Ask.USES not in asks("What does FEMA pay for the rest of the cost?")
