"""`make bench`: every measurement in one run, printed as a table and written to benchmarks/RESULTS.md.

Comparisons that give ratios (hybrid vs dense vs BM25; catalog vs 2,480 programs vs +50,000 notices)
run in the same process, so the ratios hold on a noisy machine. Cold starts, parse memory and the
serve process are measured in their own processes.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.timing import ROOT, py
from finder.answering.conversation import Profile
from finder.answering.retrieval import Retriever
from finder.engine import Finder
from finder.evaluation import evaluate, load_questions
from finder.evaluation import percentile as pct
from finder.settings import OFFLINE_ENV, Settings

SHARED = ROOT.parent / "shared"
QUESTIONS = SHARED / "eval" / "dev_questions.yaml"
QUESTIONS_V2 = SHARED / "eval" / "dev_questions_v2.yaml"
QUESTIONS_V3 = SHARED / "eval" / "dev_questions_v3.yaml"
FPI = SHARED / "data" / "fpi" / "fpi_assistance_listings_2025-02-26.json"
TODAY = "2026-11-28"


def env_for(index: Path, data: Path, notices: Path) -> dict[str, str]:
    return {"FINDER_INDEX_DIR": str(index), "FINDER_DATA_DIR": str(data), "FINDER_NOTICES_DIR": str(notices),
            "FINDER_TODAY": TODAY, **OFFLINE_ENV}


def ingest(index: Path, data: Path, notices: Path) -> tuple[float, dict[str, Any]]:
    return py("ui", "ingest", "--json", "--wait", "60", env=env_for(index, data, notices), timeout=1200)


def latencies(finders: dict[str, Finder], texts: list[str], rounds: int = 2) -> dict[str, dict[str, float]]:
    """search and ask latency per index, interleaved question by question in this one process."""
    times: dict[str, dict[str, list[float]]] = {k: {"search": [], "ask": []} for k in finders}
    for f in finders.values():
        for t in texts:
            f.ask(t)
    for _ in range(rounds):
        for t in texts:
            for name, f in finders.items():
                s = time.perf_counter()
                f.search(t)
                times[name]["search"].append((time.perf_counter() - s) * 1000)
                s = time.perf_counter()
                f.ask(t, Profile())
                times[name]["ask"].append((time.perf_counter() - s) * 1000)
    return {k: {f"{op}_{p}": pct(v[op], q) for op in ("search", "ask") for p, q in (("p50", 0.5), ("p95", 0.95))}
            for k, v in times.items()}


def serve_and_load(index: Path, data: Path, notices: Path, loads: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """One `finder serve` process; the load test's (users, questions each) rounds against its JSON API, then its
    peak RSS."""
    from benchmarks.load_test import run as load
    from benchmarks.load_test import serving

    with serving(env_for(index, data, notices)) as (url, proc):
        load(url, 2, 3)  # warm up
        results = [load(url, users, per_user, time_limit=300) for users, per_user in loads]
        status = Path(f"/proc/{proc.pid}/status").read_text()
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    for r in results:
        r["serve_peak_rss_mb"] = hwm / 1024
    return results


def machine() -> str:
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "?")
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return (f"{os.cpu_count()} cores ({cpu}), {int(mem) / 1024 / 1024:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, no GPU")


def main() -> None:
    if not QUESTIONS.exists():
        sys.exit("benchmarks need ../shared/ (dev questions and the FPI data)")
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="finder-bench-"))
    catalog = ROOT / "data" / "opportunities"
    none = tmp / "no-notices"
    rows: list[tuple[str, str, str]] = []
    out: dict[str, Any] = {}

    def add(section: str, what: str, value: str) -> None:
        rows.append((section, what, value))
        print(f"{section:<10} {what:<58} {value}", flush=True)

    # -- ingest: int8 ONNX beside torch, early stop beside the full comparison -------------------------
    from benchmarks import speed

    env0 = {**os.environ, **env_for(tmp / "unused", catalog, none)}
    export = speed.export_once(env0, tmp / "models-fresh")
    add("ingest", "int8 ONNX export of the model, once (`make install`) (s)", f"{export[0]:.1f} (cpu {export[1]:.1f})")
    speed.timed(["finder.index.embeddings"], env0)  # the install-time export in place before the cold builds
    cold = speed.cold_ingests(lambda *a: {**os.environ, **env_for(*a)}, tmp, catalog, none)
    add("ingest", "cold build of the catalog, torch -> int8 ONNX (median of 2 each, ABBA)",
        speed.pair("torch", "int8", cold["torch"], cold["onnx-int8"]))
    same = speed.unchanged_ingests({**os.environ, **env_for(tmp / "idx-catalog", catalog, none)}, tmp / "idx-catalog")
    add("ingest", "unchanged re-run, full comparison -> early stop (median of 3 each)",
        speed.pair("full", "early", same["full"], same["early"]))
    out["ingest"] = {"cold": cold, "unchanged": same, "export": export}

    # -- quality, hybrid vs baselines, on every dev set; the torch index beside the int8 one ---------------
    from benchmarks.baseline import TextbookBaseline, score

    finder = Finder(Settings(index_dir=tmp / "idx-catalog", today=TODAY))
    finder_torch = Finder(Settings(index_dir=tmp / "idx-catalog-torch", today=TODAY, embedding_backend="torch"))
    questions = load_questions(QUESTIONS)
    textbook = TextbookBaseline(catalog, FPI, finder.index.embedder)
    for label, path in (("v1", QUESTIONS), ("v2", QUESTIONS_V2), ("v3", QUESTIONS_V3)):
        if not path.exists():
            continue
        qs = load_questions(path)
        for mode in Retriever:
            r = evaluate(finder, qs, mode)
            add("quality", f"{label} {mode.value}: recall@5 / MRR@10 / verdicts / refused",
                f"{r.recall5:.3f} / {r.mrr10:.3f} / {r.verdicts[0]}/{r.verdicts[1]} / {r.refused[0]}/{r.refused[1]}")
        t = evaluate(finder_torch, qs, Retriever.HYBRID)
        r = evaluate(finder, qs, Retriever.HYBRID)
        add("quality", f"{label} hybrid, torch -> int8: recall@5 / MRR@10 / verdicts / refused",
            f"{t.recall5:.3f} -> {r.recall5:.3f} (delta {r.recall5 - t.recall5:+.3f}) / {t.mrr10:.3f} -> "
            f"{r.mrr10:.3f} / {t.verdicts[0]} -> {r.verdicts[0]} / {t.refused[0]} -> {r.refused[0]}")
        recall, mrr = score(textbook, qs)
        add("quality", f"{label} textbook (MiniLM on title + objective): recall@5 / MRR@10",
            f"{recall:.3f} / {mrr:.3f}")

    # -- latency ---------------------------------------------------------------------------------------
    texts = [q["question"] for q in questions]
    both = latencies({"int8": finder, "torch": finder_torch}, texts, rounds=3)
    lat = both["int8"]
    add("latency", "search p50 / p95 (ms), warm, dev questions", f"{lat['search_p50']:.1f} / {lat['search_p95']:.1f}")
    add("latency", "ask p50 / p95 (ms), warm, dev questions", f"{lat['ask_p50']:.1f} / {lat['ask_p95']:.1f}")
    add("latency", "ask p95 (ms), torch -> int8, interleaved in one process",
        f"{both['torch']['ask_p95']:.1f} -> {lat['ask_p95']:.1f}, x{both['torch']['ask_p95'] / lat['ask_p95']:.1f}")
    del finder_torch
    envs = {"torch": {**os.environ, **env_for(tmp / "idx-catalog-torch", catalog, none),
                      "FINDER_EMBEDDING_BACKEND": "torch"},
            "int8": {**os.environ, **env_for(tmp / "idx-catalog", catalog, none)}}
    cold_ask = speed.cold_asks(envs, "Tell me about SS4A")
    add("latency", "cold `finder ask` to first answer, torch -> int8 (median of 3 each)",
        speed.pair("torch", "int8", cold_ask["torch"], cold_ask["int8"]))
    out["cold_ask"] = cold_ask

    _, words = py("benchmarks.card_words", str(tmp / "idx-catalog"), env=env_for(tmp / "idx-catalog", catalog, none))
    add("answers", "card words under a 5-program answer, dev sets: answers, mean / median / max",
        f"{words.get('answers')}, {words.get('mean_words')} / {words.get('median_words')} / {words.get('max_words')}")

    # -- scale -------------------------------------------------------------------------------------
    from benchmarks.generate_extract import catalog_alns, write_extract
    from ingest.listings import import_listings

    big = tmp / "data-2480"
    shutil.copytree(catalog, big)
    rep = import_listings(FPI, big, create=True, today=dt.date.fromisoformat(TODAY))
    big_wall, big_rep = ingest(tmp / "idx-2480", big, none)
    add("scale", f"build with all FPI listings ({len(rep.created)} drafts added) (s)", f"{big_wall:.1f}")
    notices_dir = tmp / "notices-50k"
    notices_dir.mkdir()
    extract = write_extract(notices_dir / "GrantsDBExtractSynthetic.xml", 50_000, catalog_alns(),
                            dt.date.fromisoformat(TODAY))
    _, parse = py("benchmarks.parse_extract", str(extract))
    add("scale", "stream-parse 50,000-notice extract: records/s, peak RSS (MB)",
        f"{parse['records_per_s']:.0f}/s, {parse['peak_rss_mb']:.0f} MB ({parse['file_mb']:.0f} MB file)")
    shutil.copytree(tmp / "idx-2480", tmp / "idx-2480-50k")
    n_wall, n_rep = ingest(tmp / "idx-2480-50k", big, notices_dir)
    add("scale", "add 50,000 notices to the 2,480-program index (s)", f"{n_wall:.1f}")
    finders = {"catalog": finder, "2480": Finder(Settings(index_dir=tmp / "idx-2480", today=TODAY)),
               "2480+50k": Finder(Settings(index_dir=tmp / "idx-2480-50k", today=TODAY))}
    scale = latencies(finders, texts, rounds=2)
    base = scale["catalog"]["ask_p95"]
    for name, v in scale.items():
        add("scale", f"{name}: search p95 / ask p95 (ms), ask p95 ratio to catalog",
            f"{v['search_p95']:.1f} / {v['ask_p95']:.1f}, x{v['ask_p95'] / base:.2f}")
    for name, idx in (("catalog", "idx-catalog"), ("2480", "idx-2480"), ("2480+50k", "idx-2480-50k")):
        _, probe = py("benchmarks.probe", str(tmp / idx), str(QUESTIONS))
        add("memory", f"{name}: programs / notices, load (s), peak RSS of a reader (MB)",
            f"{probe['programs']} / {probe['notices']}, {probe['load_s']:.1f}, {probe['peak_rss_mb']:.0f}")

    # -- hardening: refresh soak and hostile files --------------------------------------------------
    _, soak = py("benchmarks.soak", "200", timeout=1800)
    add("soak", "200 refresh swaps under query load: open files start -> end",
        f"{soak['start_open_files']} -> {soak['end_open_files']} (deleted files held: {soak['end_deleted_held']})")
    add("soak", "200 refresh swaps under query load: RSS start -> end (MB), answers, errors",
        f"{soak['start_rss_mb']:.0f} -> {soak['end_rss_mb']:.0f}, {soak['answers']}, {soak['errors']}")
    add("soak", "hostile notices in every refresh: answer about the 60,000-< program p95 / worst (ms), other "
        "answers p95 (ms), most problems listed by one refresh, pointer (bytes)",
        f"{soak['flooded_p95_ms']} / {soak['flooded_max_ms']}, {soak['other_p95_ms']}, {soak['most_report_lines']}, "
        f"{soak['pointer_bytes']}")
    from benchmarks.hostile import main as hostile
    from benchmarks.hostile import section as hostile_section

    hostile_lines = hostile_section(hostile())  # its own table (files, requests, fetches), after the main one

    # -- serving -----------------------------------------------------------------------------------
    for load in serve_and_load(tmp / "idx-catalog", catalog, none, [(1, 20), (20, 10), (50, 10)]):
        add("serve", f"{load['users']} users x {load['requests'] // load['users']} questions, POST /api/ask: errors, "
            "p50 / p95 (ms), answers/s", f"{load['errors']}, {load['p50_ms']:.0f} / {load['p95_ms']:.0f}, "
            f"{load['throughput_rps']:.1f}")
    add("serve", "served app peak RSS (MB), catalog index", f"{load['serve_peak_rss_mb']:.0f}")
    big_load = serve_and_load(tmp / "idx-2480-50k", big, notices_dir, [(5, 4)])[0]
    add("serve", "peak RSS (MB) serving 2,480 programs + 50,000 notices (5x4 questions)",
        f"{big_load['serve_peak_rss_mb']:.0f} (errors {big_load['errors']})")

    total = time.perf_counter() - started
    lines = ["# Benchmark results", "",
             f"Run by `make bench` on {dt.date.today().isoformat()} in {total / 60:.1f} minutes.", "",
             f"Machine: {machine()}.", "",
             "| section | measurement | value |", "|---|---|---|"]
    lines += [f"| {s} | {w} | {v} |" for s, w, v in rows]
    lines += ["", "Quality and scale latencies come from one process each (ratios are like for like); cold starts, "
              "parse memory, reader memory and the serve process are separate processes.", ""]
    lines += hostile_lines
    results = ROOT / "benchmarks" / "RESULTS.md"
    old = results.read_text() if results.exists() else ""
    if "<!-- llm_real" in old:  # the real-model section comes from `python -m benchmarks.llm_real --write`: keep it
        lines += ["", old[old.index("<!-- llm_real"):].rstrip("\n"), ""]
    results.write_text("\n".join(lines))
    print(f"\nwrote benchmarks/RESULTS.md ({total:.0f} s)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
