"""The state-office table: loader, validator (file, row and field named) and what an answer may show."""

from pathlib import Path

import pytest

from finder.catalog.offices import load_offices
from tests.conftest import ROOT

GOOD = """office: dwsrf
title: State drinking water revolving fund
programs: ['66.468']
federal_list: {name: 'EPA: state DWSRF contacts', url: 'https://www.epa.gov/dwsrf/state-dwsrf-website-and-contacts'}
as_of: '2026-11-28'
states:
  TX: {agency: Texas Water Development Board, url: 'https://www.twdb.texas.gov/', source: 'https://www.twdb.texas.gov/x', seen: true}
  OH: {agency: Ohio EPA, url: 'https://epa.ohio.gov/', source: 'https://www.epa.gov/dwsrf/state-dwsrf-website-and-contacts', seen: false}
"""


def write(tmp: Path, text: str, name: str = "dwsrf.yaml") -> Path:
    tmp.mkdir(exist_ok=True)
    (tmp / name).write_text(text)
    return tmp


def test_confirmed_row_is_named_and_unconfirmed_or_missing_rows_link_the_federal_list(tmp_path):
    table, errors = load_offices(write(tmp_path / "o", GOOD), {"66.468"})
    assert errors == []
    tx = table.contact("66.468", "TX")
    assert tx.named and tx.agency == "Texas Water Development Board"
    for state in ("OH", "WY", None):
        c = table.contact("66.468", state)
        assert not c.named and c.url == "https://www.epa.gov/dwsrf/state-dwsrf-website-and-contacts"
    assert table.contact("20.939", "TX") is None


@pytest.mark.parametrize("bad, row, field, problem", [
    (GOOD.replace("source: 'https://www.twdb.texas.gov/x'", "source: ''"), "TX", "source", "should match"),
    (GOOD.replace("  TX:", "  XX:"), None, "states", "unknown state code 'XX'"),
    (GOOD.replace("programs: ['66.468']", "programs: ['99.999']"), None, "programs", "not in the catalog"),
    (GOOD.replace("seen: true}", "}"), "TX", "seen", "Field required"),
])
def test_validator_names_file_row_and_field(tmp_path, bad, row, field, problem):
    _, errors = load_offices(write(tmp_path / "o", bad), {"66.468"})
    assert len(errors) == 1
    e = errors[0]
    assert e.file.endswith("dwsrf.yaml") and e.record == row and e.field == field and problem in str(e)


def test_the_repo_table_is_valid_and_covers_most_states():
    from finder.catalog.model import load_catalog

    ids = {op.id for op in load_catalog(ROOT / "data" / "opportunities")[0]}
    table, errors = load_offices(ROOT / "data" / "state_offices", ids)
    assert errors == []
    confirmed = {office: seen for office, (seen, _) in table.coverage().items()}
    assert sum(1 for n in confirmed.values() if n >= 45) >= 4
