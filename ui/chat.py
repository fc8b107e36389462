"""The Ask tab's work as plain functions (the Gradio wiring is in ui/app.py): answer a turn, rate it,
keep a shortlist and export it."""

from __future__ import annotations

import csv
import datetime as dt
import html
import logging
import os
import tempfile
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from finder.answering.facts import display_name, next_deadline, verdict_phrase
from finder.answering.html import cards, escape
from finder.database import DatabaseError
from finder.engine import Finder
from finder.errors import FinderError
from finder.text import csv_cell, safe_url
from ui import exports, feedback
from ui.session import ChatSession, Turn, make_profile, used_for

log = logging.getLogger(__name__)
ANNOUNCE = '<p class="sr-only" role="status" aria-live="polite">{}</p>'


Reply = tuple[list[dict[str, str]], str, ChatSession, str, str]


def respond(finder: Finder, session: ChatSession | None, message: str, applicant: str, state: str,
            population: Any) -> Reply:
    """One chat turn: (chat messages, cards HTML, session, profile note, cleared question box)."""
    return deque(respond_stream(finder, session, message, applicant, state, population), maxlen=1)[0]


def respond_stream(finder: Finder, session: ChatSession | None, message: str, applicant: str, state: str,
                   population: Any) -> Iterator[Reply]:
    """One chat turn as it is written (in LLM mode the lead streams in); the last reply is the final one."""
    session = session or ChatSession()
    profile, problem = make_profile(applicant, state, population)
    turn: Turn | None = None
    try:
        for answer in finder.ask_stream(message or "", profile, session.conversation):
            if turn is None:
                session.add(message or "", answer, used_for(answer, profile))
                turn = session.turns[-1]
            turn.answer = answer
            if answer.llm == "writing":  # a draft: sentences checked so far; the final answer comes last
                yield session.messages(), cards(answer, turn.used_for), session, problem or "", ""
    except FinderError as exc:
        note = f"Sorry, the index is not available: {escape(exc)}"
        yield session.messages(), ANNOUNCE.format(note), session, problem or "", ""
        return
    assert turn is not None
    answer = turn.answer
    lead = answer.lead.split(". ")[0] if answer.lead else (answer.heading or "Answer ready")
    html_cards = ANNOUNCE.format(escape(f"New answer: {lead}")) + cards(answer, turn.used_for)
    yield session.messages(), html_cards, session, problem or "", ""


def rate(finder: Finder, session: ChatSession, index: int, liked: bool) -> str:
    """Record a thumb on one of this session's answers; the same thumb again retracts it."""
    try:
        return _rate(finder, session, index, liked)
    except DatabaseError as exc:
        log.warning("rating not stored: %s", exc)
        return "Sorry, your rating could not be saved just now; please try again later."


def _rate(finder: Finder, session: ChatSession, index: int, liked: bool) -> str:
    turn = session.turn_at(index)
    if turn is None:
        return "That message is not an answer from this session."
    index_dir = Path(finder.settings.index_dir)
    stores = turn.rating is None or turn.rating[0] != liked  # a new rating (a change of mind is one too)
    if stores and session.ratings >= finder.settings.max_ratings:
        return f"This conversation has stored its {finder.settings.max_ratings} ratings; thank you."
    if turn.rating is not None:
        feedback.retract(index_dir, turn.rating[1])
        if turn.rating[0] == liked:
            turn.rating, session.pending_reason = None, None
            return "Your rating was removed."
    generation = finder.index.snapshot().pointer.get("generation")
    event = feedback.record(index_dir, question=turn.question, answer=turn.answer.text, liked=liked,
                            shown=[h.id for h in turn.answer.shown], profile=turn.used_for, generation=generation,
                            max_bytes=finder.settings.feedback_max_mb << 20)
    turn.rating, session.pending_reason = (liked, event), event
    session.ratings += 1
    return "Thanks, your rating was saved. You can add a reason below."


def add_reason(finder: Finder, session: ChatSession, reason: str) -> str:
    if not session.pending_reason or not reason:
        return "Rate an answer first, then pick a reason."
    ok = feedback.add_reason(Path(finder.settings.index_dir), session.pending_reason, reason)
    session.pending_reason = None
    return "Reason saved with your rating." if ok else "That rating was removed; nothing saved."


def shortlist_choices(session: ChatSession) -> list[tuple[str, str]]:
    last = session.turns[-1].answer.shown if session.turns else []
    return [(display_name(h.program), h.id) for h in last]


def keep_shortlist(finder: Finder, ids: Any) -> list[str]:
    """The saved ids the app will hold: known programs only, each once, at most FINDER_MAX_SHORTLIST (the
    list lives in the browser, so whatever it sends back is checked here)."""
    known = finder.index.snapshot().programs
    wanted = [str(i) for i in ids if isinstance(i, str | int) and str(i) in known] if isinstance(ids, list) else []
    return list(dict.fromkeys(wanted))[: finder.settings.max_shortlist]


def shortlist_rows(finder: Finder, saved: list[str], session: ChatSession) -> list[dict[str, str]]:
    """What the brief and CSV show for each saved program, with the latest verdict this session saw."""
    seen = {h.id: h for t in session.turns for h in t.answer.shown}
    rows = []
    for pid in keep_shortlist(finder, saved):
        hit = seen.get(pid) or finder.hit(pid)
        if hit is None:
            continue
        op = hit.program
        rows.append({"program": display_name(op), "aln": op.aln, "verdict": verdict_phrase(hit),
                     "reason": hit.verdict.reason if hit.verdict else "",
                     "match": op.cost_share.text if op.cost_share else "",
                     "status": op.status.value.value if op.status else "",
                     "deadline": next_deadline(hit) or "no notice loaded", "link": safe_url(op.url) or ""})
    return rows


def export_shortlist(finder: Finder, saved: list[str], session: ChatSession, folder: Path) -> tuple[Path, Path]:
    """A CSV (no cell can run as a formula) and a printable one-page HTML brief (links only to official https
    pages) for council, written in `folder`."""
    rows = shortlist_rows(finder, saved, session)
    snap = finder.index.snapshot()
    folder.mkdir(parents=True, exist_ok=True)
    fd, csv_name = tempfile.mkstemp(prefix="shortlist-", suffix=".csv", dir=folder)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["program"])
        w.writeheader()
        w.writerows({k: csv_cell(v) for k, v in r.items()} for r in rows)
    items = "".join(
        f"<tr><td>{html.escape(r['program'])}<br><small>ALN {html.escape(r['aln'])}</small></td>"
        f"<td>{html.escape(r['verdict'])}<br><small>{html.escape(r['reason'])}</small></td>"
        f"<td>{html.escape(r['match'])}</td><td>{html.escape(r['status'])}</td><td>{html.escape(r['deadline'])}</td>"
        f"<td>{_brief_link(r['link'])}</td></tr>" for r in rows)
    who = html.escape(session.turns[-1].used_for if session.turns else "no applicant type set")
    brief = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Funding shortlist</title>"
             f"<style>body{{font:12px system-ui;margin:1.5cm}}td,th{{border:1px solid #999;padding:4px;"
             f"vertical-align:top}}table{{border-collapse:collapse;width:100%}}</style></head><body>"
             f"<h1>Federal funding shortlist</h1><p>Prepared {dt.date.today().isoformat()}; index refreshed "
             f"{html.escape(str(snap.refreshed_at or 'unknown'))}. Verdicts are for {who}; "
             f"confirm each on the official page before applying.</p><table><tr><th>Program</th><th>Can we apply?"
             f"</th><th>Match</th><th>Status</th><th>Deadline</th><th>Link</th></tr>{items}</table></body></html>")
    fd2, brief_name = tempfile.mkstemp(prefix="shortlist-brief-", suffix=".html", dir=folder)
    with os.fdopen(fd2, "w", encoding="utf-8") as fh:
        fh.write(brief)
    exports.save(finder.settings, folder.name, [Path(csv_name), Path(brief_name)])  # links work on every replica
    return Path(csv_name), Path(brief_name)


def _brief_link(url: str) -> str:
    return f'<a href="{html.escape(url)}">{html.escape(url)}</a>' if url else ""


def adopt_profile(session: ChatSession | None) -> tuple[str, str, str, str]:
    """One-click profile correction: (applicant, state, population, note) from what the last answer used."""
    asker = session.turns[-1].answer.asker if session and session.turns else None
    if asker is None:
        return "", "", "", "Ask a question that names who is applying first."
    return (asker.applicant.value, asker.state or "", f"{asker.population:,}" if asker.population else "",
            "Profile updated from the last answer.")
