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
    notice_phrase,
    official_links,
    ordered_notices,
    status_phrase,
    uses_phrase,
    who_applies,
)
from finder.answering.types import Answer, Hit
from finder.catalog.vocab import VerdictKind
from finder.text import safe_url

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
    op = hit.program
    rows = [f'<div class="verdict">{badge(hit)}</div>']
    if hit.office is not None:
        o = hit.office
        if o.agency is not None:
            rows.append(_row("Your state's office", f"{escape(o.agency)} ({_link('official page', o.url)})"))
        else:
            rows.append(_row("Your state's office",
                             f"{escape(o.title)}: see the {_link('federal list', o.federal_list)}"))
    if (status := status_phrase(hit)) is not None:
        src = fact_source(op, "status")
        cls = "status-ended" if inactive(hit) else "status"
        rows.append(f'<div class="{cls}" data-status="{escape(op.status.value if op.status else "")}">'
                    f'Status: {escape(status)}{" · " + _link("source", src[1]) if src else ""}</div>')
    rows.append(_row("What it funds", escape(first_sentences(op.summary, 1))))
    if (uses := uses_phrase(op, 6)) is not None:
        rows.append(_row("Pays for", escape(uses)))
    rows.append(_row("Who applies", escape(who_applies(op))))
    if op.cost_share:
        rows.append(_row("Match", escape(op.cost_share.text)))
    notices = ordered_notices(hit)[:2]
    deadline = "; ".join(f"{escape(notice_phrase(n))} ({_link('notice', n.url)})" for n in notices) \
        or "No Grants.gov notice loaded; see the Grants.gov link"
    rows.append(_row("Deadline", deadline))
    if (amt := amount(op)) is not None:
        rows.append(_row("Funding", escape(amt)))
    rows.append(_row("Links", " · ".join(_link(label, url) for label, url in official_links(op))))
    return (f'<article class="card" data-id="{escape(op.id)}"><h3>{escape(display_name(op))}</h3>'
            f'<div class="meta">ALN {escape(op.aln)} · {escape(op.sub_agency or op.agency)}</div>'
            + "".join(rows) + "</article>")


def cards(answer: Answer, answering_for: str) -> str:
    """The cards beside a chat answer, headed by whom the answer was for."""
    head = f'<p class="meta" id="answering-for">Answering for: {escape(answering_for)}</p>'
    if answer.refused or not answer.shown:
        return head
    return head + "".join(card(h) for h in answer.shown)
