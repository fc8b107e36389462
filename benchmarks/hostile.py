"""Hostile files and requests: each one rejected or bounded, with its peak memory and time.

`python -m benchmarks.hostile KIND PATH` reads one prepared file in this (fresh) process and prints
{"kind", "rejected", "error", "errors_kept", "seconds", "baseline_mb", "peak_mb", "above_mb"}.
`python -m benchmarks.hostile` runs every file kind (read in a fresh process; then dropped into the notices
folder, or the catalog, of a small served index, which must answer as before, quickly, with a small pointer),
then every hostile request against a served app and every hostile Grants.gov answer to a fetch
(benchmarks/hostile_requests.py), and prints one JSON line per case; `--soak N` adds the soak (N refresh
swaps reading hostile notices under query load). `--results` also rewrites the hostile section of
benchmarks/RESULTS.md from the run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.timing import ROOT, catalog_subset

IDS = ["20.939", "66.458", "66.468", "10.760"]
QUESTIONS = ["Tell me about the Drinking Water State Revolving Fund", "Tell me about SS4A"]
HEADING = "## Hostile files and requests"


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
    return {"kind": kind, "rejected": bool(error), "error": error[:300], "errors_kept": len(errors),
            "seconds": round(seconds, 2), "baseline_mb": round(baseline), "peak_mb": round(peak),
            "above_mb": round(peak - baseline)}


class IndexCheck:
    """A small index in this process: after each hostile file is dropped in and refreshed, how it answers."""

    def __init__(self, tmp: Path) -> None:
        from finder.engine import Finder
        from finder.index.embeddings import Embedder
        from finder.settings import Settings
        from ingest.refresh import refresh

        data = catalog_subset(tmp / "data", IDS)
        self.settings = Settings(data_dir=data, index_dir=tmp / "index", notices_dir=tmp / "notices",
                                 today="2026-11-28")  # type: ignore[arg-type]
        self.settings.notices_dir.mkdir()
        self.embedder = Embedder(self.settings.embedding_model).load()
        self.refresh = lambda: refresh(self.settings, embedder=self.embedder)
        self.refresh()
        self.finder = Finder(self.settings)
        self.finder.index.embedder = self.embedder
        self.before, self.before_ms = self.answers()

    def answers(self) -> tuple[dict[str, str], float]:
        """The answers, and the median time of an answer over three rounds (the machine is shared)."""
        times, texts = [], {}
        for _ in range(3):
            for q in QUESTIONS:
                started = time.perf_counter()
                texts[q] = self.finder.ask(q).text
                times.append((time.perf_counter() - started) * 1000)
        return texts, sorted(times)[len(times) // 2]

    def after(self, kind: str, path: Path, data_file: bool) -> dict[str, Any]:
        target = (self.settings.data_dir / "x" if kind == "YAML alias bomb" else self.settings.notices_dir) / path.name
        target.parent.mkdir(exist_ok=True)
        shutil.move(path, target)
        try:
            report = self.refresh()
            self.answers()  # the new snapshot loads here
            texts, ms = self.answers()
            pointer = (self.settings.index_dir / "CURRENT.json").stat().st_size
            same = data_file or texts == self.before
            return {"old_index_answers": same and "<<" not in json.dumps(texts), "answer_ms": round(ms, 1),
                    "answer_ms_before": round(self.before_ms, 1),
                    "pointer_bytes": pointer, "report_lines": len(report.skipped)}
        finally:
            target.unlink()
            self.refresh()


def files(tmp: Path) -> list[dict[str, Any]]:
    from benchmarks import hostile_files as hf

    check = IndexCheck(tmp / "index-check")
    rows = []
    makers = {**hf.NOTICE_FILES, **hf.DATA_FILES, "YAML alias bomb": hf.yaml_alias_bomb}
    for kind, make in makers.items():
        folder = Path(tempfile.mkdtemp(prefix="finder-hostile-", dir=tmp))
        path = make(folder)
        out = subprocess.run([sys.executable, "-m", "benchmarks.hostile", kind, str(path)], capture_output=True,
                             text=True, timeout=900, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        row.update(check.after(kind, path, kind in hf.DATA_FILES))
        rows.append(row)
        print(json.dumps(rows[-1]), flush=True)
    return rows


def section(rows: list[dict[str, Any]]) -> list[str]:
    """The RESULTS.md lines for one run."""
    out = [HEADING, "", f"Run by `python -m benchmarks.hostile` on {time.strftime('%Y-%m-%d')}. Files: read in a fresh "
           "process (peak RSS above that process's baseline), then refreshed into a small index that must answer as "
           "before. Requests: against `finder serve` in its own process (its peak RSS so far). Fetches: each a "
           "`finder fetch-notices` process against a hostile stand-in for Grants.gov (its peak RSS). Load average at "
           f"the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; on a shared machine compare each time with "
           "the one beside it.", "",
           "| case | outcome | time (s) | peak RSS (MB) | old index answers the same |", "|---|---|---|---|---|"]
    for r in rows:
        if "rejected" in r:
            error = re.sub(r"(?:/[^/\s:]+)+/", "", r["error"])  # the file's name, not its temporary folder
            outcome = (f"rejected: {error}" if r["rejected"] else
                       f"read; an answer takes {r['answer_ms']} ms ({r['answer_ms_before']} ms before)") + \
                f"; pointer {r['pointer_bytes']} B"
            peak = f"+{r['above_mb']}"
        else:
            outcome = ("bounded: " if r["bounded"] else "NOT BOUNDED: ") + r["detail"]
            peak = str(r["peak_mb"]) if r["peak_mb"] is not None else "-"
        same = {True: "yes", False: "NO", None: "-"}[r["old_index_answers"]]
        out.append(f"| {r['kind']} | {outcome.replace('|', '/')} | {r['seconds']} | {peak} | {same} |")
    return out + [""]


def write_results(rows: list[dict[str, Any]]) -> None:
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text()
    start = text.find(HEADING)
    end = text.find("\n## ", start + 1) if start >= 0 else -1
    head = text if start < 0 else text[:start]
    tail = "" if start < 0 or end < 0 else text[end + 1:]
    path.write_text(head.rstrip("\n") + "\n\n" + "\n".join(section(rows)) + ("\n" + tail if tail else ""))


def soak(swaps: int) -> dict[str, Any]:
    """benchmarks/soak.py with its hostile notices, as one row."""
    from benchmarks.timing import py

    seconds, s = py("benchmarks.soak", str(swaps), timeout=3600)
    bounded = s["flooded_p95_ms"] < 1000 and s["most_report_lines"] <= 52 and s["pointer_bytes"] < 1024 and \
        s["end_open_files"] <= s["start_open_files"] + 2
    detail = "; ".join([
        f"answers about the 60,000-< program p95 {s['flooded_p95_ms']} ms (others {s['other_p95_ms']} ms), worst "
        f"{s['flooded_max_ms']} ms", f"at most {s['most_report_lines']} problems listed a refresh",
        f"pointer {s['pointer_bytes']} B", f"open files {s['start_open_files']} -> {s['end_open_files']}",
        f"RSS {s['start_rss_mb']:.0f} -> {s['end_rss_mb']:.0f} MB"])
    return {"kind": f"soak: {swaps} refresh swaps reading hostile notices, under query load", "bounded": bounded,
            "detail": detail, "seconds": round(seconds, 1), "peak_mb": round(s["end_rss_mb"]),
            "old_index_answers": s["errors"] == 0}


def main(results: bool = False, swaps: int = 0) -> list[dict[str, Any]]:
    from benchmarks import hostile_requests

    tmp = Path(tempfile.mkdtemp(prefix="finder-hostile-"))
    try:
        rows = files(tmp) + hostile_requests.main() + ([soak(swaps)] if swaps else [])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if results:
        write_results(rows)
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 3 and not sys.argv[1].startswith("--"):
        print(json.dumps(one(sys.argv[1], Path(sys.argv[2]))))
    else:
        main(results="--results" in sys.argv,
             swaps=int(sys.argv[sys.argv.index("--soak") + 1]) if "--soak" in sys.argv else 0)
