"""`finder serve --refresh-every 24h`: fetch notices and refresh the index on a schedule, in the background.

A failed run is logged with its cause and the index keeps serving; the next run tries again.
"""

from __future__ import annotations

import logging
import re
import threading

from finder.settings import Settings

log = logging.getLogger(__name__)


def parse_every(text: str) -> float:
    """Hours from '24h', '30m', '90s' or a bare number of hours; ValueError names the accepted forms."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([hms]?)\s*", text or "")
    if not m or float(m[1]) <= 0:
        raise ValueError(f"cannot read {text!r} as an interval; use e.g. 24h, 30m or 90s")
    return float(m[1]) / {"h": 1, "": 1, "m": 60, "s": 3600}[m[2]]


def start(settings: Settings, stop: threading.Event | None = None) -> threading.Thread | None:
    """Run fetch-then-refresh every `settings.refresh_every_hours`; returns the thread, or None if unset."""
    hours = settings.refresh_every_hours
    if not hours:
        return None
    stop = stop or threading.Event()

    def loop() -> None:
        from ingest.fetch import fetch_and_refresh

        while not stop.wait(hours * 3600):
            try:
                fetched, report = fetch_and_refresh(settings, wait=600)
                log.info("scheduled refresh: %s; %s", fetched.line(), report.line())
            except Exception as exc:  # any cause: log it, keep serving, try again next time
                log.error("scheduled refresh failed, the index keeps serving: %s", exc)

    thread = threading.Thread(target=loop, name="finder-schedule", daemon=True)
    thread.start()
    log.info("refreshing notices every %g hours", hours)
    return thread
