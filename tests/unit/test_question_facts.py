"""Population and state read from a question's own words."""

import pytest

from finder.answering.query import parse, question_population, question_state


@pytest.mark.parametrize("text, population", [
    ("Our town has 8,500 people. Can we apply?", 8500), ("We're a city of 35,000.", 35000),
    ("Can our village of 900 get a grant?", 900), ("We have 25,000 residents.", 25000),
    ("Rural county, 12,000 people.", 12000), ("a town of 12k", 12000), ("A county of 1.2k people", 1200),
    ("Our pumper truck is 30 years old.", None), ("In 2024 we applied.", None),
])
def test_population_from_the_question(text, population):
    assert question_population(text.lower()) == population


@pytest.mark.parametrize("text, state", [
    ("We're a county in Ohio", "OH"), ("a Texas town", "TX"), ("our West Virginia county", "WV"),
    ("Can a county apply for RAISE?", None), ("We're in Puerto Rico", "PR"), ("a city in Washington, D.C.", "DC"),
])
def test_state_from_the_question(text, state):
    assert question_state(text.lower()) == state


def test_question_population_and_state_override_the_profile():
    c = parse("We're a town of 2,000 in Texas", population=50000, state="OH")
    assert (c.population, c.state) == (2000, "TX")
    c = parse("Can we apply?", population=50000, state="OH")
    assert (c.population, c.state) == (50000, "OH")
