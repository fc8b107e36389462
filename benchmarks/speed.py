"""Ingest and cold-start speed: the int8 ONNX backend beside the torch one (the embedding of 2026-11), and the
early stop of an unchanged refresh beside the full comparison, in one run.

Each pair is measured interleaved (A B B A for the long cold builds, A B A B A B for the short ones), each
command in its own process, with wall time and the CPU time of that process; the table gives medians and the
ratio. On a shared machine wall times wander with the neighbours' load; CPU times and ratios hold better.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.timing import ROOT


def timed(args: list[str], env: dict[str, str], timeout: float = 1800) -> tuple[float, float, str]:
    """Run `python -m ARGS`; returns (wall s, CPU s of the child, stdout). Raises on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=timeout)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode not in (0, 2):
        raise RuntimeError(f"{' '.join(args)} failed ({out.returncode}): {out.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout


def _median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def pair(label_a: str, label_b: str, a: tuple[float, float], b: tuple[float, float]) -> str:
    """'A 12.3 s (cpu 10.1) -> B 4.5 s (cpu 3.9), x2.7 wall, x2.6 cpu' (x: how many times faster B is)."""
    return (f"{label_a} {a[0]:.1f} s (cpu {a[1]:.1f}) -> {label_b} {b[0]:.1f} s (cpu {b[1]:.1f}); "
            f"x{a[0] / b[0]:.1f} wall, x{a[1] / max(b[1], 1e-3):.1f} cpu")


def export_once(env: dict[str, str], cache: Path) -> tuple[float, float]:
    """The one-off int8 export (what `make install` runs), into an empty cache folder."""
    wall, cpu, _ = timed(["finder.index.embeddings"], {**env, "FINDER_MODEL_CACHE_DIR": str(cache)})
    shutil.rmtree(cache, ignore_errors=True)
    return wall, cpu


def cold_ingests(env_for: Any, tmp: Path, catalog: Path, none: Path) -> dict[str, tuple[float, float]]:
    """Cold builds of the catalog, torch then int8 then int8 then torch, each into an empty index folder.
    Keeps the last index of each backend as tmp/idx-catalog (int8) and tmp/idx-catalog-torch."""
    runs: dict[str, list[tuple[float, float]]] = {"torch": [], "onnx-int8": []}
    for i, backend in enumerate(("torch", "onnx-int8", "onnx-int8", "torch")):
        index = tmp / ("idx-catalog" if backend == "onnx-int8" else "idx-catalog-torch")
        shutil.rmtree(index, ignore_errors=True)
        env = {**env_for(index, catalog, none), "FINDER_EMBEDDING_BACKEND": backend}
        wall, cpu, _ = timed(["ui", "ingest", "--json", "--wait", "60"], env)
        runs[backend].append((wall, cpu))
        print(f"  cold ingest {i + 1}/4 ({backend}): {wall:.1f} s, cpu {cpu:.1f} s", flush=True)
    return {k: _median(v) for k, v in runs.items()}


def unchanged_ingests(env: dict[str, str], index: Path, rounds: int = 3) -> dict[str, tuple[float, float]]:
    """Re-ingest with nothing changed: the full comparison (today's path, forced by removing the record of the
    last clean refresh) and the early stop, interleaved."""
    runs: dict[str, list[tuple[float, float]]] = {"full": [], "early": []}
    for _ in range(rounds):
        for kind in ("full", "early"):
            if kind == "full":
                (index / "SOURCES.json").unlink(missing_ok=True)
            wall, cpu, _ = timed(["ui", "ingest", "--json", "--wait", "60"], env)
            runs[kind].append((wall, cpu))
    return {k: _median(v) for k, v in runs.items()}


def cold_asks(envs: dict[str, dict[str, str]], question: str, rounds: int = 3) -> dict[str, tuple[float, float]]:
    """A new `finder ask` process to its first answer, per backend, interleaved."""
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in envs}
    for _ in range(rounds):
        for name, env in envs.items():
            wall, cpu, _ = timed(["ui", "ask", question, "--json"], env)
            runs[name].append((wall, cpu))
    return {k: _median(v) for k, v in runs.items()}
