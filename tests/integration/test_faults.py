"""Failure modes stay boring: a full disk, a deleted or corrupted index, a hung LLM (in test_llm), a vanished
Chroma server (in test_server_mode). No data is lost; the previous index answers the same questions."""

import os
import resource
import shutil
import signal
import subprocess
import sys

import pytest

from finder.engine import Finder
from finder.errors import FinderError, IndexMissingError
from finder.index.store import Store
from ingest.refresh import refresh
from tests.conftest import ROOT, SMALL, copy_catalog, make_settings

QUESTIONS = ["Tell me about SS4A", "drinking water loans for a tribe", "bridge repair money for a county"]


@pytest.fixture
def built(tmp_path, embedder):
    settings = make_settings(tmp_path, copy_catalog(tmp_path / "data", SMALL[:10]))
    refresh(settings, embedder=embedder)
    return settings


def answers(settings):
    finder = Finder(settings)
    return [[h.id for h in finder.search(q, k=5)] for q in QUESTIONS]


def test_disk_full_during_ingest_keeps_the_old_index(built, embedder, tmp_path):
    before = answers(built)
    f = next(built.data_dir.rglob("20.939.yaml"))
    f.write_text(f.read_text().replace("keywords:\n", "keywords:\n- disk full\n", 1))
    limit = 256 * 1024  # every file the refresh writes may grow to 256 KiB: the index copy cannot fit

    def cap():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "FINDER_INDEX_DIR": str(built.index_dir), "FINDER_NOTICES_DIR": str(tmp_path / "none")}
    out = subprocess.run([sys.executable, "-m", "ui", "ingest", "--data", str(built.data_dir)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300, preexec_fn=cap)
    assert out.returncode == 1
    assert "refresh failed while building the new index" in out.stderr and "previous index is still serving" \
        in out.stderr
    assert answers(built) == before
    assert len(Store(built, embedder).generations()) == 1  # the half-built copy was removed
    report = refresh(built, embedder=embedder)  # with space again, the same change goes through
    assert report.updated == ["20.939"]


def test_index_deleted_while_serving_gives_a_clear_error_and_rebuilds(built, embedder):
    before = answers(built)
    serving = Finder(built)
    serving.search("SS4A")
    shutil.rmtree(built.index_dir)
    assert [h.id for h in serving.search(QUESTIONS[0], k=5)] == before[0]  # still answering from memory
    assert serving.index.last_error and "finder ingest" in serving.index.last_error
    with pytest.raises(IndexMissingError, match="run `finder ingest`"):
        Finder(built).search("SS4A")
    refresh(built, embedder=embedder)
    assert answers(built) == before


def test_corrupted_index_is_reported_and_rebuilt(built, embedder):
    before = answers(built)
    gen = Store(built, embedder).pointer()["generation"]
    db = built.index_dir / "generations" / gen / "chroma.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(FinderError, match="finder ingest"):
        Finder(built).search("SS4A")
    report = refresh(built, embedder=embedder)
    assert report.notes and "rebuilt from scratch" in report.notes[0]
    assert answers(built) == before


def test_damaged_pointer_file_names_the_fix(built):
    (built.index_dir / "CURRENT.json").write_text("{not json")
    with pytest.raises(IndexMissingError, match="CURRENT.json is damaged.*finder ingest"):
        Finder(built).search("SS4A")
