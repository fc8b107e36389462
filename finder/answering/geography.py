"""Places named in a question: the county an asker is in, and whether they sit inside a large urbanized area.

Rules such as "outside an urbanized area of more than 150,000 people" test the Census urbanized area, not the
town. Askers rarely know its population, but they name the big city whose urban area they belong to; every
urban area below had more than one million people in the 2020 Census (census.gov, "2020 Census Urban Areas"),
so belonging to one settles any such test with a threshold up to a million.
"""

from __future__ import annotations

import re

LARGE_URBAN_AREA = 1_000_000
# Principal cities of the 2020 Census urban areas of more than one million people.
LARGE_URBAN_CORES = (
    "new york", "newark", "jersey city", "los angeles", "long beach", "anaheim", "chicago", "miami",
    "fort lauderdale", "houston", "dallas", "fort worth", "arlington", "philadelphia", "washington", "atlanta",
    "boston", "phoenix", "mesa", "scottsdale", "detroit", "seattle", "tacoma", "san francisco", "oakland",
    "san diego", "minneapolis", "st. paul", "saint paul", "tampa", "st. petersburg", "denver", "aurora",
    "riverside", "san bernardino", "baltimore", "las vegas", "henderson", "st. louis", "saint louis", "portland",
    "san antonio", "sacramento", "orlando", "san jose", "austin", "pittsburgh", "cleveland", "indianapolis",
    "cincinnati", "kansas city", "columbus", "charlotte", "virginia beach", "norfolk", "milwaukee", "providence",
    "jacksonville", "salt lake city", "nashville",
)
_CORE = "|".join(re.escape(c) for c in LARGE_URBAN_CORES)
_URBAN = re.compile(
    rf"\b(?:part of|in|inside|within|counts us (?:as|in)(?: part of)?|belong to)\s+(?:the\s+)?(?:greater\s+)?"
    rf"(?P<a>{_CORE})(?:[-–/ ](?:[a-z. ]+?))?\s+(?:urban(?:ized)?|metro(?:politan)?)\s+area\b|"
    rf"\b(?:suburb|edge|outskirts)\s+of\s+(?P<b>{_CORE})\b")
_RURAL = re.compile(r"\b(not (in|part of) (an?|any) urban(ized)? area|outside (of )?(any|an) urban(ized)? area)\b")
_COUNTY = re.compile(r"\b(?:we(?:'re| are)|i(?:'m| am) (?:with|from)|this is|our county is|here in|in)\s+"
                     r"([a-z][a-z.'-]*(?: [a-z][a-z.'-]*){0,2}) (county|parish|borough)\b")
_NOT_NAMES = {"a", "an", "the", "our", "small", "rural", "large", "this", "that", "my", "same", "one", "each", "every",
              "neighboring", "nearby", "whole", "entire", "local", "home"}


def urban_population(low: str) -> int | None:
    """A population for the urbanized area the asker says they are part of: more than a million when it is one
    of the large urban areas; None when not said."""
    if _RURAL.search(low):
        return 0
    return LARGE_URBAN_AREA + 1 if _URBAN.search(low) else None


def question_county(low: str) -> str | None:
    """The county the asker is ("We're Buncombe County", "here in St. Mary Parish"), in title case."""
    for m in _COUNTY.finditer(low):
        words = m[1].split()
        while words and words[0] in _NOT_NAMES:
            words = words[1:]
        if words:
            return " ".join(w.capitalize() for w in words)
    return None
