"""Outside text made inert in linear time: markup stripped, links kept only to official hosts, Markdown and
spreadsheet formulas neutralised."""

import html
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finder.text import csv_cell, inert, md_escape, printable, safe_url, strip_markup

FIELD = 256 * 1024  # FINDER_MAX_FIELD_KB


def regex_strip(text: str) -> str:
    """The backtracking version this replaced: the reference for what is stripped."""
    tag, script = re.compile(r"<[^>]*>"), re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
    once = html.unescape(tag.sub(" ", script.sub(" ", text)))
    return " ".join(tag.sub(" ", script.sub(" ", once)).split())


@pytest.mark.parametrize("hostile", ["<" * FIELD, "<script" * (FIELD // 7), "<b" * (FIELD // 2) + ">",
                                     "<style>" * (FIELD // 7), "&lt;" * (FIELD // 4), "<a " * (FIELD // 3)])
def test_a_full_field_of_markup_is_handled_in_well_under_a_second(hostile):
    started = time.perf_counter()
    strip_markup(hostile)
    inert(hostile)
    assert time.perf_counter() - started < 1.0


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="<>/ &;#ltgpscriyeSCRIPT1x\n", max_size=60))
def test_the_scanner_strips_what_the_patterns_stripped(text):
    assert strip_markup(text) == regex_strip(text)


def test_markup_and_controls_are_gone():
    assert strip_markup("<script>alert(1)</script>Water &amp; <b>sewer</b>\x1b[31m") == "Water & sewer [31m"
    assert strip_markup("&lt;img src=x onerror=alert(1)&gt;EPA") == "EPA"
    assert "\u202e" not in strip_markup("abc\u202edef")


@pytest.mark.parametrize("url, shown", [
    ("https://www.epa.gov/dwsrf", "https://www.epa.gov/dwsrf"),
    ("http://gefa.georgia.gov/water", "https://gefa.georgia.gov/water"),  # upgraded: .gov is https-only
    ("https://www.law.cornell.edu/uscode/text/42/300j-12", "https://www.law.cornell.edu/uscode/text/42/300j-12"),
    ("https://www.dot.state.al.us/programs", "https://www.dot.state.al.us/programs"),
    ("https://www.ecfr.gov/x(b)", "https://www.ecfr.gov/x%28b%29"),  # cannot close a Markdown link
    ("javascript:alert(1)", None), ("data:text/html,<b>", None), ("file:///etc/passwd", None),
    ("http://2130706433:7931/", None), ("https://127.0.0.1/", None), ("https://evil.example/phish", None),
    ("https://user:pw@www.epa.gov/", None), ("https://www.epa.gov:8443/", None),
    ("https://www.epa.gov/a b", None), ("https://www.epa.gov.evil.example/", None), (None, None), ("", None),
])
def test_links_are_kept_only_for_https_official_hosts(url, shown):
    assert safe_url(url) == shown


def test_echoed_text_cannot_become_a_link_image_or_tag():
    out = md_escape("http://2130706433:7931/ ![x](https://e.example/t.png) a@b.example <img src=x>")
    assert re.findall(r"(?<!\\)[:@\[\]()!<]", out) == []  # every such character escaped, brackets as entities
    assert "&lt;img" in out


@pytest.mark.parametrize("value", ["=HYPERLINK(\"https://e.example\",\"x\")", "+1", "-1+2", "@SUM(A1)", "\t=1"])
def test_csv_cells_that_could_run_are_neutralised(value):
    assert csv_cell(value).startswith("'") and csv_cell("Safe Streets") == "Safe Streets"


def test_terminal_output_carries_no_escape_sequences():
    assert printable("notes\x1b]8;;https://evil.example\x07click\x1b[0m\nnext") == "notes?]8;;https://evil.example?click?[0m\nnext"


def test_a_bare_assistance_listing_number_in_record_text_is_removed_but_a_regulation_section_is_kept():
    from finder.text import inert

    out = inert("Apply under 99.999 (see 31 CFR 34.302, 40 CFR Part 35.215 and section 66.468).")
    assert "99.999" not in out
    assert "number removed" in out and "31 CFR 34.302" in out and "Part 35.215" in out
    assert "section 66.468" in out
