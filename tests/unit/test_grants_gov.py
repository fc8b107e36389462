import datetime as dt
import zipfile

import pytest

from finder.catalog.vocab import NoticeStatus
from finder.errors import RecordError
from ingest.sources import grants_gov
from tests.conftest import FIXTURES

TODAY = dt.date(2026, 11, 28)


def test_extract_parses_all_fields_and_strips_html():
    errors: list[str] = []
    notices = {n.id: n for n in grants_gov.read(FIXTURES / "extract_small.xml", errors=errors)}
    assert errors == [] and len(notices) == 7
    water = notices["355001"]
    assert water.alns == ["10.760"] and water.close_date == dt.date(2027, 1, 10)
    assert water.award_ceiling == 3_000_000 and water.award_floor is None and water.cost_share is False
    assert "<" not in water.description and "alert" not in water.description
    assert water.eligible_applicants == ["county", "city", "special_district", "tribe"]
    assert notices["355002"].eligible_applicants[-1] == "check"  # code 25 "Others"


def test_status_is_derived_from_dates():
    n = {n.id: n for n in grants_gov.read(FIXTURES / "extract_small.xml")}
    assert n["355001"].status(TODAY) is NoticeStatus.POSTED
    assert n["355003"].status(TODAY) is NoticeStatus.CLOSED
    assert n["355003"].status(dt.date(2027, 1, 5)) is NoticeStatus.ARCHIVED
    assert n["355007"].status(TODAY) is NoticeStatus.FORECASTED


def test_search2_accepts_both_field_spellings():
    hits = {n.id: n for n in grants_gov.read(FIXTURES / "search2.json")}
    assert hits["356100"].alns == ["20.526"] and hits["356100"].agency == "Federal Transit Administration"
    assert hits["356101"].alns == ["20.823"] and hits["356101"].forecast


def test_fetch_opportunity_strips_links_and_maps_codes():
    (n,) = list(grants_gov.read(FIXTURES / "fetch_opportunity.json"))
    assert n.alns == ["20.933"] and n.award_ceiling == 25_000_000 and n.cost_share is True
    assert "evil" not in n.description and "IIJ" in n.categories
    assert n.eligible_applicants == ["county", "city"]


def test_zip_extract_streams(tmp_path):
    z = tmp_path / "GrantsDBExtract20261128v2.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(FIXTURES / "extract_small.xml", "GrantsDBExtract20261128v2.xml")
    assert len(list(grants_gov.read(z))) == 7


def test_truncated_zip_is_a_clear_error(tmp_path):
    z = tmp_path / "cut.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(FIXTURES / "extract_small.xml", "x.xml")
    z.write_bytes(z.read_bytes()[:200])
    with pytest.raises(RecordError, match="cut.zip.*(zip|truncated)"):
        list(grants_gov.read(z))


def test_truncated_xml_is_a_clear_error(tmp_path):
    f = tmp_path / "cut.xml"
    f.write_bytes((FIXTURES / "extract_small.xml").read_bytes()[:1500])
    with pytest.raises(RecordError, match="malformed XML"):
        list(grants_gov.read(f))


def test_empty_file_is_a_clear_error(tmp_path):
    f = tmp_path / "empty.xml"
    f.write_text("")
    with pytest.raises(RecordError, match="empty"):
        list(grants_gov.read(f))


@pytest.mark.parametrize("swap, field", [
    ("<CloseDate>01102027</CloseDate>", "CloseDate"),
    ("<EligibleApplicants>01</EligibleApplicants>", "EligibleApplicants"),
])
def test_bad_record_is_skipped_with_file_record_and_field(tmp_path, swap, field):
    bad = {"CloseDate": "<CloseDate>2027-13-45</CloseDate>",
           "EligibleApplicants": "<EligibleApplicants>77</EligibleApplicants>"}[field]
    f = tmp_path / "bad.xml"
    f.write_text((FIXTURES / "extract_small.xml").read_text().replace(swap, bad, 1))
    errors: list[str] = []
    ids = [n.id for n in grants_gov.read(f, errors=errors)]
    assert "355001" not in ids and len(ids) == 6
    assert len(errors) == 1 and "bad.xml" in errors[0] and "355001" in errors[0] and field in errors[0]
