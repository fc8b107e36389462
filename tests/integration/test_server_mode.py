"""FINDER_CHROMA_URL: the same code against a real `chroma run` server on 127.0.0.1, started here."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finder.engine import Finder
from finder.errors import StoreUnavailableError
from ingest.refresh import refresh
from tests.conftest import SMALL, copy_catalog, free_port, make_settings

pytestmark = pytest.mark.server



def start_chroma(path: Path, port: int) -> subprocess.Popen:
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("chroma server did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    state = {"url": f"http://127.0.0.1:{port}", "path": path, "port": port, "proc": start_chroma(path, port)}
    try:
        yield state
    finally:  # the recovery test replaces the process: stop whichever one is running now
        state["proc"].kill()
        state["proc"].wait()


@pytest.fixture(scope="module")
def server_settings(server, tmp_path_factory, embedder):
    tmp = tmp_path_factory.mktemp("server-mode")
    settings = make_settings(tmp, copy_catalog(tmp / "data", SMALL), chroma_url=server["url"], today="2026-11-28")
    report = refresh(settings, embedder=embedder, notice_paths=[])
    assert len(report.added) == len(SMALL)
    return settings


def test_same_search_results_as_embedded_mode(server_settings, small_index):
    embedded, remote = Finder(small_index), Finder(server_settings)
    for q in ["Tell me about SS4A", "bridge repair money for a county", "What does WIFIA offer?",
              "EV chargers for a city"]:
        assert [h.id for h in remote.search(q, k=5)] == [h.id for h in embedded.search(q, k=5)]


def test_incremental_refresh_and_switch_on_the_server(server_settings, embedder):
    f = next(server_settings.data_dir.rglob("66.458.yaml"))
    f.write_text(f.read_text().replace("keywords:\n", "keywords:\n- server mode marker\n", 1))
    report = refresh(server_settings, embedder=embedder, notice_paths=[])
    assert report.updated == ["66.458"] and report.embedded == 1
    assert Finder(server_settings).search("server mode marker", k=1)[0].id == "66.458"
    again = refresh(server_settings, embedder=embedder, notice_paths=[])
    assert again.embedded == 0 and not again.switched


def test_server_gone_is_a_clear_error_then_recovers(server, server_settings):
    finder = Finder(server_settings)
    assert finder.search("SS4A", k=1)[0].aln == "20.939"
    server["proc"].kill()
    server["proc"].wait()
    fresh = Finder(server_settings)
    with pytest.raises(StoreUnavailableError, match="Chroma server"):
        fresh.search("SS4A", k=1)
    # the reader that was serving holds its generation in memory, vectors included: it keeps answering
    assert finder.search("SS4A", k=1)[0].aln == "20.939"
    server["proc"] = start_chroma(server["path"], server["port"])
    assert Finder(server_settings).search("SS4A", k=1)[0].aln == "20.939"
    assert finder.search("SS4A", k=1)[0].aln == "20.939"  # and recovers once the server is back
