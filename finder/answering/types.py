"""What an answer is, as plain data: the programs found, what was shown, and the words around them.

Nothing here formats program facts: `finder/answering/markdown.py` renders an Answer for the chat, the
CLI and the LLM prompt, and `finder/answering/html.py` renders its cards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from finder.catalog.eligibility import Asker, Verdict
from finder.catalog.model import Opportunity
from finder.catalog.notices import Notice
from finder.catalog.offices import OfficeContact
from finder.catalog.vocab import Applicant, Ask, NoticeStatus, RefusalKind
from finder.text import safe_url

MAX_SHOWN = 5


@dataclass(frozen=True)
class NoticeView:
    """One Grants.gov notice as of a day: its status is fixed when the view is made."""

    id: str
    title: str
    status: NoticeStatus
    close_date: dt.date | None
    close_note: str
    award_floor: float | None
    award_ceiling: float | None
    total_funding: float | None
    cost_share: bool | None
    url: str

    @classmethod
    def of(cls, n: Notice, today: dt.date) -> NoticeView:
        return cls(n.id, n.title, n.status(today), n.close_date, n.close_note, n.award_floor, n.award_ceiling,
                   n.total_funding, n.cost_share, n.url)


@dataclass(frozen=True)
class Hit:
    """One matching program with its verdict for the asker and its notices."""

    program: Opportunity
    score: float
    verdict: Verdict | None
    notices: tuple[NoticeView, ...] = ()
    named: bool = False
    office: OfficeContact | None = None  # the state office that passes the money through, for this asker

    @property
    def id(self) -> str:
        return self.program.id

    @property
    def aln(self) -> str:
        return self.program.aln

    @property
    def title(self) -> str:
        return self.program.title

    @property
    def url(self) -> str:
        """The program's first official page, if it may be linked (an official https host), else ''."""
        return safe_url(self.program.url) or ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "aln": self.aln, "title": self.title, "score": round(self.score, 6),
                "verdict": self.verdict.kind.value if self.verdict else None, "url": self.url}


@dataclass
class Answer:
    """What the finder says. `lead` answers head-on in our words; `shown` are the programs it names (one line
    each in the chat, a card each beside it); `hits` is the full ranking, for follow-ups and evaluation.
    `text` is the rendered Markdown, filled in by the engine."""

    lead: str
    hits: list[Hit] = field(default_factory=list)
    shown: list[Hit] = field(default_factory=list)
    heading: str = ""
    notes: list[str] = field(default_factory=list)
    refused: RefusalKind | None = None
    asker: Asker | None = None
    low_confidence: bool = False
    notice: str | None = None
    about: str | None = None
    llm: str | None = None  # LLM mode: "accepted", "rejected: <reason>" or "unavailable: <cause>"
    asks: tuple[Ask, ...] = (Ask.FIND,)  # what the question asked: each program line carries those facts
    text: str = ""

    @property
    def applicant(self) -> Applicant | None:
        return self.asker.applicant if self.asker else None

    def with_heading(self, heading: str) -> Answer:
        self.heading = heading
        return self

    def as_json(self) -> dict[str, Any]:
        return {"answer": self.text, "hits": [h.as_json() for h in self.hits], "refused": bool(self.refused)}
