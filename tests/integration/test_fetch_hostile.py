"""`finder fetch-notices` against a hostile stand-in for Grants.gov: a deadline that holds, redirects only within
the host, answers over a cap or in a bad shape refused, an empty answer never replacing good notices. Every
failure is one line, and the index that was serving answers as before."""

import json
import time

import pytest
from click.testing import CliRunner

from benchmarks import hostile_files as hf
from finder.answering.conversation import Profile
from ingest.fetch import FetchError, fetch_and_refresh
from ingest.refresh import refresh
from tests.conftest import fetch_env, free_port
from ui.cli import main

IDS = ["20.933", "10.760", "66.468", "20.939"]


@pytest.fixture
def env(tmp_path, embedder, gov):
    return fetch_env(tmp_path, embedder, gov, IDS, fetch_retries=1, fetch_read_timeout=2.0)


def answers(finder):
    return {q: finder.ask(q, Profile()).text for q in ("What closes in the next 60 days?", "Tell me about SS4A")}


def fails_in_one_line(settings, finder, method, message):
    before = answers(finder)
    with pytest.raises(FetchError) as err:
        fetch_and_refresh(settings, method=method)
    assert message in str(err.value) and "\n" not in str(err.value) and "Traceback" not in str(err.value)
    assert answers(finder) == before
    return str(err.value)


def test_the_deadline_holds_against_a_server_sending_a_byte_a_second(env, gov):
    settings, finder = env
    settings = settings.model_copy(update={"fetch_deadline": 3.0})
    gov.always["extract"] = {"trickle": 0.5}
    started = time.monotonic()
    fails_in_one_line(settings, finder, "extract", "deadline (FINDER_FETCH_DEADLINE)")
    assert time.monotonic() - started < 6  # 3 s deadline, reads never wait past it


@pytest.mark.parametrize("location, message", [
    ("http://127.0.0.1:{other}/extract/x.zip", "only redirects within 127.0.0.1"),  # another port: the app's own
    ("https://evil.example/x.zip", "only redirects within 127.0.0.1"),
    ("file:///etc/passwd", "only redirects within 127.0.0.1"),
    ("/extract/GrantsDBExtract{date}v2.zip", "redirected more than 5 times"),  # a loop
])
def test_redirects_leave_neither_the_host_nor_the_scheme(env, gov, location, message):
    settings, finder = env
    target = location.format(other=free_port(), date="20261128")
    gov.always["extract"] = {"status": 302, "headers": {"Location": target}}
    fails_in_one_line(settings, finder, "extract", message)


def test_a_redirect_within_the_host_is_followed(env, gov):
    settings, finder = env
    gov.faults["extract"] = [{"status": 302, "headers": {"Location": "/extract/moved.zip"}}]
    fetched, _ = fetch_and_refresh(settings, method="extract")
    assert fetched.kept >= 2 and gov.hits["extract"] == 2


@pytest.mark.parametrize("body, message", [
    (b'{"errorcode": 0, "data": {"oppHits": {"id": "1"}}}', "'oppHits' must be a list"),
    (b'{"errorcode": 0, "data": 7}', "'data' must be an object"),
    (b"[1, 2, 3]", "expected an object with a 'data' object"),
    (b'{"data": {"oppHits": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}", "nested deeper than 32 levels"),
    (b'{"data": {"oppHits": [' + b",".join([b'{"id": "1"}'] * 6000) + b"]}}", "over the hit cap"),
    (b"", "truncated or malformed JSON"),
    (b'{"data": {"oppHits": [{"id": "1"', "truncated or malformed JSON"),
])
def test_a_search_answer_in_a_bad_shape_or_over_a_cap_is_one_line(env, gov, body, message):
    settings, finder = env
    gov.always["search2"] = {"body": body}
    fails_in_one_line(settings, finder, "api", message)


def test_an_empty_answer_never_replaces_good_notices(env, gov):
    settings, finder = env
    fetch_and_refresh(settings, method="api")
    saved = (settings.notices_dir / "grants-gov-api.json").read_bytes()
    gov.always["search2"] = {"body": b'{"errorcode": 0, "msg": "ok", "data": {"hitCount": 0, "oppHits": []}}'}
    fails_in_one_line(settings, finder, "api", "no notices joined to the catalog")
    assert (settings.notices_dir / "grants-gov-api.json").read_bytes() == saved


def test_a_hostile_notice_id_is_never_fetched_or_shown(env, gov):
    settings, finder = env
    gov.search["data"]["oppHits"][0]["id"] = "1)![t](https://evil.example/t.png)"
    with pytest.raises(FetchError, match="no notices"):
        fetch_and_refresh(settings, method="api")
    assert gov.hits["fetchOpportunity"] == 0


def test_the_cli_gives_one_line_and_exit_2_for_a_hostile_answer(env, gov, monkeypatch):
    settings, _ = env
    for key, value in {"FINDER_DATA_DIR": settings.data_dir, "FINDER_INDEX_DIR": settings.index_dir,
                       "FINDER_NOTICES_DIR": settings.notices_dir,
                       "FINDER_GRANTS_GOV_API_URL": settings.grants_gov_api_url,
                       "FINDER_FETCH_BACKOFF": "0.01", "FINDER_FETCH_RETRIES": "1"}.items():
        monkeypatch.setenv(key, str(value))
    gov.always["search2"] = {"body": b'{"data": {"oppHits": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}"}
    r = CliRunner().invoke(main, ["fetch-notices"])
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "nested deeper" in r.output


def test_unknown_and_hostile_entries_in_the_notices_folder_do_not_stop_a_refresh(env, embedder):
    settings, finder = env
    before = answers(finder)
    folder = settings.notices_dir
    hf.deep_json(folder)
    (folder / "README.txt").write_text("notes")
    (folder / "old.json").mkdir()
    (folder / "old.json" / "nested.json").write_text(json.dumps({"data": {}}))
    report = refresh(settings, embedder=embedder)
    assert any("deep.json" in s and "nested deeper" in s for s in report.skipped)
    assert any("README.txt" in n and "old.json/" in n for n in report.notes)
    assert answers(finder) == before
