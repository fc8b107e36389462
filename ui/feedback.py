"""Thumbs up/down on answers, kept as JSON lines under the index folder and exportable by staff."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

REASONS = ["", "not eligible", "wrong program", "outdated", "missing program", "other"]
_lock = threading.Lock()


def feedback_file(index_dir: Path) -> Path:
    return Path(index_dir) / "feedback.jsonl"


def record(index_dir: Path, *, question: str, answer: str, liked: bool, reason: str = "",
           cited: list[str] | None = None) -> dict[str, Any]:
    entry = {"at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), "liked": liked,
             "reason": reason if reason in REASONS else "other", "question": question[:2000],
             "answer": answer[:4000], "cited": cited or []}
    path = feedback_file(index_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock, open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")
    return entry


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
