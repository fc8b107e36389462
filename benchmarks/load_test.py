"""Simulated officials against the served app's JSON API (`POST /api/ask`), bounded in count and time.

Each user asks its questions one after another (a closed loop) over its own HTTP connection, as a different
address behind a proxy (X-Forwarded-For 10.24.0.N): serve with FINDER_TRUSTED_PROXIES=127.0.0.1 so the app
tells them apart, as it would officials behind a real proxy; without it they all count as one client and meet
its FINDER_QUEUE_PER_CLIENT share.

    python -m benchmarks.load_test http://127.0.0.1:7860/ --users 1,20,50 --questions 10
    python -m benchmarks.load_test --index .finder/index --users 1,20,50   # serves that index itself
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

QUESTIONS = [
    "Can a city of 20,000 apply for EV charger money?", "What water grants close in the next 60 days?",
    "Tell me about SS4A", "Our county needs to replace a bridge", "Is there money for lead pipe replacement?",
    "What does WIFIA offer?", "Flood mitigation funding for a small town", "Broadband for a rural tribe",
    "Transit bus replacement grants", "Brownfield cleanup money for a city",
]
APPLICANTS = ["city", "county", "tribe", ""]


def run(url: str, users: int, per_user: int, time_limit: float = 300.0) -> dict[str, Any]:
    """`users` simulated officials asking `per_user` questions each; latency of the answers that came back."""
    import httpx

    latencies: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + time_limit
    start = threading.Barrier(users)

    def user(n: int) -> None:
        headers = {"X-Forwarded-For": f"10.24.{n // 250}.{n % 250 + 1}"}
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            start.wait()
            for i in range(per_user):
                if time.monotonic() > deadline:
                    with lock:
                        errors["time limit"] += 1
                    continue
                body = {"question": QUESTIONS[(n + i) % len(QUESTIONS)], "applicant": APPLICANTS[n % 4]}
                t0 = time.perf_counter()
                try:
                    r = client.post("/api/ask", json=body)
                    problem = None if r.status_code == 200 and "answer" in r.json() else f"HTTP {r.status_code}"
                except (httpx.HTTPError, ValueError) as exc:
                    problem = type(exc).__name__
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    if problem:
                        errors[problem] += 1
                    else:
                        latencies.append(ms)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=time_limit + 60)
    wall = time.perf_counter() - t0
    s = sorted(latencies)
    return {"users": users, "requests": users * per_user, "ok": len(s), "errors": users * per_user - len(s),
            "error_kinds": dict(errors), "p50_ms": statistics.median(s) if s else 0.0,
            "p95_ms": s[min(len(s) - 1, int(0.95 * len(s)))] if s else 0.0,
            "wall_s": wall, "throughput_rps": len(s) / wall if wall else 0.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], wait: float = 180.0) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`finder serve` in its own process with `env` (FINDER_* settings) on a free port, trusting 127.0.0.1's
    X-Forwarded-For; yields (url, process) once it answers, and stops it afterwards."""
    port = free_port()
    env = {**os.environ, "FINDER_TRUSTED_PROXIES": '["127.0.0.1"]', **env, "FINDER_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "ui", "serve"], cwd=Path(__file__).resolve().parents[1],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        import httpx

        end = time.monotonic() + wait
        while True:
            if proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"`finder serve` did not come up on {url} (exit code {proc.poll()})")
            try:
                if httpx.post(url + "api/ask", json={"question": "bridge repair"}, timeout=30).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("url", nargs="?", help="Base URL of a running app; omit with --index.")
    p.add_argument("--index", type=Path, help="Serve this index folder (FINDER_INDEX_DIR) in a new process.")
    p.add_argument("--users", default="1,20,50", help="Comma-separated user counts, run one after another.")
    p.add_argument("--questions", type=int, default=10, help="Questions each user asks.")
    a = p.parse_args()
    if not a.url and not a.index:
        p.error("give the URL of a running app, or --index to serve one")
    counts = [int(n) for n in a.users.split(",")]

    def each(url: str) -> None:
        run(url, 2, 3)  # warm up: first answers load what later ones reuse
        for n in counts:
            print(json.dumps(run(url, n, a.questions)), flush=True)

    if a.url:
        each(a.url)
    else:
        with serving({"FINDER_INDEX_DIR": str(a.index)}) as (url, _):
            each(url)


if __name__ == "__main__":
    main()
