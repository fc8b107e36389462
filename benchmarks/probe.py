"""Measure one index in a fresh process: warm search/ask latency over the dev questions and peak RSS.

python -m benchmarks.probe INDEX_DIR QUESTIONS.yaml
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from benchmarks.timing import peak_rss_mb
from finder.answering.conversation import Profile
from finder.engine import Finder
from finder.evaluation import load_questions
from finder.evaluation import percentile as pct
from finder.settings import Settings


def main() -> None:
    index_dir, questions = Path(sys.argv[1]), load_questions(Path(sys.argv[2]))
    t0 = time.perf_counter()
    finder = Finder(Settings(index_dir=index_dir, today="2026-11-28"))
    finder.index.snapshot()
    finder.index.embedder.load()
    load_s = time.perf_counter() - t0
    texts = [q["question"] for q in questions]
    for t in texts:
        finder.ask(t)
    search_ms, ask_ms = [], []
    for _ in range(2):
        for t in texts:
            s = time.perf_counter()
            finder.search(t)
            search_ms.append((time.perf_counter() - s) * 1000)
            s = time.perf_counter()
            finder.ask(t, Profile())
            ask_ms.append((time.perf_counter() - s) * 1000)
    snap = finder.index.snapshot()
    print(json.dumps({"programs": len(snap.programs), "notices": snap.notice_count, "load_s": load_s,
                      "search_p50": pct(search_ms, 0.5), "search_p95": pct(search_ms, 0.95),
                      "ask_p50": pct(ask_ms, 0.5), "ask_p95": pct(ask_ms, 0.95),
                      "peak_rss_mb": peak_rss_mb()}))


if __name__ == "__main__":
    main()
