"""Everything the app serves besides its Gradio pages, attached in one place: the JSON API, the CommonGrants API,
the deadline calendar and the new-notices feed (HTTP routes on Gradio's FastAPI app), and the MCP tools (Gradio's
built-in MCP server, on only with FINDER_MCP=1).

ui/app.py calls `attach` while building the Blocks and `launch_options` / `launching` when launching; the work
itself lives in ui/api.py, ui/commongrants_api.py, ui/calendar_feed.py and ui/mcp_tools.py. Every route is
read-only and reads the current index snapshot the way the chat does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import gradio as gr
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from finder.catalog.applicants import LABELS
from finder.catalog.rules import STATES
from finder.engine import Finder
from finder.errors import FinderError
from finder.settings import Settings
from ui import api, calendar_feed, commongrants_api, inputs, mcp_tools

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024  # a CommonGrants search request is a small JSON object
# Gradio warns that the chat's `ask` endpoint has a gr.State input; that endpoint is never an MCP tool here
# (see `_only_finder_tools`), so the warning is moot while the MCP server is built.
STATE_WARNING = "This MCP server includes a tool that has a gr.State input"


def attach(demo: gr.Blocks, settings: Settings, finder: Finder) -> None:
    """Call inside the `gr.Blocks` context: registers the MCP tools (FINDER_MCP=1 only) and keeps the routes
    for `launch_options`."""
    gate = mcp_tools.Gate(settings.concurrency)
    if settings.mcp:
        mcp_tools.register(finder, gate)
    demo.finder_routes = routes(finder, gate, settings).routes  # type: ignore[attr-defined]


def launch_options(demo: gr.Blocks, settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `demo.launch`: the MCP switch (never left to GRADIO_MCP_SERVER) and the app's
    extra routes (FastAPI `routes`, matched before Gradio's own) plus, with MCP on, the lifespan that keeps
    the MCP server to the finder's tools."""
    app_kwargs: dict[str, Any] = {"routes": list(getattr(demo, "finder_routes", []))}
    if settings.mcp:
        app_kwargs["lifespan"] = _only_finder_tools(demo)
    return {"mcp_server": settings.mcp, "app_kwargs": app_kwargs}


@contextlib.contextmanager
def launching(settings: Settings) -> Iterator[None]:
    """Around `demo.launch`: Gradio's warning about the chat's gr.State input is moot with MCP on (see above)."""
    with warnings.catch_warnings():
        if settings.mcp:
            warnings.filterwarnings("ignore", message=STATE_WARNING, category=UserWarning)
        yield


def _only_finder_tools(demo: gr.Blocks) -> Any:
    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        server = getattr(demo, "mcp_server_obj", None)
        if server is not None:  # before the first request: other endpoints (the chat's `ask`) are not tools
            keep = {name: endpoint for name, endpoint in server.tool_to_endpoint.items()
                    if getattr(getattr(server.get_block_fn_from_endpoint_name(endpoint), "fn", None),
                               mcp_tools.TOOL_MARK, False)}
            server.tool_to_endpoint = keep
            log.info("MCP tools: %s", ", ".join(sorted(keep)))
        yield

    return lifespan


def _error(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status)


def routes(finder: Finder, gate: mcp_tools.Gate, settings: Settings | None = None) -> APIRouter:
    router = APIRouter()
    router.include_router(api.router(finder, gate, settings or finder.settings))
    _common_grants(router, finder, gate)
    _calendars(router, finder)
    return router


def _common_grants(router: APIRouter, finder: Finder, gate: mcp_tools.Gate) -> None:
    def common(work: Any) -> JSONResponse:
        try:
            return JSONResponse(work())
        except commongrants_api.ApiError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        except mcp_tools.Busy as exc:
            return JSONResponse({"status": 503, "message": str(exc), "errors": []}, 503)
        except FinderError as exc:
            log.warning("CommonGrants route: %s", exc)
            return JSONResponse({"status": 503, "message": "The index is not available", "errors": []}, 503)

    @router.get("/common-grants/opportunities")
    def list_opportunities(page: str = "1", pageSize: str = "10", applicant: str = "", state: str = "",  # noqa: N803
                           population: str = "") -> JSONResponse:
        return common(lambda: commongrants_api.list_page(finder, page, pageSize, applicant, state, population))

    @router.get("/common-grants/opportunities/{opp_id}")
    def get_opportunity(opp_id: str, applicant: str = "", state: str = "", population: str = "") -> JSONResponse:
        return common(lambda: commongrants_api.one(finder, opp_id, applicant, state, population))

    @router.post("/common-grants/opportunities/search")
    async def search_opportunities(request: Request) -> JSONResponse:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return JSONResponse({"status": 413, "message": "The search request is too large", "errors": []}, 413)
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return JSONResponse({"status": 400, "message": "The body is not JSON", "errors": []}, 400)

        def search() -> dict[str, Any]:
            with gate.slot():
                return commongrants_api.search(finder, body)

        return await run_in_threadpool(common, search)


def _calendars(router: APIRouter, finder: Finder) -> None:
    new_notices = calendar_feed.NewNotices()

    @router.get("/calendar.ics")
    def calendar(state: str = "", applicant: str = "", population: str = "") -> Response:
        try:
            asker = inputs.asker(applicant, state, population)
            items = calendar_feed.deadlines(finder, asker)
        except inputs.InputError as exc:
            return _error(400, str(exc))
        except FinderError as exc:
            log.warning("calendar: %s", exc)
            return _error(503, "The index is not available.")
        who = f" for {LABELS[asker.applicant][1]}" if asker else ""
        where = f" in {STATES[asker.state]}" if asker and asker.state else ""
        body = calendar_feed.calendar_ics(items, f"Federal funding deadlines{who}{where}")
        return Response(body, media_type="text/calendar; charset=utf-8",
                        headers={"Content-Disposition": 'inline; filename="funding-deadlines.ics"'})

    @router.get("/feed.atom")
    def feed(request: Request) -> Response:
        try:
            body = calendar_feed.feed_atom(finder, new_notices, str(request.base_url))
        except FinderError as exc:
            log.warning("feed: %s", exc)
            return _error(503, "The index is not available.")
        return Response(body, media_type="application/atom+xml; charset=utf-8")
