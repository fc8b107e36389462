"""Ratings of answers, one JSON line per rating event, kept under the index folder and exportable by staff.

Each row holds the plain question and answer text, the program ids shown, the profile, the index
generation, and a reason the user picks after the click. Un-clicking a thumb removes its row. The file is
rotated when it reaches FINDER_FEEDBACK_MAX_MB (feedback.jsonl.1 ... .5 are kept), so a rating never has
to read or rewrite more than that; staff export all of them at once.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from pathlib import Path
from typing import Any

REASONS = ["not eligible", "wrong program", "outdated", "missing program", "hard to read", "other"]
KEEP_ROTATED = 5
_lock = threading.Lock()


def feedback_file(index_dir: Path) -> Path:
    return Path(index_dir) / "feedback.jsonl"


def _rewrite(index_dir: Path, change: Any) -> None:
    path = feedback_file(index_dir)
    rows = read_all(index_dir)
    rows = change(rows)
    tmp = path.with_suffix(".jsonl.tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(path)


def rotate(index_dir: Path, max_bytes: int) -> None:
    """Start a new feedback.jsonl once the current one holds `max_bytes`; the oldest rotated file goes."""
    path = feedback_file(index_dir)
    if not path.exists() or path.stat().st_size < max_bytes:
        return
    for n in range(KEEP_ROTATED - 1, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        if older.exists():
            older.replace(path.with_name(f"{path.name}.{n + 1}"))
    path.replace(path.with_name(f"{path.name}.1"))


def export(index_dir: Path, folder: Path) -> Path | None:
    """Every stored rating, oldest file first, as one JSONL file in `folder` (None when there are none)."""
    path = feedback_file(index_dir)
    parts = [path.with_name(f"{path.name}.{n}") for n in range(KEEP_ROTATED, 0, -1)] + [path]
    parts = [p for p in parts if p.exists()]
    if not parts:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"feedback-export-{uuid.uuid4().hex[:8]}.jsonl"
    with _lock, open(out, "wb") as fh:
        for p in parts:
            fh.write(p.read_bytes())
    return out


def record(index_dir: Path, *, question: str, answer: str, liked: bool, shown: list[str], profile: str,
           generation: str | None, max_bytes: int = 16 << 20) -> str:
    """Store one rating event; returns its id (for a reason added later, or a retraction)."""
    event = uuid.uuid4().hex
    entry = {"id": event, "at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), "liked": liked,
             "reason": "", "question": question[:2000], "answer": answer[:4000], "shown": shown,
             "profile": profile, "generation": generation}
    path = feedback_file(index_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        rotate(index_dir, max_bytes)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")
    return event


def add_reason(index_dir: Path, event: str, reason: str) -> bool:
    if reason not in REASONS:
        return False
    with _lock:
        found = any(r.get("id") == event for r in read_all(index_dir))
        if found:
            _rewrite(index_dir, lambda rows: [{**r, "reason": reason} if r.get("id") == event else r for r in rows])
    return found


def retract(index_dir: Path, event: str) -> None:
    with _lock:
        _rewrite(index_dir, lambda rows: [r for r in rows if r.get("id") != event])


def read_all(index_dir: Path) -> list[dict[str, Any]]:
    path = feedback_file(index_dir)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out
