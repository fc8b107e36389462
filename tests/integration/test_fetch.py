"""`finder fetch-notices` against a local Grants.gov stand-in: good fetches feed deadline answers; every
failure is one clear line, exit code 2, and the previous index answers exactly as before."""

import pytest
from click.testing import CliRunner

from finder.answering.conversation import Profile
from ingest.fetch import FetchError, fetch_and_refresh
from tests.conftest import fetch_env, free_port
from tests.grants_gov_server import ForwardProxy
from ui.cli import main

IDS = ["20.933", "10.760", "66.468", "20.939", "66.458", "97.047"]
WINDOW = "What closes in the next 60 days?"


@pytest.fixture
def env(tmp_path, embedder, gov):
    return fetch_env(tmp_path, embedder, gov, IDS, fetch_read_timeout=1.0)


def answers(finder):
    return {q: finder.ask(q, Profile()).text for q in (WINDOW, "Tell me about SS4A")}


def test_api_fetch_then_deadline_question_lists_the_fetched_notice(env, gov):
    settings, finder = env
    assert finder.ask(WINDOW).text.startswith("No Grants.gov notices are loaded yet")
    water = finder.ask("What water grants close in the next 60 days?")
    assert water.text.startswith("No Grants.gov notices are loaded") and "66.468" in {h.id for h in water.shown}
    fetched, report = fetch_and_refresh(settings, method="api")
    assert fetched.kept == 1 and report.notices_added == 1
    a = finder.ask(WINDOW)
    assert [h.aln for h in a.shown] == ["20.933"] and "Open, closes 13 January 2027" in a.text
    assert gov.hits["search2"] == len(IDS) + 1 and gov.hits["fetchOpportunity"] == 1


def test_extract_fetch_keeps_only_catalog_notices(env, gov):
    settings, finder = env
    fetched, _ = fetch_and_refresh(settings, method="extract")
    alns = {h.aln for h in finder.ask(WINDOW).hits}
    assert fetched.kept >= 2 and "10.760" in alns and alns <= set(IDS) | {"20.205"}


@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 429, "headers": {"Retry-After": "0"}},
                                   {"status": 503}])
def test_busy_or_failing_server_is_retried(env, gov, fault):
    settings, finder = env
    gov.faults["extract"] = [fault, dict(fault)]
    fetched, _ = fetch_and_refresh(settings, method="extract")
    assert fetched.kept >= 2 and gov.hits["extract"] == 3


@pytest.mark.parametrize("method, key, fault, message", [
    ("extract", "extract", {"truncate": True}, "truncated or not a zip"),
    ("extract", "extract", {"delay": 3}, "did not answer within 1s"),
    ("api", "search2", {"status": 404}, "HTTP 404"),
    ("api", "fetchOpportunity", {"truncate": True}, "truncated or malformed JSON"),
])
def test_each_failure_is_one_line_and_the_old_index_answers_the_same(env, gov, method, key, fault, message):
    settings, finder = env
    before = answers(finder)
    gov.faults[key] = [fault] * 6
    with pytest.raises(FetchError, match=message):
        fetch_and_refresh(settings, method=method)
    assert answers(finder) == before
    assert not (settings.notices_dir / "grants-gov-extract.xml").exists()


def test_all_retries_failing_names_the_status(env, gov):
    settings, _ = env
    gov.faults["extract"] = [{"status": 502}] * 10
    with pytest.raises(FetchError, match=r"HTTP 502 .* after 5 tries"):
        fetch_and_refresh(settings, method="extract")


def test_proxy_is_honoured_and_a_refusing_proxy_is_named(env, gov, monkeypatch):
    settings, finder = env
    proxy = ForwardProxy()
    try:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        fetched, _ = fetch_and_refresh(settings, method="extract")
        assert fetched.kept >= 2 and proxy.forwarded == 1
    finally:
        proxy.close()
    before = answers(finder)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(FetchError, match="proxy"):
        fetch_and_refresh(settings, method="extract")
    assert answers(finder) == before


def test_cli_failure_is_exit_2_with_one_line(env, gov, monkeypatch):
    settings, _ = env
    for key, value in {"FINDER_DATA_DIR": settings.data_dir, "FINDER_INDEX_DIR": settings.index_dir,
                       "FINDER_NOTICES_DIR": settings.notices_dir,
                       "FINDER_GRANTS_GOV_EXTRACT_URL": settings.grants_gov_extract_url,
                       "FINDER_FETCH_BACKOFF": "0.01", "FINDER_FETCH_RETRIES": "1"}.items():
        monkeypatch.setenv(key, str(value))
    gov.faults["extract"] = [{"status": 500}] * 3
    r = CliRunner().invoke(main, ["fetch-notices", "--via", "extract"])
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "HTTP 500" in r.output
