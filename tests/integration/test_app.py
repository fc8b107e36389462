"""The Gradio app: plain functions directly, then the served app through gradio_client."""

import json
import logging
import re

import pytest
from pydantic import SecretStr

from finder.answering.html import card
from finder.answering.types import Hit
from finder.engine import Finder
from tests.conftest import free_port
from ui import admin, chat, feedback
from ui import app as ui_app
from ui import browse as browse_tab
from ui.login import LoginGuard
from ui.session import ChatSession, echo, parse_population


@pytest.fixture(scope="module")
def finder(small_index):
    return Finder(small_index)


def turn(finder, message, applicant="", session=None, state="", population=None):
    return chat.respond(finder, session, message, applicant, state, population)


def test_answer_cards_and_answering_for_match_what_was_used(finder):
    messages, cards, session, note, cleared = turn(finder, "Tell me about SS4A", "city", population="20k")
    assert messages[-1]["role"] == "assistant" and "Safe Streets" in messages[-1]["content"]
    assert "Answering for: a city, population 20,000" in messages[-1]["content"]
    assert 'data-verdict="eligible"' in cards and 'data-for="a city, population 20,000"' in cards
    assert "Answering for" not in cards  # said once, in the chat message
    assert cleared == "" and note == "" and session.conversation.last_ids[0] == "20.939"
    messages, cards, *_ = turn(finder, "Can a county apply for BRIC?", "city", session)
    assert "Answering for: a county" in messages[-1]["content"]  # the question's own words won for this turn
    assert len(messages) == 4 and 'role="status"' in cards


def test_one_click_adopts_what_the_last_answer_used(finder):
    _, _, session, *_ = turn(finder, "We're a county of 30,000 in Ohio. Can we get EECBG directly?", "city")
    assert chat.adopt_profile(session) == ("county", "OH", "30,000", "Profile updated from the last answer.")
    assert chat.adopt_profile(ChatSession())[0] == ""


def test_chat_text_and_cards_do_not_repeat_program_details(finder):
    messages, cards, *_ = turn(finder, "drinking water loans for a small town", "city")
    text = messages[-1]["content"]
    for detail in ("Pays for:", "Who applies:", "What it funds:", "FY20"):
        assert detail not in text
    assert "Pays for" in cards and "Who applies" not in cards  # the verdict's reason says who applies
    assert "Your state's office" not in cards and "ALN " not in cards  # the chat line has them
    _, anyone, *_ = turn(finder, "drinking water loans")
    assert "Who applies" in anyone  # with no applicant type there is no reason to say it


def test_cards_give_the_askers_share_in_plain_words(finder):
    _, cards, *_ = turn(finder, "Tell me about SS4A", "city")
    assert "Your share:</span> you pay at least 20%" in cards
    _, cards, *_ = turn(finder, "Tell me about the Drinking Water State Revolving Fund", "city", state="TX")
    first = cards.split("</article>")[0]
    assert "Your share:</span> set by the Texas Water Development Board" in first


def test_population_and_state_inputs():
    assert parse_population("12k") == (12000, None) and parse_population("12,000") == (12000, None)
    value, problem = parse_population("twelve thousand-ish")
    assert value is None and "couldn't read" in problem


def test_user_text_is_echoed_as_escaped_text_and_cut():
    assert echo("![x](http://evil.example/a.png) [click](http://e)") == \
        r"\!\[x\]\(http\://evil\.example/a\.png\) \[click\]\(http\://e\)"
    assert len(echo("a" * 5000)) <= 301


def test_profile_changes_the_verdict(finder):
    _, city_cards, *_ = turn(finder, "Tell me about the Drinking Water State Revolving Fund", "city")
    _, state_cards, *_ = turn(finder, "Tell me about the Drinking Water State Revolving Fund", "state")
    assert 'data-verdict="through_state"' in city_cards.split("</article>")[0]
    assert 'data-verdict="eligible"' in state_cards.split("</article>")[0]


def test_html_in_a_question_and_a_catalog_field_is_text(finder):
    messages, cards, *_ = turn(finder, "<img src=x onerror=alert(1)> bridges <script>alert(2)</script>")
    assert "<script>" not in cards and "<img" not in cards and "<img" not in messages[0]["content"]
    op = next(iter(finder.index.snapshot().programs.values()))
    evil = op.model_copy(update={"title": "<script>alert('x')</script>Evil", "popular_name": "<b>X</b>"})
    html = card(Hit(evil, 1.0, None))
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>X</b>" not in html


def test_one_rating_is_one_plain_row_with_its_own_reason_and_unclick_retracts(finder, small_index, tmp_path):
    f = Finder(small_index.model_copy(update={"index_dir": small_index.index_dir}))
    f.settings = small_index.model_copy(update={"index_dir": tmp_path})
    f.index = finder.index
    _, _, session, *_ = turn(f, "Tell me about SS4A", "city")
    assert "saved" in chat.rate(f, session, 1, True)
    assert chat.add_reason(f, session, "outdated") == "Reason saved with your rating."
    rows = feedback.read_all(tmp_path)
    assert len(rows) == 1 and rows[0]["reason"] == "outdated" and rows[0]["question"] == "Tell me about SS4A"
    assert rows[0]["shown"][0] == "20.939" and rows[0]["profile"].startswith("a city") and rows[0]["generation"]
    assert "removed" in chat.rate(f, session, 1, True)
    assert feedback.read_all(tmp_path) == []
    chat.rate(f, session, 1, False)
    assert chat.add_reason(f, session, "") == "Rate an answer first, then pick a reason."
    assert [r["reason"] for r in feedback.read_all(tmp_path)] == [""]
    assert "not an answer" in chat.rate(f, ChatSession(), 1, True)  # another session's message


def test_a_rating_the_store_cannot_take_is_a_plain_apology(finder, small_index, tmp_path):
    from finder import database

    f = Finder(small_index)
    f.settings = small_index.model_copy(update={"index_dir": tmp_path,
                                                "database_url": "sqlite:////proc/no-such-folder/finder.db"})
    f.index = finder.index
    database.configure(f.settings)
    _, _, session, *_ = turn(f, "Tell me about SS4A", "city")
    assert chat.rate(f, session, 1, True) == "Sorry, your rating could not be saved just now; please try again later."


def test_shortlist_exports_csv_and_brief(finder, tmp_path):
    import csv
    import datetime as dt

    _, _, session, *_ = turn(finder, "Tell me about SS4A", "city", state="OH", population="20k")
    saved = chat.save_picks(finder, session, [], ["20.939"])
    assert saved == [{"id": "20.939", "applicant": "city", "state": "OH", "population": 20000}]
    csv_path, brief = chat.export_shortlist(finder, saved, session, tmp_path, today=dt.date(2026, 12, 3))
    assert csv_path.name == "funding-shortlist-2026-12-03.csv" and brief.name == "funding-shortlist-2026-12-03.html"
    row = next(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert row["Program"].startswith("Safe Streets and Roads for All") and row["Can we apply?"] == "Eligible"
    assert row["Verdict for"] == "a city, population 20,000, Ohio"
    assert row["Your share of the cost"].startswith("you pay at least 20%") and row["Program page"].startswith("https")
    html = brief.read_text()
    assert "<h1>Federal funding shortlist</h1>" in html and "Prepared 3 Dec 2026" in html
    assert "Verdicts are for a city, population 20,000, Ohio" in html
    assert re.search(r"index refreshed \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC", html)  # not an ISO time


def test_shortlist_names_the_state_office_and_keeps_each_askers_verdict(finder, tmp_path):
    import csv

    _, _, session, *_ = turn(finder, "Tell me about the Drinking Water State Revolving Fund", "city", state="TX")
    saved = chat.save_picks(finder, session, [], ["66.468"])
    _, _, session, *_ = turn(finder, "Tell me about the Drinking Water State Revolving Fund", "state", session)
    assert chat.shortlist_rows(finder, saved, session)[0]["Can we apply?"].startswith("Not directly")  # as saved
    row = next(csv.DictReader(chat.export_shortlist(finder, saved, session, tmp_path)[0].open(encoding="utf-8")))
    assert row["State office"] == "Texas Water Development Board" and row["State office link"].startswith("https")
    assert row["Your share of the cost"].startswith("set by the Texas Water Development Board")


def test_shortlist_edits_and_checks_what_the_browser_sends(finder):
    _, _, session, *_ = turn(finder, "drinking water loans", "city")
    shown = [h.id for h in session.turns[-1].answer.shown]
    saved = chat.save_picks(finder, session, [], shown[:3])
    assert [e["id"] for e in saved] == shown[:3]
    saved = chat.save_picks(finder, session, saved, shown[:1])  # unticking removes
    assert [e["id"] for e in saved] == shown[:1]
    assert chat.remove_from_shortlist(finder, saved, []) == []
    forged = [{"id": "20.939", "applicant": "king", "state": "ZZ", "population": -5}, {"id": "nope"}, 7, "20.939"]
    assert chat.keep_shortlist(finder, forged) == [{"id": "20.939", "applicant": "", "state": "", "population": None}]
    labels = chat.shortlist_view(finder, saved)
    assert labels[0][1] == shown[0] and "(for a city)" in labels[0][0]


def test_login_slows_down_per_client_and_per_account_and_binds_and_expires(small_index, caplog, tmp_path):
    now = [1000.0]
    s = small_index.model_copy(update={"admin_password": SecretStr("s3cret"), "admin_lockout_seconds": 60,
                                       "database_url": f"sqlite:///{tmp_path}/store.db",
                                       "admin_idle_minutes": 1, "admin_account_delay_seconds": 4})
    guard = LoginGuard(s, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="ui.login"):
        for _ in range(10):
            token, _ = guard.login("wrong", "10.0.0.9", "ua")
        assert token is None and "locked for client 10.0.0.9" in caplog.text and "the admin account" in caplog.text
    assert "Try again in 1 s" in guard.login("s3cret", "10.0.0.9", "ua")[1]  # waiting: not even read
    assert guard.login("s3cret", "10.0.0.8", "ua")[0] is None  # everyone waits a moment after ten wrong ...
    now[0] += 1.5
    assert guard.login("s3cret", "10.0.0.8", "ua")[0] is not None  # ... but only a moment: no lock-out
    for _ in range(3):
        assert guard.login("wrong", "10.0.0.9", "ua")[1] == "Wrong password."
        now[0] += 0.1
        assert "Try again" in guard.login("wrong", "10.0.0.9", "ua")[1]  # the client's wait doubles
        now[0] += 2 ** 4
    now[0] += 61
    token, _ = guard.login("s3cret", "10.0.0.9", "ua")
    assert token and guard.check(token, "10.0.0.9", "ua")
    assert not guard.check(token, "10.0.0.7", "ua") and not guard.check(token, "10.0.0.9", "other browser")
    now[0] += 61
    assert not guard.check(token, "10.0.0.9", "ua")  # expired after idle time
    token, _ = guard.login("s3cret", "10.0.0.9", "ua")
    guard.logout(token)
    assert not guard.check(token, "10.0.0.9", "ua")  # logged out
    assert LoginGuard(small_index).login("anything", "x", "y")[0] is None  # unset password: disabled


def test_refresh_refuses_without_login(finder, small_index):
    import gradio as gr

    with pytest.raises(gr.Error):
        next(admin.run_refresh(small_index, finder, False))


def test_browse_rows_are_readable_counted_and_exported(finder, tmp_path):
    rows, ids = browse_tab.browse(finder, sector="water", applicant="city", state="TX")
    assert rows and len(rows) == len(ids)
    assert all("_" not in r[5] and r[5] != "check" for r in rows)  # human labels, no raw codes
    assert any(r[1].startswith("Not directly") for r in rows)
    path = browse_tab.export_csv(rows, tmp_path)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    assert text.splitlines()[0].startswith("Program,Your verdict") and len(text.splitlines()) == len(rows) + 1


def test_browse_narrows_to_what_the_applicant_can_reach_and_to_live_programs(finder):
    everyone, _ = browse_tab.browse(finder)
    cities, ids = browse_tab.browse(finder, applicant="individual")
    assert 0 < len(cities) < len(everyone) and not [r for r in cities if r[1].lower().startswith("not eligible")]
    assert cities == browse_tab.browse(finder, applicant="individual", status="live")[0]
    every, _ = browse_tab.browse(finder, status="all")
    assert len(every) >= len(everyone) and all(r[2] in {"Ended", "Terminated", "Paused"}
                                               for r in browse_tab.browse(finder, status="inactive")[0])
    names = [r[0] for r in everyone]
    assert "SS4A: Safe Streets and Roads for All" in names or any(n.startswith("SS4A") for n in names)


def test_browse_sorts_from_a_control_the_keyboard_reaches(finder):
    by_name = [r[0].lower() for r in browse_tab.browse(finder, sort="name")[0]]
    assert by_name == sorted(by_name)
    verdicts = [r[1] for r in browse_tab.browse(finder, applicant="county", sort="verdict")[0]]
    assert verdicts.index("Eligible") < min(i for i, v in enumerate(verdicts) if v.startswith("Not directly"))
    alns = [r[4] for r in browse_tab.browse(finder, sort="aln")[0]]
    assert alns == sorted(alns) and alns != [r[4] for r in browse_tab.browse(finder)[0]]


def test_an_empty_browse_says_which_filter_emptied_it(finder):
    rows, _ = browse_tab.browse(finder, text="bridge", sector="water")
    assert rows == []
    why = browse_tab.why_empty(finder, text="bridge", sector="water")
    assert why.startswith("No programs match: without the search words") and "without the sector" in why


def test_browse_row_opens_the_program_detail(finder):
    text = browse_tab.detail(finder, "20.939", "city")
    assert "Safe Streets and Roads for All" in text and "Open, closes 20 December 2026" in text and "Eligible" in text
    assert browse_tab.detail(finder, "00.000") == ""


def test_served_app_answers_through_gradio_client(small_index, finder):
    from gradio_client import Client

    settings = small_index.model_copy(update={"port": free_port()})
    demo = ui_app.build_app(settings, finder)
    ui_app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{settings.port}/", verbose=False)
        result = client.predict("Tell me about SS4A", "city", "", "", api_name="/ask")
        text = json.dumps(result)
        assert "Safe Streets and Roads for All" in text and "Eligible" in text
    finally:
        demo.close()


def test_exports_of_an_ended_session_are_removed(small_index, finder):
    demo = ui_app.build_app(small_index, finder)
    folder = demo.finder_exports / "abc"
    folder.mkdir(parents=True)
    (folder / "shortlist-x.csv").write_text("x")
    unload = [fn for fn in demo.fns.values() if getattr(fn, "name", "") == "clear_exports"]
    assert len(unload) == 1  # registered as the session-end handler
    unload[0].fn(type("R", (), {"session_hash": "abc"})())
    assert not folder.exists()


def test_ratings_per_session_are_capped_even_when_the_mind_keeps_changing(finder, small_index, tmp_path):
    f = Finder(small_index)
    f.settings = small_index.model_copy(update={"index_dir": tmp_path, "max_ratings": 5})
    f.index = finder.index
    _, _, session, *_ = turn(f, "Tell me about SS4A", "city")
    notes = [chat.rate(f, session, 1, i % 2 == 0) for i in range(40)]
    assert sum("saved" in n for n in notes) == 5 and "stored its 5 ratings" in notes[-1]
    assert len(feedback.read_all(tmp_path)) <= 1  # each change of mind replaced the last row; a repeat un-clicks


def test_a_refresh_reports_each_stage_with_a_moving_clock(small_settings, embedder):
    f = Finder(small_settings)
    f.index.embedder = embedder
    lines = [progress for progress, _ in admin.run_refresh(small_settings, f, True)]
    assert lines[0] == "Refresh started…" and lines[-1] == "Done"
    assert any(line.startswith("Embedding: 0 of 25 (") and line.endswith(" s so far)…") for line in lines)
    assert any(line.startswith("Embedding: 25 of 25") for line in lines)


def test_the_admin_lists_the_statuses_due_for_a_recheck_oldest_first(finder):
    young = admin.stale_statuses(finder.settings.model_copy(update={"status_max_age_days": 100_000}), finder)
    assert "every program's status was checked" in young
    due = admin.stale_statuses(finder.settings.model_copy(update={"status_max_age_days": -100_000}), finder, shown=3)
    assert "program statuses are due for a recheck" in due and "finder validate --stale" in due
    rows = [line for line in due.splitlines() if re.match(r"\| \d\d\.\d{3}", line)]
    assert len(rows) == 3 and "more: run `finder validate --stale`" in due
    checked = [line.rsplit("|", 2)[-2].strip() for line in rows]
    assert checked == sorted(checked, key=lambda c: (c != "never", c))  # missing first, then the oldest
