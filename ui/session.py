"""One browser session's chat, owned by the server: history, follow-up memory and ratings.

The client never sends history back: what the chat shows is rebuilt from this object, so a forged
request or link cannot make the app display an assistant message it did not produce. A session keeps
each question only as the 300 characters it shows, and its last MAX_TURNS turns, so a client sending
long questions for hours cannot grow the server's memory or slow its own turns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from finder.answering.conversation import Conversation, Profile, describe
from finder.answering.types import Answer
from finder.catalog.applicants import parse_applicant
from finder.catalog.rules import STATES
from finder.text import md_escape

ECHO_LIMIT = 300
MAX_TURNS = 50  # turns a session remembers; older ones leave the chat


def cut(text: str) -> str:
    """A user's text as the app keeps and shows it: spaces collapsed, at most ECHO_LIMIT characters."""
    t = " ".join(str(text or "")[: ECHO_LIMIT * 4].split())
    return t[:ECHO_LIMIT] + ("…" if len(t) > ECHO_LIMIT else "")


def echo(text: str) -> str:
    """A user's text shown back as plain text: cut, Markdown and HTML escaped (no link can form, even to a
    dotless host like http://2130706433/)."""
    return md_escape(cut(text))


def parse_population(text: Any) -> tuple[int | None, str | None]:
    """(population, None), or (None, a message saying what could not be read). Accepts 12,000 / 12000 / 12k."""
    t = str(text or "").strip().lower().replace(",", "").replace(" ", "")
    if not t:
        return None, None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(k|thousand|m|million)?", t)
    if not m:
        return None, f"I couldn't read “{echo(str(text))}” as a population; use a number such as 12,000 or 12k."
    scale = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}.get(m[2] or "", 1)
    value = int(float(m[1]) * scale)
    if value < 1:
        return None, ("A population of 0 can't be used, so answers ignore it; enter the number of residents or "
                      "leave it empty.")
    return value, None


def make_profile(applicant: str, state: str, population: Any) -> tuple[Profile, str | None]:
    pop, problem = parse_population(population)
    code = state if state in STATES else None
    return Profile(parse_applicant(applicant) if applicant else None, code, pop), problem


@dataclass
class Turn:
    question: str
    answer: Answer
    used_for: str
    rating: tuple[bool, str] | None = None  # (liked, feedback event id)


@dataclass
class ChatSession:
    conversation: Conversation = field(default_factory=Conversation)
    turns: list[Turn] = field(default_factory=list)
    pending_reason: str | None = None  # the rating event a reason will attach to
    ratings: int = 0  # ratings stored by this session (capped by FINDER_MAX_RATINGS)
    exports: int = 0  # shortlist exports made by this session

    def add(self, question: str, answer: Answer, who: str) -> None:
        """Remember a turn: the question as shown (cut), and only the last MAX_TURNS turns."""
        self.turns.append(Turn(cut(question), answer, who))
        del self.turns[:-MAX_TURNS]

    def clear(self) -> None:
        self.conversation.clear()
        self.turns.clear()
        self.pending_reason = None

    def messages(self) -> list[dict[str, str]]:
        out = []
        for t in self.turns:
            out.append({"role": "user", "content": echo(t.question)})
            out.append({"role": "assistant", "content": f"*Answering for: {t.used_for}*\n\n{t.answer.text}"})
        return out

    def turn_at(self, message_index: int) -> Turn | None:
        i, is_answer = divmod(message_index, 2)
        return self.turns[i] if is_answer and 0 <= i < len(self.turns) else None


def used_for(answer: Answer, profile: Profile) -> str:
    """Whom the answer was for: the asker it actually used (profile or the question's own words)."""
    a = answer.asker
    return describe(a.applicant, a.population, a.state) if a else profile.describe()
