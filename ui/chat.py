"""The Ask tab's work as plain functions (the Gradio wiring is in ui/app.py): answer a turn, rate it,
keep a shortlist and export it."""

from __future__ import annotations

import csv
import datetime as dt
import html
import logging
import tempfile
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from finder.answering.conversation import describe
from finder.answering.facts import (
    browse_name,
    clip,
    deadline_short,
    display_name,
    first_sentences,
    readable_time,
    share_phrase,
    short_day,
    status_label,
    verdict_phrase,
)
from finder.answering.html import cards, escape
from finder.catalog.eligibility import Asker
from finder.catalog.rules import STATES
from finder.catalog.vocab import Applicant, VerdictKind
from finder.database import DatabaseError
from finder.engine import Finder
from finder.errors import FinderError
from finder.text import csv_cell, inert, safe_url
from ui import exports, feedback
from ui.session import ChatSession, Turn, make_profile, used_for

BRIEF_ONLY = {"id", "Name", "Brief why"}  # shortened for the printed page; the CSV keeps the whole text
log = logging.getLogger(__name__)
APPLICANTS = {a.value for a in Applicant}
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


Entry = dict[str, Any]  # one saved program as the browser keeps it: {"id", "applicant", "state", "population"}


def _asker_of(entry: Entry) -> Asker | None:
    return Asker(Applicant(entry["applicant"]), entry["population"], entry["state"] or None) \
        if entry["applicant"] else None


def _who(entry: Entry) -> str:
    return describe(Applicant(entry["applicant"]) if entry["applicant"] else None, entry["population"],
                    entry["state"] or None)


def keep_shortlist(finder: Finder, items: Any) -> list[Entry]:
    """The saved programs the app will hold: known programs only, each once (the latest save wins), at most
    FINDER_MAX_SHORTLIST, each with the asker its verdict was for. The list lives in the browser, so whatever
    it sends back is checked here: only known ids, applicant types, state codes and a whole population."""
    known = finder.index.snapshot().programs
    out: dict[str, Entry] = {}
    for item in items if isinstance(items, list) else []:
        item = {"id": item} if isinstance(item, str | int) else item  # a list saved by an older version: ids
        if not isinstance(item, dict) or str(item.get("id")) not in known:
            continue
        applicant = str(item.get("applicant") or "")
        state = str(item.get("state") or "")
        pop = item.get("population")
        out.pop(str(item["id"]), None)
        out[str(item["id"])] = {
            "id": str(item["id"]), "applicant": applicant if applicant in APPLICANTS else "",
            "state": state if state in STATES else "",
            "population": pop if isinstance(pop, int) and not isinstance(pop, bool) and 0 < pop < 10**9 else None}
    return list(out.values())[-finder.settings.max_shortlist:]


def save_picks(finder: Finder, session: ChatSession | None, saved: Any, chosen: Any) -> list[Entry]:
    """The shortlist after ticking or unticking programs of the last answer: a ticked one is saved with the
    asker that answer was for (so its verdict is the one the user saw), an unticked one leaves the list."""
    kept = keep_shortlist(finder, saved)
    turn = session.turns[-1] if session and session.turns else None
    if turn is None:
        return kept
    offered = {h.id for h in turn.answer.shown}
    ticked = {str(c) for c in chosen or [] if str(c) in offered}
    a = turn.answer.asker
    asker = {"applicant": a.applicant.value, "state": a.state or "", "population": a.population} if a else \
        {"applicant": "", "state": "", "population": None}
    present = {e["id"] for e in kept}
    kept = [e for e in kept if e["id"] not in offered or e["id"] in ticked]
    kept += [{"id": h.id, **asker} for h in turn.answer.shown if h.id in ticked and h.id not in present]
    return keep_shortlist(finder, kept)


def remove_from_shortlist(finder: Finder, saved: Any, keep_ids: Any) -> list[Entry]:
    """The shortlist with only the programs still ticked in its own list."""
    keep = {str(i) for i in keep_ids or []}
    return [e for e in keep_shortlist(finder, saved) if e["id"] in keep]


def shortlist_view(finder: Finder, saved: Any) -> list[tuple[str, str]]:
    """(label, id) for each saved program: its name and the verdict for the asker it was saved for."""
    rows = shortlist_rows(finder, saved)
    return [(f"{r['Program']}: {r['Can we apply?']} (for {r['Verdict for']})", r["id"]) for r in rows]


def shortlist_rows(finder: Finder, saved: Any, session: ChatSession | None = None) -> list[dict[str, str]]:
    """What the brief and CSV show for each saved program, for the asker it was saved for: the verdict this
    session saw for that asker, else the verdict worked out again for them."""
    rows = []
    for entry in keep_shortlist(finder, saved):
        who = _who(entry)
        seen = [h for t in (session.turns if session else []) if t.used_for == who for h in t.answer.shown
                if h.id == entry["id"]]
        hit = seen[-1] if seen else finder.hit(entry["id"], _asker_of(entry))
        if hit is None:
            continue
        op = hit.program
        o = hit.office
        office = (inert(o.agency) if o.agency else f"{inert(o.title)}: see the federal list") if o else ""
        why = hit.verdict.reason if hit.verdict else ""
        rows.append({"id": op.id, "Name": browse_name(op), "Brief why": _brief_why(hit, why),
                     "Program": display_name(op), "ALN": op.aln, "Verdict for": who,
                     "Can we apply?": verdict_phrase(hit), "Why": why,
                     "Your share of the cost": share_phrase(hit) if op.cost_share else "not in the index",
                     "State office": office, "State office link": (safe_url(o.url) or "") if o else "",
                     "Status": status_label(hit) or "not in the index",
                     "Next deadline": deadline_short(hit) or "none loaded", "Program page": safe_url(op.url) or ""})
    return rows


def export_shortlist(finder: Finder, saved: Any, session: ChatSession | None, folder: Path,
                     today: dt.date | None = None) -> tuple[Path, Path]:
    """A CSV (no cell can run as a formula) and a printable one-page HTML brief (links only to official https
    pages) for council, written in a new folder under `folder` as funding-shortlist-YYYY-MM-DD.csv/.html."""
    rows = shortlist_rows(finder, saved, session)
    snap = finder.index.snapshot()
    today = today or finder.today()
    folder.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(dir=folder))
    name = f"funding-shortlist-{today.isoformat()}"
    csv_path, brief_path = target / f"{name}.csv", target / f"{name}.html"
    fields = [k for k in (rows[0] if rows else {"Program": ""}) if k not in BRIEF_ONLY]
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        w.writerows({k: csv_cell(v) for k, v in r.items() if k not in BRIEF_ONLY} for r in rows)
    whos = list(dict.fromkeys(r["Verdict for"] for r in rows))
    e = html.escape
    items = "".join(
        f"<tr><td><strong>{e(r['Name'])}</strong><br><small>ALN {e(r['ALN'])}</small>"
        f"{'<br>' + _brief_link('Program page', r['Program page']) if r['Program page'] else ''}</td>"
        f"<td><strong>{e(r['Can we apply?'])}</strong>"
        f"{'' if len(whos) == 1 else ' (for ' + e(r['Verdict for']) + ')'}"
        f"{'<br><small>' + e(r['Brief why']) + '</small>' if r['Brief why'] else ''}</td>"
        f"<td>{e(r['Your share of the cost'])}</td>"
        f"<td>{_brief_link(r['State office'], r['State office link']) if r['State office'] else 'none named'}</td>"
        f"<td>{e(r['Status'])}</td><td>{e(r['Next deadline'])}</td></tr>" for r in rows)
    refreshed = readable_time(snap.refreshed_at)
    who = f"Verdicts are for {e(whos[0])}" if len(whos) == 1 else "Each verdict says whom it is for"
    brief = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Federal funding shortlist, "
             f"{short_day(today)}</title><style>body{{font:10pt system-ui,sans-serif;margin:1.5cm;color:#111}}"
             f"small{{font-size:8.5pt}}"
             f"td,th{{border:1px solid #999;padding:4px;vertical-align:top;text-align:left}}"
             f"table{{border-collapse:collapse;width:100%}}a{{color:#1d4ed8}}@page{{size:landscape;margin:1cm}}"
             f"@media print{{body{{margin:0;font-size:9pt}}}}</style></head><body>"
             f"<h1>Federal funding shortlist</h1><p>Prepared {short_day(today)}; program index refreshed "
             f"{e(refreshed)}. "
             f"{who}. Confirm each on the official page before applying.</p><table><tr><th>Program</th>"
             f"<th>Can we apply?</th><th>Your share of the cost</th><th>State office</th><th>Status</th>"
             f"<th>Next deadline</th></tr>{items}</table></body></html>")
    brief_path.write_text(brief, encoding="utf-8")
    # links work on every replica: the store keeps a copy under the link's session/drop folder
    exports.save(finder.settings, f"{folder.name}/{target.name}", [csv_path, brief_path])
    return csv_path, brief_path


def _brief_why(hit: Any, why: str) -> str:
    """The reason under a verdict in the one-page brief: none when the verdict says it all (eligible, or the
    route already named), else its first sentence, clipped."""
    if hit.verdict is None or hit.verdict.kind in (VerdictKind.ELIGIBLE, VerdictKind.THROUGH):
        return ""
    return clip(first_sentences(why, 1), 25)


def _brief_link(label: str, url: str) -> str:
    safe = safe_url(url)
    return f'<a href="{html.escape(safe)}">{html.escape(label)}</a>' if safe else html.escape(label)


def adopt_profile(session: ChatSession | None) -> tuple[str, str, str, str]:
    """One-click profile correction: (applicant, state, population, note) from what the last answer used."""
    asker = session.turns[-1].answer.asker if session and session.turns else None
    if asker is None:
        return "", "", "", "Ask a question that names who is applying first."
    return (asker.applicant.value, asker.state or "", f"{asker.population:,}" if asker.population else "",
            "Profile updated from the last answer.")
