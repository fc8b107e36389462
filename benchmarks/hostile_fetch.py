"""Hostile answers to `finder fetch-notices`, from a local stand-in for Grants.gov (tests/grants_gov_server.py):
each fetch runs as its own `finder fetch-notices` process, and must end in one line, exit 2, within its
deadline and bounded in memory, leaving the notices file and the serving index generation as they were."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.timing import ROOT, catalog_subset
from finder.settings import OFFLINE_ENV

IDS = ["20.939", "66.468", "20.933", "10.760"]
DEEP = b'{"data": {"oppHits": ' + b"[" * 200_000 + b"]" * 200_000 + b"}}"
MILLION = b'{"data": {"oppHits": [' + b",".join([b'{"id": "1"}'] * 1_000_000) + b"]}}"


def cases(app_port: int) -> dict[str, tuple[str, dict[str, Any]]]:
    """kind -> (path key on the stand-in, the fault it sends on every request)."""
    return {
        "fetch: a server sending one byte a second": ("extract", {"trickle": 1.0}),
        "fetch: redirect to the app's own port": (
            "extract", {"status": 302, "headers": {"Location": f"http://127.0.0.1:{app_port}/"}}),
        "fetch: redirect to file:///etc/passwd": ("extract", {"status": 302, "headers": {"Location": "file:///etc/passwd"}}),
        "fetch: redirect loop": ("extract", {"status": 302, "headers": {"Location": "/extract/loop.zip"}}),
        "fetch: search answer that is not a list": ("search2", {"body": b'{"data": {"oppHits": {"id": "1"}}}'}),
        "fetch: JSON nested 200,000 deep": ("search2", {"body": DEEP}),
        "fetch: empty answer": ("search2", {"body": b'{"errorcode": 0, "data": {"hitCount": 0, "oppHits": []}}'}),
        "fetch: search answer of a million hits": ("search2", {"body": MILLION}),
    }


def fetch_cases(tmp: Path) -> list[dict[str, Any]]:
    from tests.grants_gov_server import FakeGrantsGov

    data = catalog_subset(tmp / "data", IDS)
    gov = FakeGrantsGov()
    env = {**os.environ, **OFFLINE_ENV, "FINDER_DATA_DIR": str(data), "FINDER_INDEX_DIR": str(tmp / "index"),
           "FINDER_NOTICES_DIR": str(tmp / "notices"), "FINDER_GRANTS_GOV_API_URL": f"{gov.url}/v1/api",
           "FINDER_GRANTS_GOV_EXTRACT_URL": f"{gov.url}/extract/GrantsDBExtract{{date}}v2.zip",
           "FINDER_FETCH_DEADLINE": "10", "FINDER_FETCH_RETRIES": "1", "FINDER_FETCH_BACKOFF": "0.1",
           "FINDER_FETCH_READ_TIMEOUT": "5"}
    rows = []
    try:
        _run(["fetch-notices", "--via", "api"], env)  # a good fetch first: the notices and index to keep
        kept = (tmp / "notices" / "grants-gov-api.json").read_bytes()
        pointer = json.loads((tmp / "index" / "CURRENT.json").read_text())["generation"]
        for kind, (key, fault) in cases(gov.server.server_address[1] + 1).items():
            gov.always = {key: fault}
            method = "extract" if key == "extract" else "api"
            code, seconds, peak, err = _run(["fetch-notices", "--via", method], env)
            same = (tmp / "notices" / "grants-gov-api.json").read_bytes() == kept and \
                json.loads((tmp / "index" / "CURRENT.json").read_text())["generation"] == pointer
            rows.append({"kind": kind, "bounded": code == 2 and err.count("\n") == 1 and "Traceback" not in err,
                         "detail": err.strip()[:160], "seconds": round(seconds, 1), "peak_mb": peak,
                         "old_index_answers": same})
            print(json.dumps(rows[-1]), flush=True)
    finally:
        gov.close()
    return rows


# `finder ARGS`, then this process image's own peak RSS (VmHWM: ru_maxrss would carry the parent's peak across exec)
WRAP = ("import atexit, runpy, sys; from benchmarks.timing import peak_rss_mb; "
        "atexit.register(lambda: print(f'PEAK {peak_rss_mb():.0f}', file=sys.stderr)); "
        "sys.argv = ['finder', *sys.argv[1:]]; runpy.run_module('ui', run_name='__main__')")


def _run(args: list[str], env: dict[str, str]) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak RSS in MB, stderr) of one `finder` process."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", WRAP, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, timeout=600)
    lines = out.stderr.splitlines(keepends=True)
    peak = next((int(x.split()[1]) for x in lines if x.startswith("PEAK ")), 0)
    err = "".join(x for x in lines if not x.startswith("PEAK "))
    return out.returncode, time.perf_counter() - t0, peak, err
