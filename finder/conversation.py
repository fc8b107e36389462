"""The asker's profile and what a conversation remembers between turns, plus follow-up parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from finder.applicants import LABELS, Applicant
from finder.query import APPLICANT_PATTERNS


@dataclass
class Profile:
    """Applied to every question; the question's own words win where they name an applicant."""

    applicant: Applicant | None = None
    state: str | None = None
    population: int | None = None

    def describe(self) -> str:
        if not self.applicant:
            return "no applicant type set"
        bits = [LABELS[self.applicant][0]]
        if self.population:
            bits.append(f"population {self.population:,}")
        if self.state:
            bits.append(self.state)
        return ", ".join(bits)


@dataclass
class Conversation:
    """The last results and question, so follow-ups can refer to them."""

    last_ids: list[str] = field(default_factory=list)
    applicant: Applicant | None = None


ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
            "fifth": 5, "5th": 5, "top": 1}


@dataclass(frozen=True)
class FollowUp:
    kind: str  # "detail" | "filter" | "applicant"
    position: int = 0
    filter: str = ""
    applicant: Applicant | None = None


def follow_up(text: str) -> FollowUp | None:
    """Recognise a question that refers to the previous answer's programs."""
    t = text.lower().strip()
    m = re.search(r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|top|last)\b\s*(one|program|result|option)?",
                  t) or re.search(r"(?:number|#|no\.)\s*(\d)\b", t)
    refers = re.search(r"\b(more|detail|details|about|explain|expand|what is|tell me)\b", t)
    if m and refers and len(t) < 80:
        word = m[1]
        pos = -1 if word == "last" else ORDINALS.get(word, int(word) if word.isdigit() else 0)
        return FollowUp("detail", position=pos)
    if re.search(r"\b(of|among|from) (those|these|them|the above)\b|\bwhich ones?\b|\bany of (those|them|these)\b", t):
        for word, kind in (("loan", "loan"), ("grant", "grant"), ("open", "open"), ("bil", "bil"),
                           ("infrastructure law", "bil"), ("eligible", "eligible"), ("apply", "eligible")):
            if word in t:
                return FollowUp("filter", filter=kind)
    m2 = re.match(r"^(and |but )?(what|how) about (for )?(.+?)\??$", t) or re.match(r"^(and |but )?for (.+?)\??$", t)
    if m2 and len(t) < 60:
        tail = m2.groups()[-1]
        for pattern, who in APPLICANT_PATTERNS:
            if re.search(pattern, tail):
                return FollowUp("applicant", applicant=who)
    return None
