"""Answers rendered as Markdown: the short chat message, the full text for the CLI, and program detail.

The chat message answers head-on and names each shown program in one line; the cards beside it
(`finder/answering/html.py`) hold the details, so nothing is said twice.
"""

from __future__ import annotations

from finder.answering.facts import (
    amount,
    badge_text,
    display_name,
    fact_source,
    first_sentences,
    inactive,
    md_link,
    next_deadline,
    notice_phrase,
    office_phrase,
    official_links,
    ordered_notices,
    status_label,
    status_phrase,
    uses_phrase,
    verdict_phrase,
    who_applies,
)
from finder.answering.types import Answer, Hit
from finder.catalog.vocab import Ask
from finder.text import inert


def program_line(i: int, hit: Hit, asks: tuple[Ask, ...] = ()) -> str:
    """'1. **Safe Streets and Roads for All (SS4A)**, ALN 20.939: Eligible · Open, closes 20 December 2026',
    plus the facts the question asked for (match, status, award limits)."""
    op = hit.program
    parts = [verdict_phrase(hit)]
    if (office := office_phrase(hit)) is not None:
        parts.append(office)
    if Ask.STATUS in asks and not inactive(hit) and (label := status_label(hit)) is not None:
        parts.append(f"status: {label.lower()}")
    if Ask.MATCH in asks:
        parts.append(f"match: {inert(op.cost_share.text)}" if op.cost_share else "match: not in the index")
    if Ask.AMOUNT in asks and op.award is not None:
        parts.append(f"award: {inert(op.award.text)}")
    if (deadline := next_deadline(hit)) is not None:
        parts.append(deadline)
    name = md_link(inert(display_name(op)), op.url)
    return f"{i}. **{name}**, ALN {op.aln}: " + " · ".join(parts)


def render(answer: Answer) -> str:
    """The chat message: lead, heading, one line per shown program, notes."""
    parts = [p for p in (answer.lead, answer.heading) if p]
    if answer.shown:
        parts.append("\n".join(program_line(i, h, answer.asks if h.id != answer.about else ())
                               for i, h in enumerate(answer.shown, 1)))
    parts.extend(f"_{n}_" for n in answer.notes)
    return "\n\n".join(parts)


def render_full(answer: Answer) -> str:
    """For a reader with no cards (the CLI): lead and heading, then each shown program in detail."""
    parts = [p for p in (answer.lead, answer.heading) if p]
    parts.extend(program_detail(i, h) for i, h in enumerate(answer.shown, 1))
    parts.extend(f"_{n}_" for n in answer.notes)
    return "\n\n".join(parts)


def program_detail(i: int, hit: Hit, *, full_summary: bool = False) -> str:
    """Everything the index knows about one program, as a Markdown block."""
    op = hit.program
    lines = [f"**{i}. {inert(display_name(op))}**, ALN {op.aln}, {inert(op.sub_agency or op.agency)}"]
    if hit.verdict:
        lines.append(f"- {badge_text(hit)}: {inert(hit.verdict.reason)}")
    if (office := office_phrase(hit)) is not None:
        lines.append(f"- Your state's office: {office}")
    if (status := status_phrase(hit)) is not None:
        src = fact_source(op, "status")
        lines.append(f"- Status: {status}" + (f" ([source]({src[1]}))" if src else ""))
    lines.append(f"- What it funds: {inert(op.summary if full_summary else first_sentences(op.summary))}")
    if (uses := uses_phrase(op)) is not None:
        lines.append(f"- Pays for: {uses}")
    lines.append(f"- Who applies: {who_applies(op)}")
    kinds = ", ".join(a.value for a in op.assistance_types)
    lines.append(f"- Assistance: {kinds}" + ("; funded by the Bipartisan Infrastructure Law" if op.bil_funded else ""))
    if op.cost_share:
        lines.append(f"- Match: {inert(op.cost_share.text)}")
    if (amt := amount(op)) is not None:
        lines.append(f"- {amt}")
    if not hit.notices:
        lines.append("- Deadlines: no Grants.gov notice is loaded for this program; check the Grants.gov link.")
    for n in ordered_notices(hit)[:3]:
        lines.append(f"- Notice: {inert(n.title)}: {notice_phrase(n)}. {md_link('Grants.gov notice', n.url)}")
    lines.append("- Links: " + " · ".join(f"[{label}]({url})" for label, url in official_links(op)))
    return "\n".join(lines)
