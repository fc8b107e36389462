"""Shortlist exports kept in the shared store (finder/database.py) as well as in the session's exports folder, so
their download links work from every replica and after a restart, for KEEP_HOURS.

A link names the file as `.../exports/<session>/<drop>/<file>` (one random folder per export, so the file itself
can be called funding-shortlist-YYYY-MM-DD.csv); the guard (ui/middleware.py) serves it from the local folder
when the file is there, and otherwise from the store, found by `<session>/<drop>` and the file name (the two
folders are random, as the local link already is). Only names this app writes are looked up; the CSV is served
as a download and the brief with a sandboxing Content-Security-Policy, so neither can run script in the app's origin.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from pathlib import Path, PurePosixPath

from sqlalchemy import delete, select

from finder import database
from finder.database import DatabaseError, exports
from finder.settings import Settings

log = logging.getLogger(__name__)
KEEP_HOURS = 24
NAME = re.compile(r"^funding-shortlist-\d{4}-\d\d-\d\d\.(csv|html)$")
PART = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
TYPES = {"csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}


def save(settings: Settings, session: str, files: list[Path]) -> None:
    """Copy a session's exported files into the store; a store that cannot be reached only logs (the local files
    still serve this replica's links)."""
    now = time.time()
    rows = [{"id": uuid.uuid4().hex, "session": session[:64], "at": now, "name": f.name[:120],
             "content": f.read_bytes()} for f in files]
    try:
        with database.begin(settings) as conn:
            conn.execute(delete(exports).where(exports.c.at < now - KEEP_HOURS * 3600))
            conn.execute(exports.insert(), rows)
    except DatabaseError as exc:
        log.warning("shortlist export kept on this replica only: %s", exc)


def stored(settings: Settings, target: str) -> tuple[bytes, str] | None:
    """(content, media type) of the stored export a link's path names, or None."""
    path = PurePosixPath(target)
    if len(path.parts) < 4 or path.parts[-4] != "exports":
        return None
    (session, drop), name = path.parts[-3:-1], path.name
    if not PART.match(session) or not PART.match(drop) or not (kind := NAME.match(name)):
        return None
    session = f"{session}/{drop}"
    with database.begin(settings) as conn:
        content = conn.scalar(select(exports.c.content).where(
            exports.c.session == session, exports.c.name == name,
            exports.c.at >= time.time() - KEEP_HOURS * 3600))
    return (bytes(content), TYPES[kind[1]]) if content is not None else None
