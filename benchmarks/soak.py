"""Soak: many refresh swaps under a steady query load, reporting open files and RSS at the start and end.

`python -m benchmarks.soak [SWAPS]` builds a small index, then repeats: edit one record, refresh (a new
generation is built and the pointer moves), and let the serving Finder pick it up, while a thread keeps
asking questions. A leak shows as open files or RSS that grow with the number of swaps. Every refresh also
reads hostile notice files (a notice of 60,000 `<`, an injected id, JSON nested 200,000 deep; the
million-item JSON is in benchmarks/hostile.py, as it takes seconds a refresh): answers about the flooded
program stay fast (their p95 and worst are reported), every refresh lists a bounded number of problems,
and the pointer stays small.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.timing import catalog_subset
from finder.settings import Settings, use_offline_env

IDS = ["20.939", "66.458", "66.468", "97.047", "20.205-cfi", "10.766", "10.760", "20.933"]


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def deleted_held() -> int:
    """Files this process holds open although they were deleted from disk."""
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            n += os.readlink(f"/proc/self/fd/{fd}").endswith("(deleted)")
    return n


def main(swaps: int = 200) -> dict[str, float]:
    use_offline_env()
    from finder.engine import Finder
    from finder.index.embeddings import Embedder
    from ingest.refresh import refresh

    tmp = Path(tempfile.mkdtemp(prefix="finder-soak-"))
    data = catalog_subset(tmp / "data", IDS)
    settings = Settings(data_dir=data, index_dir=tmp / "index", notices_dir=tmp / "none")
    embedder = Embedder.of(settings).load()
    from benchmarks import hostile_files as hf

    (tmp / "hostile").mkdir()
    hostile = [hf.markup_flood(tmp / "hostile"), hf.injected_id(tmp / "hostile"), hf.deep_json(tmp / "hostile")]
    refresh(settings, embedder=embedder, notice_paths=hostile)
    finder = Finder(settings)
    finder.index.embedder = embedder
    stop, errors, answered, flooded_ms, other_ms = threading.Event(), [], [0], [], []

    def load() -> None:
        while not stop.is_set():
            try:
                t0 = time.perf_counter()
                finder.ask("bridge repair money for a county")
                other_ms.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                finder.ask("Tell me about the Drinking Water State Revolving Fund")  # its notice is 60,000 <
                flooded_ms.append((time.perf_counter() - t0) * 1000)
                answered[0] += 2
            except Exception as exc:  # reported below
                errors.append(repr(exc))
            time.sleep(0.01)

    target = next(data.rglob("20.939.yaml"))
    original = target.read_text()
    # warm up: two swaps so caches and lazy imports settle before the baseline
    for i in range(2):
        target.write_text(original.replace("keywords:\n", f"keywords:\n- soak warm {i}\n", 1))
        refresh(settings, embedder=embedder, notice_paths=hostile)
        finder.ask("bridge repair money for a county")
    start = {"open_files": open_files(), "rss_mb": rss_mb(), "deleted_held": deleted_held()}
    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    t0 = time.perf_counter()
    most_lines = 0
    for i in range(swaps):
        target.write_text(original.replace("keywords:\n", f"keywords:\n- soak marker {i}\n", 1))
        report = refresh(settings, embedder=embedder, notice_paths=hostile)
        most_lines = max(most_lines, len(report.skipped))
        finder.index.snapshot()
    stop.set()
    worker.join(timeout=30)
    finder.ask("bridge repair money for a county")
    end = {"open_files": open_files(), "rss_mb": rss_mb(), "deleted_held": deleted_held()}
    flooded, other = sorted(flooded_ms) or [0.0], sorted(other_ms) or [0.0]
    out = {"swaps": swaps, "seconds": time.perf_counter() - t0, "answers": answered[0], "errors": len(errors),
           "flooded_p95_ms": round(flooded[int(0.95 * (len(flooded) - 1))], 1), "flooded_max_ms": round(flooded[-1], 1),
           "other_p95_ms": round(other[int(0.95 * (len(other) - 1))], 1), "most_report_lines": most_lines,
           "pointer_bytes": (tmp / "index" / "CURRENT.json").stat().st_size,
           **{f"start_{k}": v for k, v in start.items()}, **{f"end_{k}": v for k, v in end.items()}}
    print(json.dumps(out))
    if errors:
        print("first error:", errors[0], file=sys.stderr)
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
