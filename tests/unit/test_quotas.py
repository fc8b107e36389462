"""Quotas that keep one client from growing the server: what a session remembers, how big the feedback
store gets, how many problems a file may list, and who a request is from."""

import json
import time

from finder.answering.types import Answer
from ingest.sources.limits import FileErrors, skipped_count
from ui import clients, feedback
from ui.middleware import content_length, is_deep_link
from ui.session import ECHO_LIMIT, MAX_TURNS, ChatSession


def test_a_session_keeps_the_300_characters_it_shows_and_its_last_turns():
    session = ChatSession()
    started = time.perf_counter()
    for i in range(300):
        session.add(f"{i} " + "x" * 1_000_000, Answer("lead"), "a city")
    assert time.perf_counter() - started < 5
    assert len(session.turns) == MAX_TURNS and session.turns[0].question.startswith("250 ")
    assert all(len(t.question) <= ECHO_LIMIT + 1 for t in session.turns)
    assert len(session.messages()) == 2 * MAX_TURNS


def test_feedback_keeps_the_newest_ratings_up_to_its_cap_and_the_export_holds_them(tmp_path):
    for i in range(40):
        feedback.record(tmp_path, question=f"q{i}", answer="a" * 200, liked=True, shown=[], profile="p",
                        generation="g", max_bytes=16_000)
    keep = 16_000 * (feedback.KEEP_ROTATED + 1) // feedback.ROW_BYTES
    rows = feedback.read_all(tmp_path)
    assert [r["question"] for r in rows] == [f"q{i}" for i in range(40 - keep, 40)]
    out = feedback.export(tmp_path, tmp_path / "exports")
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert out.name.startswith("feedback-export-") and exported == rows


def test_feedback_jsonl_of_an_older_version_is_imported_once(tmp_path):
    old = {"id": "a" * 32, "at": "2026-11-01T00:00:00+00:00", "liked": False, "reason": "outdated",
           "question": "q", "answer": "a", "shown": ["20.939"], "profile": "a city", "generation": "g1"}
    feedback.feedback_file(tmp_path).write_text(json.dumps(old) + "\nnot json\n")
    assert feedback.read_all(tmp_path) == [old]
    assert not feedback.feedback_file(tmp_path).exists()
    assert feedback.feedback_file(tmp_path).with_name("feedback.jsonl.imported").exists()
    feedback.retract(tmp_path, old["id"])
    assert feedback.read_all(tmp_path) == []


def test_a_file_lists_fifty_problems_then_counts_the_rest():
    lines: list[str] = []
    problems = FileErrors(lines, "x.json")
    for i in range(1_000_000):
        problems.add(lambda i=i: f"x.json record #{i}: bad")
    problems.close()
    problems.close()
    assert len(lines) == 51 and "999,950 more records skipped" in lines[-1]
    assert skipped_count(lines) == 1_000_000


def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    proxy = clients.parse_networks(["127.0.0.1", "10.0.0.0/8"])
    assert clients.client_address("127.0.0.1", ["6.6.6.6"], []) == "127.0.0.1"  # no proxy configured
    assert clients.client_address("203.0.113.5", ["6.6.6.6"], proxy) == "203.0.113.5"  # not our proxy
    assert clients.client_address("127.0.0.1", ["6.6.6.6, 198.51.100.7"], proxy) == "198.51.100.7"
    assert clients.client_address("127.0.0.1", ["6.6.6.6, 198.51.100.7, 10.1.2.3"], proxy) == "198.51.100.7"
    assert clients.client_address("127.0.0.1", ["not-an-ip"], proxy) == "127.0.0.1"


def test_deep_links_are_recognised_in_every_encoding():
    for path, query in [("/", "deep_link=x"), ("/", "deep%5Flink=x"), ("/", "deep%255Flink=x"), ("/", "DEEP-LINK=x"),
                        ("/gradio_api/deep_link", "session_hash=x"), ("/", "a=1&deep%5flink")]:
        assert is_deep_link(path, query), (path, query)
    assert not is_deep_link("/", "page=1")


def test_a_body_must_state_one_plain_length():
    def scope(*headers):
        return {"headers": [(k.encode(), v.encode()) for k, v in headers]}

    assert content_length(scope(("content-length", "12"))) == 12
    assert content_length(scope()) is None
    assert content_length(scope(("content-length", "12"), ("content-length", "13"))) is None
    assert content_length(scope(("content-length", "12"), ("transfer-encoding", "chunked"))) is None


def test_one_client_may_upload_twice_the_cap_in_ten_minutes():
    from finder.settings import Settings
    from ui.middleware import Guard

    guard = Guard(None, settings=Settings(max_upload_mb=1))  # type: ignore[arg-type]

    def upload(client: str, size: int):
        scope = {"type": "http", "method": "POST", "path": "/gradio_api/upload", "query_string": b"",
                 "client": (client, 1), "headers": [(b"content-length", str(size).encode())]}
        return guard.refusal(scope)

    assert upload("10.0.0.1", 900_000) is None and upload("10.0.0.1", 900_000) is None
    assert upload("10.0.0.1", 900_000)[0] == 429 and upload("10.0.0.2", 900_000) is None
    assert upload("10.0.0.3", 2 << 20)[0] == 413
