"""The project's vocabularies in one place: every StrEnum the catalog, the index and the answers share.

Members cite the SAM.gov or Grants.gov code they map to, where one exists.
"""

from __future__ import annotations

from enum import StrEnum


class Applicant(StrEnum):
    """Who asks. Grants.gov EligibleApplicants code in brackets where one exists."""

    STATE = "state"  # [00] State governments
    COUNTY = "county"  # [01] County governments
    CITY = "city"  # [02] City or township governments
    SPECIAL_DISTRICT = "special_district"  # [04] Special district governments
    SCHOOL_DISTRICT = "school_district"  # [05] Independent school districts
    TRIBE = "tribe"  # [07] Native American tribal governments (federally recognized)
    TERRITORY = "territory"  # SAM.gov "U.S. Territories and possessions"
    NONPROFIT = "nonprofit"  # [12] / [13] Nonprofits
    FOR_PROFIT = "for_profit"  # [22] For profit organizations other than small businesses
    SMALL_BUSINESS = "small_business"  # [23] Small businesses
    HIGHER_ED = "higher_ed"  # [06] / [20] Institutions of higher education
    INDIVIDUAL = "individual"  # [21] Individuals

class AssistanceType(StrEnum):
    """SAM.gov "Types of Assistance (060)" in our words; the SAM term is in brackets."""

    FORMULA_GRANT = "formula grant"  # [Formula Grants]
    PROJECT_GRANT = "project grant"  # [Project Grants]
    DIRECT_LOAN = "direct loan"  # [Direct Loans]
    LOAN_GUARANTEE = "loan guarantee"  # [Guaranteed / Insured Loans]
    DIRECT_PAYMENT = "direct payment"  # [Direct Payments for a Specified Use]
    UNRESTRICTED_PAYMENT = "unrestricted payment"  # [Direct Payments with Unrestricted Use]
    INSURANCE = "insurance"  # [Insurance]
    TECHNICAL_ASSISTANCE = "technical assistance"  # [Advisory Services and Counseling]
    INFORMATION = "information"  # [Dissemination of Technical Information]
    FEDERAL_OPERATIONS = "federal operations"  # [Salaries and Expenses]
    TRAINING = "training"  # [Training]
    SPECIALIZED_SERVICES = "specialized services"  # [Provision of Specialized Services]
    PROPERTY = "property"  # [Sale, Exchange, or Donation of Property or Goods] / [Use of Property, ...]
    COMPLAINTS = "complaint investigation"  # [Investigation of Complaints]
    OTHER = "other"


SAM_ASSISTANCE: dict[str, AssistanceType] = {
    "Formula Grants": AssistanceType.FORMULA_GRANT,
    "Project Grants": AssistanceType.PROJECT_GRANT,
    "Direct Loans": AssistanceType.DIRECT_LOAN,
    "Guaranteed / Insured Loans": AssistanceType.LOAN_GUARANTEE,
    "Direct Payments for a Specified Use": AssistanceType.DIRECT_PAYMENT,
    "Direct Payments with Unrestricted Use": AssistanceType.UNRESTRICTED_PAYMENT,
    "Insurance": AssistanceType.INSURANCE,
    "Advisory Services and Counseling": AssistanceType.TECHNICAL_ASSISTANCE,
    "Dissemination of Technical Information": AssistanceType.INFORMATION,
    "Salaries and Expenses": AssistanceType.FEDERAL_OPERATIONS,
    "Training": AssistanceType.TRAINING,
    "Provision of Specialized Services": AssistanceType.SPECIALIZED_SERVICES,
    "Sale, Exchange, or Donation of Property or Goods": AssistanceType.PROPERTY,
    "Use of Property, Facilities, or Equipment": AssistanceType.PROPERTY,
    "Investigation of Complaints": AssistanceType.COMPLAINTS,
}
GRANT_TYPES = {AssistanceType.FORMULA_GRANT, AssistanceType.PROJECT_GRANT}
LOAN_TYPES = {AssistanceType.DIRECT_LOAN, AssistanceType.LOAN_GUARANTEE}


class Sector(StrEnum):
    """What the money builds. Users' sector words map onto these in `finder/answering/query.py`."""

    TRANSPORTATION = "transportation"
    TRANSIT = "transit"
    RAIL = "rail"
    AVIATION = "aviation"
    PORTS_WATERWAYS = "ports_waterways"
    ROADS_BRIDGES = "roads_bridges"
    SAFETY = "safety"
    WATER = "water"
    WASTEWATER = "wastewater"
    STORMWATER = "stormwater"
    BROADBAND = "broadband"
    ENERGY = "energy"
    RESILIENCE = "resilience"
    DISASTER_RECOVERY = "disaster_recovery"
    ENVIRONMENT = "environment"
    BROWNFIELDS = "brownfields"
    AIR_QUALITY = "air_quality"
    COMMUNITY = "community"
    PUBLIC_SAFETY = "public_safety"
    HOUSING = "housing"
    ECONOMIC_DEVELOPMENT = "economic_development"
    NATURAL_RESOURCES = "natural_resources"
    WILDFIRE = "wildfire"
    RESEARCH = "research"
    PLANNING = "planning"
    CYBERSECURITY = "cybersecurity"

class StatusKind(StrEnum):
    """Whether a program still takes applications, and how."""

    OPEN = "open"  # a notice of funding is open now
    ROLLING = "rolling"  # applications accepted year-round
    ANNUAL = "annual"  # competes in a yearly round; between rounds no notice is open
    FORMULA = "formula"  # paid out by formula to states or named recipients each year
    CLOSED = "closed"  # the latest round closed; no new round announced
    ENDED = "ended"  # funding ran out or the authority lapsed
    TERMINATED = "terminated"  # the agency cancelled the program or its awards
    PAUSED = "paused"  # the agency stopped new awards pending review
    UNKNOWN = "unknown"  # no official page confirms the current state; the note says what was reported, by whom

    @property
    def live(self) -> bool:
        return self not in INACTIVE


INACTIVE = frozenset({StatusKind.ENDED, StatusKind.TERMINATED, StatusKind.PAUSED})


class StateOffice(StrEnum):
    """Which state office runs a pass-through program; a key into the state-office table."""

    DRINKING_WATER_SRF = "dwsrf"
    CLEAN_WATER_SRF = "cwsrf"
    CDBG = "cdbg"
    DOT = "dot"
    HAZARD_MITIGATION = "hazard_mitigation"
    EMERGENCY_MANAGEMENT = "emergency_management"
    BROADBAND = "broadband"
    ENERGY = "energy"
    LWCF = "lwcf"
    TRAILS = "trails"
    HOMELAND_SECURITY = "homeland_security"
    WEATHERIZATION = "weatherization"
    TRANSIT = "transit"
    ABANDONED_MINES = "abandoned_mines"
    OTHER = "other"

class VerdictKind(StrEnum):
    ELIGIBLE = "eligible"  # may apply directly to the federal agency
    THROUGH = "through_state"  # not directly, but the money reaches them through a named path
    NOT_ELIGIBLE = "not_eligible"  # no path at all for this applicant
    CHECK = "check"  # genuinely conditional: the reason says what to check

class NoticeStatus(StrEnum):
    """Derived from dates as Grants.gov does (reference/grants-gov.md)."""

    FORECASTED = "forecasted"  # OpportunityForecastDetail_1_0 record
    POSTED = "posted"  # OpportunitySynopsisDetail_1_0, close date not past
    CLOSED = "closed"  # CloseDate past
    ARCHIVED = "archived"  # ArchiveDate past


class FundingInstrument(StrEnum):
    """Grants.gov FundingInstrumentType codes."""

    GRANT = "G"
    COOPERATIVE_AGREEMENT = "CA"
    PROCUREMENT_CONTRACT = "PC"
    OTHER = "O"


class FollowUpKind(StrEnum):
    """What a follow-up question does with the programs the last answer showed."""

    DETAIL = "detail"  # "tell me more about the second one"
    FILTER = "filter"  # "which of those are loans?"
    APPLICANT = "applicant"  # "what about for counties?"


class FollowUpFilter(StrEnum):
    LOAN = "loan"
    GRANT = "grant"
    OPEN = "open"
    BIL = "bil"
    ELIGIBLE = "eligible"


class RefusalKind(StrEnum):
    """Why the finder declined to offer programs."""

    EMPTY = "empty"
    LONG = "long"
    INJECTION = "injection"
    PERSONAL = "personal"  # help for a person or household: benefits, bills, a mortgage, food, taxes
    BUSINESS = "business"  # a private business's own financing or investors
    ABROAD = "abroad"  # a place outside the United States and its territories
    OPINION = "opinion"  # opinions and politics
    VENDOR = "vendor"  # picking vendors, brands or contractors
    CONTACT = "contact"  # anyone's personal contact data
    OFF_TASK = "off_task"  # unrelated tasks
    WRITING = "writing"  # drafting an application, narrative or letter for the asker
    LOW = "low"  # nothing in the index is similar enough


class Ask(StrEnum):
    """What a question asks; one question may ask several."""

    FIND = "find"  # which programs fit
    APPLY = "apply"  # can we apply (directly)?
    MATCH = "match"  # the federal share and what the applicant pays
    STATUS = "status"  # still open, still funded, ended
    ENDED = "ended"  # the status, asked as whether it ended ("did it get cut?"): a yes means it did
    OFFICE = "office"  # who runs it in my state
    DEADLINE = "deadline"  # when applications close
    AMOUNT = "amount"  # how much one can get
    USES = "uses"  # what it pays for
    COMPARE = "compare"  # two programs side by side
