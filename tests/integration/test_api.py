"""The JSON API (`POST /api/ask`, `GET /api/programs/{id}`) on a served app: the chat's answers, the chat's guards."""

from __future__ import annotations

import concurrent.futures
import time

import httpx
import pytest

from finder.answering.conversation import Profile
from finder.catalog.vocab import Applicant
from finder.engine import Finder
from tests.conftest import free_port
from ui import app as ui_app


@pytest.fixture(scope="module")
def served(small_index, tmp_path_factory):
    settings = small_index.model_copy(update={"port": free_port(), "queue_per_client": 2, "max_request_kb": 4,
                                              "cache_dir": tmp_path_factory.mktemp("cache")})
    finder = Finder(settings)
    demo = ui_app.build_app(settings, finder)
    ui_app.launch(demo, settings, prevent_thread_lock=True)
    with httpx.Client(base_url=f"http://127.0.0.1:{settings.port}", timeout=30) as client:
        yield client, finder
    demo.close(verbose=False)


def test_ask_answers_like_the_chat_with_programs_as_data(served):
    client, finder = served
    r = client.post("/api/ask", json={"question": "Tell me about SS4A", "applicant": "city", "state": "OH",
                                      "population": "20k"})
    assert r.status_code == 200, r.text
    body = r.json()
    expected = finder.ask("Tell me about SS4A", Profile(Applicant.CITY, "OH", 20_000), use_llm=False)
    assert body["answer"] == expected.text and body["refused"] is None
    assert body["programs"][0]["id"] == "20.939" and body["programs"][0]["verdict"] == "eligible"
    assert "20,000" in body["answering_for"] and "<" not in r.text.replace("<=", "")


def test_ask_refusals_are_answers_not_errors(served):
    client, _ = served
    body = client.post("/api/ask", json={"question": "Help me pay my rent"}).json()
    assert body["refused"] == "personal" and body["programs"] == []


@pytest.mark.parametrize(("body", "status", "says"), [
    ({"question": ""}, 400, "The question is empty"),
    ({"question": "bridge " * 60}, 400, "the limit is 300"),
    ({"question": "bridges", "applicant": "<b>wizard</b>"}, 400, "Unknown applicant type"),
    ({"question": "bridges", "state": "ZZ"}, 400, "two-letter USPS code"),
    ({"question": "bridges", "population": "lots"}, 400, "as a population"),
    ({"question": "bridges", "history": []}, 400, "Unknown field"),
    (["bridges"], 400, "Send a JSON object"),
])
def test_bad_input_is_a_400_that_says_what_to_send(served, body, status, says):
    client, _ = served
    r = client.post("/api/ask", json=body)
    assert r.status_code == status and says in r.json()["error"]
    assert "<b>" not in r.text  # the caller's text is echoed escaped


def test_a_body_that_is_not_json_or_is_too_large_is_refused(served):
    client, _ = served
    r = client.post("/api/ask", content=b"question=bridges", headers={"content-type": "text/plain"})
    assert r.status_code == 400 and "not JSON" in r.json()["error"]
    r = client.post("/api/ask", json={"question": "x" * 5000})
    assert r.status_code == 413  # the guard, before the body is read


def test_program_by_id_with_a_verdict_and_unknown_ids_are_404(served):
    client, _ = served
    r = client.get("/api/programs/20.939", params={"applicant": "county", "state": "TX"})
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == "20.939" and body["verdict"] == "eligible" and "What it funds" in body["details"]
    r = client.get("/api/programs/99.999-<script>")
    assert r.status_code == 404 and "No program with id" in r.json()["error"] and "<script>" not in r.text
    many = client.get("/api/programs/20.205")
    assert many.status_code in (200, 404)
    if many.status_code == 404:
        assert "use one id" in many.json()["error"]
    assert client.get("/api/programs/20.939", params={"state": "XX"}).status_code == 400


def test_one_client_gets_only_its_share_in_flight(served, monkeypatch):
    client, finder = served
    slow_ask = finder.ask

    def ask(*args, **kwargs):
        time.sleep(1.5)
        return slow_ask(*args, **kwargs)

    monkeypatch.setattr(finder, "ask", ask)
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        codes = list(pool.map(lambda _: client.post("/api/ask", json={"question": "bridge grants"}).status_code,
                              range(5)))
    assert codes.count(200) >= 2 and codes.count(429) >= 1 and set(codes) <= {200, 429}
