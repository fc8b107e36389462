"""Simulated officials against a served app on 127.0.0.1 through gradio_client; bounded in count and time.

python -m benchmarks.load_test URL [--users 20] [--questions 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time

QUESTIONS = [
    "Can a city of 20,000 apply for EV charger money?", "What water grants close in the next 60 days?",
    "Tell me about SS4A", "Our county needs to replace a bridge", "Is there money for lead pipe replacement?",
    "What does WIFIA offer?", "Flood mitigation funding for a small town", "Broadband for a rural tribe",
    "Transit bus replacement grants", "Brownfield cleanup money for a city",
]


def run(url: str, users: int, per_user: int, time_limit: float = 300.0) -> dict[str, float]:
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + time_limit

    def user(n: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:  # counted, reported
            with lock:
                errors.extend([f"connect: {exc}"] * per_user)
            return
        for i in range(per_user):
            if time.monotonic() > deadline:
                with lock:
                    errors.append("time limit")
                continue
            q = QUESTIONS[(n + i) % len(QUESTIONS)]
            t0 = time.perf_counter()
            try:
                history, *_ = client.predict(q, [], ["city", "county", "tribe", ""][n % 4], "", None, api_name="/ask")
                ok = bool(history) and history[-1]["role"] == "assistant"
            except Exception as exc:
                ok = False
                with lock:
                    errors.append(str(exc)[:200])
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - t0) * 1000)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=time_limit + 30)
    wall = time.perf_counter() - t0
    s = sorted(latencies)
    failed = users * per_user - len(s)
    return {"requests": users * per_user, "ok": len(s), "errors": failed,
            "p50_ms": statistics.median(s) if s else 0.0,
            "p95_ms": s[min(len(s) - 1, int(0.95 * len(s)))] if s else 0.0,
            "wall_s": wall, "throughput_rps": len(s) / wall if wall else 0.0}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("url")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--questions", type=int, default=10)
    a = p.parse_args()
    print(json.dumps(run(a.url, a.users, a.questions)))


if __name__ == "__main__":
    main()
