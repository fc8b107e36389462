"""Serving the app: Gradio's ASGI app under our guard, run by a uvicorn server we configure ourselves.

Running uvicorn here (rather than through `Blocks.launch`) is what lets the app:
- ignore X-Forwarded-For in uvicorn (which believes it from 127.0.0.1 by default); ui/clients.py decides
  who is asking, from FINDER_TRUSTED_PROXIES;
- close a connection whose request headers do not arrive within FINDER_HEADER_TIMEOUT seconds (uvicorn
  has no such timeout, so half-open connections were held for as long as the client liked);
- keep Gradio's cache and this app's exports in one folder per process (FINDER_CACHE_DIR), removed when
  the server stops, on SIGTERM too, and swept at start for processes that are gone.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import uvicorn
from fastapi import FastAPI
from gradio.http_server import Server

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Protocol
except ImportError:  # uvicorn without httptools: h11 has no headers-complete hook, so only idle connections close
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Protocol  # type: ignore[assignment]

from finder.settings import Settings
from ui.middleware import Guard
from ui.styles import CSS

log = logging.getLogger(__name__)


class HeaderDeadline(_Protocol):
    """uvicorn's HTTP protocol, plus a deadline for each request's headers: armed when the connection opens
    and after each response, disarmed when the headers are complete; on expiry the connection is closed."""

    header_timeout = 10.0
    _timer: Any = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._timer = self.loop.call_later(self.header_timeout, self._expire)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        self._timer = None
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


@dataclass(frozen=True)
class Cache:
    """This process's folder for Gradio's cache (`gradio`) and the app's exports (`gradio/exports`, inside
    Gradio's cache so they are served in place and the guard can tell them from uploads)."""

    root: Path

    @property
    def gradio(self) -> Path:
        return self.root / "gradio"

    @property
    def exports(self) -> Path:
        return self.root / "gradio" / "exports"


_CACHES: dict[Path, Cache] = {}
_CACHE_LOCK = threading.Lock()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cache_for(settings: Settings) -> Cache:
    """This process's cache folder under FINDER_CACHE_DIR, made (and the folders of dead processes swept) once."""
    base = Path(settings.cache_dir or Path(tempfile.gettempdir()) / "finder-cache").resolve()
    with _CACHE_LOCK:
        if base in _CACHES and _CACHES[base].root.is_dir():
            return _CACHES[base]
        base.mkdir(parents=True, exist_ok=True)
        for old in base.iterdir():
            pid = old.name.split("-", 1)[0]
            if old.is_dir() and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
        cache = Cache(Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=base)))
        cache.exports.mkdir(parents=True)
        _CACHES[base] = cache
        atexit.register(shutil.rmtree, cache.root, True)
        return cache


def remove_cache(settings: Settings) -> None:
    base = Path(settings.cache_dir or Path(tempfile.gettempdir()) / "finder-cache").resolve()
    with _CACHE_LOCK:
        cache = _CACHES.pop(base, None)
    if cache is not None:
        shutil.rmtree(cache.root, ignore_errors=True)


def note_absent_matplotlib() -> None:
    """Gradio tries `import matplotlib` before and after every event (to switch its plotting backend). Where
    matplotlib is not installed, each failed import searched sys.path again: about 2% of the served CPU under
    load (issue 24). Recording it once as absent makes those imports fail at once, as they would anyway."""
    if "matplotlib" not in sys.modules and importlib.util.find_spec("matplotlib") is None:
        sys.modules["matplotlib"] = None  # type: ignore[assignment]  # Python's documented "not importable" mark


def asgi_app(demo: gr.Blocks, settings: Settings) -> Guard:
    """Gradio's app mounted on a bare FastAPI (no docs routes), with the routes and MCP switch of ui/mount.py
    (issue 25), wrapped in the guard."""
    from ui import mount

    note_absent_matplotlib()

    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    parent = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    options = mount.launch_options(demo, settings)
    with mount.launching(settings):
        gr.mount_gradio_app(parent, demo, path="/", server_name=settings.host, server_port=settings.port,
                            footer_links=[], run_history=False, show_error=False, ssr_mode=False, theme=theme,
                            css=CSS, max_file_size=f"{settings.max_upload_mb}mb", **options)
    demo.app = demo.server_app = parent.routes[-1].app  # type: ignore[attr-defined]  # the mounted Gradio app
    return Guard(parent, settings=settings, demo=demo, exports=cache_for(settings).exports)


def start(demo: gr.Blocks, settings: Settings) -> Server:
    """Serve in a background thread; `demo.close()` stops it."""
    protocol = type("HeaderDeadline", (HeaderDeadline,), {"header_timeout": settings.header_timeout})
    config = uvicorn.Config(asgi_app(demo, settings), host=settings.host, port=settings.port, log_level="warning",
                            proxy_headers=False, server_header=False, http=protocol, timeout_keep_alive=5,
                            timeout_graceful_shutdown=5)
    server = Server(config)
    server.run_in_thread()
    demo.server, demo.is_running = server, True  # type: ignore[attr-defined]
    demo.local_url = f"http://{settings.host}:{settings.port}/"  # type: ignore[attr-defined]
    return server


def run_until_stopped(demo: gr.Blocks, settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT, then stop the server and remove the cache and exports."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server = start(demo, settings)
    log.warning("serving on http://%s:%d/", settings.host, settings.port)
    try:
        while not stop.wait(0.5):
            if not server.thread.is_alive():
                break
    finally:
        with contextlib.suppress(Exception):
            demo.close(verbose=False)
        remove_cache(settings)
