"""Grounded answers: deterministic text built only from retrieved records, verdicts and notices."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from finder.applicants import LABELS, Applicant
from finder.catalog import Opportunity
from finder.eligibility import Verdict, VerdictKind
from finder.notices import Notice, NoticeStatus

MAX_SHOWN = 5


@dataclass(frozen=True)
class NoticeView:
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
    """One matching program, as the UI and CLI show it."""

    program: Opportunity
    score: float
    verdict: Verdict | None
    notices: tuple[NoticeView, ...] = ()
    named: bool = False

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
        return self.program.url

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "aln": self.aln, "title": self.title, "score": round(self.score, 6),
                "verdict": self.verdict.kind.value if self.verdict else None, "url": self.url}


@dataclass
class Answer:
    """What the finder says: text (Markdown), the programs it cites, and whether it declined."""

    text: str
    hits: list[Hit] = field(default_factory=list)
    refused: bool = False
    applicant: Applicant | None = None
    low_confidence: bool = False
    notice: str | None = None
    about: str | None = None
    shown: list[Hit] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"answer": self.text, "hits": [h.as_json() for h in self.hits], "refused": self.refused}


def money(v: float) -> str:
    if v >= 1e9:
        return f"${v / 1e9:.2f} billion"
    if v >= 1e6:
        return f"${v / 1e6:.1f} million"
    if v >= 1e3:
        return f"${v / 1e3:.0f} thousand"
    return f"${v:,.0f}"


def safe(text: str) -> str:
    """Catalog and feed text rendered as data: no Markdown links, images or HTML can come through."""
    t = re.sub(r"<[^>]*>", " ", text)
    t = re.sub(r"(?:https?|ftp)://\S+|www\.\S+", "[link removed]", t)
    t = re.sub(r"\b\d\d\.\d{3}\b", "[number removed]", t)  # only the finder itself cites ALNs
    t = re.sub(r"[\[\]<>`*_|#]", "", t)
    return " ".join(t.split())


def first_sentences(text: str, n: int = 2) -> str:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(parts[:n])


def amount_line(op: Opportunity) -> str | None:
    ob = op.latest_obligation()
    if not ob:
        return None
    return f"FY{ob[0]} obligations: {money(ob[1])} (SAM.gov/USAspending via the federal program inventory)"


STATUS_ORDER = {NoticeStatus.POSTED: 0, NoticeStatus.FORECASTED: 1, NoticeStatus.CLOSED: 2, NoticeStatus.ARCHIVED: 3}


def ordered_notices(hit: Hit) -> list[NoticeView]:
    """Open notices first, then forecasts, closed and archived; soonest close date first within each."""
    return sorted(hit.notices, key=lambda n: (STATUS_ORDER[n.status], n.close_date or dt.date.max))


def official_links(op: Opportunity) -> list[tuple[str, str]]:
    return [(label, url) for label, url in (("Program page", op.links.program_page), ("SAM.gov", op.links.sam),
                                            ("Grants.gov", op.links.grants_gov),
                                            ("USAspending", op.links.usaspending)) if url]


def display_name(op: Opportunity) -> str:
    """Title plus the acronym users say, when it differs from the title (raw text: escape it where shown)."""
    name = op.popular_name
    return op.title + (f" ({name})" if name and name.lower() not in op.title.lower() else "")


def deadline_lines(hit: Hit, today: dt.date) -> list[str]:
    if not hit.notices:
        return ["Deadlines: no Grants.gov notice is loaded for this program; check the Grants.gov link."]
    out = []
    for n in ordered_notices(hit)[:3]:
        when = n.close_date.isoformat() if n.close_date else (safe(n.close_note) or "no close date given")
        label = {NoticeStatus.POSTED: f"Open, closes {when}", NoticeStatus.FORECASTED: f"Forecast (not yet open), "
                 f"expected to close {when}", NoticeStatus.CLOSED: f"Closed {when}",
                 NoticeStatus.ARCHIVED: f"Archived (closed {when})"}[n.status]
        size = []
        if n.award_ceiling:
            size.append(f"awards up to {money(n.award_ceiling)}")
        if n.award_floor:
            size.append(f"at least {money(n.award_floor)}")
        if n.total_funding:
            size.append(f"{money(n.total_funding)} in total")
        if n.cost_share is not None:
            size.append("cost share required" if n.cost_share else "no cost share")
        extra = f"; {', '.join(size)}" if size else ""
        out.append(f"Notice: {safe(n.title)}: {label}{extra}. [Grants.gov notice]({n.url})")
    return out


def fact_source(op: Opportunity, fact: str) -> tuple[str, str] | None:
    """(name, url) of the first source whose `facts` name `fact` and that has a URL."""
    return next(((s.name, s.url) for s in op.sources if fact in s.facts and s.url), None)


def status_line(op: Opportunity) -> str | None:
    st = op.status
    if st is None:
        return None
    src = fact_source(op, "status")
    note = f": {safe(st.note)}" if st.note else ""
    cite = f" ([source]({src[1]}))" if src else ""
    return f"Status: {st.value.value} as of {st.as_of.isoformat()}{note}{cite}"


def uses_line(op: Opportunity, n: int = 8) -> str | None:
    if not op.uses:
        return None
    more = " and more" if len(op.uses) > n else ""
    return "Pays for: " + ", ".join(safe(u) for u in op.uses[:n]) + more


def links_line(op: Opportunity) -> str:
    return "Links: " + " · ".join(f"[{label}]({url})" for label, url in official_links(op))


def program_block(i: int, hit: Hit, today: dt.date, *, detail: bool = False) -> str:
    op = hit.program
    lines = [f"**{i}. {safe(display_name(op))}**, ALN {op.aln}, {safe(op.sub_agency or op.agency)}"]
    if hit.verdict:
        lines.append(f"- {hit.verdict.badge}: {safe(hit.verdict.reason)}")
    if op.status is not None and not op.status.live:
        lines.append(f"- {status_line(op)}")
    lines.append(f"- What it funds: {safe(op.summary if detail else first_sentences(op.summary))}")
    if (uses := uses_line(op)) is not None:
        lines.append(f"- {uses}")
    kinds = ", ".join(a.value for a in op.assistance_types)
    lines.append(f"- Assistance: {kinds}" + ("; funded by the Bipartisan Infrastructure Law" if op.bil_funded else ""))
    if (amt := amount_line(op)) is not None:
        lines.append(f"- {amt}")
    if detail and op.cost_share:
        lines.append(f"- Cost share: {safe(op.cost_share)}")
    if detail and op.status is not None and op.status.live:
        lines.append(f"- {status_line(op)}")
    lines.extend(f"- {d}" for d in deadline_lines(hit, today))
    lines.append(f"- {links_line(op)}")
    return "\n".join(lines)


def who(applicant: Applicant | None) -> str:
    return f" for {LABELS[applicant][0]}" if applicant else ""


def eligibility_lead(hit: Hit) -> str:
    v = hit.verdict
    assert v is not None
    plural = LABELS[v.applicant][1]
    name = safe(hit.program.popular_name or hit.program.title)
    status = hit.program.status
    ended = (f" Note: {name} is {status.value.value} as of {status.as_of.isoformat()}"
             + (f" ({safe(status.note)})" if status.note else "") + ".") if status and not status.live else ""
    if v.kind is VerdictKind.ELIGIBLE:
        return f"Yes, {plural} can apply directly for {name} (ALN {hit.aln}). {safe(v.reason)}{ended}"
    if v.kind is VerdictKind.THROUGH:
        path = safe(v.reason).replace("Not directly: ", "", 1)
        return f"Not directly. For {name} (ALN {hit.aln}): {path}{ended}"
    if v.kind is VerdictKind.NOT_ELIGIBLE:
        return f"No, {plural} cannot apply for {name} (ALN {hit.aln}). {safe(v.reason)}{ended}"
    return f"Maybe, for {name} (ALN {hit.aln}): {safe(v.reason)}{ended}"


def overall_lead(hits: list[Hit], applicant: Applicant) -> str:
    """Head-on answer to "can we apply?" when the question names no single program."""
    plural = LABELS[applicant][1]
    shown = hits[:MAX_SHOWN]
    yes = [h for h in shown if h.verdict and h.verdict.kind is VerdictKind.ELIGIBLE]
    if yes:
        first = yes[0].program
        return (f"Yes, {plural} can apply directly to {len(yes)} of the {len(shown)} best matches, starting with "
                f"{safe(first.popular_name or first.title)} (ALN {first.aln}).")
    through = [h for h in shown if h.verdict and h.verdict.kind is VerdictKind.THROUGH]
    if through:
        return (f"Not directly: {plural} cannot apply to the federal agency for any of the best matches, but "
                f"{len(through)} of them reach {plural} through a state or other partner, as each program says below.")
    maybe = [h for h in shown if h.verdict and h.verdict.kind is VerdictKind.CHECK]
    if maybe:
        return (f"Possibly: none of the best matches clearly lets {plural} apply directly, but {len(maybe)} may; "
                f"each says below what to check.")
    return (f"No, none of the best matches lists {plural} as direct applicants; the notes below say how the money "
            "reaches local governments.")


def compose(hits: list[Hit], applicant: Applicant | None, today: dt.date, *,
            about: Hit | None = None, low_confidence: bool = False, window: tuple[dt.date, dt.date] | None = None,
            notices_loaded: bool = True, heading: str | None = None, eligibility_question: bool = False,
            named: list[Hit] | None = None) -> tuple[str, list[Hit]]:
    """The grounded answer text and the programs it shows. A question that names programs gets those first
    with a couple of related ones; an eligibility question about one program leads with its verdict."""
    parts: list[str] = []
    if about is not None:
        shown = [about] + [h for h in hits if h is not about][:2]
    elif named and not window:
        focus = named[:MAX_SHOWN]
        shown = focus + [h for h in hits if h not in focus][:max(0, 3 - len(focus))]
    else:
        shown = hits[:MAX_SHOWN]
    if about is not None and about.verdict is not None:
        parts.append(eligibility_lead(about))
    elif eligibility_question and applicant is not None and hits and not window:
        parts.append(overall_lead(hits, applicant))
    if heading:
        parts.append(heading)
    elif window:
        if not hits:
            msg = f"No program in the index has a Grants.gov notice closing between {window[0]} and {window[1]}."
            if not notices_loaded:
                msg += " No Grants.gov notices are loaded yet; ask staff to run a refresh with the latest extract."
            return msg, []
        parts.append(f"These programs have notices closing between {window[0]} and {window[1]}{who(applicant)}:")
    elif about is None and named:
        first = shown[0].program
        parts.append(f"Here is {safe(first.title)}" + (f" ({safe(first.popular_name)})" if first.popular_name and
                                                       first.popular_name != first.title else "")
                     + (", with related programs" if len(shown) > 1 else "") + f"{who(applicant)}:")
    elif about is None:
        parts.append(f"Here {'is the program' if len(shown) == 1 else f'are the {len(shown)} programs'} that best "
                     f"match your question{who(applicant)}:")
    if low_confidence:
        parts.append("I'm not confident these are a close match; try naming the kind of project or a program.")
    if about is not None and len(shown) > 1:
        parts.append(f"**{shown[0].program.popular_name or shown[0].title}** and related programs:")
    parts.extend(program_block(i, h, today) for i, h in enumerate(shown, 1))
    if applicant is None and any(h.verdict is None for h in shown):
        parts.append("_Set your applicant type (city, county, tribe, ...) to see whether you can apply directly._")
    return "\n\n".join(parts), shown


REFUSALS = {
    "injection": ("I can only help find infrastructure funding programs in this index, and I can't share settings "
                  "or follow instructions given inside a question. Try, for example: "
                  "\"What grants help a county replace lead pipes?\""),
    "personal": ("This finder covers federal infrastructure funding for governments, tribes and organizations, not "
                 "personal or household bills, so no program here fits. Try asking about a public project, for "
                 "example: \"Is there money for a city to repair sidewalks?\""),
    "off_task": ("I only find federal infrastructure funding programs in this index, so I can't help with that "
                 "request. Try asking about a project, for example: \"Is there money to replace our town's old "
                 "water mains?\""),
    "low": ("I couldn't find a program in the index that fits that question, so I won't guess. Try naming the "
            "kind of project (\"bridge repair\", \"drinking water\", \"EV chargers\"), who is applying (city, county, "
            "tribe) or a program name such as SS4A or BRIC."),
    "empty": "Please type a question about infrastructure funding, for example: \"Can a county apply for BRIC?\"",
    "long": "That question is too long (over {limit} characters). Please shorten it to the essentials.",
}
