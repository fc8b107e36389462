"""The Gradio app: plain functions directly, then the served app through gradio_client."""


import pytest
from pydantic import SecretStr

from finder.answering.html import card
from finder.answering.types import Hit
from finder.engine import Finder
from tests.conftest import free_port
from ui import admin, feedback
from ui import app as ui_app
from ui import browse as browse_tab


@pytest.fixture(scope="module")
def finder(small_index):
    return Finder(small_index)


def run_turn(finder, message, applicant="", conv=None):
    *_, last = ui_app.respond(finder, message, [], applicant, "", None, conv)
    return last


def test_respond_streams_then_ends_with_cards(finder):
    steps = list(ui_app.respond(finder, "Tell me about SS4A", [], "city", "", 20000, None))
    assert len(steps) >= 2
    history, cards, conv, cleared = steps[-1]
    assert history[-1]["role"] == "assistant" and "Safe Streets" in history[-1]["content"]
    assert 'data-verdict="eligible"' in cards and "Answering for: a city, population 20,000" in cards
    assert cleared == "" and conv.last_ids[0] == "20.939"


def test_profile_changes_the_verdict(finder):
    _, city_cards, _, _ = run_turn(finder, "Tell me about the Drinking Water State Revolving Fund", "city")
    _, state_cards, _, _ = run_turn(finder, "Tell me about the Drinking Water State Revolving Fund", "state")
    assert 'data-verdict="through_state"' in city_cards.split("</div></div>")[0]
    assert 'data-verdict="eligible"' in state_cards.split("</div></div>")[0]


def test_html_in_a_question_is_text(finder):
    history, cards, _, _ = run_turn(finder, "<img src=x onerror=alert(1)> bridges <script>alert(2)</script>")
    assert "<script>" not in cards and "<img" not in cards


def test_html_in_a_catalog_field_is_escaped(finder):
    op = next(iter(finder.index.snapshot().programs.values()))
    evil = op.model_copy(update={"title": "<script>alert('x')</script>Evil", "popular_name": "<b>X</b>"})
    html = card(Hit(evil, 1.0, None))
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>X</b>" not in html


def test_empty_and_huge_questions_do_not_raise(finder):
    history, *_ = run_turn(finder, "")
    assert "type a question" in history[-1]["content"]
    history, *_ = run_turn(finder, "x" * 10_000)
    assert "too long" in history[-1]["content"]


def test_admin_password_checks(small_index):
    assert not admin.check_password(small_index, "anything")  # unset: admin disabled
    s = small_index.model_copy(update={"admin_password": SecretStr("s3cret")})
    assert admin.check_password(s, "s3cret") and not ui_app.check_password(s, "wrong")


def test_refresh_refuses_without_login(finder, small_index):
    import gradio as gr

    with pytest.raises(gr.Error):
        next(admin.run_refresh(small_index, finder, False))


def test_browse_filters_and_csv_export(finder, tmp_path):
    rows = browse_tab.browse(finder, sector="water")
    assert rows and all("water" in r[4] for r in rows)
    bil = browse_tab.browse(finder, bil_only=True)
    assert all(r[7] == "yes" for r in bil)
    path = browse_tab.export_csv(rows)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    assert text.splitlines()[0].startswith("ALN,Program") and len(text.splitlines()) == len(rows) + 1


def test_feedback_is_stored_and_readable(tmp_path):
    feedback.record(tmp_path, question="q", answer="a", liked=False, reason="outdated", cited=["20.939"])
    assert feedback.read_all(tmp_path)[0]["reason"] == "outdated"



def test_served_app_answers_through_gradio_client(small_index, finder):
    from gradio_client import Client

    settings = small_index.model_copy(update={"port": free_port()})
    demo = ui_app.build_app(settings, finder)
    ui_app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{settings.port}/", verbose=False)
        history, cards, *_ = client.predict("Tell me about SS4A", [], "city", "", None, api_name="/ask")
        content = history[-1]["content"]
        text = content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)
        assert "Safe Streets and Roads for All" in text
        assert "sam.gov" in cards and "Eligible" in cards
    finally:
        demo.close()


def test_browse_row_opens_the_program_detail(finder):
    text = browse_tab.detail(finder, "20.939")
    assert "Safe Streets and Roads for All" in text and "Open, closes 2026-12-20" in text
    assert browse_tab.detail(finder, "00.000") == ""
