"""The JSON API for machine clients, beside the UI on the same engine and the same guards (issue 24):

- `POST /api/ask` with `{"question": ..., "applicant": ..., "state": ..., "population": ...}` answers like one
  chat turn (no follow-up memory: each call stands alone);
- `GET /api/programs/{id}` (optionally `?applicant=&state=&population=`) gives one program with its verdict.

The guards are the chat's: the guard in ui/middleware.py caps the body (FINDER_MAX_REQUEST_KB) before it is read;
the question has the chat's 300-character cap; applicant, state and population are checked as the profile is
(ui/inputs.py), and any echo of the caller's text is escaped. One client (its address, from FINDER_TRUSTED_PROXIES)
may have FINDER_QUEUE_PER_CLIENT calls in flight (429 past that), and at most FINDER_CONCURRENCY answers are
worked on at once, shared with the MCP tools and CommonGrants search (503 when no slot frees in time).
Answers are Markdown in our words with program text made inert; never HTML.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from finder.answering.conversation import describe
from finder.answering.facts import display_name
from finder.answering.markdown import program_detail
from finder.engine import Finder
from finder.errors import FinderError
from finder.settings import Settings
from finder.text import inert
from ui import clients, inputs
from ui.mcp_tools import Busy, Gate, program_view
from ui.session import echo

FIELDS = ("question", "applicant", "state", "population")


class InFlight:
    """Calls each client has in flight; `enter` refuses a client already at its limit."""

    def __init__(self, limit: int) -> None:
        self.limit, self._n, self._lock = max(1, limit), Counter[str](), threading.Lock()

    @contextmanager
    def enter(self, client: str) -> Iterator[bool]:
        with self._lock:
            ok = self._n[client] < self.limit
            if ok:
                self._n[client] += 1
        try:
            yield ok
        finally:
            if ok:
                with self._lock:
                    self._n[client] -= 1
                    if not self._n[client]:
                        del self._n[client]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def ask_json(finder: Finder, body: Any) -> dict[str, Any]:
    """One stand-alone answer as plain data; raises inputs.InputError for what the caller must fix."""
    if not isinstance(body, dict):
        raise inputs.InputError('Send a JSON object such as {"question": "bridge repair grants for a county"}.')
    unknown = sorted(str(k) for k in body if k not in FIELDS)
    if unknown:
        raise inputs.InputError(f"Unknown field “{echo(unknown[0][:40])}”; the fields are: {', '.join(FIELDS)}.")
    question = inputs.question(body.get("question"))
    profile = inputs.profile(body.get("applicant"), body.get("state"), body.get("population"))
    answer = finder.ask(question, profile, use_llm=False)
    who = answer.asker
    return {"answer": answer.text, "refused": answer.refused.value if answer.refused else None,
            "answering_for": describe(who.applicant, who.population, who.state) if who else profile.describe(),
            "programs": [program_view(h) for h in answer.shown]}


def program_json(finder: Finder, program_id: str, applicant: str, state: str, population: str) -> dict[str, Any]:
    """One program by its finder id (or an ALN or name that means one program); KeyError when none or several."""
    asker = inputs.asker(applicant, state, population)
    ids = inputs.program_ids(finder, program_id)
    ids = [program_id] if program_id in ids else ids
    hit = finder.hit(ids[0], asker) if len(ids) == 1 else None
    if hit is None:
        raise KeyError(f"No program with id “{echo(program_id)}”; find ids with POST /api/ask or /common-grants/"
                       "opportunities." if not ids else
                       f"“{echo(program_id)}” names {len(ids)} programs; use one id: {', '.join(ids[:10])}.")
    view = program_view(hit)
    return {**view, "answering_for": describe(asker.applicant, asker.population, asker.state) if asker else None,
            "name": inert(display_name(hit.program)), "details": program_detail(1, hit, full_summary=True)}


def router(finder: Finder, gate: Gate, settings: Settings) -> APIRouter:
    api = APIRouter()
    trusted = clients.parse_networks(settings.trusted_proxies)
    flight = InFlight(settings.queue_per_client)

    def guarded(request: Request, work: Any) -> Any:
        async def call() -> JSONResponse:
            with flight.enter(clients.of_scope(request.scope, trusted)) as ok:
                if not ok:
                    return _error(429, "Too many requests from this address are in flight; wait for their "
                                       "answers.")
                return await run_in_threadpool(_answer, work)
        return call()

    def _answer(work: Any) -> JSONResponse:
        try:
            with gate.slot():
                return JSONResponse(work())
        except inputs.InputError as exc:
            return _error(400, str(exc))
        except KeyError as exc:
            return _error(404, str(exc.args[0]))
        except Busy as exc:
            return _error(503, str(exc))
        except FinderError:
            return _error(503, "The index is not available; try again later.")

    @api.post("/api/ask")
    async def ask(request: Request) -> JSONResponse:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(400, 'The body is not JSON; send {"question": "..."} with Content-Type application/json.')
        return await guarded(request, lambda: ask_json(finder, body))

    @api.get("/api/programs/{program_id}")
    async def program(request: Request, program_id: str, applicant: str = "", state: str = "",
                      population: str = "") -> JSONResponse:
        return await guarded(request, lambda: program_json(finder, program_id, applicant, state, population))

    return api
