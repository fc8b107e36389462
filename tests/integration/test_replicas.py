"""Two app replicas sharing one Chroma server and one PostgreSQL database (issue 24): a rating sent to each is
seen by both, wrong admin passwords count across them, and the ingest lock is held in the database.

PostgreSQL is Debian's `postgresql` package (`.ci/run` installs it); the test starts a throwaway cluster in a
temporary folder on a free port of 127.0.0.1, as the `postgres` (or `nobody`) user when run as root, since
initdb refuses root. The replicas are two `finder serve` processes, each with its own index folder, so all they
share goes through FINDER_CHROMA_URL and FINDER_DATABASE_URL.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from benchmarks import gradio_raw as raw
from finder import database
from finder.database import strikes
from finder.errors import IngestLockedError
from finder.settings import OFFLINE_ENV, Settings
from ingest.refresh import refresh
from tests.conftest import ROOT, copy_catalog, free_port, make_settings
from tests.integration.test_server_mode import start_chroma
from ui import feedback

pytestmark = pytest.mark.server
FEW = ["20.939", "66.458", "20.205-nevi"]  # a few catalog records: the index is not what this test is about


def postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def as_user() -> list[str]:
    """A prefix that runs a command as a non-root user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"]
    pytest.fail("running as root with neither a postgres nor a nobody user to run PostgreSQL as")


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """The URL of a fresh PostgreSQL cluster, stopped and removed afterwards."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed: `apt-get install postgresql` (.ci/run does this in CI)")
    prefix, folder = as_user(), Path(tempfile.mkdtemp(prefix="finder-pg-"))
    data, port = folder / "data", free_port()
    if prefix:
        shutil.chown(folder, pwd.getpwnam(prefix[2]).pw_uid)
    run = {"check": True, "capture_output": True, "cwd": folder}
    subprocess.run([*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "finder", "--auth=trust", "-E",
                    "UTF8", "--no-sync"], **run)  # type: ignore[call-overload]
    subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60",
                    "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"], **run)  # type: ignore[call-overload]
    try:
        yield f"postgresql://finder@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def shared(postgres, tmp_path_factory, embedder) -> Iterator[Settings]:
    """A Chroma server holding a small index, and the settings every replica shares."""
    tmp = tmp_path_factory.mktemp("replicas")
    port = free_port()
    chroma = start_chroma(tmp / "chroma", port)
    try:
        settings = make_settings(tmp, copy_catalog(tmp / "data", FEW), chroma_url=f"http://127.0.0.1:{port}",
                                 database_url=postgres, today="2026-11-28")
        assert len(refresh(settings, embedder=embedder, notice_paths=[]).added) == len(FEW)
        yield settings
    finally:
        chroma.kill()
        chroma.wait()


@pytest.fixture(scope="module")
def replicas(shared, tmp_path_factory) -> Iterator[list[str]]:
    """Two `finder serve` processes, each with its own index folder and port."""
    procs, urls = [], []
    try:
        for n in range(2):
            port = free_port()
            env = {**os.environ, **OFFLINE_ENV, "FINDER_CHROMA_URL": str(shared.chroma_url),
                   "FINDER_DATABASE_URL": str(shared.database_url), "FINDER_PORT": str(port),
                   "FINDER_INDEX_DIR": str(tmp_path_factory.mktemp(f"replica{n}")), "FINDER_TODAY": "2026-11-28",
                   "FINDER_DATA_DIR": str(shared.data_dir), "FINDER_ADMIN_PASSWORD": "s3cret-pass"}
            procs.append(subprocess.Popen([sys.executable, "-m", "ui", "serve"], cwd=ROOT, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            urls.append(f"http://127.0.0.1:{port}/")
        for url, proc in zip(urls, procs, strict=True):
            deadline = time.monotonic() + 120
            while True:
                assert proc.poll() is None and time.monotonic() < deadline, f"replica {url} did not start"
                try:
                    if httpx.get(url + "api/programs/20.939", timeout=10).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def rate(base: str, question: str) -> str:
    """Ask in a new browser session of `base` and click Like on the answer; the rating note."""
    ids, session = raw.fn_ids(base), secrets.token_hex(6)
    raw.join(base, ids["ask"], [question, None, "city", "", ""], session).raise_for_status()
    raw.results(base, session)
    out = raw.call(base, ids["on_like"], [None], session, event_data={"index": 1, "value": "", "liked": True})
    return str(out)


def test_a_rating_sent_to_each_replica_is_seen_by_both(replicas, shared):
    assert "rating was saved" in rate(replicas[0], "Tell me about SS4A")
    assert "rating was saved" in rate(replicas[1], "Tell me about the Clean Water State Revolving Fund")
    database.configure(shared)  # this process reads the replicas' database too
    rows = feedback.read_all(shared.index_dir)
    assert [r["question"] for r in rows] == ["Tell me about SS4A", "Tell me about the Clean Water State Revolving Fund"]
    assert rows[0]["shown"][0] == "20.939" and rows[1]["shown"][0] == "66.458"


def test_wrong_admin_passwords_count_across_replicas(replicas, shared):
    ids = [raw.fn_ids(base)["on_login"] for base in replicas]
    for n in range(4):
        assert "Wrong password." in str(raw.call(replicas[n % 2], ids[n % 2], ["wrong"]))
    with database.begin(shared) as conn:
        counts = dict(conn.execute(select(strikes.c.who, strikes.c.count)).all())
    assert counts == {"127.0.0.1": 4, "*account*": 4}  # two on each replica, counted once in the database
    said = str(raw.call(replicas[1], ids[1], ["s3cret-pass"]))
    assert "Wrong password" not in said and "Try again" not in said  # logged in: the strikes are cleared
    with database.begin(shared) as conn:
        assert conn.execute(select(strikes)).all() == []


def test_the_ingest_lock_is_held_in_the_database(shared, tmp_path):
    other = shared.model_copy(update={"index_dir": tmp_path / "elsewhere"})  # another machine: no shared folder
    with database.ingest_lock(shared, wait=0), pytest.raises(IngestLockedError, match="advisory lock"):
        refresh(other, notice_paths=[], wait=1)
    with database.ingest_lock(other, wait=0):
        pass  # released: the next writer gets it


def test_a_shortlist_export_made_on_one_replica_downloads_from_the_other(replicas):
    ids, session = raw.fn_ids(replicas[0]), secrets.token_hex(6)
    raw.join(replicas[0], ids["ask"], ["Tell me about SS4A", None, "city", "", ""], session).raise_for_status()
    raw.results(replicas[0], session)
    out = raw.call(replicas[0], ids["on_export"], [None, ["20.939"]], session)
    paths = [f["path"] for f in out[0]["value"]]
    assert len(paths) == 2 and all("/exports/" in p for p in paths), out
    for path in paths:
        here = httpx.get(f"{replicas[0]}gradio_api/file={path}", timeout=30)
        there = httpx.get(f"{replicas[1]}gradio_api/file={path}", timeout=30)
        assert here.status_code == there.status_code == 200 and here.content == there.content
        assert b"Safe Streets" in there.content and there.headers["x-content-type-options"] == "nosniff"
    forged = paths[0].rsplit("/", 1)[0] + "/shortlist-nothere.csv"
    assert httpx.get(f"{replicas[1]}gradio_api/file={forged}", timeout=30).status_code == 404
