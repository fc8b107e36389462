"""The CommonGrants API, the deadline calendar and the new-notices feed, against a served app and a real index.
Responses are validated with the published `common-grants-sdk` models and parsed with `icalendar`."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
import xml.etree.ElementTree as ET

import httpx
import pytest
from common_grants_sdk.schemas.pydantic import (
    Error,
    OpportunitiesListResponse,
    OpportunitiesSearchResponse,
    OpportunityResponse,
    OpportunitySearchRequest,
)
from icalendar import Calendar

from finder.catalog.eligibility import Asker
from finder.catalog.vocab import Applicant
from finder.engine import Finder
from tests.conftest import FIXTURES, SMALL, copy_catalog, free_port, make_settings
from ui import app as ui_app
from ui.calendar_feed import shortlist_ics
from ui.commongrants import opportunity_id

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def finder(small_index):
    return Finder(small_index)


def serve(settings, finder):
    settings = settings.model_copy(update={"port": free_port()})
    demo = ui_app.build_app(settings, finder)
    ui_app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    return demo, f"http://127.0.0.1:{settings.port}/"


@pytest.fixture(scope="module")
def base(small_index, finder):
    demo, url = serve(small_index, finder)
    try:
        yield url
    finally:
        demo.close()


def get(url: str, **params) -> httpx.Response:
    return httpx.get(url, params=params, timeout=60)


def test_opportunities_validate_and_paginate(base):
    first = get(base + "common-grants/opportunities", page=1, pageSize=10)
    assert first.status_code == 200
    page1 = OpportunitiesListResponse.model_validate(first.json())
    assert page1.pagination_info.total_items == len(SMALL) and page1.pagination_info.total_pages == 3
    page3 = OpportunitiesListResponse.model_validate(get(base + "common-grants/opportunities", page=3,
                                                         pageSize=10).json())
    assert len(page1.items) == 10 and len(page3.items) == len(SMALL) - 20
    assert not {i.id for i in page1.items} & {i.id for i in page3.items}
    beyond = get(base + "common-grants/opportunities", page=9, pageSize=10).json()
    assert beyond["items"] == [] and beyond["paginationInfo"]["totalItems"] == len(SMALL)
    bad = get(base + "common-grants/opportunities", pageSize=0)
    assert bad.status_code == 400 and Error.model_validate(bad.json()).status == 400


def test_one_opportunity_carries_the_notice_and_the_verdict(base):
    got = get(base + f"common-grants/opportunities/{opportunity_id('20.939')}", applicant="county", state="OH")
    assert got.status_code == 200
    opp = OpportunityResponse.model_validate(got.json()).data
    assert opp.identifiers.opp_us_aln.id == "20.939" and opp.identifiers.opp_us_fon.id == "693C73-27-SS4A"
    assert opp.status.value == "open" and opp.key_dates.close_date.date == dt.date(2026, 12, 20)
    assert opp.funding.max_award_amount.amount == "25000000.00"
    assert "government_county" in {t.value for t in opp.accepted_applicant_types}
    verdict = opp.custom_fields["finderEligibility"].value["verdict"]
    assert verdict["kind"] == "eligible" and verdict["reason"]
    assert opp.custom_fields["assistanceListing"].value[0]["assistanceListingNumber"] == "20.939"
    by_program_id = get(base + "common-grants/opportunities/20.939").json()
    assert by_program_id["data"]["id"] == str(opp.id)


def test_an_unknown_id_is_404(base):
    for unknown in (str(uuid.uuid4()), "99.999", "<script>alert(1)"):
        got = get(base + f"common-grants/opportunities/{unknown}")
        assert got.status_code == 404, unknown
        err = Error.model_validate(got.json())
        assert err.status == 404 and "<script>" not in got.text


def test_search_takes_an_sdk_request_and_filters(base):
    request = OpportunitySearchRequest.model_validate({
        "search": "safety plan for county roads",
        "filters": {"status": {"operator": "in", "value": ["open"]},
                    "closeDateRange": {"operator": "between", "value": {"min": "2026-12-01", "max": "2027-01-31"}},
                    "customFilters": {"applicant": {"operator": "eq", "value": "county"},
                                      "verdict": {"operator": "in", "value": ["eligible", "through_state"]}}},
        "pagination": {"page": 1, "pageSize": 5}})
    got = httpx.post(base + "common-grants/opportunities/search", timeout=60,
                     json=request.model_dump(mode="json", by_alias=True, exclude_none=True))
    assert got.status_code == 200, got.text
    result = OpportunitiesSearchResponse.model_validate(got.json())
    assert result.items and all(i.status.value == "open" for i in result.items)
    assert "20.939" in {i.identifiers.opp_us_aln.id for i in result.items}
    assert all("2026-12-01" <= str(i.key_dates.close_date.date) <= "2027-01-31" for i in result.items)
    assert result.filter_info.errors == [] and result.pagination_info.page_size == 5
    titles = httpx.post(base + "common-grants/opportunities/search", timeout=60,
                        json={"sorting": {"sortBy": "title", "sortOrder": "asc"}, "pagination": {"pageSize": 25}})
    names = [i["title"].lower() for i in titles.json()["items"]]
    assert names == sorted(names) and len(names) == len(SMALL)
    too_long = httpx.post(base + "common-grants/opportunities/search", json={"search": "x" * 301}, timeout=60)
    assert too_long.status_code == 400 and "limit is 300" in too_long.json()["message"]
    no_applicant = httpx.post(base + "common-grants/opportunities/search", timeout=60, json={
        "filters": {"customFilters": {"verdict": {"operator": "in", "value": ["eligible"]}}}})
    assert no_applicant.status_code == 400 and Error.model_validate(no_applicant.json()).errors


def events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_calendar_holds_open_deadlines_only(base):
    got = get(base + "calendar.ics", state="OH", applicant="county")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/calendar")
    found = events(got.content)
    ss4a = next(e for e in found if str(e["uid"]).startswith("355002-"))
    assert ss4a.decoded("dtstart") == dt.date(2026, 12, 20) and ss4a.decoded("dtend") == dt.date(2026, 12, 21)
    assert "SS4A" in str(ss4a["summary"]) and "Eligible" in str(ss4a["summary"])
    assert "Counties are eligible direct applicants" in str(ss4a["description"])
    assert str(ss4a["url"]).endswith("/355002")
    uids = {str(e["uid"]).split("-")[0] for e in found}
    assert "355003" not in uids  # its notice closed on 1 October 2026
    assert all(e.decoded("dtstart") >= dt.date(2026, 11, 28) for e in found)
    assert get(base + "calendar.ics", applicant="wizard").status_code == 400
    assert get(base + "calendar.ics", state="ZZ").status_code == 400


def test_shortlist_exports_its_deadlines(finder, tmp_path):
    path = shortlist_ics(finder, ["20.939", "66.458", "10.760"], Asker(Applicant.CITY), tmp_path)
    found = events(path.read_bytes())
    assert sorted(str(e["uid"]) for e in found) == ["355001-10.760@infrastructure-funding-finder",
                                                  "355002-20.939@infrastructure-funding-finder"]
    assert path.parent == tmp_path and path.suffix == ".ics"


TERMINATED_NOTICE = """<?xml version="1.0" encoding="UTF-8"?>
<Grants xmlns="http://apply.grants.gov/system/OpportunityDetail-V1.0">
  <OpportunitySynopsisDetail_1_0>
    <OpportunityID>357001</OpportunityID>
    <OpportunityTitle>Digital Equity Competitive Grant Program</OpportunityTitle>
    <OpportunityNumber>NTIA-DECGP-2024</OpportunityNumber>
    <FundingInstrumentType>G</FundingInstrumentType>
    <CategoryOfFundingActivity>IIJ</CategoryOfFundingActivity>
    <CFDANumbers>11.032</CFDANumbers>
    <EligibleApplicants>25</EligibleApplicants>
    <AgencyName>National Telecommunications and Information Administration</AgencyName>
    <PostDate>07122024</PostDate>
    <CloseDate>09232024</CloseDate>
    <Description>Digital equity grants.</Description>
  </OpportunitySynopsisDetail_1_0>
</Grants>
"""


def test_feed_lists_the_notices_the_last_refresh_added(tmp_path, embedder):
    from ingest.refresh import refresh

    settings = make_settings(tmp_path, copy_catalog(tmp_path / "data", ["20.939", "10.760", "66.458", "20.933",
                                                                        "11.032"]), today="2026-11-28")
    notices = tmp_path / "notices"
    notices.mkdir()
    shutil.copy(FIXTURES / "extract_small.xml", notices)
    (notices / "terminated.xml").write_text(TERMINATED_NOTICE)
    refresh(settings, embedder=embedder)
    finder = Finder(settings)
    demo, url = serve(settings, finder)
    try:
        first = entries(url)
        assert {"355001", "355002", "355003", "357001"} <= set(first)  # the first build added all it holds
        cal = events(get(url + "calendar.ics").content)
        assert not {str(e["uid"]).split("-")[0] for e in cal} & {"355003", "357001"}  # closed, terminated
        shutil.copy(FIXTURES / "fetch_opportunity.json", notices)
        refresh(settings, embedder=embedder)
        second = entries(url)  # the app follows the new index, like the chat
        assert list(second) == ["356200"]
        title, summary = second["356200"]
        assert title == "BUILD Grants FY2027" and "evil.example" not in summary and "<" not in summary
        assert "Programs: National Infrastructure Investments" in summary or "RAISE" in summary
    finally:
        demo.close()


def entries(url: str) -> dict[str, tuple[str, str]]:
    got = get(url + "feed.atom")
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(got.content)
    assert root.tag == f"{ATOM}feed" and root.find(f"{ATOM}link[@rel='self']").get("href").endswith("/feed.atom")
    out = {}
    for e in root.iter(f"{ATOM}entry"):
        nid = e.find(f"{ATOM}id").text.rsplit(":", 1)[1]
        out[nid] = (e.find(f"{ATOM}title").text, e.find(f"{ATOM}summary").text)
    return out
