"""Where the served app spends its CPU under load: py-spy samples a `finder serve` process while simulated users
call the JSON API (or the chat, through gradio_client), then the heaviest frames are printed, and the server's
CPU per answer (from /proc), which holds on a busy machine better than latency does.

    python -m benchmarks.profile_serve --index .finder/index [--chat] [--users 20] [--seconds 12]

Needs py-spy (in the `test` extra) and, as root or with ptrace allowed, permission to read the process.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.load_test import QUESTIONS, run, serving

IDLE = ("select (selectors", "wait (threading", "_worker (concurrent", "_run_once")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def chat_load(url: str, users: int, per_user: int) -> dict[str, Any]:
    """`users` browser-like sessions asking `per_user` questions each through the chat's `ask` event."""
    from gradio_client import Client

    done, lock = [0], threading.Lock()

    def user(n: int) -> None:
        client = Client(url, verbose=False)
        for i in range(per_user):
            client.predict(QUESTIONS[(n + i) % len(QUESTIONS)], "city", "", "", api_name="/ask")
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"users": users, "ok": done[0]}


def heaviest(raw: Path, top: int) -> list[tuple[float, str]]:
    """(share of busy samples, frame) for the frames most often on the stack, idle threads left out."""
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if any(mark in stack for mark in IDLE) and "finder" not in stack:
            continue
        total += int(n)
        for frame in {f.split(":")[0] for f in stack.split(";")}:
            inclusive[frame] += int(n)
    return [(100 * v / max(total, 1), k) for k, v in inclusive.most_common(top)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--index", type=Path, required=True, help="Index folder to serve (FINDER_INDEX_DIR).")
    p.add_argument("--chat", action="store_true", help="Load the chat's `ask` event instead of POST /api/ask.")
    p.add_argument("--users", type=int, default=20, help="Simulated users.")
    p.add_argument("--questions", type=int, default=15, help="Questions each user asks.")
    p.add_argument("--seconds", type=int, default=12, help="How long py-spy samples.")
    p.add_argument("--top", type=int, default=40, help="Frames to print.")
    a = p.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    load = chat_load if a.chat else run
    with serving({"FINDER_INDEX_DIR": str(a.index)}) as (url, proc), tempfile.TemporaryDirectory() as tmp:
        load(url, 2, 3)  # warm up
        raw = Path(tmp) / "profile.txt"
        sampler = subprocess.Popen([spy, "record", "-p", str(proc.pid), "-o", str(raw), "-f", "raw", "-r", "200",
                                    "-d", str(a.seconds), "--nonblocking"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        before = cpu_seconds(proc.pid)
        result = load(url, a.users, a.questions)
        result["server_cpu_ms_per_answer"] = 1000 * (cpu_seconds(proc.pid) - before) / max(result["ok"], 1)
        sampler.wait(timeout=a.seconds + 60)
        print(json.dumps(result))
        for share, frame in heaviest(raw, a.top) if raw.exists() else []:
            print(f"{share:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
