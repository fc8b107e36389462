"""Staff refresh: incremental, atomic, one writer at a time, readers keep answering."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from finder.engine import Finder
from finder.errors import IngestLockedError
from finder.index.store import Store
from ingest.refresh import refresh
from tests.conftest import ROOT, SMALL, copy_catalog, make_settings

IDS = SMALL[:8]


@pytest.fixture
def built(tmp_path, embedder):
    settings = make_settings(tmp_path, copy_catalog(tmp_path / "data", IDS))
    first = refresh(settings, embedder=embedder)
    assert len(first.added) == len(IDS) and first.switched
    return settings


def test_unchanged_reingest_embeds_nothing(built, embedder):
    before = embedder.embedded
    report = refresh(built, embedder=embedder)
    assert embedder.embedded == before and report.embedded == 0
    assert report.unchanged == len(IDS) and not report.switched and report.ok


def test_edited_record_is_reembedded_alone(built, embedder):
    f = next(built.data_dir.rglob("66.458.yaml"))
    f.write_text(f.read_text().replace("- SRF loan\n", "- SRF loan\n- sewer plant upgrade\n", 1))
    report = refresh(built, embedder=embedder)
    assert report.updated == ["66.458"] and report.embedded == 1 and report.added == []
    hits = Finder(built).search("sewer plant upgrade", k=3)
    assert hits[0].id == "66.458"


def test_removed_file_disappears_from_results(built, embedder):
    next(built.data_dir.rglob("20.939.yaml")).unlink()
    report = refresh(built, embedder=embedder)
    assert report.removed == ["20.939"]
    assert all(h.aln != "20.939" for h in Finder(built).search("SS4A Safe Streets and Roads for All", k=10))


def test_invalid_file_keeps_the_previous_version_serving(built, embedder):
    f = next(built.data_dir.rglob("20.939.yaml"))
    f.write_text("id: [broken")
    report = refresh(built, embedder=embedder)
    assert not report.ok and "20.939.yaml" in report.skipped[0] and report.removed == []
    assert Finder(built).search("Tell me about SS4A", k=1)[0].aln == "20.939"


def test_readers_follow_the_switch_without_restart(built, embedder):
    finder = Finder(built)
    assert finder.search("SS4A", k=1)[0].aln == "20.939"
    next(built.data_dir.rglob("20.939.yaml")).unlink()
    refresh(built, embedder=embedder)
    assert all(h.aln != "20.939" for h in finder.search("SS4A", k=5))


def test_old_generations_are_pruned(built, embedder):
    store = Store(built, embedder)
    for word in ("alpha", "bravo", "charlie"):
        f = next(built.data_dir.rglob("97.047.yaml"))
        f.write_text(f.read_text().replace("keywords:\n", f"keywords:\n- {word}\n", 1))
        refresh(built, embedder=embedder)
    assert len(store.generations()) == 2


def test_second_writer_gets_a_clear_message(built, embedder):
    from filelock import FileLock

    with FileLock(str(built.index_dir / "ingest.lock")), \
            pytest.raises(IngestLockedError, match="another `finder ingest` is running"):
        refresh(built, embedder=embedder)


KILL_SCRIPT = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    from pathlib import Path
    from finder.settings import Settings
    from ingest.refresh import refresh
    s = Settings(data_dir=Path({data!r}), index_dir=Path({index!r}), notices_dir=Path({index!r}) / "none")
    def stall():
        print("forked", flush=True)
        time.sleep(60)
    refresh(s, after_fork=stall)
""")


def test_kill_9_midway_leaves_the_old_index_answering(built, embedder, tmp_path):
    finder = Finder(built)
    before = [h.id for h in finder.search("drinking water loans for a tribe", k=5)]
    f = next(built.data_dir.rglob("66.468.yaml"))
    f.write_text(f.read_text().replace("keywords:\n", "keywords:\n- changed\n", 1))
    next(built.data_dir.rglob("20.939.yaml")).unlink()
    script = KILL_SCRIPT.format(root=str(ROOT), data=str(built.data_dir), index=str(built.index_dir))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            env={**os.environ})
    assert proc.stdout is not None and proc.stdout.readline().strip() == "forked"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    fresh = Finder(built)
    assert [h.id for h in fresh.search("drinking water loans for a tribe", k=5)] == before
    assert fresh.search("SS4A", k=1)[0].aln == "20.939"
    report = refresh(built, embedder=embedder)  # the next run completes the change and clears the orphan
    assert report.removed == ["20.939"] and report.updated == ["66.468"]
    assert len(Store(built, embedder).generations()) == 2


def test_two_concurrent_ingests_do_not_corrupt_the_store(built, tmp_path):
    f = next(built.data_dir.rglob("66.958.yaml"))
    f.write_text(f.read_text().replace("keywords:\n", "keywords:\n- concurrent\n", 1))
    cmd = [sys.executable, "-m", "ui", "ingest", "--data", str(built.data_dir), "--wait", "120"]
    env = {**os.environ, "FINDER_INDEX_DIR": str(built.index_dir), "FINDER_NOTICES_DIR": str(tmp_path / "none")}
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    summaries = sorted(o[0] for o in outs)
    assert "updated 1" in "".join(summaries) and "updated 0" in "".join(summaries)
    hits = Finder(built).search("concurrent", k=3)
    assert hits[0].id == "66.958"


def test_readers_keep_answering_during_a_refresh(built, embedder):
    import threading

    finder = Finder(built)
    errors: list[Exception] = []
    answers = []
    stop = threading.Event()

    def ask_loop():
        while not stop.is_set():
            try:
                answers.append(finder.search("bridge repair", k=3))
            except Exception as exc:  # pragma: no cover - the assertion reports it
                errors.append(exc)
            time.sleep(0.01)

    t = threading.Thread(target=ask_loop)
    t.start()
    for f in list(built.data_dir.rglob("*.yaml"))[:4]:
        f.write_text(f.read_text().replace("keywords:\n", "keywords:\n- during refresh\n", 1))
    during: list[int] = []

    def mid_refresh():  # the new generation exists but is not switched in yet
        start = len(answers)
        deadline = time.monotonic() + 30
        while len(answers) < start + 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        during.append(len(answers) - start)

    refresh(built, embedder=embedder, after_fork=mid_refresh)
    stop.set()
    t.join()
    assert errors == [] and during[0] >= 5 and all(answers)
