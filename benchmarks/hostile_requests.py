"""Hostile requests against a served app (`finder serve` in its own process) and hostile answers to
`finder fetch-notices` (a local stand-in for Grants.gov): each case rejected or bounded, with its time and
the server's peak RSS, and the old index answering the same question, the same way, after each.

`python -m benchmarks.hostile_requests` prints one JSON line per case.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks import gradio_raw as raw
from benchmarks.timing import ROOT, catalog_subset
from finder.settings import OFFLINE_ENV

IDS = ["20.939", "66.458", "66.468", "20.205", "97.047", "10.760", "20.933", "66.958"]
QUESTION = ["Tell me about SS4A", None, "city", "", ""]
ADMIN = "bench-admin-pass"


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return round(int(line.split()[1]) / 1024)
    return 0.0


class Served:
    """`python -m ui serve` on a small index, behind 127.0.0.1 as its trusted proxy."""

    def __init__(self, tmp: Path) -> None:
        data = catalog_subset(tmp / "data", IDS)
        self.port = _free_port()
        self.cache = tmp / "cache"
        self.env = {**os.environ, **OFFLINE_ENV, "FINDER_DATA_DIR": str(data), "FINDER_INDEX_DIR": str(tmp / "index"),
                    "FINDER_NOTICES_DIR": str(tmp / "notices"), "FINDER_PORT": str(self.port),
                    "FINDER_CACHE_DIR": str(self.cache), "FINDER_ADMIN_PASSWORD": ADMIN, "FINDER_HEADER_TIMEOUT": "2",
                    "FINDER_TRUSTED_PROXIES": '["127.0.0.1"]', "FINDER_TODAY": "2026-11-28"}
        subprocess.run([sys.executable, "-m", "ui", "ingest"], cwd=ROOT, env=self.env, check=True,
                       capture_output=True, timeout=600)
        self.proc = subprocess.Popen([sys.executable, "-m", "ui", "serve"], cwd=ROOT, env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}/"
        for _ in range(480):
            try:
                if httpx.get(self.base, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        self.ids = raw.fn_ids(self.base)
        self.baseline = self.answer()

    def answer(self) -> str:
        out = raw.call(self.base, self.ids["ask"], QUESTION, headers={"X-Forwarded-For": "192.0.2.1"})
        return json.dumps(out[0][-1]) if isinstance(out, list) else json.dumps(out)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def private_events(app: Served) -> tuple[bool, str]:
    names = [n for n in app.ids if n != "ask"]
    codes = [httpx.post(f"{app.base}gradio_api/call/{n}", json={"data": [ADMIN]}, timeout=10).status_code
             for n in names]
    return all(c != 200 for c in codes), f"{len(names)} events, answers {sorted(set(codes))}"


def deep_links(app: Served) -> tuple[bool, str]:
    queries = ["?deep_link=x", "?deep%5Flink=x", "?deep%255Flink=x", "gradio_api/deep_link?session_hash=x"]
    codes = [httpx.get(app.base + q, timeout=10).status_code for q in queries]
    return all(c == 400 for c in codes), f"{len(queries)} encodings, answers {sorted(set(codes))}"


def rotating_xff(app: Served) -> tuple[bool, str]:
    read, started = 0, time.monotonic()
    for i in range(300):
        out = raw.call(app.base, app.ids["on_login"], ["wrong"], headers={"X-Forwarded-For": f"10.{i % 250}.0.{i}"})
        read += "Wrong password." in str(out)
    seconds = time.monotonic() - started
    return read <= 12 + seconds ** 0.5, f"300 tries from 300 addresses in {seconds:.0f}s: {read} passwords read"


def big_upload(app: Served) -> tuple[bool, str]:
    with socket.create_connection(("127.0.0.1", app.port), timeout=30) as s:
        s.sendall(b"POST /gradio_api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                  b"Content-Length: " + str(3 * 200 << 20).encode() + b"\r\n\r\n--b\r\n")
        status = s.recv(200).split(b" ")[1].decode()
    return status == "413", f"3 x 200 MB in one request: HTTP {status} before the body is read"


def million_shortlist(app: Served) -> tuple[bool, str]:
    r = raw.join(app.base, app.ids["on_export"], [None, ["20.939"] * 1_000_000], secrets.token_hex(6))
    return r.status_code == 413, f"one id x 1,000,000 (11 MB): HTTP {r.status_code}"


def feedback_flood(app: Served) -> tuple[bool, str]:
    session = secrets.token_hex(6)
    raw.call(app.base, app.ids["ask"], QUESTION, session=session)
    stored, times = 0, []
    for i in range(120):
        t0 = time.perf_counter()
        out = raw.call(app.base, app.ids["on_like"], [None], session=session,
                       event_data={"index": 1, "value": "x", "liked": i % 2 == 0})
        times.append(time.perf_counter() - t0)
        stored += "rating was saved" in str(out)
    return stored <= 50, f"120 clicks: {stored} ratings stored, last click {times[-1] * 1000:.0f} ms"


def long_questions(app: Served) -> tuple[bool, str]:
    big = raw.join(app.base, app.ids["ask"], ["x" * (1 << 20), None, "", "", ""], secrets.token_hex(6))
    session, times = secrets.token_hex(6), []
    for i in range(300):
        t0 = time.perf_counter()
        raw.call(app.base, app.ids["ask"], [f"bridges {i} " + "y" * 1980, None, "", "", ""], session=session)
        times.append(time.perf_counter() - t0)
    slow = max(times[-20:]) / max(0.001, sorted(times[:20])[10])
    return big.status_code == 413 and slow < 5, (
        f"1 MB question: HTTP {big.status_code}; 300 turns of 2,000 characters: first {times[0] * 1000:.0f} ms, "
        f"last {times[-1] * 1000:.0f} ms")


def crowding(app: Served) -> tuple[bool, str]:
    from concurrent.futures import ThreadPoolExecutor

    attacker = {"X-Forwarded-For": "10.66.6.6"}
    with ThreadPoolExecutor(max_workers=40) as pool:  # 160 at once, as 160 connections would send them
        codes = list(pool.map(lambda _: raw.join(app.base, app.ids["ask"], QUESTION, secrets.token_hex(6),
                                                 attacker).status_code, range(160)))
    other = raw.join(app.base, app.ids["ask"], QUESTION, secrets.token_hex(6), {"X-Forwarded-For": "10.77.7.7"})
    return other.status_code == 200, (f"160 requests from one client: {codes.count(429)} refused (429); another "
                                      f"client: HTTP {other.status_code}")


def half_open(app: Served) -> tuple[bool, str]:
    socks = []
    for _ in range(1100):
        s = socket.create_connection(("127.0.0.1", app.port), timeout=10)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    time.sleep(2 + 2)
    closed = 0
    for s in socks:
        try:
            s.settimeout(0.2)
            closed += s.recv(10) == b""
        except OSError:
            closed += 0
        s.close()
    return closed == len(socks), f"1,100 connections that never finish their headers: {closed} closed within 4 s"


REQUESTS: dict[str, Callable[[Served], tuple[bool, str]]] = {
    "private events on the call routes": private_events, "deep links in 4 encodings": deep_links,
    "300 logins rotating X-Forwarded-For": rotating_xff, "3 x 200 MB upload": big_upload,
    "shortlist of 1,000,000 ids": million_shortlist, "feedback flood": feedback_flood,
    "long questions": long_questions, "160 requests crowding the queue": crowding,
    "1,100 half-open connections": half_open,
}


def served_cases(tmp: Path) -> list[dict[str, Any]]:
    app = Served(tmp)
    rows = []
    try:
        for kind, case in REQUESTS.items():
            t0 = time.perf_counter()
            ok, detail = case(app)
            same = app.answer() == app.baseline
            rows.append({"kind": kind, "bounded": ok, "detail": detail, "seconds": round(time.perf_counter() - t0, 1),
                         "peak_mb": _status_mb(app.proc.pid, "VmHWM"), "old_index_answers": same})
            print(json.dumps(rows[-1]), flush=True)
        mine = next(app.cache.glob(f"{app.proc.pid}-*"))
        httpx.post(f"{app.base}gradio_api/upload", files=[("files", ("x.json", b"{}" * 1000))], timeout=30)
        before = sum(f.stat().st_size for f in mine.rglob("*") if f.is_file())
        t0 = time.perf_counter()
        app.stop()
        rows.append({"kind": "cache and exports at SIGTERM", "bounded": not mine.exists(),
                     "detail": f"{before / 1024:.0f} KB on disk before; {'left' if mine.exists() else 'none'} after",
                     "seconds": round(time.perf_counter() - t0, 1), "peak_mb": None, "old_index_answers": None})
        print(json.dumps(rows[-1]), flush=True)
    finally:
        app.stop()
    return rows


def main() -> list[dict[str, Any]]:
    from benchmarks.hostile_fetch import fetch_cases

    tmp = Path(tempfile.mkdtemp(prefix="finder-hostile-served-"))
    try:
        return served_cases(tmp) + fetch_cases(tmp / "fetch")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
