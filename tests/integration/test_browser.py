"""A real headless Chromium (Debian's /usr/bin/chromium) drives the served app through Playwright."""

from pathlib import Path

import pytest
from pydantic import SecretStr

from finder.engine import Finder
from tests.conftest import ROOT, free_port
from tests.grants_gov_server import FakeGrantsGov
from ui import app as ui_app

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed "
                                 "(apt-get install chromium; .ci/run does this)")]
SETTINGS: list = []  # the served app's settings, for tests that read its files
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]



@pytest.fixture(scope="module")
def served(small_index):
    gov = FakeGrantsGov()
    settings = small_index.model_copy(update={"port": free_port(), "admin_password": SecretStr("letmein"),
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
    pg = page.context.browser.new_page(viewport={"width": width, "height": 900})
    try:
        pg.goto(served)
        pg.wait_for_selector("#question textarea", timeout=60_000)
        for stage in ("before", "after"):
            if stage == "after":
                pg.get_by_role("tab", name="Ask").click()
                ask(pg, "Can a county apply for BRIC?")
                pg.wait_for_selector("#cards .card", timeout=60_000)
            for tab in ("Ask", "Browse", "Admin"):
                pg.get_by_role("tab", name=tab).click()
                pg.wait_for_timeout(600)
                result = Axe().run(pg)
                found[f"{stage}/{tab}"] = [(v["id"], v["nodes"][0]["target"]) for v in result.response["violations"]]
                pg.screenshot(path=str(SHOTS / f"axe-{width}-{stage}-{tab.lower()}.png"), full_page=True)
    finally:
        pg.close()
    assert found == {k: [] for k in found}


def test_one_thumb_click_is_one_plain_row_with_its_own_reason(page):
    import json

    page.set_viewport_size({"width": 1200, "height": 900})
    page.get_by_role("tab", name="Ask").click()
    path = SETTINGS[0].index_dir / "feedback.jsonl"
    before = len(path.read_text().splitlines()) if path.exists() else 0
    answers = page.locator("#chat [data-testid=bot]").count()
    ask(page, "Tell me about WIFIA")  # earlier answers name WIFIA too: wait for this answer, not for the words
    page.wait_for_function(f"document.querySelectorAll('#chat [data-testid=bot]').length > {answers}",
                           timeout=60_000)
    page.locator("#chat").get_by_role("button", name="Like").last.click()
    page.get_by_text("your rating was saved").wait_for(timeout=30_000)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(rows) == before + 1 and rows[-1]["question"] == "Tell me about WIFIA" and rows[-1]["liked"]
    assert "[" not in rows[-1]["question"] and rows[-1]["shown"][0] == "66.958"


def test_a_saved_card_reaches_the_exported_csv(page, tmp_path):
    page.get_by_role("tab", name="Ask").click()
    page.locator("#save").get_by_text("Water Infrastructure Finance", exact=False).first.click()
    page.get_by_text("Shortlist:").wait_for(timeout=30_000)
    page.locator("#export-shortlist").click()
    link = page.locator("#shortlist-files a").first
    link.wait_for(timeout=30_000)
    links = page.locator("#shortlist-files a")
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert any(h.split("?")[0].endswith(".csv") for h in hrefs) and any(".html" in h for h in hrefs)
    csv_link = next(i for i, h in enumerate(hrefs) if h.split("?")[0].endswith(".csv"))
    with page.expect_download() as dl:
        links.nth(csv_link).click()
    target = tmp_path / "shortlist.csv"
    dl.value.save_as(target)
    assert "Water Infrastructure Finance" in target.read_text()


def test_a_new_tab_after_a_fetch_shows_the_new_footer(page, served):
    fresh = page.context.new_page()
    try:
        fresh.goto(served)
        fresh.wait_for_function("document.querySelector('#footer')?.innerText.includes('notices last fetched')",
                                timeout=60_000)
        footer = fresh.locator("#footer").inner_text()
        assert "last fetched from Grants.gov: never" not in footer and "notices" in footer
    finally:
        fresh.close()


def test_browse_fits_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("tab", name="Browse").click()
    page.wait_for_timeout(800)
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    headers = page.locator("#browse-table th").all_inner_texts()
    assert all(any(col in h for h in headers) for col in ("Program", "ALN", "Your verdict", "Next deadline"))
    page.screenshot(path=str(SHOTS / "06-browse-phone.png"), full_page=True)
