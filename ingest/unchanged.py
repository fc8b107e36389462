"""The early stop of an unchanged refresh (embedded store).

A clean refresh records a digest of everything it read. The next refresh computes the same digest from file
names, sizes and times alone; when it matches, nothing has changed and the refresh stops without reading a
record or opening Chroma. Any doubt (a changed file, a changed line of code, a damaged generation reported by
a reader, a Chroma server) means the full comparison by content hash runs as before.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from finder.catalog.model import iter_files
from finder.errors import FinderError
from finder.index.store import Store
from finder.settings import Settings

CODE = (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent / "finder")


def _stamps(paths: list[Path]) -> list[str]:
    out = []
    for p in paths:
        try:
            st = p.stat()
            out.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            out.append(f"{p}:-")
    return out


def sources_key(settings: Settings, store: Store, data_dir: Path, notice_paths: list[Path],
                generation: str) -> str:
    """A digest of everything a refresh reads: every catalog and notice file (path, size, modification time),
    the code that turns them into rows (the `finder` and `ingest` packages), the settings that filter them,
    the embedding model, and the serving generation's files and sizes. When it matches the one written by the
    last clean refresh, that refresh's result still holds and nothing needs reading."""
    h = hashlib.sha256()
    for folder in CODE:
        for f in sorted(folder.rglob("*.py")):
            h.update(f.read_bytes())
    limits = {k: getattr(settings, k) for k in ("max_record_kb", "max_extract_mb", "max_json_mb", "max_field_kb",
                                               "max_zip_ratio", "notice_categories")}
    lines = [store.embedder.model_name, str(data_dir.resolve()), json.dumps(limits, sort_keys=True),
             *_stamps(list(iter_files(data_dir)) if data_dir.is_dir() else []), "--",
             *_stamps(sorted(notice_paths)), "--", generation, *store.generation_files(generation)]
    h.update("\n".join(lines).encode())
    return h.hexdigest()


def still_unchanged(settings: Settings, store: Store, data_dir: Path,
                    notice_paths: list[Path]) -> dict[str, Any] | None:
    """What the last clean refresh recorded (pointer, program and notice counts), when nothing it read has
    changed since; None when the full comparison must run."""
    if settings.chroma_url:
        return None
    try:
        pointer = store.pointer()
        last = json.loads(store.sources_file.read_text())
    except (OSError, ValueError, FinderError):
        return None
    try:
        if not pointer or last.get("generation") != pointer.get("generation") \
                or last.get("key") != sources_key(settings, store, data_dir, notice_paths, pointer["generation"]):
            return None
    except OSError:  # a file vanished while we looked: compare everything
        return None
    return {"pointer": pointer, "programs": int(last["programs"]), "notices": int(last["notices"])}


def remember_sources(settings: Settings, store: Store, data_dir: Path, notice_paths: list[Path], *,
                     generation: str, programs: int, notices: int, clean: bool) -> None:
    """After a refresh of the embedded store, record its sources key for the next one (only if it was clean:
    a refresh that skipped files must run again to report them)."""
    target = store.sources_file
    target.unlink(missing_ok=True)
    if settings.chroma_url or not clean:
        return
    tmp = target.with_suffix(".tmp")
    try:
        key = sources_key(settings, store, data_dir, notice_paths, generation)
        tmp.write_text(json.dumps({"generation": generation, "key": key, "programs": programs, "notices": notices}))
        tmp.replace(target)
    except OSError:  # the refresh itself succeeded; the next one will simply compare everything
        tmp.unlink(missing_ok=True)
