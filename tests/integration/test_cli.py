"""The CLI through click's runner, against a real index built by `finder ingest`."""

import json

import pytest
from click.testing import CliRunner

from tests.conftest import SMALL, copy_catalog
from ui.cli import main


@pytest.fixture
def env(small_index, monkeypatch):
    for key, value in {"FINDER_DATA_DIR": small_index.data_dir, "FINDER_INDEX_DIR": small_index.index_dir,
                       "FINDER_NOTICES_DIR": small_index.notices_dir, "FINDER_TODAY": "2026-11-28"}.items():
        monkeypatch.setenv(key, str(value))
    return small_index


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_search_json_shape_and_ss4a_first(env):
    r = run("search", "Tell me about SS4A", "--applicant", "city", "-k", "5", "--json")
    assert r.exit_code == 0
    hits = json.loads(r.output)["hits"]
    assert set(hits[0]) == {"id", "aln", "title", "score", "verdict", "url"}
    assert hits[0]["aln"] == "20.939" and hits[0]["verdict"] == "eligible"
    assert hits[0]["url"].startswith("https://sam.gov/")


def test_ask_json_shape(env):
    r = run("ask", "Tell me about SS4A", "--json")
    body = json.loads(r.output)
    assert set(body) == {"answer", "hits", "refused"} and body["refused"] is False
    assert "Safe Streets and Roads for All" in body["answer"] and "https://sam.gov/" in body["answer"]


def test_ask_refuses_off_topic(env):
    body = json.loads(run("ask", "Who won the football game last night?", "--json").output)
    assert body["refused"] is True and body["hits"] == []


def test_unknown_applicant_is_a_usage_error(env):
    r = CliRunner().invoke(main, ["search", "bridges", "--applicant", "wizard"])
    assert r.exit_code == 2 and "wizard" in r.output


def test_validate_reports_file_and_field(tmp_path):
    data = copy_catalog(tmp_path / "d", ["20.939", "66.458"])
    bad = next(data.rglob("66.458.yaml"))
    bad.write_text(bad.read_text().replace("bil_funded: true", "bil_funded: maybe"))
    r = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert r.exit_code == 1
    assert "66.458.yaml record 66.458 field bil_funded" in r.output and "1 valid, 1 invalid" in r.output


def test_search_without_index_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("FINDER_INDEX_DIR", str(tmp_path / "none"))
    r = CliRunner().invoke(main, ["search", "bridges"])
    assert r.exit_code == 1 and "finder ingest" in r.output


def test_ingest_prints_summary_and_flags_skips(tmp_path, monkeypatch, embedder):
    data = copy_catalog(tmp_path / "d", SMALL[:4])
    (data / "transportation" / "broken.yaml").write_text("id: [oops")
    monkeypatch.setenv("FINDER_INDEX_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("FINDER_NOTICES_DIR", str(tmp_path / "none"))
    r = CliRunner().invoke(main, ["ingest", "--data", str(data)])
    assert r.exit_code == 2
    assert "added 4" in r.output and "skipped 1" in r.output and "broken.yaml" in r.output
    # not a terminal: progress as counts on stderr, from the start of the build to its end
    assert "ingest: reading catalog" in r.stderr and "ingest: embedding 4 records" in r.stderr
    assert "ingest: embedded 4/4" in r.stderr and "ingest: embedded" not in r.stdout


def test_help_has_examples():
    r = run("search", "-h")
    assert r.exit_code == 0 and "Example:" in r.output


def test_python_dash_m_finder_works():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "ui", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "ingest" in out.stdout and "eval" in out.stdout
