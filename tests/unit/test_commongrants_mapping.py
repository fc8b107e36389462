"""Every catalog record maps to a CommonGrants opportunity that the published `common-grants-sdk` models accept,
with the fields the issue asks for: status, funding, key dates, the ALN, and eligibility and cost share as
custom fields (the catalog's typed `costSharing` and `assistanceListing` shapes included)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from common_grants_sdk.extensions.specs import CustomFieldSpec
from common_grants_sdk.schemas.pydantic import CustomFieldType, OpportunityBase, OpportunityDetails
from pydantic import BaseModel, ConfigDict

from finder.answering.types import Hit, NoticeView
from finder.catalog.eligibility import Asker, judge
from finder.catalog.model import load_catalog
from finder.catalog.notices import Notice
from finder.catalog.vocab import Applicant
from tests.unit.records import record
from ui.commongrants import opportunity, opportunity_id

CATALOG = Path(__file__).resolve().parents[2] / "data" / "opportunities"
TODAY = dt.date(2026, 11, 28)


class CostSharingValue(BaseModel):
    """The catalog's `costSharing` value (website/src/specs/custom-fields/cost-sharing.tsp)."""

    model_config = ConfigDict(extra="forbid")
    type: str | None = None
    percentage: float | None = None
    description: str | None = None
    waiverInfo: str | None = None  # noqa: N815 (wire name)


class ListingValue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assistanceListingNumber: str  # noqa: N815
    programTitle: str  # noqa: N815
    isPrimary: bool | None = None  # noqa: N815


Typed = OpportunityBase.with_custom_fields(custom_fields={
    "costSharing": CustomFieldSpec(field_type=CustomFieldType.OBJECT, value=CostSharingValue),
    "assistanceListing": CustomFieldSpec(field_type=CustomFieldType.ARRAY, value=list[ListingValue]),
    "eligibilityCriteria": CustomFieldSpec(field_type=CustomFieldType.STRING, value=str),
}, model_name="FinderOpportunity")


@pytest.fixture(scope="module")
def catalog():
    records, errors = load_catalog(CATALOG)
    assert not errors
    return records


def notice(**fields) -> Notice:
    data = {"id": "900001", "number": "DOT-27-<b>X</b>", "title": "A notice", "alns": ["99.001"],
            "post_date": "2026-11-01", "close_date": "2026-12-20", "award_ceiling": 5e6, "award_floor": 1e5,
            "total_funding": 5e7, "cost_share": True, "url": "https://www.grants.gov/search-results-detail/900001"}
    return Notice.model_validate({**data, **fields})


def test_every_catalog_record_validates_against_the_sdk_models(catalog):
    asker = Asker(Applicant.COUNTY, 20_000, "OH")
    for op in catalog:
        data = opportunity(Hit(op, 0.0, judge(op, asker)), asker)
        base = Typed.model_validate(data)
        OpportunityDetails.model_validate(data)
        assert str(base.id) == opportunity_id(op.id) == data["id"]
        assert base.identifiers.opp_us_aln.id == op.aln
        assert base.status.value in ("open", "forecasted", "closed", "custom")
        verdict = data["customFields"]["finderEligibility"]["value"]["verdict"]
        assert verdict["kind"] == judge(op, asker).kind.value and verdict["reason"]
        if op.cost_share is not None:
            assert base.custom_fields.cost_sharing.value.description


def test_a_notice_gives_status_dates_funding_and_the_fon():
    op = record(cost_share={"text": "The federal share is up to 80 percent; the applicant pays 20 percent.",
                            "federal_max": 80, "applicant_min": 20},
                sources=[{"name": "Statute", "url": "https://www.law.cornell.edu/uscode/text/99/1",
                          "date": "2026-01-05", "facts": ["eligible_applicants", "cost_share"]}])
    full = notice()
    data = opportunity(Hit(op, 0.0, None, (NoticeView.of(full, TODAY),)), None, {full.id: full})
    opp = Typed.model_validate(data)
    assert opp.status.value == "open"
    assert opp.key_dates.close_date.date == dt.date(2026, 12, 20)
    assert opp.key_dates.post_date.date == dt.date(2026, 11, 1)
    assert opp.funding.max_award_amount.amount == "5000000.00" and opp.funding.max_award_amount.currency == "USD"
    assert opp.identifiers.opp_us_fon.id.startswith("DOT-27-") and "<" not in opp.identifiers.opp_us_fon.id
    assert opp.custom_fields.cost_sharing.value.percentage == 20.0
    assert opp.custom_fields.cost_sharing.value.type == "Matching"
    assert "verdict" not in data["customFields"]["finderEligibility"]["value"]  # no applicant given, no verdict


def test_a_closed_notice_leaves_a_terminated_program_closed():
    op = record(status={"value": "terminated", "as_of": "2026-11-01", "note": "The agency <i>ended</i> it."})
    old = notice(close_date="2026-10-01")
    data = opportunity(Hit(op, 0.0, None, (NoticeView.of(old, TODAY),)), None, {old.id: old})
    opp = Typed.model_validate(data)
    assert opp.status.value == "closed" and "<i>" not in opp.status.description
    assert opp.key_dates.other_dates["statusCheckedOn"].date == dt.date(2026, 11, 1)
