"""Peak memory while rejecting each hostile file, one fresh process per file.

`python -m benchmarks.hostile KIND` prints {"kind", "rejected", "error", "baseline_mb", "peak_mb", "above_mb"};
`python -m benchmarks.hostile` runs every kind and prints one line each.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def _status_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak of this process image; unlike ru_maxrss it does not inherit the parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def one(kind: str, path: Path) -> dict[str, object]:
    """Read one prepared file in this (fresh) process; the files are made elsewhere so making them costs nothing
    here."""
    from finder.catalog.model import read_record
    from finder.errors import RecordError
    from ingest.sources import grants_gov

    baseline = _status_mb("VmRSS")
    error = ""
    try:
        if kind == "YAML alias bomb":
            read_record(path)
        else:
            list(grants_gov.read(path, errors=[]))
    except RecordError as exc:
        error = str(exc)
    peak = _status_mb("VmHWM")
    return {"kind": kind, "rejected": bool(error), "error": error[:160], "baseline_mb": round(baseline),
            "peak_mb": round(peak), "above_mb": round(peak - baseline)}


def main() -> list[dict[str, object]]:
    from benchmarks import hostile_files as hf

    rows = []
    for kind in [*hf.NOTICE_FILES, "YAML alias bomb"]:
        folder = Path(tempfile.mkdtemp(prefix="finder-hostile-"))
        path = hf.yaml_alias_bomb(folder) if kind == "YAML alias bomb" else hf.NOTICE_FILES[kind](folder)
        out = subprocess.run([sys.executable, "-m", "benchmarks.hostile", kind, str(path)], capture_output=True,
                             text=True, timeout=600, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 2:
        print(json.dumps(one(sys.argv[1], Path(sys.argv[2]))))
    else:
        main()
