"""The store every replica reaches (issue 24): answer ratings, admin login strikes, shortlist exports, and the
ingest lock when FINDER_DATABASE_URL is set. SQLAlchemy over SQLite by default (`finder.db` in the index
folder, so processes sharing FINDER_INDEX_DIR share it), or PostgreSQL (`postgresql://user:pass@host/db`).

Which database an index folder uses is registered once per process by the entry point (`configure(settings)`);
a folder nobody registered uses its own SQLite file, so plain callers and tests need no setup.
"""

from __future__ import annotations

import contextlib
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from finder.errors import FinderError, IngestLockedError
from finder.settings import Settings

metadata = MetaData()
feedback = Table(
    "feedback", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(32), unique=True, nullable=False), Column("at", String(32), nullable=False),
    Column("liked", Boolean, nullable=False), Column("reason", String(40), nullable=False, default=""),
    Column("question", Text, nullable=False), Column("answer", Text, nullable=False),
    Column("shown", Text, nullable=False), Column("profile", Text, nullable=False), Column("generation", String(120)),
)
strikes = Table(
    "login_strikes", metadata,
    Column("who", String(220), primary_key=True), Column("count", Integer, nullable=False),
    Column("last", Float, nullable=False),
)
exports = Table(
    "shortlist_exports", metadata,
    Column("id", String(32), primary_key=True), Column("session", String(64), nullable=False, index=True),
    Column("at", Float, nullable=False), Column("name", String(120), nullable=False),
    Column("content", LargeBinary, nullable=False),
)


class DatabaseError(FinderError):
    """The shared store cannot be reached or used."""


_URLS: dict[Path, str] = {}
_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def _key(index_dir: Path | str) -> Path:
    return Path(index_dir).resolve()


def url_of(settings: Settings) -> str:
    """The SQLAlchemy URL: FINDER_DATABASE_URL (a bare postgresql:// URL gets the psycopg driver), else SQLite
    in the index folder."""
    url = settings.database_url
    if not url:
        return f"sqlite:///{_key(settings.index_dir) / 'finder.db'}"
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url[len(bare):]
    return url


def shown_url(url: str) -> str:
    """A URL fit for a message: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


def configure(settings: Settings) -> None:
    """Send the store of `settings.index_dir` to FINDER_DATABASE_URL for this process (entry points call this)."""
    with _LOCK:
        _URLS[_key(settings.index_dir)] = url_of(settings)


def _sqlite_pragmas(conn: Any, _: Any) -> None:
    cur = conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer; other processes see commits
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _url_for(target: Path | str | Settings) -> tuple[str, Path | None]:
    if isinstance(target, Settings):
        url = url_of(target)
        return url, _key(target.index_dir) if not target.database_url else None
    key = _key(target)
    with _LOCK:
        url = _URLS.get(key) or f"sqlite:///{key / 'finder.db'}"
    return url, key if url == f"sqlite:///{key / 'finder.db'}" else None


def engine(target: Path | str | Settings) -> Engine:
    """The engine of a store, made (with its tables) on first use: the one `settings` name, or the one an index
    folder was configured with (its own SQLite file when nobody configured it)."""
    url, folder = _url_for(target)
    with _LOCK:
        found = _ENGINES.get(url)
        if found is not None:
            return found
        try:
            if url.startswith("sqlite"):
                if folder is not None:
                    folder.mkdir(parents=True, exist_ok=True)
                made = create_engine(url, connect_args={"timeout": 30})
                event.listen(made, "connect", _sqlite_pragmas)
            else:
                made = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
            metadata.create_all(made)
        except (SQLAlchemyError, ArgumentError, ImportError) as exc:
            raise DatabaseError(
                f"the shared store at {shown_url(url)} cannot be opened ({type(exc).__name__}: {str(exc)[:200]}); "
                "check FINDER_DATABASE_URL and that the database is running, or unset it to use SQLite"
            ) from exc
        _ENGINES[url] = made
        return made


@contextlib.contextmanager
def begin(target: Path | str | Settings) -> Iterator[Any]:
    """A transaction on the store (see `engine`), its failures as DatabaseError."""
    eng = engine(target)
    try:
        with eng.begin() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise DatabaseError(f"the shared store at {shown_url(str(eng.url))} failed ({type(exc).__name__}); "
                            "check that the database is running") from exc


def upsert_add(conn: Any, who: str, now: float) -> None:
    """One more strike for `who` (inserted at 1), atomically."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(strikes).values(who=who, count=1, last=now)
    conn.execute(stmt.on_conflict_do_update(index_elements=["who"],
                                            set_={"count": strikes.c.count + 1, "last": now}))


# -- the ingest lock ---------------------------------------------------------------------------------
LOCK_KEY = zlib.crc32(b"finder-ingest")  # the advisory-lock number every replica agrees on


@contextlib.contextmanager
def ingest_lock(settings: Settings, wait: float) -> Iterator[None]:
    """One writer at a time. With FINDER_DATABASE_URL on PostgreSQL, a session advisory lock (released by the
    server if the holder dies); with it on SQLite, a file lock beside the database file; unset, a file lock in
    the index folder. Raises IngestLockedError after `wait` seconds."""
    url = url_of(settings)
    if settings.database_url and url.startswith("postgresql"):
        with _advisory(settings, url, wait):
            yield
        return
    from filelock import FileLock, Timeout

    folder = Path(make_url(url).database or "").parent if settings.database_url else Path(settings.index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / "ingest.lock"))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise IngestLockedError(f"another `finder ingest` is running (lock {lock.lock_file}); wait for it to "
                                "finish, or pass --wait SECONDS") from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def _advisory(settings: Settings, url: str, wait: float) -> Iterator[None]:
    eng = engine(settings)
    try:
        conn = eng.connect()
    except SQLAlchemyError as exc:
        raise DatabaseError(f"the shared store at {shown_url(url)} is not answering ({type(exc).__name__}); "
                            "start it or unset FINDER_DATABASE_URL") from exc
    try:
        deadline = time.monotonic() + wait
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
            if time.monotonic() >= deadline:
                raise IngestLockedError(f"another `finder ingest` is running (advisory lock {LOCK_KEY} in "
                                        f"{shown_url(url)}); wait for it to finish, or pass --wait SECONDS")
            time.sleep(0.5)
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            conn.commit()
    finally:
        conn.close()
