"""A program's own eligibility rules and status, as reviewed from its statute, regulation or notice.

These are data in the catalog record (`Opportunity.rules`, `Opportunity.status`); `finder/catalog/eligibility.py`
reads them. Code never special-cases a program id: every limit, path and place lives here.
"""

from __future__ import annotations

import datetime as dt
from re import sub as re_sub

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from finder.catalog.vocab import Applicant, StateOffice, StatusKind

# USPS codes of the 50 states, DC, Puerto Rico and the territories, in display order.
STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Route(_Strict):
    """How applicants who cannot apply directly still reach the money."""

    applicants: list[Applicant] = Field(min_length=1, description="Who takes this route.")
    via: str = Field(min_length=5, description="Our words for the path: 'your state's drinking water revolving fund'.")
    office: StateOffice | None = Field(None, description="The state office that runs it, when it is a state one.")


class Condition(_Strict):
    """A genuinely conditional case: the answer says what to check."""

    applicants: list[Applicant] = Field(min_length=1, description="Whom the condition concerns.")
    check: str = Field(min_length=5, description="What the applicant must confirm, in our words.")
    met_by: list[str] = Field(default_factory=list, description="Words an asker uses that settle it as met when they "
                                                                "describe themselves ('Class III', 'short line').")

    def met(self, words: str) -> bool:
        """True when the asker's own words say they meet the condition."""
        low = words.lower()
        return any(p.lower() in low for p in self.met_by)


class PopulationRule(_Strict):
    """A population limit or threshold on who may apply directly."""

    applicants: list[Applicant] = Field(min_length=1, description="Applicants whose own population is tested.")
    max: int | None = Field(None, ge=0, description="Largest population allowed (inclusive).")
    min: int | None = Field(None, ge=0, description="Smallest population allowed (inclusive).")
    area: str = Field(min_length=3, description="What is counted: 'rural area', 'city', 'urbanized area'.")
    otherwise: Route | None = Field(None, description="Where an applicant outside the limit goes instead, if anywhere.")
    counts: str = Field("own", description="'own': the applicant's own population; 'urbanized_area': the population "
                                           "of the Census urbanized area the applicant is in (outside-a-UA tests).")
    or_largest: int | None = Field(
        None, ge=1, description="An alternative test: applicants below `min` also qualify when they are among the "
                                "this many most populous of their kind in their state (EECBG's 10 largest).")
    if_unknown: str | None = Field(
        None, description="'eligible' or 'check' when the population is not known; default: eligible for a "
                          "maximum (most askers are small), check for a minimum.")

    @model_validator(mode="after")
    def _bound(self) -> PopulationRule:
        if self.max is None and self.min is None:
            raise ValueError("a population rule needs max or min")
        if self.if_unknown not in (None, "eligible", "check"):
            raise ValueError("if_unknown must be 'eligible' or 'check'")
        if self.counts not in ("own", "urbanized_area"):
            raise ValueError("counts must be 'own' or 'urbanized_area'")
        return self


class PlaceRule(_Strict):
    """Programs that serve only some states or regions."""

    states: list[str] = Field(default_factory=list, description="USPS codes of states wholly inside the area.")
    partial: list[str] = Field(default_factory=list, description="States only part of which is inside the area.")
    area: str = Field(min_length=3, description="The area in our words: 'the Appalachian Region'.")
    partial_note: str | None = Field(None, description="Which part of a partial state is covered, if the source says.")
    counties: dict[str, list[str]] = Field(
        default_factory=dict, description="For a partial state, the counties (or parishes, boroughs) inside the area, "
                                          "as the statute lists them, without the word 'County'.")
    exclude_counties: dict[str, list[str]] = Field(
        default_factory=dict, description="Counties of a listed state that are outside the area (a region defined "
                                          "as a state's counties not served by another commission).")

    @field_validator("states", "partial")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        bad = [s for s in v if s not in STATES]
        if bad:
            raise ValueError(f"unknown state code {bad}; expected USPS codes such as OH, TX, PR")
        return v

    @field_validator("counties", "exclude_counties")
    @classmethod
    def _county_states(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        bad = [s for s in v if s not in STATES]
        if bad:
            raise ValueError(f"unknown state code {bad}; expected USPS codes such as OH, TX, PR")
        return v

    def county_inside(self, state: str, county: str) -> bool | None:
        """Whether a named county of `state` is inside the area; None when the rule does not list counties."""
        name = county_key(county)
        if state in self.exclude_counties and name in {county_key(c) for c in self.exclude_counties[state]}:
            return False
        if state in self.counties:
            return name in {county_key(c) for c in self.counties[state]}
        if state in self.exclude_counties:
            return True
        return None


def county_key(name: str) -> str:
    """'St. Mary Parish' and 'saint mary' compare equal."""
    low = name.lower().replace("saint ", "st. ").replace("st ", "st. ")
    low = re_sub(r"\b(county|parish|borough|census area|city and borough|municipality)\b", "", low)
    return re_sub(r"[^a-z.]+", " ", low).strip()


class Rules(_Strict):
    """The reviewed eligibility rules. Direct applicants stay in `Opportunity.eligible_applicants`."""

    reviewed: dt.date = Field(description="When a person checked these rules against the cited sources.")
    through: list[Route] = Field(default_factory=list, description="Pass-through paths for non-direct applicants.")
    conditions: list[Condition] = Field(default_factory=list, description="Conditional cases: verdict 'check'.")
    population: list[PopulationRule] = Field(default_factory=list, description="Population limits and thresholds.")
    place: PlaceRule | None = Field(None, description="The states or region served, when not nationwide.")
    requires: list[str] = Field(default_factory=list, description="What every project must meet, whoever applies "
                                                                  "('the facility serves a rural area'): said with "
                                                                  "an eligible verdict, not a reason for 'check'.")

    def route_for(self, applicant: Applicant) -> Route | None:
        return next((r for r in self.through if applicant in r.applicants), None)

    def condition_for(self, applicant: Applicant) -> Condition | None:
        return next((c for c in self.conditions if applicant in c.applicants), None)


class ShareCase(_Strict):
    """A special case of the cost share: rural, tribal, small impoverished communities, off-system bridges."""

    when: str = Field(min_length=3, description="Who or what the case covers, in our words.")
    federal_max: int | None = Field(None, ge=0, le=100, description="Largest federal share in this case, percent.")
    text: str = Field(min_length=5, description="The case in our words: 'up to 100% federal for ...'.")


class CostShare(_Strict):
    """What share of the cost the federal award pays and what the applicant pays, from a cited source."""

    text: str = Field(min_length=10, description="Our words, for the chat: what the federal award pays and what the "
                                                 "applicant (or, for pass-through programs, the state and the local "
                                                 "recipient) pays; 'no match required' when none is.")
    federal_max: int | None = Field(None, ge=0, le=100, description="Largest federal share of project cost, percent, "
                                                                    "for the usual direct applicant.")
    applicant_min: int | None = Field(None, ge=0, le=100, description="Smallest share the applicant pays, percent; "
                                                                      "0 when no match is required.")
    cases: list[ShareCase] = Field(default_factory=list, description="Waivers and special cases.")

    @model_validator(mode="after")
    def _adds_up(self) -> CostShare:
        if self.federal_max is not None and self.applicant_min is not None \
                and self.federal_max + self.applicant_min != 100:
            raise ValueError(f"federal_max {self.federal_max} and applicant_min {self.applicant_min} should add up to "
                             f"100; leave one out when the shares are not of the same cost")
        return self

    @property
    def none_required(self) -> bool:
        return self.applicant_min == 0


class Award(_Strict):
    """How much one award can be, when the statute, regulation or notice sets it."""

    text: str = Field(min_length=10, description="Our words: 'grants up to $1,000,000 for a new water source'.")
    max_dollars: float | None = Field(None, ge=0, description="The largest single award, when one figure applies.")


class Status(_Strict):
    """Whether the program still runs, as of a date, from a cited source."""

    value: StatusKind = Field(description="open, rolling, annual, formula, closed, ended, terminated, paused or "
                                          "unknown (no official page confirms it; the note says what was reported).")
    as_of: dt.date = Field(description="The date we last checked the status (not the date it changed).")
    note: str | None = Field(None, description="Our words: what happened and when ('terminated in May 2025').")

    @property
    def live(self) -> bool:
        return self.value.live
