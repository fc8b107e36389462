"""The MCP tools: the finder for AI assistants, served by Gradio's built-in MCP server from the same app.

Four read-only tools with typed, documented parameters. Each answers with a JSON object (as text) whose words
come from the finder's own renderers and `facts.py`; Markdown only, never HTML; outside text inert. The same
guards as the chat apply: the 300-character cap, the applicant vocabulary, state codes, escaped echoes.
The plain `*_json` functions do the work (tests call them directly); `register` exposes them with `gr.api`.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from finder.answering.conversation import describe
from finder.answering.facts import (
    display_name,
    next_deadline,
    office_phrase,
    status_phrase,
    verdict_phrase,
)
from finder.answering.markdown import program_detail
from finder.answering.types import Hit
from finder.engine import Finder
from finder.errors import FinderError
from finder.text import inert
from ui import inputs
from ui.calendar_feed import deadlines
from ui.session import echo

TOOL_MARK = "_finder_tool"  # set on each tool function; ui/mount.py serves only functions that carry it
MAX_DAYS = 366


def program_view(hit: Hit) -> dict[str, Any]:
    """One program in a few plain fields: what a list of programs shows, worded by facts.py."""
    op, v = hit.program, hit.verdict
    return {"id": op.id, "aln": op.aln, "name": inert(display_name(op)), "agency": inert(op.sub_agency or op.agency),
            "verdict": v.kind.value if v else None, "verdict_label": verdict_phrase(hit),
            "why": inert(v.reason) if v else None, "office": office_phrase(hit, link=False),
            "status": status_phrase(hit), "next_deadline": next_deadline(hit),
            "match": inert(op.cost_share.text) if op.cost_share else None, "url": hit.url}


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def _one(finder: Finder, program: str, asker: Any = None) -> Hit | dict[str, Any]:
    """The program a caller names, or an error object listing the candidates when the name is ambiguous."""
    ids = inputs.program_ids(finder, program)
    if len(ids) == 1 and (hit := finder.hit(ids[0], asker)) is not None:
        return hit
    if not ids:
        return {"error": f"No program in the index matches “{echo(program)}”. Try its ALN (e.g. 20.939), "
                         "its acronym or its title, or use find_programs."}
    shown = finder.hits(ids[:10])
    return {"error": f"“{echo(program)}” matches {len(ids)} programs; call again with one program id.",
            "candidates": [{"id": h.id, "aln": h.aln, "name": inert(display_name(h.program))} for h in shown]}


def find_programs_json(finder: Finder, question: str, applicant: str = "", state: str = "",
                       population: int | None = None) -> str:
    q = inputs.question(question)
    profile = inputs.profile(applicant, state, population)
    answer = finder.ask(q, profile, use_llm=False)
    who = answer.asker
    return _dump({"answer": answer.text, "refused": answer.refused is not None,
                  "answering_for": describe(who.applicant, who.population, who.state) if who else profile.describe(),
                  "programs": [program_view(h) for h in answer.shown]})


def check_eligibility_json(finder: Finder, program: str, applicant: str, state: str = "",
                           population: int | None = None) -> str:
    asker = inputs.asker(applicant, state, population)
    if asker is None:
        raise inputs.InputError(f"Give an applicant type: one of {inputs.APPLICANTS}.")
    found = _one(finder, program, asker)
    if isinstance(found, dict):
        return _dump(found)
    view = program_view(found)
    return _dump({"program": view["name"], "program_id": found.id, "aln": found.aln,
                  "answering_for": describe(asker.applicant, asker.population, asker.state),
                  "verdict": view["verdict"], "verdict_label": view["verdict_label"], "why": view["why"],
                  "reviewed": found.verdict.reviewed if found.verdict else None, "office": view["office"],
                  "status": view["status"], "next_deadline": view["next_deadline"], "url": found.url})


def program_details_json(finder: Finder, program: str) -> str:
    found = _one(finder, program)
    if isinstance(found, dict):
        return _dump(found)
    return _dump({"program_id": found.id, "aln": found.aln, "name": inert(display_name(found.program)),
                  "details": program_detail(1, found, full_summary=True), "url": found.url})


def upcoming_deadlines_json(finder: Finder, days: int = 60, applicant: str = "", state: str = "") -> str:
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise inputs.InputError(f"days must be a whole number from 1 to {MAX_DAYS}.")
    asker = inputs.asker(applicant, state)
    found = deadlines(finder, asker, within_days=days)
    return _dump({"days": days, "answering_for": describe(asker.applicant, None, asker.state) if asker else
                  "no applicant type set (every program's open notices)",
                  "deadlines": [{"close_date": d.date.isoformat(), "program_id": d.hit.id, "aln": d.hit.aln,
                                 "program": inert(display_name(d.hit.program)), "notice": inert(d.notice.title),
                                 "notice_status": d.notice.status.value,
                                 "verdict": d.hit.verdict.kind.value if d.hit.verdict else None,
                                 "verdict_label": verdict_phrase(d.hit), "office": office_phrase(d.hit, link=False),
                                 "notice_url": d.notice.url} for d in found]})


class Busy(Exception):
    """No slot freed up in time."""


class Gate:
    """At most `n` calls at once of the work that bypasses the chat's queue (tool calls, searches); a call that
    cannot start within `wait` seconds is told the finder is busy."""

    def __init__(self, n: int, wait: float = 30.0) -> None:
        self._sem, self._wait = threading.BoundedSemaphore(max(1, n)), wait

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        if not self._sem.acquire(timeout=self._wait):
            raise Busy("The finder is busy; try again in a minute.")
        try:
            yield
        finally:
            self._sem.release()

    def run(self, work: Callable[[], str]) -> str:
        """A tool call: its JSON text, or a JSON error object the assistant can read out."""
        try:
            with self.slot():
                return work()
        except (Busy, inputs.InputError) as exc:
            return _dump({"error": str(exc)})
        except FinderError as exc:
            return _dump({"error": f"The index is not available: {echo(str(exc))}"})


APPLICANT = f"Who applies, one of: {inputs.APPLICANTS}; empty for no verdict."
STATE = "Two-letter USPS code of the applicant's state or territory, e.g. OH; picks the state office."
POPULATION = "The applicant's population, for programs with population limits."
PROGRAM = "The program's title, acronym, ALN or finder id, e.g. 'Safe Streets and Roads for All', 'SS4A', '20.939'."


def documented(summary: str, **params: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Give a tool the docstring Gradio reads for its MCP description: a summary, then one line per parameter."""

    def mark(fn: Callable[..., str]) -> Callable[..., str]:
        fn.__doc__ = summary + "\n\nArgs:\n" + "\n".join(f"    {k}: {v}" for k, v in params.items())
        setattr(fn, TOOL_MARK, True)
        return fn

    return mark


def register(finder: Finder, gate: Gate) -> None:
    """Add the four tools to the Blocks being built, as typed API endpoints Gradio's MCP server lists."""

    @documented("Find federal infrastructure funding programs for a local need, with each program's verdict for "
                "the applicant (read-only).",
                question="The need in plain words, at most 300 characters, e.g. 'EV chargers for a small city'.",
                applicant=APPLICANT, state=STATE, population=POPULATION)
    def find_programs(question: str, applicant: str = "", state: str = "", population: int | None = None) -> str:
        return gate.run(lambda: find_programs_json(finder, question, applicant, state, population))

    @documented("Whether an applicant can apply for one program: the verdict (eligible, through_state, "
                "not_eligible or check), why, the state office that runs it and the program's status (read-only).",
                program=PROGRAM, applicant=APPLICANT.replace("; empty for no verdict", ""), state=STATE,
                population=POPULATION)
    def check_eligibility(program: str, applicant: str, state: str = "", population: int | None = None) -> str:
        return gate.run(lambda: check_eligibility_json(finder, program, applicant, state, population))

    @documented("Everything the index holds about one program: summary, who applies, match, status, notices and "
                "official links (read-only).", program=PROGRAM)
    def program_details(program: str) -> str:
        return gate.run(lambda: program_details_json(finder, program))

    @documented("Open Grants.gov notices closing within the next days, soonest first, for programs the applicant "
                "can reach (read-only).", days=f"How many days ahead to look, 1 to {MAX_DAYS}.",
                applicant=APPLICANT.replace("no verdict", "every program"), state=STATE)
    def upcoming_deadlines(days: int = 60, applicant: str = "", state: str = "") -> str:
        return gate.run(lambda: upcoming_deadlines_json(finder, days, applicant, state))

    for tool in (find_programs, check_eligibility, program_details, upcoming_deadlines):
        gr.api(tool, api_name=tool.__name__, queue=False)
