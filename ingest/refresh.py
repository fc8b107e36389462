"""Staff refresh: sync the catalog and Grants.gov notices into a new index generation, then switch.

Only records whose content hash changed are embedded. The new generation is built aside and the
pointer moves only once it is complete, so a bad file, a crash or a kill leaves the old one serving.
One writer at a time, through the ingest lock (finder/database.py: a file lock, or a PostgreSQL advisory lock
when FINDER_DATABASE_URL names one, so replicas on several machines take turns).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from finder import database
from finder.catalog.model import Opportunity, content_hash, scan_catalog, search_text
from finder.catalog.notices import Notice
from finder.errors import FinderError, RecordError, StoreUnavailableError
from finder.index.embeddings import Embedder
from finder.index.generation import NOTICES, PROGRAMS, Generation, Row
from finder.index.store import Store
from finder.settings import Settings
from ingest.sources import grants_gov
from ingest.sources.limits import Limits
from ingest.unchanged import remember_sources, still_unchanged

Progress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What one refresh did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    notices_added: int = 0
    notices_updated: int = 0
    notices_removed: int = 0
    notices_unchanged: int = 0
    embedded: int = 0
    seconds: float = 0.0
    generation: str = ""
    switched: bool = False
    refreshed_at: str = ""

    @property
    def ok(self) -> bool:
        return not self.skipped

    def line(self) -> str:
        return (f"added {len(self.added)}, updated {len(self.updated)}, removed {len(self.removed)}, "
                f"unchanged {self.unchanged}, skipped {len(self.skipped)}; notices +{self.notices_added} "
                f"~{self.notices_updated} -{self.notices_removed} ={self.notices_unchanged}; "
                f"embedded {self.embedded} in {self.seconds:.1f}s")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def program_row(op: Opportunity, file: str) -> Row:
    """A program as stored: its ALN (to join notices) and source file beside the full record."""
    return Row(op.id, content_hash(op), search_text(op), {"aln": op.aln, "file": file}, op.model_dump(mode="json"))


def notice_row(n: Notice, file: str) -> Row:
    return Row(n.id, n.content_hash(), n.search_text(), {"alns": ",".join(n.alns), "file": file},
               n.model_dump(mode="json"))


def _read_catalog(data_dir: Path, report: IngestReport, max_bytes: int) -> tuple[dict[str, Row], set[str]]:
    """Rows of valid records, and the relative paths of files that failed (their old rows are kept)."""
    rows: dict[str, Row] = {}
    bad: set[str] = set()
    for file, item in scan_catalog(data_dir, max_bytes=max_bytes):
        rel = str(file.relative_to(data_dir))
        if isinstance(item, RecordError):
            report.skipped.append(str(item))
            bad.add(rel)
        else:
            rows[item.id] = program_row(item, rel)
    return rows, bad


def _read_notices(paths: list[Path], alns: set[str], settings: Settings,
                  report: IngestReport) -> tuple[dict[str, Row], set[str]]:
    """Kept notices, and the files that failed as a whole (their previously indexed notices are kept)."""
    rows: dict[str, Row] = {}
    bad: set[str] = set()
    keep = set(settings.notice_categories)
    for path in paths:
        staged: dict[str, Row] = {}
        try:
            for notice in grants_gov.read(path, errors=report.skipped, limits=Limits.of(settings)):
                if set(notice.alns) & alns or set(notice.categories) & keep:
                    staged[notice.id] = notice_row(notice, path.name)
        except RecordError as exc:
            report.skipped.append(str(exc))
            bad.add(path.name)
            continue
        except (OSError, ValueError, RecursionError, MemoryError) as exc:  # one bad file never stops a refresh
            report.skipped.append(f"{path}: cannot be read ({type(exc).__name__}: {str(exc)[:200]}) (file skipped)")
            bad.add(path.name)
            continue
        rows.update(staged)
    return rows, bad


NOTICE_SUFFIXES = (".xml", ".zip", ".json")


def notice_files(folder: Path, notes: list[str] | None = None) -> list[Path]:
    """The notice files of a folder; anything else in it (a subfolder, a stray file) is named in `notes`."""
    if not folder.is_dir():
        return []
    found, other = [], []
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix.lower() in NOTICE_SUFFIXES:
            found.append(p)
        elif not p.name.startswith(".") and not p.name.endswith(".part"):
            other.append(p.name + ("/" if p.is_dir() else ""))
    if other and notes is not None:
        notes.append(f"{folder}: ignored {len(other)} entries that are not .xml, .zip or .json notice files: "
                     + ", ".join(other[:10]) + (" …" if len(other) > 10 else ""))
    return found


def _diff(gen: Generation | None, table: str, rows: dict[str, Row], keep_files: set[str]) -> tuple[
        list[Row], list[Row], list[str], int]:
    stored = gen.hashes(table) if gen else {}
    old = {rid: h for rid, (h, _) in stored.items()}
    kept = {rid for rid, (_, f) in stored.items() if f in keep_files}
    added = [r for rid, r in rows.items() if rid not in old]
    changed = [r for rid, r in rows.items() if rid in old and old[rid] != r.hash]
    removed = [rid for rid in old if rid not in rows and rid not in kept]
    unchanged = sum(1 for rid, r in rows.items() if old.get(rid) == r.hash)
    return added, changed, removed, unchanged


STEP = 64


def _current(store: Store, settings: Settings, report: IngestReport) -> tuple[dict[str, Any] | None,
                                                                             Generation | None]:
    """The serving generation, or (None, None) when it is missing or damaged and must be rebuilt."""
    try:
        pointer = store.pointer()
        if not pointer:
            return None, None
        if pointer.get("model", store.embedder.model_name) != store.embedder.model_name:
            report.notes.append(f"the current index was embedded with {pointer['model']}; rebuilt from scratch "
                                f"with {store.embedder.model_name}")
            return None, None
        current = store.open(pointer["generation"])
        try:
            current.hashes(PROGRAMS)
        except BaseException:
            current.close()
            raise
        return pointer, current
    except StoreUnavailableError:
        raise
    except Exception as exc:
        if settings.chroma_url:
            raise
        report.notes.append(f"the current index could not be read ({exc}); rebuilt from scratch")
        return None, None


def _abandon(store: Store, gen: Generation | None, exc: Exception) -> None:
    if gen is not None:
        gen.close()
        store.drop(gen.name)
    raise FinderError(
        f"refresh failed while building the new index ({type(exc).__name__}: {exc}); the previous index is still "
        "serving. Check free disk space and the Chroma server, then run `finder ingest` again"
    ) from exc


def refresh(settings: Settings, *, embedder: Embedder | None = None, data_dir: Path | None = None,
            notice_paths: list[Path] | None = None, progress: Progress | None = None, wait: float = 0,
            after_fork: Callable[[], None] | None = None) -> IngestReport:
    """Bring the index in line with the catalog folder and notice files. `wait` seconds for the lock."""
    started = time.monotonic()
    embedder = embedder or Embedder.of(settings)
    store = Store(settings, embedder)
    Path(settings.index_dir).mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    with database.ingest_lock(settings, wait):
        data = data_dir or Path(settings.data_dir)
        paths = notice_files(Path(settings.notices_dir), notes) if notice_paths is None else notice_paths
        last = still_unchanged(settings, store, data, paths)
        if last is not None:
            report = _unchanged(store, last, started)
        else:
            report = _refresh(settings, store, data, paths, progress or (lambda stage, done, total: None), started,
                              after_fork)
            remember_sources(settings, store, data, paths, generation=report.generation, clean=report.ok,
                             programs=report.unchanged + len(report.added) + len(report.updated),
                             notices=report.notices_unchanged + report.notices_added + report.notices_updated)
        report.notes[:0] = notes
        return report


def _unchanged(store: Store, last: dict[str, Any], started: float) -> IngestReport:
    """Nothing changed since the last clean refresh: only its time moves."""
    pointer = last["pointer"]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    report = IngestReport(unchanged=last["programs"], notices_unchanged=last["notices"],
                          generation=pointer["generation"], refreshed_at=now)
    report.seconds = time.monotonic() - started
    store.switch(pointer["generation"], refreshed_at=now, previous=pointer.get("previous"), report=report.as_dict())
    return report


def _refresh(settings: Settings, store: Store, data_dir: Path, notice_paths: list[Path], progress: Progress,
             started: float, after_fork: Callable[[], None] | None) -> IngestReport:
    report = IngestReport()
    progress("reading catalog", 0, 1)
    programs, bad_files = _read_catalog(data_dir, report, settings.max_record_kb * 1024)
    progress("reading notices", 0, 1)
    alns = {r.meta["aln"] for r in programs.values()}
    notices, bad_notice_files = _read_notices(notice_paths, {str(a) for a in alns}, settings, report)
    pointer, current = _current(store, settings, report)
    try:
        p_add, p_chg, p_del, report.unchanged = _diff(current, PROGRAMS, programs, bad_files)
        n_add, n_chg, n_del, report.notices_unchanged = _diff(current, NOTICES, notices, bad_notice_files)
    finally:
        if current is not None:
            current.close()  # a serving process refreshes often: never leave the reader's files open
    report.added, report.updated, report.removed = [r.id for r in p_add], [r.id for r in p_chg], p_del
    report.notices_added, report.notices_updated, report.notices_removed = len(n_add), len(n_chg), len(n_del)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    report.refreshed_at = now
    if pointer and not (p_add or p_chg or p_del or n_add or n_chg or n_del):
        report.generation, report.seconds = pointer["generation"], time.monotonic() - started
        store.switch(pointer["generation"], refreshed_at=now, previous=pointer.get("previous"))
        return report
    gen = None
    try:
        gen = store.fork(pointer["generation"] if pointer else None)
        if after_fork:
            after_fork()
        todo = p_add + p_chg
        total = len(todo) + len(n_add) + len(n_chg)
        done = 0
        progress("embedding", 0, total)  # before the first batch, which also loads the model
        for table, rows in ((PROGRAMS, todo), (NOTICES, n_add + n_chg)):
            for start in range(0, len(rows), STEP):
                chunk = rows[start:start + STEP]
                report.embedded += gen.upsert(table, chunk)
                done += len(chunk)
                progress("embedding", done, total)
        gen.delete(PROGRAMS, p_del)
        gen.delete(NOTICES, n_del)
    except Exception as exc:
        _abandon(store, gen, exc)
    assert gen is not None
    report.generation, report.switched = gen.name, True
    report.seconds = time.monotonic() - started
    previous = pointer["generation"] if pointer else None
    gen.close()
    store.switch(gen.name, refreshed_at=now, previous=previous)  # the report stays out: every reader parses this
    store.prune({gen.name, previous} - {None})  # type: ignore[arg-type]
    progress("done", total, total)
    return report
