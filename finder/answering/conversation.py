"""The asker's profile and what a conversation remembers between turns, plus follow-up parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from finder.answering.query import APPLICANT_PATTERNS, question_population, question_state
from finder.catalog.applicants import LABELS
from finder.catalog.eligibility import Asker
from finder.catalog.rules import STATES
from finder.catalog.vocab import Applicant, FollowUpFilter, FollowUpKind


@dataclass
class Profile:
    """Applied to every question; the question's own words win where they name an applicant."""

    applicant: Applicant | None = None
    state: str | None = None
    population: int | None = None

    def describe(self) -> str:
        return describe(self.applicant, self.population, self.state)


def describe(applicant: Applicant | None, population: int | None = None, state: str | None = None) -> str:
    """'a city, population 20,000, Ohio': whom an answer was for."""
    if not applicant:
        return "no applicant type set"
    bits = [LABELS[applicant][0]]
    if population:
        bits.append(f"population {population:,}")
    if state:
        bits.append(STATES.get(state, state))
    return ", ".join(bits)


@dataclass
class Conversation:
    """What the last answer showed, so follow-ups act on the programs the user saw."""

    last_ids: list[str] = field(default_factory=list)
    last_asker: Asker | None = None  # whom the last answer was for: a follow-up keeps it

    def clear(self) -> None:
        self.last_ids.clear()
        self.last_asker = None


ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
            "fifth": 5, "5th": 5, "top": 1}


@dataclass(frozen=True)
class FollowUp:
    kind: FollowUpKind
    position: int = 0
    filter: FollowUpFilter | None = None
    applicant: Applicant | None = None
    population: int | None = None  # "what about a county of 90,000?"
    state: str | None = None  # "and for a city in Ohio?"


def follow_up(text: str) -> FollowUp | None:
    """Recognise a question that refers to the previous answer's programs."""
    t = text.lower().strip()
    m = re.search(r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|top|last)\b\s*(one|program|result|option)?",
                  t) or re.search(r"(?:number|#|no\.)\s*(\d)\b", t)
    refers = re.search(r"\b(more|detail|details|about|explain|expand|what is|tell me)\b", t)
    if m and refers and len(t) < 80:
        word = m[1]
        pos = -1 if word == "last" else ORDINALS.get(word, int(word) if word.isdigit() else 0)
        return FollowUp(FollowUpKind.DETAIL, position=pos)
    if re.search(r"\b(of|among|from) (those|these|them|the above)\b|\bwhich ones?\b|\bany of (those|them|these)\b", t):
        for word, kind in (("loan", FollowUpFilter.LOAN), ("borrow", FollowUpFilter.LOAN),
                           ("grant", FollowUpFilter.GRANT), ("open", FollowUpFilter.OPEN), ("bil", FollowUpFilter.BIL),
                           ("infrastructure law", FollowUpFilter.BIL), ("eligible", FollowUpFilter.ELIGIBLE),
                           ("apply", FollowUpFilter.ELIGIBLE)):
            if word in t:
                return FollowUp(FollowUpKind.FILTER, filter=kind)
    m2 = re.match(r"^(and |but )?(what|how) about (for )?(.+?)\??$", t) or re.match(r"^(and |but )?for (.+?)\??$", t)
    if m2 and len(t) < 60:
        tail = m2.groups()[-1]
        for pattern, who in APPLICANT_PATTERNS:
            if re.search(pattern, tail):
                return FollowUp(FollowUpKind.APPLICANT, applicant=who, population=question_population(tail),
                                state=question_state(tail))
    return None
