"""Ratings of answers, one row per rating event in the shared store (finder/database.py: SQLite in the index
folder by default, PostgreSQL with FINDER_DATABASE_URL), so every replica records and exports the same ratings.

Each row holds the plain question and answer text, the program ids shown, the profile, the index
generation, and a reason the user picks after the click. Un-clicking a thumb removes its row. The store keeps
about as much as the old rotated files did (six times FINDER_FEEDBACK_MAX_MB): past that the oldest ratings go
first. A feedback.jsonl left by an older version is imported once, then renamed feedback.jsonl.imported.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update

from finder.database import begin, feedback
from finder.database import engine as _engine

REASONS = ["not eligible", "wrong program", "outdated", "missing program", "hard to read", "other"]
KEEP_ROTATED = 5  # rotated files an older version kept (imported once); also sizes the store's cap
ROW_BYTES = 8_000  # a row's largest size: 2,000 characters of question, 4,000 of answer, ids and profile
_imported: set[Path] = set()


def feedback_file(index_dir: Path) -> Path:
    """The JSONL file older versions wrote (imported into the store on first use)."""
    return Path(index_dir) / "feedback.jsonl"


def _row(entry: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(entry["id"])[:32], "at": str(entry.get("at", ""))[:32], "liked": bool(entry.get("liked")),
            "reason": str(entry.get("reason") or "")[:40], "question": str(entry.get("question", ""))[:2000],
            "answer": str(entry.get("answer", ""))[:4000], "shown": json.dumps(list(entry.get("shown") or [])),
            "profile": str(entry.get("profile", ""))[:500], "generation": entry.get("generation")}


def _import_legacy(index_dir: Path) -> None:
    """Rows of feedback.jsonl (and its rotated files), once, into the store."""
    key = Path(index_dir).resolve()
    if key in _imported:
        return
    _imported.add(key)
    path = feedback_file(index_dir)
    parts = [p for p in [path.with_name(f"{path.name}.{n}") for n in range(KEEP_ROTATED, 0, -1)] + [path]
             if p.exists()]
    rows = []
    for p in parts:
        for line in p.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                rows.append(_row(entry))
            except (ValueError, KeyError, TypeError):
                continue
    if rows:
        with begin(index_dir) as conn:
            known = set(conn.scalars(select(feedback.c.id)))
            fresh = [r for r in rows if r["id"] not in known]
            if fresh:
                conn.execute(feedback.insert(), fresh)
    for p in parts:
        p.replace(p.with_name(p.name + ".imported"))


def export(index_dir: Path, folder: Path) -> Path | None:
    """Every stored rating, oldest first, as one JSONL file in `folder` (None when there are none)."""
    rows = read_all(index_dir)
    if not rows:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"feedback-export-{uuid.uuid4().hex[:8]}.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return out


def record(index_dir: Path, *, question: str, answer: str, liked: bool, shown: list[str], profile: str,
           generation: str | None, max_bytes: int = 16 << 20) -> str:
    """Store one rating event; returns its id (for a reason added later, or a retraction)."""
    _import_legacy(index_dir)
    event = uuid.uuid4().hex
    entry = {"id": event, "at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), "liked": liked,
             "reason": "", "question": question, "answer": answer, "shown": shown, "profile": profile,
             "generation": generation}
    keep = max(1, max_bytes * (KEEP_ROTATED + 1) // ROW_BYTES)
    with begin(index_dir) as conn:
        conn.execute(feedback.insert(), [_row(entry)])
        extra = conn.scalar(select(func.count()).select_from(feedback)) - keep
        if extra > 0:
            oldest = select(feedback.c.seq).order_by(feedback.c.seq).limit(extra).scalar_subquery()
            conn.execute(delete(feedback).where(feedback.c.seq.in_(oldest)))
    return event


def add_reason(index_dir: Path, event: str, reason: str) -> bool:
    if reason not in REASONS:
        return False
    with begin(index_dir) as conn:
        done = conn.execute(update(feedback).where(feedback.c.id == event).values(reason=reason))
    return bool(done.rowcount)


def retract(index_dir: Path, event: str) -> None:
    with begin(index_dir) as conn:
        conn.execute(delete(feedback).where(feedback.c.id == event))


def read_all(index_dir: Path) -> list[dict[str, Any]]:
    """Every stored rating, oldest first, as the plain dicts the export holds."""
    _import_legacy(index_dir)
    _engine(index_dir)
    with begin(index_dir) as conn:
        rows = conn.execute(select(feedback).order_by(feedback.c.seq)).mappings().all()
    return [{"id": r["id"], "at": r["at"], "liked": r["liked"], "reason": r["reason"], "question": r["question"],
             "answer": r["answer"], "shown": json.loads(r["shown"]), "profile": r["profile"],
             "generation": r["generation"]} for r in rows]
