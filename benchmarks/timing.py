"""Small helpers shared by the benchmarks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def catalog_subset(dest: Path, ids: list[str] | set[str]) -> Path:
    """Copy the named catalog records (by id) into `dest`, keeping their agency folders; returns `dest`."""
    for f in (ROOT / "data" / "opportunities").rglob("*.yaml"):
        if f.stem in ids:
            (dest / f.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(f, dest / f.parent.name / f.name)
    return dest


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). Not getrusage: Linux carries the forking parent's peak into
    ru_maxrss across exec, which would report the benchmark runner's memory instead of the child's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(args: list[str], env: dict[str, str] | None = None, timeout: float = 900) -> tuple[float, str]:
    """Run a command from the project root; returns (wall seconds, stdout). Raises on failure."""
    t0 = time.perf_counter()
    out = subprocess.run(args, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                         timeout=timeout)
    wall = time.perf_counter() - t0
    if out.returncode not in (0, 2):
        raise RuntimeError(f"{' '.join(args)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return wall, out.stdout


def py(module: str, *args: str, env: dict[str, str] | None = None, timeout: float = 900) -> tuple[float, Any]:
    """Run `python -m module args` and parse the last stdout line as JSON."""
    wall, out = run([sys.executable, "-m", module, *args], env=env, timeout=timeout)
    try:
        return wall, json.loads(out)
    except ValueError:
        return wall, json.loads(out.strip().splitlines()[-1])
