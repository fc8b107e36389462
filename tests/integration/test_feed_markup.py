"""Feed fields are data everywhere: an injected notice id, a `javascript:` link from a listings file or a
formula for a title never reaches the chat, the cards, Browse, the CLI, the Admin report, the brief or the
CSV as a link, an image or something that runs."""

import csv
import dataclasses
import re

import pytest

from benchmarks import hostile_files as hf
from finder.answering.html import card
from finder.answering.markdown import program_detail, render_full
from finder.answering.types import Answer, NoticeView
from finder.catalog.model import read_record
from finder.engine import Finder
from finder.text import official_host
from ingest.listings import import_listings
from ingest.refresh import refresh
from tests.conftest import copy_catalog, make_settings
from ui import admin, chat
from ui.browse import export_csv

EVIL_ID = "1)![t](https://evil.example/track.png) [Apply now](https://evil.example/phish"
MD_LINK = re.compile(r"(!?)\[[^\]]*\]\(([^)\s]+)\)")


def assert_no_foreign_markup(text: str) -> None:
    for bang, url in MD_LINK.findall(text):
        assert not bang, f"an image: {url}"
        assert url.startswith("https://") and official_host(url.split("/")[2]), url
    assert not re.search(r"<(a|img|script)\b", text, re.I)


@pytest.fixture(scope="module")
def env(tmp_path_factory, embedder):
    tmp = tmp_path_factory.mktemp("markup")
    settings = make_settings(tmp, copy_catalog(tmp / "data", ["66.468", "20.939", "66.458"]), today="2026-11-28")
    (tmp / "notices").mkdir()
    refresh(settings, embedder=embedder)
    finder = Finder(settings)
    finder.index.embedder = embedder
    return settings, finder


def test_an_injected_id_is_skipped_at_ingest_and_escaped_in_the_admin_report(env, embedder, tmp_path):
    settings, finder = env
    upload = hf.injected_id(tmp_path)
    *_, (stage, report) = admin.run_refresh(settings, finder, True, str(upload))
    assert stage == "Done" and "bad OpportunityID" in report
    assert_no_foreign_markup(report)
    assert "](" not in report.replace("\\](", "") and "![" not in report.replace("\\!\\[", "")
    assert not upload.exists()  # checked, copied, and gone from the upload cache
    assert finder.index.snapshot().notice_count == 0
    (settings.notices_dir / upload.name).unlink()


def test_a_notice_that_got_past_ingest_still_renders_no_link_or_image(env):
    settings, finder = env
    hit = finder.hit("66.468")
    forged = NoticeView(EVIL_ID, "Water <img src=x> [x](https://evil.example/a)", *dataclasses.astuple(
        NoticeView.of(_notice(), finder.today()))[2:-1], f"https://www.grants.gov/search-results-detail/{EVIL_ID}")
    hit = dataclasses.replace(hit, notices=(forged,))
    for text in (program_detail(1, hit, full_summary=True),  # chat "more about the first one", Browse detail
                 render_full(Answer("Lead", [hit], [hit]))):  # the CLI
        assert_no_foreign_markup(text)
        assert "evil.example/track.png)" not in text and "![t]" not in text
    html = card(hit)
    assert 'href="https://evil' not in html and "<img" not in html


def test_javascript_links_and_formulas_from_a_listings_file_reach_no_card_brief_or_csv(env, tmp_path):
    settings, finder = env
    data = copy_catalog(tmp_path / "data", ["20.939"])
    listing = tmp_path / "AssistanceListings_DataGov_PUBLIC_CURRENT.csv"
    listing.write_text(
        '"Program Title","Program Number","Popular Name (020)","Federal Agency (030)","Authorization (040)",'
        '"Objectives (050)","Types of Assistance (060)","URL"\n'
        '"=HYPERLINK(""https://evil.example"",""Safe Streets"")","20.939","SS4A","Department of Transportation",'
        '"Pub. L. 117-58","x","Project Grants","javascript:alert(document.cookie)"\n')
    import_listings(listing, data)
    op = read_record(next(data.rglob("20.939.yaml")))
    assert op.title.startswith("=HYPERLINK") and "javascript" not in op.links.model_dump_json()  # never entered
    hit = dataclasses.replace(finder.hit("20.939"), program=op.model_copy(
        update={"links": op.links.model_copy(update={"program_page": "javascript:alert(1)"})}))
    assert "javascript:" not in card(hit) and "javascript:" not in program_detail(1, hit)
    _, _, session, *_ = chat.respond(finder, None, "Tell me about SS4A", "city", "", "")
    session.turns[-1].answer.shown[0] = hit
    csv_path, brief = chat.export_shortlist(finder, [{"id": "20.939", "applicant": "city"}], session, tmp_path / "out")
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert rows[0]["Program"].startswith("'=HYPERLINK")
    assert "javascript:" not in brief.read_text()
    with open(export_csv([[op.title, op.aln, "-1+2", "@SUM(1)", "+1", ""]], tmp_path / "b"), encoding="utf-8") as fh:
        body = list(csv.reader(fh))[1]
    assert all(not c.startswith(("=", "-", "@", "+")) for c in body)


def _notice():
    from finder.catalog.notices import Notice

    return Notice(id="880009", title="t", url="https://www.grants.gov/search-results-detail/880009")
