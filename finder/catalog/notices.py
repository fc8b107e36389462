"""Grants.gov notices of funding opportunity: the time-bound calls joined to programs by ALN."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field

from finder.catalog.vocab import FundingInstrument, NoticeStatus
from finder.text import NOTICE_ID


class Notice(BaseModel):
    """One notice, cleaned: plain text only, dates parsed, applicant codes mapped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=rf"^{NOTICE_ID}$", description="Grants.gov OpportunityID: digits only.")
    number: str = Field("", description="OpportunityNumber, e.g. 693C73-24-N-0001.")
    title: str = Field(description="Notice title, HTML stripped.")
    agency: str = Field("", description="AgencyName or AgencyCode.")
    alns: list[str] = Field(default_factory=list, description="CFDANumbers: the ALNs this notice funds.")
    categories: list[str] = Field(default_factory=list, description="CategoryOfFundingActivity codes (IIJ, T, ...).")
    instruments: list[FundingInstrument] = Field(default_factory=list, description="FundingInstrumentType codes.")
    eligible_codes: list[str] = Field(default_factory=list, description="EligibleApplicants two-digit codes.")
    eligible_applicants: list[str] = Field(default_factory=list, description="Codes mapped to our vocabulary (+check).")
    forecast: bool = Field(False, description="True for a forecast record.")
    post_date: dt.date | None = Field(None, description="PostDate (or EstimatedSynopsisPostDate).")
    close_date: dt.date | None = Field(None, description="CloseDate (or EstimatedSynopsisCloseDate).")
    close_note: str = Field("", description="CloseDateExplanation, e.g. rolling deadlines.")
    archive_date: dt.date | None = Field(None, description="ArchiveDate.")
    award_floor: float | None = Field(None, description="AwardFloor in dollars.")
    award_ceiling: float | None = Field(None, description="AwardCeiling in dollars.")
    total_funding: float | None = Field(None, description="EstimatedTotalProgramFunding in dollars.")
    expected_awards: int | None = Field(None, description="ExpectedNumberOfAwards.")
    cost_share: bool | None = Field(None, description="CostSharingOrMatchingRequirement.")
    description: str = Field("", description="Description as plain text, shortened.")
    url: str = Field(pattern=r"^https://www\.grants\.gov/search-results-detail/\d+$",
                     description="The notice's Grants.gov page, built from its id.")

    def status(self, today: dt.date) -> NoticeStatus:
        if self.archive_date and self.archive_date < today:
            return NoticeStatus.ARCHIVED
        if self.close_date and self.close_date < today:
            return NoticeStatus.CLOSED
        if self.forecast:
            return NoticeStatus.FORECASTED
        return NoticeStatus.POSTED

    def is_open(self, today: dt.date) -> bool:
        return self.status(today) == NoticeStatus.POSTED

    def content_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()[:16]

    def search_text(self) -> str:
        return f"{self.title}. {self.agency}. {self.description[:400]}"


def grants_gov_url(opportunity_id: str) -> str:
    return f"https://www.grants.gov/search-results-detail/{opportunity_id}"
