"""Answers rendered as HTML cards: one card per shown program with the details the chat line leaves out.

Every value is escaped; links are only the record's own official links and the notices' Grants.gov pages.
"""

from __future__ import annotations

import html

from finder.answering.facts import (
    amount,
    badge_text,
    display_name,
    fact_source,
    first_sentences,
    inactive,
    official_links,
    ordered_notices,
    share_phrase,
    short_day,
    status_label,
    status_phrase,
    uses_phrase,
    who_applies,
)
from finder.answering.types import Answer, Hit, NoticeView
from finder.catalog.vocab import NoticeStatus, VerdictKind
from finder.text import safe_url

NOTICE_WORD = {NoticeStatus.POSTED: "open", NoticeStatus.FORECASTED: "forecast", NoticeStatus.CLOSED: "closed",
               NoticeStatus.ARCHIVED: "archived"}
BADGE_CLASS = {VerdictKind.ELIGIBLE: "ok", VerdictKind.THROUGH: "via", VerdictKind.NOT_ELIGIBLE: "no",
               VerdictKind.CHECK: "chk"}


def escape(text: object) -> str:
    return html.escape(str(text or ""), quote=True)


def _link(label: str, url: str) -> str:
    safe = safe_url(url)  # only official https hosts are linked; anything else shows as its label
    if safe is None:
        return escape(label)
    return f'<a href="{escape(safe)}" target="_blank" rel="noopener noreferrer">{escape(label)}</a>'


def _row(label: str, value: str) -> str:
    return f'<div class="row"><span class="label">{escape(label)}:</span> {value}</div>'


def badge(hit: Hit) -> str:
    """The verdict badge; an ended, terminated or paused program shows its status instead, never 'Eligible',
    and its verdict moves into the reason line."""
    v = hit.verdict
    if inactive(hit):
        reason = f"For your kind of applicant: {v.badge.lower()}. {v.reason}" if v else ""
        return (f'<span class="badge ended" data-verdict="{v.kind.value if v else "none"}" data-status="ended">'
                f'{escape(badge_text(hit))}</span> <span class="reason">{escape(reason)}</span>')
    if v is None:
        return '<span class="badge none" data-verdict="none">Set your applicant type to see eligibility</span>'
    return (f'<span class="badge {BADGE_CLASS[v.kind]}" data-verdict="{v.kind.value}">{escape(v.badge)}</span> '
            f'<span class="reason">{escape(v.reason)}</span>')


def card(hit: Hit) -> str:
    """The details the chat line leaves out. The chat line already gives the name, ALN, verdict, state office and
    next deadline, so the card gives the reason for the verdict (and who applies only when no applicant type is
    set: the reason says it otherwise), status, what it pays for, the asker's share, notices and links."""
    op = hit.program
    rows = [f'<div class="verdict">{badge(hit)}</div>']
    if (status := status_phrase(hit) if inactive(hit) else status_label(hit)) is not None:
        src = fact_source(op, "status")
        checked = f" (checked {short_day(op.status.as_of)})" if op.status and not inactive(hit) else ""
        cls = "status-ended" if inactive(hit) else "status"
        rows.append(f'<div class="{cls}" data-status="{escape(op.status.value if op.status else "")}">'
                    f'Status: {escape(status)}{checked}{" · " + _link("source", src[1]) if src else ""}</div>')
    if (uses := uses_phrase(op, 5)) is not None:  # concrete uses say what it funds in fewer words
        rows.append(_row("Pays for", escape(uses)))
    else:
        rows.append(_row("What it funds", escape(first_sentences(op.summary, 1))))
    if hit.verdict is None:
        rows.append(_row("Who applies", escape(who_applies(op))))
    if op.cost_share:
        rows.append(_row("Your share", escape(share_phrase(hit))))
    notices = ordered_notices(hit)[:2]
    if notices:
        rows.append(_row("Grants.gov", " · ".join(_link(short_notice(n), n.url) for n in notices)))
    else:
        rows.append(_row("Deadline", "no Grants.gov notice loaded"))
    if (amt := amount(op)) is not None:
        rows.append(_row("Funding", escape(amt)))
    rows.append(_row("Links", " · ".join(_link(label, url) for label, url in official_links(op))))
    return (f'<article class="card" data-id="{escape(op.id)}"><h3>{escape(display_name(op))}</h3>'
            f'<div class="meta">{escape(op.sub_agency or op.agency)}</div>' + "".join(rows) + "</article>")


def short_notice(n: NoticeView) -> str:
    """A notice link's words: 'open notice, closes 3 Dec 2026' (the chat line has the rest)."""
    when = f", closes {short_day(n.close_date)}" if n.close_date else ""
    return f"{NOTICE_WORD[n.status]} notice{when}"


def cards(answer: Answer, answering_for: str) -> str:
    """The cards under a chat answer. Whom the answer is for is said once, in the chat message; the cards keep
    it as a data attribute only."""
    head = (f'<h2 class="cards-head" id="answering-for" data-for="{escape(answering_for)}">'
            f'Details of the programs above</h2>')
    if answer.refused or not answer.shown:
        return f'<div id="answering-for" data-for="{escape(answering_for)}"></div>'
    return head + "".join(card(h) for h in answer.shown)
