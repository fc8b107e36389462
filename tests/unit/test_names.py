"""Acronyms name programs only when the question means the program, not the everyday word."""

import pytest

from finder.catalog.model import load_catalog
from finder.index.lexical import Lexical
from tests.conftest import CATALOG

LEX = Lexical(load_catalog(CATALOG)[0])


@pytest.mark.parametrize("question, named", [
    ("We got a flood alert and need money for sirens", set()),
    ("Tell me about the ALERT program", {"20.703"}),
    ("What is the stock price of Tesla?", set()),
    ("Can a county apply for raise?", {"20.933"}),
    ("Can a county apply for RAISE?", {"20.933"}),
    ("tell me about ss4a", {"20.939"}),
    ("We want to raise a road before the next flood", set()),
])
def test_acronym_matching(question, named):
    assert set(LEX.names(question)) & {"20.703", "20.933", "20.939", "14.024"} == named


@pytest.mark.parametrize("question, wanted, unwanted", [
    ("Can a water district apply for WaterSMART efficiency projects?", "15.507", None),  # capitals inside: a name
    ("Can we get USDA Water and Waste Disposal money for a sewer lagoon?", "10.760", None),  # a title's opening
    ("Can a transit authority apply for the Low-No bus program?", "20.526", "20.530"),
    ("We want to plan for water and waste in our town", None, "10.760"),  # too few words in a row
    ("Our library roof leaks and the building isn't ADA accessible", None, "20.533"),  # a law, not a program
    ("What's the biggest grant from the Community Facilities program?", "10.766", None),  # a long title's head
    ("Who in Oregon runs the Land and Water Conservation Fund grants?", "15.916", "10.902"),  # not 'and Water
    # Conservation', a run that starts on a joining word inside 'Soil and Water Conservation'
])
def test_names_in_the_askers_spelling(question, wanted, unwanted):
    named = LEX.names(question)
    assert wanted is None or wanted in named
    assert unwanted is None or unwanted not in named


def test_an_acronym_among_keywords_names_less_surely_than_the_programs_own_name():
    named = LEX.names("Does the Community Wildfire Defense Grant need a match for updating our CWPP?")
    assert named["10.720"] == 1.0 and named.get("15.228", 0.0) < 1.0


@pytest.mark.parametrize("phrase, wanted", [
    ("Brownfields assessment grants", {"66.818"}),  # the words of one title, lower case as people write them
    ("Community Facilities program", {"10.766"}),
])
def test_a_loose_name_resolves_to_the_program_whose_name_holds_its_words(phrase, wanted):
    assert LEX.resolve(phrase) == wanted


@pytest.mark.parametrize("question, named", [
    ("Town of 25,000: are we a CDBG entitlement community?", {"14.218"}),
    ("CDBG section 108 loan guarantee", {"14.248"}),
    ("Tell me about CDBG", {"14.218", "14.228", "14.248", "14.225"}),  # nothing says which: all of them
])
def test_the_other_words_pick_one_program_among_those_sharing_an_acronym(question, named):
    assert set(LEX.names(question)) & {"14.218", "14.228", "14.248", "14.225"} == named
