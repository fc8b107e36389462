"""Program facts as short phrases: the one place that decides how a fact reads, for every renderer.

Text from records and feeds passes through `finder.text.inert` here, and every link through
`finder.text.safe_url`, so no renderer can show a link, image or tag that came from outside.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from finder.answering.types import Hit, NoticeView
from finder.catalog.applicants import LABELS
from finder.catalog.eligibility import join
from finder.catalog.model import Opportunity
from finder.catalog.rules import STATES
from finder.catalog.vocab import Applicant, NoticeStatus, StatusKind, VerdictKind
from finder.text import inert, safe_url

STATUS_ORDER = {NoticeStatus.POSTED: 0, NoticeStatus.FORECASTED: 1, NoticeStatus.CLOSED: 2, NoticeStatus.ARCHIVED: 3}


def money(v: float) -> str:
    sign, v = ("-" if v < 0 else ""), abs(v)
    if v >= 1e9:
        return f"{sign}${v / 1e9:.2f} billion"
    if v >= 1e6:
        return f"{sign}${v / 1e6:.1f} million"
    if v >= 1e3:
        return f"{sign}${v / 1e3:.0f} thousand"
    return f"{sign}${v:,.0f}"


def display_name(op: Opportunity) -> str:
    """Title plus the acronym users say, unless the title already holds it (raw text: escape where shown)."""
    name = op.popular_name
    return op.title + (f" ({name})" if name and name.lower() not in op.title.lower() else "")


def short_name(op: Opportunity) -> str:
    """The name people say: the acronym when there is a short one, else the title."""
    name = op.popular_name
    return name if name and len(name) <= 40 else op.title


# A sentence ends at . ! or ? before a capital or an opening bracket, not after "U.S.C." or "e.g." and the like.
_SENTENCE_END = re.compile(r"(?<!\bU\.S\.)(?<!\bU\.S\.C\.)(?<!\bC\.F\.R\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bNo\.)"
                           r"(?<!\bSec\.)(?<!\bsec\.)(?<!\bPub\.)(?<!\bL\.)(?<=[.!?])\s+(?=[A-Z(\"'])")


@lru_cache(maxsize=16_384)  # a record's summary, split on every answer that shows it: once is enough
def first_sentences(text: str, n: int = 2) -> str:
    return " ".join(_SENTENCE_END.split(text.strip())[:n])


def amount(op: Opportunity) -> str | None:
    ob = op.latest_obligation()
    if not ob or ob[1] <= 0:  # a negative figure is a de-obligation, not money on offer
        return None
    return f"FY{ob[0]} obligations {money(ob[1])} (SAM.gov and USAspending)"


def ordered_notices(hit: Hit) -> list[NoticeView]:
    """Open notices first, then forecasts, closed and archived; soonest close date first within each."""
    return sorted(hit.notices, key=lambda n: (STATUS_ORDER[n.status], n.close_date or dt.date.max))


def day(d: dt.date) -> str:
    """A date as people write it: '2 January 2027'."""
    return f"{d.day} {d:%B %Y}"


def short_day(d: dt.date) -> str:
    """A date for a table or a brief: '3 Dec 2026'."""
    return f"{d.day} {d:%b %Y}"


def readable_time(value: object) -> str:
    """'3 Dec 2026, 20:51 UTC' from an ISO time; 'unknown' when there is none."""
    try:
        t = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value) if value else "unknown"
    t = t.astimezone(dt.UTC) if t.tzinfo else t
    return f"{short_day(t.date())}, {t:%H:%M}" + (" UTC" if t.tzinfo else "")


def notice_phrase(n: NoticeView) -> str:
    """'Open, closes 20 December 2026; awards up to $25.0 million, cost share required'."""
    when = day(n.close_date) if n.close_date else (inert(n.close_note) or "no close date given")
    label = {NoticeStatus.POSTED: f"Open, closes {when}",
             NoticeStatus.FORECASTED: f"Forecast (not yet open), expected to close {when}",
             NoticeStatus.CLOSED: f"Closed {when}", NoticeStatus.ARCHIVED: f"Archived (closed {when})"}[n.status]
    size = []
    if n.award_ceiling:
        size.append(f"awards up to {money(n.award_ceiling)}")
    if n.award_floor:
        size.append(f"at least {money(n.award_floor)}")
    if n.total_funding:
        size.append(f"{money(n.total_funding)} in total")
    if n.cost_share is not None:
        size.append("cost share required" if n.cost_share else "no cost share")
    return label + (f"; {', '.join(size)}" if size else "")


def next_deadline(hit: Hit) -> str | None:
    """The first open or forecast notice, as a phrase; None when nothing is open or coming."""
    live = [n for n in ordered_notices(hit) if n.status in (NoticeStatus.POSTED, NoticeStatus.FORECASTED)]
    return notice_phrase(live[0]) if live else None


def deadline_short(hit: Hit) -> str:
    """The next deadline for a table cell: 'closes 3 Dec 2026', 'forecast, expected to close 3 Dec 2026', or ''."""
    live = [n for n in ordered_notices(hit) if n.status in (NoticeStatus.POSTED, NoticeStatus.FORECASTED)]
    if not live:
        return ""
    n = live[0]
    when = short_day(n.close_date) if n.close_date else "no close date given"
    return f"closes {when}" if n.status is NoticeStatus.POSTED else f"forecast, expected to close {when}"


def browse_name(op: Opportunity) -> str:
    """The name a table leads with: the popular name people say, then the title ('SS4A: Safe Streets and Roads
    for All'). A popular name that is only numbers or a bracketed citation ('(205(j)(2)) or 604(b)', '220 Homes')
    is left out (raw text: escape where shown)."""
    pop = re.sub(r"(\w)\(", r"\1 (", (op.popular_name or "").strip().strip("'\""))
    words = re.findall(r"[A-Za-z][A-Za-z0-9-]*", pop)
    readable = pop[:1].isalpha() and any(len(w) >= 3 or w.isupper() for w in words) and not pop[:1].isdigit()
    if not readable:
        return op.title
    if pop.lower() in op.title.lower():  # 'Safe Streets and Roads for All (SS4A)' -> 'SS4A: Safe Streets ...'
        bare = re.sub(rf"\s*\({re.escape(pop)}\)", "", op.title, flags=re.I)
        return f"{pop}: {bare}" if bare != op.title else op.title
    return pop if op.title.lower() in pop.lower() else f"{pop}: {op.title}"


def md_link(label: str, url: str | None) -> str:
    """`[label](url)` for an official https link, else the label alone (callers pass inert labels)."""
    safe = safe_url(url)
    return f"[{label}]({safe})" if safe else label


def official_links(op: Opportunity) -> list[tuple[str, str]]:
    """(label, url) of the record's own links that may be shown (official https hosts only)."""
    links = (("Program page", op.links.program_page), ("SAM.gov", op.links.sam), ("Grants.gov", op.links.grants_gov),
             ("USAspending", op.links.usaspending))
    return [(label, safe) for label, url in links if (safe := safe_url(url))]


def fact_source(op: Opportunity, fact: str) -> tuple[str, str] | None:
    """(name, url) of the first source whose `facts` name `fact` and whose URL may be shown."""
    return next(((s.name, safe) for s in op.sources if fact in s.facts and (safe := safe_url(s.url))), None)


STATUS_WORDS: dict[StatusKind, str] = {
    StatusKind.OPEN: "Open", StatusKind.ROLLING: "Takes applications year-round",
    StatusKind.ANNUAL: "Yearly rounds", StatusKind.FORMULA: "Paid by formula each year",
    StatusKind.CLOSED: "Latest round closed", StatusKind.ENDED: "Ended", StatusKind.TERMINATED: "Terminated",
    StatusKind.PAUSED: "Paused", StatusKind.UNKNOWN: "Status unconfirmed",
}


def open_notice(hit: Hit) -> NoticeView | None:
    """The open Grants.gov notice that closes first: newer evidence than any record status."""
    return next((n for n in ordered_notices(hit) if n.status is NoticeStatus.POSTED), None)


def status_label(hit: Hit) -> str | None:
    """A few words for a badge or a list line: an open notice wins over the record's older status."""
    if (n := open_notice(hit)) is not None:
        return f"Open: the notice closes {day(n.close_date)}" if n.close_date else "Open: a notice is posted"
    st = hit.program.status
    return STATUS_WORDS[st.value] if st is not None else None


def inactive(hit: Hit) -> bool:
    """Ended, terminated or paused, and no open notice says otherwise."""
    st = hit.program.status
    return st is not None and not st.live and open_notice(hit) is None


def status_phrase(hit: Hit) -> str | None:
    """'Terminated (last checked 3 December 2026): EPA ended the grants in 2025' (renderers add the source)."""
    st = hit.program.status
    if open_notice(hit) is not None:
        older = f" The record's status, last checked {day(st.as_of)}, was: {inert(st.note)}" if st and st.note else ""
        return f"{status_label(hit)} (a Grants.gov notice loaded in the index).{older}"
    if st is None:
        return None
    note = f": {inert(st.note)}" if st.note else ""
    return f"{STATUS_WORDS[st.value]} (last checked {day(st.as_of)}){note}"


def uses_phrase(op: Opportunity, n: int = 8) -> str | None:
    if not op.uses:
        return None
    return ", ".join(inert(u) for u in op.uses[:n]) + (" and more" if len(op.uses) > n else "")


def who_applies(op: Opportunity) -> str:
    """Direct applicants, then each pass-through route, in a sentence or two."""
    direct = [LABELS[Applicant(a)][1] for a in op.eligible_applicants if a != "check"]
    text = f"Direct applicants: {join(direct)}." if direct else "No direct applicant type in our vocabulary."
    if op.rules is not None:
        for route in op.rules.through:
            who = join([LABELS[a][1] for a in route.applicants])
            text += f" {who.capitalize()}: through {inert(route.via)}."
    elif op.applicant_notes:
        text += f" {inert(op.applicant_notes)}"
    return text


def badge_text(hit: Hit) -> str:
    """What a badge says: the status for an ended, terminated or paused program (never 'Eligible'),
    else the verdict."""
    if inactive(hit):
        return status_label(hit) or "Ended"
    return hit.verdict.badge if hit.verdict else "Set your applicant type to see eligibility"


def verdict_phrase(hit: Hit) -> str:
    """The verdict in a few words for a one-line list: 'Eligible', 'Not directly: through your state'; for an
    ended program, its status first and the verdict after it."""
    v = hit.verdict
    if inactive(hit):
        label = status_label(hit) or "Ended"
        return f"{label}; {('for your kind of applicant it was: ' + v.badge.lower()) if v else 'no new applications'}"
    if v is None:
        return "set your applicant type to see eligibility"
    if v.kind is VerdictKind.THROUGH and v.via:
        return f"Not directly: through {inert(v.via.split(',')[0])}"
    return v.badge


def office_phrase(hit: Hit, *, link: bool = True) -> str | None:
    """'In Texas: Texas Water Development Board' (linked), or a pointer to the federal list of state offices."""
    o = hit.office
    if o is None:
        return None
    state = STATES.get(o.state, o.state) if o.state else None
    if o.agency is not None and state:
        name = inert(o.agency)
        return f"In {state}: {md_link(name, o.url)}" if link else f"In {state}: {name}"
    title = inert(o.title)
    title = title[:1].lower() + title[1:]  # keep acronyms: "drinking water SRF program"
    if title.startswith("state "):  # "state hazard mitigation office": not "your state's state ..."
        where, title = (f"{state}'s", title.removeprefix("state ")) if state else ("your", title)
    else:
        where = f"{state}'s" if state else "your state's"
    text = f"find {where} {title} on the federal list of state contacts"
    return f"{text} ({md_link('list', o.federal_list)})" if link and safe_url(o.federal_list) else text


def share_phrase(hit: Hit) -> str:
    """The asker's share of the cost in plain words, from the record's cost share: 'you pay at least 20%; up to
    100% federal for off-system bridges'. Through a state, the state sets the local share, so it says that
    before the federal rule; with no figures in the record, its first sentence."""
    cs = hit.program.cost_share
    if cs is None:
        return "not in the index; see the program page"
    parts = []
    if cs.applicant_min == 0:
        parts.append("no match required")
    elif cs.applicant_min is not None:
        parts.append(f"you pay at least {cs.applicant_min}%")
    elif cs.federal_max == 100:
        parts.append("up to 100% federal (you may pay nothing)")
    elif cs.federal_max is not None:
        parts.append(f"you pay at least {100 - cs.federal_max}% (the federal share is up to {cs.federal_max}%)")
    if parts:
        parts += [f"up to {c.federal_max}% federal for {inert(c.when)}" for c in cs.cases if c.federal_max is not None]
    text = "; ".join(parts) if parts else clip(inert(first_sentences(cs.text, 1)))  # no figure: the record's words
    v = hit.verdict
    if v is not None and v.kind is VerdictKind.THROUGH:
        office = f"the {inert(hit.office.agency)}" if hit.office and hit.office.agency else "the state"
        return f"set by {office}, which passes the money on; federal rule: {text}"
    return text


def clip(text: str, words: int = 30) -> str:
    """At most `words` words, cut at the last comma or semicolon inside them when there is one, with '…'."""
    w = text.split()
    if len(w) <= words:
        return text
    cut = " ".join(w[:words])
    return (re.split(r"[,;](?=[^,;]*$)", cut)[0] if re.search(r"[,;]", cut) else cut).rstrip(" ,;:.") + " …"
