"""The everyday-word vocabulary points only at what catalog programs say they pay for."""

import pytest

from finder.answering.vocabulary import TERMS, expansions
from finder.catalog.model import load_catalog
from tests.conftest import CATALOG


def test_every_target_phrase_appears_in_some_records_uses_or_keywords():
    records, _ = load_catalog(CATALOG)
    texts = [" ; ".join(op.uses + op.keywords).lower() for op in records]
    missing = [t for term in TERMS for t in term.targets if not any(t.lower() in x for x in texts)]
    assert missing == []


@pytest.mark.parametrize("text, expected", [
    ("Our rural county needs a new ambulance", "ambulances"),
    ("The pumper is 40 years old", "fire trucks"),
    ("our county jail needs a new roof", "jails"),
    ("the sewage lagoon is failing", "sewage lagoons"),
    ("a new lift station", "lift stations"),
    ("microtransit for seniors", "dial-a-ride (demand-response)"),
    ("the courthouse needs a secure entrance", "courthouses"),
])
def test_local_words_map_to_catalog_terms(text, expected):
    assert expected in expansions(text)


def test_oil_wells_are_not_drinking_water_wells_and_no_word_means_no_expansion():
    assert expansions("Abandoned oil wells on county land") == ["plugging orphaned oil and gas wells"]
    assert expansions("Tell me about SS4A") == []
