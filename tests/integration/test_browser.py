"""A real headless Chromium (Debian's /usr/bin/chromium) drives the served app through Playwright."""

import csv
import re
import shutil
from pathlib import Path

import pytest
from pydantic import SecretStr

from finder.engine import Finder
from tests.conftest import ROOT, SMALL, copy_catalog, free_port, make_settings
from tests.grants_gov_server import FakeGrantsGov
from ui import app as ui_app
from ui import feedback

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed "
                                 "(apt-get install chromium; .ci/run does this)")]
SETTINGS: list = []  # the served app's settings, for tests that read its files
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]



@pytest.fixture(scope="module")
def browser_index(small_index, tmp_path_factory, embedder):
    """The small slice plus a terminated program (11.032) and one a city cannot reach (11.029), for Browse."""
    from ingest.refresh import refresh

    tmp = tmp_path_factory.mktemp("browser")
    settings = make_settings(tmp, copy_catalog(tmp / "data", [*SMALL, "11.032", "11.029"]), today="2026-11-28")
    shutil.copytree(small_index.notices_dir, settings.notices_dir)
    refresh(settings, embedder=embedder)
    return settings


@pytest.fixture(scope="module")
def served(browser_index):
    gov = FakeGrantsGov()
    settings = browser_index.model_copy(update={"port": free_port(), "admin_password": SecretStr("letmein"),
                                                "grants_gov_api_url": f"{gov.url}/v1/api", "fetch_backoff": 0.01})
    demo = ui_app.build_app(settings, Finder(settings))
    ui_app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    SETTINGS.append(settings)
    yield f"http://127.0.0.1:{settings.port}/"
    demo.close()
    gov.close()


@pytest.fixture(scope="module")
def page(served):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
        external: list[str] = []
        context.on("request", lambda r: external.append(r.url) if not r.url.startswith(
            ("http://127.0.0.1", "data:", "blob:")) else None)
        pg = context.new_page()
        pg.goto(served)
        pg.wait_for_selector("#question textarea", timeout=60_000)
        pg.external_requests = external  # type: ignore[attr-defined]
        yield pg
        browser.close()


def ask(page, question: str):
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()


def set_applicant(page, label: str):
    box = page.locator("#applicant input")
    box.click()
    box.fill(label)
    page.get_by_role("option", name=label, exact=True).first.click()


def test_question_gives_answer_with_card_and_badge(page):
    ask(page, "Tell me about SS4A")
    page.wait_for_selector("#cards .card", timeout=60_000)
    chat_text = page.locator("#chat").inner_text()
    assert "Safe Streets and Roads for All" in chat_text and "Pays for" not in chat_text
    assert "Pays for" in page.locator("#cards").inner_text()  # details live in the cards, said once
    assert page.locator("#cards .card .badge").first.is_visible()
    page.screenshot(path=str(SHOTS / "01-answer.png"), full_page=True)


def test_profile_changes_the_verdicts(page):
    set_applicant(page, "Cities")
    ask(page, "Tell me about the Drinking Water State Revolving Fund")
    page.wait_for_function("document.querySelector('#answering-for')?.dataset.for.includes('a city')", timeout=60_000)
    first = page.locator("#cards .card").first
    assert first.get_attribute("data-id") == "66.468"
    assert first.locator(".badge").get_attribute("data-verdict") == "through_state"
    set_applicant(page, "States")
    ask(page, "Tell me about the Drinking Water State Revolving Fund")
    page.wait_for_function("document.querySelector('#answering-for')?.dataset.for.includes('a state')", timeout=60_000)
    assert page.locator("#cards .card").first.locator(".badge").get_attribute("data-verdict") == "eligible"
    page.screenshot(path=str(SHOTS / "02-profile-state.png"), full_page=True)


def test_browse_tab_exports_csv(page, tmp_path):
    page.get_by_role("tab", name="Browse").click()
    page.locator("#browse-text input").fill("water")
    page.wait_for_timeout(1500)
    page.locator("#export").click()
    link = page.locator("#csv-file a").first
    link.wait_for(timeout=30_000)
    with page.expect_download() as dl:
        link.click()
    target = tmp_path / "export.csv"
    dl.value.save_as(target)
    lines = target.read_text().splitlines()
    assert lines[0].startswith("Program,Your verdict") and len(lines) > 1
    assert "programs" in page.locator("#browse-count").inner_text()
    page.screenshot(path=str(SHOTS / "03-browse.png"), full_page=True)


def test_admin_login_and_refresh_with_progress(page):
    page.get_by_role("tab", name="Admin").click()
    page.locator("#admin-password input").fill("wrong")
    page.locator("#admin-login").click()
    page.get_by_text("Wrong password.").wait_for(timeout=30_000)
    assert not page.locator("#run-refresh").is_visible()
    page.locator("#admin-password input").fill("letmein")
    page.locator("#admin-login").click()
    page.locator("#run-refresh").wait_for(state="visible", timeout=30_000)
    page.locator("#run-refresh").click()
    page.get_by_text("Refresh complete").wait_for(timeout=120_000)
    assert page.locator("#refresh-progress textarea").input_value() == "Done"
    assert "Index last refreshed" in page.locator("#footer").inner_text()
    page.locator("#fetch-notices").click()
    page.get_by_text("fetched 1 notices").wait_for(timeout=120_000)
    page.wait_for_function("!document.querySelector('#footer').innerText.includes('last fetched from Grants.gov: "
                           "never')", timeout=30_000)
    page.screenshot(path=str(SHOTS / "04-admin-refresh.png"), full_page=True)
    page.locator("#admin-logout").click()
    page.get_by_text("Logged out.").wait_for(timeout=30_000)
    assert not page.locator("#run-refresh").is_visible() and page.locator("#admin-password").is_visible()


def test_script_in_a_question_is_shown_as_text_not_run(page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.get_by_role("tab", name="Ask").click()
    ask(page, "<img src=x onerror=alert('xss')><script>alert('xss2')</script> bridge repair")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('bridge repair')", timeout=60_000)
    page.wait_for_timeout(1000)
    assert dialogs == []
    assert page.locator("#chat img[src='x']").count() == 0 and page.locator("#chat script").count() == 0


def test_deep_links_are_refused(page, served):
    import urllib.error
    import urllib.request

    for query in ("?deep_link=abcdef123456", "?deep%5Flink=abcdef123456", "?deep%255Flink=abcdef123456"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(served + query)
        assert err.value.code == 400


def test_a_link_in_a_question_never_becomes_a_link_in_the_chat(page):
    page.get_by_role("tab", name="Ask").click()
    answers = page.locator("#chat [data-testid=bot]").count()
    ask(page, "http://2130706433:7931/ www.evil.example https://evil.example/x a@evil.example bridge repair")
    page.wait_for_function(f"document.querySelectorAll('#chat [data-testid=bot]').length > {answers}",
                           timeout=60_000)
    hrefs = page.locator("#chat a").evaluate_all("els => els.map(e => e.href)")
    assert not [h for h in hrefs if "2130706433" in h or "evil" in h or h.startswith("mailto:")]


def test_phone_width_and_no_external_requests(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("tab", name="Ask").click()
    page.screenshot(path=str(SHOTS / "05-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 420
    assert page.external_requests == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_violations_on_any_tab_before_and_after_an_answer(page, served, width):
    from axe_playwright_python.sync_playwright import Axe

    found = {}
    pg = fresh_page(page, served, width)
    try:
        for stage in ("before", "after"):
            if stage == "after":
                pg.get_by_role("tab", name="Ask").click()
                ask(pg, "Can a county apply for BRIC?")
                pg.wait_for_selector("#cards .card", timeout=60_000)
                pg.locator("#save label").first.click()  # the shortlist and its controls are checked too
                pg.locator("#shortlist label").first.wait_for(timeout=30_000)
            for tab in ("Ask", "Browse", "Admin"):
                pg.get_by_role("tab", name=tab).click()
                pg.wait_for_timeout(600)
                if tab == "Admin" and stage == "after":  # logged in: the staff controls are checked as well
                    pg.locator("#admin-password input").fill("letmein")
                    pg.locator("#admin-login").click()
                    pg.locator("#run-refresh").wait_for(state="visible", timeout=30_000)
                    pg.locator("#stale-statuses p").first.wait_for(timeout=30_000)  # the recheck list, rendered
                    pg.wait_for_timeout(600)
                result = Axe().run(pg)
                found[f"{stage}/{tab}"] = [(v["id"], v["nodes"][0]["target"]) for v in result.response["violations"]]
                pg.screenshot(path=str(SHOTS / f"axe-{width}-{stage}-{tab.lower()}.png"), full_page=True)
    finally:
        pg.close()
    assert found == {k: [] for k in found}


def test_one_thumb_click_is_one_plain_row_with_its_own_reason(page):
    page.set_viewport_size({"width": 1200, "height": 900})
    page.get_by_role("tab", name="Ask").click()
    before = len(feedback.read_all(SETTINGS[0].index_dir))
    answers = page.locator("#chat [data-testid=bot]").count()
    ask(page, "Tell me about WIFIA")  # earlier answers name WIFIA too: wait for this answer, not for the words
    page.wait_for_function(f"document.querySelectorAll('#chat [data-testid=bot]').length > {answers}",
                           timeout=60_000)
    page.locator("#chat").get_by_role("button", name="Like").last.click()
    page.get_by_text("your rating was saved").wait_for(timeout=30_000)
    rows = feedback.read_all(SETTINGS[0].index_dir)
    assert len(rows) == before + 1 and rows[-1]["question"] == "Tell me about WIFIA" and rows[-1]["liked"]
    assert "[" not in rows[-1]["question"] and rows[-1]["shown"][0] == "66.958"


def test_a_saved_card_reaches_the_exported_csv(page, tmp_path):
    page.get_by_role("tab", name="Ask").click()
    page.locator("#save").get_by_text("Water Infrastructure Finance", exact=False).first.click()
    page.locator("#shortlist").get_by_text("Water Infrastructure Finance", exact=False).wait_for(timeout=30_000)
    rows = export_rows(page, tmp_path)
    assert any("Water Infrastructure Finance" in r["Program"] for r in rows)


def export_rows(page, tmp_path, name="shortlist.csv") -> list[dict[str, str]]:
    """Export the shortlist in the page and read back its CSV."""
    page.locator("#export-shortlist").click()
    links = page.locator("#shortlist-files a")
    links.first.wait_for(timeout=30_000)
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert any(h.split("?")[0].endswith(".html") for h in hrefs)
    csv_link = next(i for i, h in enumerate(hrefs) if h.split("?")[0].endswith(".csv"))
    assert "funding-shortlist-" in hrefs[csv_link]
    with page.expect_download() as dl:
        links.nth(csv_link).click()
    target = tmp_path / name
    dl.value.save_as(target)
    return list(csv.DictReader(target.open(encoding="utf-8")))


def test_a_new_tab_after_a_fetch_shows_the_new_footer(page, served):
    fresh = page.context.new_page()
    try:
        fresh.goto(served)
        fresh.wait_for_function("document.querySelector('#footer')?.innerText.includes('notices last fetched')",
                                timeout=60_000)
        footer = fresh.locator("#footer").inner_text()
        assert "last fetched from Grants.gov: never" not in footer and "notices" in footer
        assert "UTC" in footer and not re.search(r"\d{4}-\d\d-\d\dT\d", footer)  # '3 Dec 2026, 20:51 UTC', not ISO
    finally:
        fresh.close()


def test_browse_fits_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("tab", name="Browse").click()
    page.wait_for_timeout(800)
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    assert not page.locator("#browse-table").is_visible()  # six columns do not fit: a stacked list instead
    first = page.locator("#browse-cards li").first
    assert first.is_visible() and "Your verdict:" in first.inner_text() and first.bounding_box()["width"] > 280
    page.screenshot(path=str(SHOTS / "06-browse-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    headers = page.locator("#browse-table th").all_inner_texts()
    assert all(any(col in h for h in headers) for col in ("Program", "ALN", "Your verdict", "Next deadline"))


def fresh_page(page, served, width: int):
    pg = page.context.browser.new_page(viewport={"width": width, "height": 800 if width > 600 else 844},
                                       accept_downloads=True)
    pg.goto(served)
    pg.wait_for_selector("#question textarea", timeout=60_000)
    return pg


def wait_answers(pg, n: int) -> None:
    pg.wait_for_function(f"document.querySelectorAll('#chat [data-testid=bot]').length >= {n}", timeout=60_000)
    pg.wait_for_timeout(800)  # the scroll runs after the answer's last update


@pytest.mark.parametrize("width", [1280, 390])
def test_the_newest_answer_is_in_view_with_its_lead(page, served, width):
    pg = fresh_page(page, served, width)
    try:
        ask(pg, "Tell me about SS4A")
        wait_answers(pg, 1)
        ask(pg, "Our county needs to repair a bridge. What federal money is there?")
        wait_answers(pg, 2)
        seen = pg.evaluate("""() => {
          const bots = document.querySelectorAll('#chat [data-testid=bot]');
          const lead = [...bots[bots.length - 1].querySelectorAll('p')].find(p => p.innerText.includes('Here are'));
          const r = lead.getBoundingClientRect();
          const box = document.querySelector('#chat .bubble-wrap').getBoundingClientRect();
          return {top: r.top, bottom: r.bottom, boxTop: box.top, boxBottom: box.bottom, vh: innerHeight,
                  focused: document.activeElement === bots[bots.length - 1],
                  label: bots[bots.length - 1].getAttribute('aria-label')};
        }""")
        assert seen["boxTop"] <= seen["top"] and seen["bottom"] <= seen["boxBottom"], seen  # in the chat's view
        assert seen["top"] >= 0 and seen["bottom"] <= seen["vh"], seen  # and on the screen
        assert seen["focused"] == (width < 600)  # on a phone, focus moves to the answer
        assert "**" not in seen["label"] and "\\" not in seen["label"] and "](" not in seen["label"]
        pg.screenshot(path=str(SHOTS / f"07-newest-answer-{width}.png"))
    finally:
        pg.close()


def test_the_chats_trash_icon_clears_the_servers_memory_too(page, served):
    pg = fresh_page(page, served, 1280)
    try:
        ask(pg, "Tell me about SS4A")
        wait_answers(pg, 1)
        pg.locator("#chat button[aria-label=Clear]").click()
        pg.wait_for_function("document.querySelectorAll('#chat [data-testid=bot]').length === 0", timeout=30_000)
        ask(pg, "Tell me about WIFIA")
        wait_answers(pg, 1)
        pg.wait_for_timeout(500)
        assert pg.locator("#chat [data-testid=bot]").count() == 1
        assert "SS4A" not in pg.locator("#chat [data-testid=user]").all_inner_texts()[0]
    finally:
        pg.close()


def test_removing_a_shortlist_item_removes_it_from_the_export_and_a_reload_keeps_the_list(page, served, tmp_path):
    pg = fresh_page(page, served, 1280)
    try:
        set_applicant(pg, "Cities")
        ask(pg, "drinking water loans")
        wait_answers(pg, 1)
        options = pg.locator("#save label")
        first, second = options.nth(0).inner_text(), options.nth(1).inner_text()
        options.nth(0).click()
        pg.locator("#shortlist label").first.wait_for(timeout=30_000)
        options.nth(1).click()
        pg.wait_for_function("document.querySelectorAll('#shortlist label').length === 2", timeout=30_000)
        pg.locator("#shortlist label").filter(has_text=first).click()  # untick: removed
        pg.wait_for_function("document.querySelectorAll('#shortlist label').length === 1", timeout=30_000)
        rows = export_rows(pg, tmp_path, "one.csv")
        assert [r["Program"] for r in rows] == [second] and rows[0]["Verdict for"] == "a city"
        shown = pg.locator("#shortlist label").all_inner_texts()
        pg.reload()
        pg.wait_for_function("document.querySelectorAll('#shortlist label').length === 1", timeout=60_000)
        assert pg.locator("#shortlist label").all_inner_texts() == shown  # exactly what was shown
        assert [r["Program"] for r in export_rows(pg, tmp_path, "reloaded.csv")] == [second]
        assert pg.locator("#applicant input").input_value() == "Cities"  # the profile came back too
        pg.locator("#clear-shortlist").click()
        pg.wait_for_function("document.querySelectorAll('#shortlist label').length === 0", timeout=30_000)
        pg.reload()
        pg.wait_for_selector("#question textarea", timeout=60_000)
        pg.wait_for_timeout(1500)
        assert pg.locator("#shortlist label").count() == 0
    finally:
        pg.close()


def browse_count(pg) -> int:
    pg.wait_for_timeout(1500)
    text = pg.locator("#browse-count").inner_text()
    return int(text.split()[0])


def test_browse_narrows_by_applicant_and_status(page, served):
    pg = fresh_page(page, served, 1280)
    try:
        pg.get_by_role("tab", name="Browse").click()
        everyone = browse_count(pg)
        box = pg.locator("#browse-applicant input")
        box.click()
        box.fill("Cities")
        pg.get_by_role("option", name="Cities", exact=True).first.click()
        cities = browse_count(pg)
        assert cities < everyone
        verdicts = pg.locator("#browse-table td:nth-child(2)").all_inner_texts()
        assert verdicts and not [v for v in verdicts if "not eligible" in v.lower()]
        pg.locator("#browse-text input").fill("11.032")  # the terminated program: hidden while live is chosen
        pg.wait_for_timeout(1500)
        assert browse_count(pg) == 0 and "without the status filter, 1 would show" in \
            pg.locator("#browse-count").inner_text()  # a reason, not just 0
        status = pg.locator("#browse-status input")
        status.click()
        pg.get_by_role("option", name="All, including ended").click()
        assert browse_count(pg) == 1 and "Terminated" in pg.locator("#browse-table").inner_text()
    finally:
        pg.close()


def test_tab_never_lands_on_the_page_body_after_a_dropdown(page, served):
    pg = fresh_page(page, served, 1280)
    try:
        for tab, start, stops in (("Ask", "#applicant input", 4), ("Browse", "#browse-text input", 9)):
            pg.get_by_role("tab", name=tab).click()
            pg.locator(start).focus()
            for _ in range(stops):
                pg.keyboard.press("Tab")
                pg.wait_for_timeout(150)
                assert pg.evaluate("document.activeElement.tagName") != "BODY", f"a stray Tab stop on {tab}"
        pg.get_by_role("tab", name="Ask").focus()
        pg.keyboard.press("ArrowRight")  # keyboard focus on a tab: the ring is drawn inside it, not clipped
        ring = pg.evaluate("(() => { const e = document.activeElement, s = getComputedStyle(e); "
                           "return [e.getAttribute('role'), s.outlineWidth, s.outlineOffset]; })()")
        assert ring[0] == "tab" and ring[1] == "3px" and ring[2].startswith("-")
    finally:
        pg.close()


def test_phone_shows_the_profile_first_and_controls_only_once_useful(page, served):
    pg = fresh_page(page, served, 390)
    try:
        assert pg.locator("#profile-col").bounding_box()["y"] < pg.locator("#question").bounding_box()["y"]
        for hidden in ("#save", "#adopt-profile", "#reason-row", "#shortlist-box"):
            assert not pg.locator(hidden).is_visible(), hidden  # nothing to save, adopt or rate yet
        pg.locator("#population input").fill("0")
        pg.locator("#population input").blur()
        pg.get_by_text("A population of 0 can't be used").wait_for(timeout=30_000)
        ask(pg, "Tell me about SS4A")
        wait_answers(pg, 1)
        assert pg.locator("#save").is_visible() and pg.locator("#adopt-profile").is_visible()
        like = pg.locator("#chat").get_by_role("button", name="Like").last
        box = like.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24  # WCAG 2.5.8 target size
        like.click()
        pg.locator("#reason-row").wait_for(state="visible", timeout=30_000)
        assert pg.locator("#chat-area #reason-row").count() == 1  # the reason sits with the chat
    finally:
        pg.close()


def test_a_five_program_brief_prints_on_one_page(page, browser_index, tmp_path):
    """The council brief for the five programs with the longest cost-share texts, printed by Chromium."""
    import datetime as dt

    from ui import chat

    finder = Finder(browser_index)
    programs = finder.index.snapshot().programs.values()
    longest = sorted((op for op in programs if op.cost_share), key=lambda op: -len(op.cost_share.text))[:5]
    saved = [{"id": op.id, "applicant": "county", "state": "OH", "population": 30000} for op in longest]
    _, brief = chat.export_shortlist(finder, saved, None, tmp_path, today=dt.date(2026, 12, 4))
    pg = page.context.new_page()
    pg.goto(brief.as_uri())
    assert pg.locator("tr").count() == 6  # a header and the five programs
    pdf = pg.pdf(prefer_css_page_size=True)
    pg.close()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
