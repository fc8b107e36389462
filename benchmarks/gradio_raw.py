"""A raw client of the served app's queue, speaking what the browser speaks (POST /gradio_api/queue/join, then
the /gradio_api/queue/data event stream), so tests and the hostile benchmark can send what a page never would:
any event by its index, forged inputs, made-up sessions, rotating X-Forwarded-For."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx


def fn_index(demo: Any, name: str) -> int:
    """The id of the event whose Python function is called `name` (the first, if several share it)."""
    return next(fn._id for fn in demo.fns.values() if getattr(fn, "name", None) == name)


def fn_ids(base: str) -> dict[str, int]:
    """Event ids by api name (a private event's api name is its function's name), from the page's config."""
    config = httpx.get(f"{base}config", timeout=30).json()
    return {d["api_name"]: d["id"] for d in reversed(config["dependencies"]) if d.get("api_name")}


def join(base: str, index: int, data: list[Any], session: str, headers: dict[str, str] | None = None,
         timeout: float = 30, event_data: Any = None) -> httpx.Response:
    body = {"data": data, "event_data": event_data, "fn_index": index, "trigger_id": None, "session_hash": session}
    return httpx.post(f"{base}gradio_api/queue/join", json=body, headers=headers or {}, timeout=timeout)


def results(base: str, session: str, timeout: float = 60) -> dict[str, Any]:
    """The completed events of `session`, by event id, read from its event stream until it closes."""
    done: dict[str, Any] = {}
    with httpx.stream("GET", f"{base}gradio_api/queue/data", params={"session_hash": session},
                      timeout=timeout) as resp:
        for line in resp.iter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if msg.get("msg") == "process_completed":
                done[msg.get("event_id", "")] = msg.get("output", {}).get("data") if msg.get("success") else \
                    {"error": msg.get("output")}
            if msg.get("msg") == "close_stream":
                break
    return done


def call(base: str, index: int, data: list[Any], session: str | None = None,
         headers: dict[str, str] | None = None, event_data: Any = None) -> Any:
    """Run one event and return its output data (or {"error": ...}); raises on a refused join."""
    session = session or secrets.token_hex(6)
    resp = join(base, index, data, session, headers, event_data=event_data)
    resp.raise_for_status()
    return results(base, session).get(resp.json()["event_id"])
