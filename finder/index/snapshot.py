"""The reader side of the index: a loaded snapshot of one generation, swapped when a refresh lands."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from finder.catalog.model import Opportunity
from finder.catalog.notices import Notice
from finder.errors import IndexMissingError
from finder.index.embeddings import Embedder
from finder.index.generation import NOTICES, PROGRAMS, Generation
from finder.index.lexical import Lexical
from finder.index.store import Store
from finder.settings import Settings

SERVER_POLL_SECONDS = 5.0


class LazyNotices(Mapping[str, list[Notice]]):
    """Notices by ALN, kept as the stored JSON and parsed one ALN at a time on first use: a first answer parses
    the few notices it shows, not every notice of a 50,000-notice extract."""

    def __init__(self, raw: dict[str, list[str]], ids: set[str]) -> None:
        self._raw, self.ids = raw, ids
        self._parsed: dict[str, list[Notice]] = {}

    def __getitem__(self, aln: str) -> list[Notice]:
        got = self._parsed.get(aln)
        if got is None:
            got = [Notice.model_validate(json.loads(text)) for text in self._raw[aln]]
            self._parsed[aln] = got  # two threads may both parse one ALN: same result, one copy kept
        return got

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@dataclass
class Snapshot:
    """Everything one generation holds, in memory, plus its dense collection for queries."""

    generation: Generation
    pointer: dict[str, Any]
    programs: dict[str, Opportunity]
    notices: LazyNotices
    lexical: Lexical
    embedder: Embedder
    _empty: list[Notice] = field(default_factory=list)
    _leases: int = 0
    _retired: bool = False
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def lease(self) -> Snapshot:
        with self._guard:
            self._leases += 1
        return self

    def release(self) -> None:
        with self._guard:
            self._leases -= 1
            last = self._retired and self._leases == 0
        if last:
            self.generation.close()

    def retire(self) -> None:
        """A newer snapshot replaced this one: close its store handles once the last reader is done."""
        with self._guard:
            self._retired = True
            idle = self._leases == 0
        if idle:
            self.generation.close()

    def notices_for(self, aln: str) -> list[Notice]:
        return self.notices.get(aln, self._empty)

    def embed(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)

    def embed_many(self, texts: list[str]) -> list[list[float]]:
        """Several query texts in one model call (a question and its expanded form)."""
        return self.embedder.embed_queries(texts)

    def dense(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        return self.generation.query(vector, k)

    @property
    def refreshed_at(self) -> str | None:
        return self.pointer.get("refreshed_at")

    @cached_property
    def notice_count(self) -> int:
        """Distinct notices (one may fund several ALNs)."""
        return len(self.notices.ids)


def load_snapshot(store: Store, embedder: Embedder) -> Snapshot:
    pointer = store.pointer()
    if not pointer:
        raise IndexMissingError("no index has been built yet; run `finder ingest` (or `make run`)")
    try:
        gen = store.open(pointer["generation"])
    except IndexMissingError:
        store.forget_sources()
        raise
    try:
        programs = {d["id"]: Opportunity.model_validate(d) for d in gen.records(PROGRAMS)}
        by_aln: dict[str, list[str]] = defaultdict(list)
        ids = set()
        for rid, meta in gen.metadatas(NOTICES):
            ids.add(rid)
            for aln in dict.fromkeys(a for a in str(meta.get("alns", "")).split(",") if a):
                by_aln[aln].append(str(meta["record"]))
    except IndexMissingError:
        gen.close()
        store.forget_sources()
        raise
    except Exception as exc:
        gen.close()
        store.forget_sources()
        raise IndexMissingError(
            f"index generation {pointer['generation']} cannot be read ({exc}); run `finder ingest` to rebuild"
        ) from exc
    ordered = [programs[k] for k in sorted(programs)]
    return Snapshot(gen, pointer, dict((op.id, op) for op in ordered), LazyNotices(dict(by_aln), ids),
                    Lexical(ordered), embedder)


class Index:
    """Hands out the current snapshot; reloads when the pointer moves, keeping the old one if the new fails."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder.of(settings)
        self.store = Store(settings, self.embedder)
        self._snap: Snapshot | None = None
        self._stamp = ""
        self._checked = 0.0
        self._lock = threading.Lock()
        self._lease_lock = threading.Lock()
        self.last_error: str | None = None

    def snapshot(self) -> Snapshot:
        now = time.monotonic()
        poll = SERVER_POLL_SECONDS if self.settings.chroma_url else 0.0
        if self._snap is not None and now - self._checked < poll:
            return self._snap
        with self._lock:
            self._checked = now
            try:
                stamp = self.store.pointer_stamp()
            except Exception as exc:
                if self._snap is None:
                    raise
                self.last_error = str(exc)
                return self._snap
            if self._snap is None or stamp != self._stamp:
                try:
                    fresh = load_snapshot(self.store, self.embedder)
                    old, self._snap, self._stamp = self._snap, fresh, stamp
                    if old is not None:
                        old.retire()
                        del old
                        _give_back_memory()
                    self.last_error = None
                except IndexMissingError as exc:
                    if self._snap is None:
                        raise
                    self.last_error = str(exc)
            return self._snap

    @contextmanager
    def reading(self) -> Iterator[Snapshot]:
        """The current snapshot, held open for the duration of a query even if a refresh swaps it meanwhile."""
        with self._lease_lock:
            snap = self.snapshot().lease()
        try:
            yield snap
        finally:
            snap.release()

    def close(self) -> None:
        with self._lock:
            if self._snap is not None:
                self._snap.retire()
                self._snap = None


def _give_back_memory() -> None:
    """After a swap the old snapshot's objects are garbage: collect them and hand freed heap pages back to
    the system, so a server that refreshes daily for months keeps a flat footprint."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)
