"""What outside callers send (MCP tools, the CommonGrants API, calendar links), checked the way the chat checks
its profile and question: the same 300-character cap, the same applicant vocabulary and state codes, and any
echo of their text escaped. Also: finding a program from the name, acronym, ALN or id a caller gives.
"""

from __future__ import annotations

from typing import Any

from finder.answering.conversation import Profile
from finder.catalog.applicants import parse_applicant
from finder.catalog.eligibility import Asker
from finder.catalog.rules import STATES
from finder.catalog.vocab import Applicant
from finder.engine import Finder
from finder.text import is_aln
from ui.session import ECHO_LIMIT, echo, parse_population

QUESTION_LIMIT = ECHO_LIMIT  # the chat shows at most this much of a question; outside callers may send no more
APPLICANTS = ", ".join(a.value for a in Applicant)


class InputError(ValueError):
    """A caller's input the finder cannot use; the message is safe to show (their text is escaped)."""


def question(text: Any, *, what: str = "question") -> str:
    """The question, trimmed; empty or longer than the chat's cap is refused with a message saying so."""
    q = " ".join(str(text or "").split())
    if not q:
        raise InputError(f"The {what} is empty; ask about a kind of project, for example 'bridge repair grants'.")
    if len(q) > QUESTION_LIMIT:
        raise InputError(f"The {what} has {len(q)} characters; the limit is {QUESTION_LIMIT}. Shorten it.")
    return q


def applicant(value: Any) -> Applicant | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return parse_applicant(text)
    except ValueError:
        raise InputError(f"Unknown applicant type “{echo(text[:40])}”; use one of: {APPLICANTS}.") from None


def state(value: Any) -> str | None:
    code = str(value or "").strip().upper()
    if not code:
        return None
    if code not in STATES:
        raise InputError(f"Unknown state “{echo(code[:20])}”; use a two-letter USPS code such as OH, TX or PR.")
    return code


def population(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            raise InputError("Population cannot be negative.")
        return int(value)
    pop, problem = parse_population(value)
    if problem:
        raise InputError(problem)
    return pop


def asker(applicant_type: Any, state_code: Any = None, people: Any = None) -> Asker | None:
    """Who is asking, or None when no applicant type is given (then no verdicts are given either)."""
    who, where, pop = applicant(applicant_type), state(state_code), population(people)
    return Asker(who, pop, where) if who is not None else None


def profile(applicant_type: Any, state_code: Any = None, people: Any = None) -> Profile:
    return Profile(applicant(applicant_type), state(state_code), population(people))


def program_ids(finder: Finder, name: Any) -> list[str]:
    """The programs a caller means: an exact id ('20.205-nevi'), every program under an ALN, or the programs
    a name or acronym resolves to ('Safe Streets and Roads for All', 'SS4A'), from the current index."""
    text = question(name, what="program name")
    with finder.index.reading() as snap:
        if text in snap.programs:
            return [text]
        if is_aln(text):
            return sorted(pid for pid, op in snap.programs.items() if op.aln == text)
        return sorted(snap.lexical.resolve(text) & set(snap.programs))
