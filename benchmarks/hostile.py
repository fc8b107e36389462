"""Hostile files and requests: each one rejected or bounded, with its peak memory and time.

`python -m benchmarks.hostile KIND PATH` reads one prepared file in this (fresh) process and prints
{"kind", "rejected", "error", "errors_kept", "seconds", "baseline_mb", "peak_mb", "above_mb"}.
`python -m benchmarks.hostile` runs every file kind, each in a fresh process, then every hostile request
against a served app (benchmarks/hostile_requests.py), checking after each that the old index still answers
the same, and prints one JSON line per case.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _status_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak of this process image; unlike ru_maxrss it does not inherit the parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def one(kind: str, path: Path) -> dict[str, object]:
    """Read one prepared file in this (fresh) process; the files are made elsewhere so making them costs nothing
    here. A data file (read without error) also renders every notice it holds, as an answer would."""
    from finder.catalog.model import read_record
    from finder.errors import RecordError
    from finder.text import inert
    from ingest.sources import grants_gov

    baseline = _status_mb("VmRSS")
    error, errors = "", []
    started = time.perf_counter()
    try:
        if kind == "YAML alias bomb":
            read_record(path)
        else:
            for notice in grants_gov.read(path, errors=errors):
                inert(notice.title), inert(notice.close_note)  # what the chat and cards do with them
    except RecordError as exc:
        error = str(exc)
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM")
    return {"kind": kind, "rejected": bool(error), "error": error[:160], "errors_kept": len(errors),
            "seconds": round(seconds, 2), "baseline_mb": round(baseline), "peak_mb": round(peak),
            "above_mb": round(peak - baseline)}


def files() -> list[dict[str, object]]:
    from benchmarks import hostile_files as hf

    rows = []
    makers = {**hf.NOTICE_FILES, **hf.DATA_FILES, "YAML alias bomb": hf.yaml_alias_bomb}
    for kind, make in makers.items():
        folder = Path(tempfile.mkdtemp(prefix="finder-hostile-"))
        path = make(folder)
        out = subprocess.run([sys.executable, "-m", "benchmarks.hostile", kind, str(path)], capture_output=True,
                             text=True, timeout=900, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        path.unlink()
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> list[dict[str, object]]:
    from benchmarks import hostile_requests

    return files() + hostile_requests.main()


if __name__ == "__main__":
    if len(sys.argv) > 2:
        print(json.dumps(one(sys.argv[1], Path(sys.argv[2]))))
    else:
        main()
