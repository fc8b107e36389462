"""Hostile and broken files are skipped with a one-line error naming the file and the cap, and the index
that was serving keeps answering the same questions; files that are read cost little and show nothing."""

import json
import shutil
import subprocess
import sys
import time

import pytest

from benchmarks import hostile_files as hf
from finder.engine import Finder
from finder.errors import RecordError
from ingest.refresh import refresh
from ingest.sources import grants_gov
from ingest.sources.limits import Limits
from tests.conftest import FIXTURES, copy_catalog, make_settings

QUESTIONS = ["Tell me about SS4A", "drinking water loans for a small town"]
EXPECTED = {
    "zip bomb": "over the 200:1 cap (FINDER_MAX_ZIP_RATIO)",
    "billion laughs": "declares a DTD or entities",
    "XXE": "declares a DTD or entities",
    "oversized field": "over the 256 KB field cap (FINDER_MAX_FIELD_KB)",
    "encrypted zip": "encrypted",
    "truncated zip": "not a readable zip",
    "million-item JSON": "over the item cap (FINDER_MAX_ITEMS)",
    "record of 3 million fields": "over the field-count cap (FINDER_MAX_FIELDS)",
    "JSON nested 200,000 deep": "nested deeper than 32 levels",
}
SMALLER = {"zip bomb": 256, "record of 3 million fields": 5_000, "million-item JSON": 1_000_000}


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):
    tmp = tmp_path_factory.mktemp("hostile")
    settings = make_settings(tmp, copy_catalog(tmp / "data", ["20.939", "66.468", "10.760", "66.458"]))
    (tmp / "notices").mkdir()
    refresh(settings, embedder=embedder)
    finder = Finder(settings)
    finder.index.embedder = embedder
    return settings, finder, {q: [h.id for h in finder.search(q, k=3)] for q in QUESTIONS}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_hostile_notice_file_is_skipped_and_the_index_keeps_answering(served, embedder, kind):
    settings, finder, before = served
    make = hf.NOTICE_FILES[kind]
    path = make(settings.notices_dir, SMALLER[kind]) if kind in SMALLER else make(settings.notices_dir)
    try:
        report = refresh(settings, embedder=embedder)
        lines = [s for s in report.skipped if EXPECTED[kind] in s]
        assert len(lines) == 1 and path.name in lines[0] and "\n" not in lines[0]
        assert len(report.skipped) <= 52  # at most 50 record problems listed, one count line, the file's line
        assert {q: [h.id for h in finder.search(q, k=3)] for q in QUESTIONS} == before
        assert (settings.index_dir / "CURRENT.json").stat().st_size < 1024  # reports never go in the pointer
    finally:
        path.unlink()


def test_yaml_alias_bomb_is_refused_and_nothing_already_indexed_is_lost(served, embedder):
    settings, finder, before = served
    bomb = hf.yaml_alias_bomb(settings.data_dir)
    try:
        report = refresh(settings, embedder=embedder)
        assert any("99.999.yaml" in s and "anchors and aliases are not allowed" in s for s in report.skipped)
        assert {q: [h.id for h in finder.search(q, k=3)] for q in QUESTIONS} == before
    finally:
        bomb.unlink()


def test_oversized_json_and_catalog_record_name_their_cap(tmp_path):
    big = tmp_path / "search2.json"
    big.write_text('{"data": {"oppHits": []}, "pad": "' + "x" * 2_000_000 + '"}')
    with pytest.raises(RecordError, match=r"over the 1 MB cap \(FINDER_MAX_JSON_MB\)"):
        list(grants_gov.read(big, limits=Limits(json_bytes=1 << 20)))
    record = next(copy_catalog(tmp_path / "d", ["20.939"]).rglob("20.939.yaml"))
    from finder.catalog.model import read_record

    with pytest.raises(RecordError, match="over the 1 KB cap"):
        read_record(record, max_bytes=1024)


def test_extract_over_the_file_cap_stops_streaming(tmp_path):
    src = tmp_path / "extract.xml"
    shutil.copy(FIXTURES / "extract_small.xml", src)
    with pytest.raises(RecordError, match=r"FINDER_MAX_EXTRACT_MB"):
        list(grants_gov.read(src, limits=Limits(file_bytes=1000)))


def test_a_million_item_json_is_read_in_bounded_memory(tmp_path):
    path = hf.million_items(tmp_path)
    out = subprocess.run([sys.executable, "-m", "benchmarks.hostile", "million-item JSON", str(path)],
                         capture_output=True, text=True, timeout=300, check=True)
    row = json.loads(out.stdout.strip().splitlines()[-1])
    assert row["rejected"] and "FINDER_MAX_ITEMS" in row["error"]
    assert row["above_mb"] < 100 and row["errors_kept"] <= 51


def test_a_notice_of_60000_lt_answers_in_well_under_a_second(served, embedder):
    settings, finder, before = served
    path = hf.markup_flood(settings.notices_dir)
    try:
        report = refresh(settings, embedder=embedder)
        assert report.notices_added == 1 and not report.skipped
        question = "Tell me about the Drinking Water State Revolving Fund"
        finder.ask(question)  # the new snapshot loads here
        started = time.perf_counter()
        answer = finder.ask(question)
        assert time.perf_counter() - started < 0.5
        assert answer.shown[0].aln == "66.468" and "<<" not in answer.text
        from ui.browse import browse, detail

        started = time.perf_counter()
        browse(finder)
        detail(finder, "66.468")
        assert time.perf_counter() - started < 0.5
    finally:
        path.unlink()
        refresh(settings, embedder=embedder)
