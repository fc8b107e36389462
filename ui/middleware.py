"""The ASGI guard in front of the Gradio app: what a request may reach and how much of the server it may take.

- Deep links are refused in every encoding (`?deep%5Flink=`), and so is the route that makes them.
- Only `ask` answers on the call routes (/gradio_api/call/, /run/, /api/); every other event is reachable
  only as the page reaches it, through the queue with a session, and checks that session itself.
- Cached files are served only from the exports folder: an upload is never downloadable, by anyone. An export
  not in this process's folder is looked up in the shared store (ui/exports.py), so links work on every replica.
- Every POST states its length; an upload request may carry FINDER_MAX_UPLOAD_MB in all (its files
  together), any other body FINDER_MAX_REQUEST_KB; more is 413 before a byte is read. One client may
  upload twice FINDER_MAX_UPLOAD_MB in ten minutes (429 past that), so anonymous uploads cannot fill the disk.
- One client may have FINDER_QUEUE_PER_CLIENT requests waiting in the queue; more is 429, so one client
  cannot crowd everyone else out.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_plus

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from finder.database import DatabaseError
from finder.settings import Settings
from ui import clients, exports

CALL = re.compile(r"^/gradio_api/(?:call/v2|call|run|api)/([^/]+)")
FILES = ("/gradio_api/file=", "/gradio_api/file/")
QUEUED = ("/gradio_api/queue/join", "/gradio_api/call/ask", "/gradio_api/call/v2/ask")
UPLOAD = "/gradio_api/upload"
PUBLIC = "ask"
UPLOAD_WINDOW = 600.0  # seconds over which one client's uploads are added up


def _decoded(text: str, rounds: int = 4) -> str:
    """`text` percent-decoded until it stops changing (a few rounds at most), lower-cased."""
    for _ in range(rounds):
        nxt = unquote_plus(text)
        if nxt == text:
            break
        text = nxt
    return text.lower()


def is_deep_link(path: str, query: str) -> bool:
    names = {_decoded(k).strip() for k, _ in parse_qsl(query, keep_blank_values=True)}
    flat = _decoded(path + "?" + query).replace("-", "_")
    return "deep_link" in names or "deep_link" in flat or "deeplink" in flat


def content_length(scope: Scope) -> int | None:
    """The declared body length; None when absent, chunked, repeated or not a number."""
    values = [v for k, v in scope.get("headers", []) if k == b"content-length"]
    chunked = any(k == b"transfer-encoding" for k, _ in scope.get("headers", []))
    if len(values) != 1 or chunked or not values[0].strip().isdigit():
        return None
    return int(values[0])


class Guard:
    """Refuses what a request may not do (see the module docstring) before the app sees it."""

    def __init__(self, app: ASGIApp, *, settings: Settings, demo: Any = None, exports: Path | None = None) -> None:
        self.app, self.settings, self.demo = app, settings, demo
        self.exports = exports.resolve() if exports else None
        self.trusted = clients.parse_networks(settings.trusted_proxies)
        self.uploads: dict[str, deque[tuple[float, int]]] = defaultdict(deque)
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith(FILES) and scope.get("method") in ("GET", "HEAD"):
            target = unquote(path[len(FILES[0]):])
            if not (self.exported(target) and Path(target).is_file()):  # not here: another replica's export?
                await self.from_store(target, scope, receive, send)
                return
        refusal = self.refusal(scope) if scope["type"] == "http" else None
        if refusal is not None:
            status, text = refusal
            await PlainTextResponse(text, status_code=status, headers={"Connection": "close"})(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def from_store(self, target: str, scope: Scope, receive: Receive, send: Send) -> None:
        """A shortlist export made on another replica (or before a restart), from the shared store; else 404."""
        try:
            found = await run_in_threadpool(exports.stored, self.settings, target)
        except DatabaseError:
            found = None
        if found is None:
            await PlainTextResponse("Not found.", status_code=404)(scope, receive, send)
            return
        content, media = found
        name = Path(target).name
        headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox",
                   "Content-Disposition": f'{"attachment" if name.endswith(".csv") else "inline"}; filename="{name}"'}
        await Response(content, media_type=media, headers=headers)(scope, receive, send)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        path, query = scope.get("path", ""), scope.get("query_string", b"").decode("latin-1")
        if is_deep_link(path, query):
            return 400, "Deep links are turned off."
        call = CALL.match(path)
        if call is not None and call[1] != PUBLIC:
            return 404, "Not found: only the ask endpoint is public."
        if path.startswith(FILES) and not self.exported(unquote(path[len(FILES[0]):])):
            return 404, "Not found."
        if scope.get("method") != "POST":
            return None
        length = content_length(scope)
        if length is None:
            return 411, "Send the body with a Content-Length."
        cap = self.settings.max_upload_mb << 20 if path.startswith(UPLOAD) else self.settings.max_request_kb << 10
        if length > cap:
            what = f"{cap >> 20} MB for all files of one upload" if path.startswith(UPLOAD) else f"{cap >> 10} KB"
            return 413, f"Request too large: the limit is {what}."
        if path.startswith(UPLOAD) and not self.budget(clients.of_scope(scope, self.trusted), length, 2 * cap):
            return 429, "This address has uploaded its share for now; try again in a few minutes."
        if path.startswith(QUEUED) and self.waiting(clients.of_scope(scope, self.trusted)) >= \
                self.settings.queue_per_client:
            return 429, "Too many requests from this address are waiting; try again when they are answered."
        return None

    def budget(self, client: str, size: int, allowed: int) -> bool:
        """Count `size` against `client`'s uploads of the last UPLOAD_WINDOW seconds; False when over `allowed`."""
        now = time.monotonic()
        with self._lock:
            recent = self.uploads[client]
            while recent and now - recent[0][0] > UPLOAD_WINDOW:
                recent.popleft()
            if sum(n for _, n in recent) + size > allowed:
                return False
            recent.append((now, size))
            if len(self.uploads) > 10_000:  # forget clients with nothing recent
                for key in [k for k, v in self.uploads.items() if not v or now - v[-1][0] > UPLOAD_WINDOW]:
                    del self.uploads[key]
            return True

    def exported(self, target: str) -> bool:
        """True for a file inside the exports folder (where only this app writes)."""
        try:
            return self.exports is not None and Path(target).resolve().is_relative_to(self.exports)
        except (OSError, ValueError):
            return False

    def waiting(self, client: str) -> int:
        """Requests from `client` waiting in the Gradio queue now."""
        queue = getattr(self.demo, "_queue", None)
        if queue is None:
            return 0
        n = 0
        for events in list(getattr(queue, "event_queue_per_concurrency_id", {}).values()):
            for event in list(events.queue):
                n += clients.of_request(getattr(event, "request", None), self.trusted)[0] == client
        return n
