"""The applicant vocabulary and the one table that maps source terms onto it.

A source term maps to applicants it surely covers (`sure`) and applicants it may cover (`maybe`).
A term with any `maybe` puts the explicit CHECK marker on a record instead of a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.catalog.vocab import Applicant

CHECK = "check"

LABELS: dict[Applicant, tuple[str, str]] = {
    Applicant.STATE: ("a state", "states"),
    Applicant.COUNTY: ("a county", "counties"),
    Applicant.CITY: ("a city", "cities"),
    Applicant.SPECIAL_DISTRICT: ("a special district", "special districts"),
    Applicant.SCHOOL_DISTRICT: ("a school district", "school districts"),
    Applicant.TRIBE: ("a tribe", "tribes"),
    Applicant.TERRITORY: ("a territory", "territories"),
    Applicant.NONPROFIT: ("a nonprofit", "nonprofits"),
    Applicant.FOR_PROFIT: ("a for-profit company", "for-profit companies"),
    Applicant.SMALL_BUSINESS: ("a small business", "small businesses"),
    Applicant.HIGHER_ED: ("a college or university", "colleges and universities"),
    Applicant.INDIVIDUAL: ("an individual", "individuals"),
}

A = Applicant
LOCAL = frozenset({A.COUNTY, A.CITY, A.SPECIAL_DISTRICT, A.SCHOOL_DISTRICT})
GOVERNMENTS = LOCAL | {A.STATE, A.TERRITORY, A.TRIBE}
ALL = frozenset(Applicant)


@dataclass(frozen=True)
class Coverage:
    sure: frozenset[Applicant] = frozenset()
    maybe: frozenset[Applicant] = frozenset()


def _c(sure: set[Applicant] | frozenset[Applicant] = frozenset(),
       maybe: set[Applicant] | frozenset[Applicant] = frozenset()) -> Coverage:
    return Coverage(frozenset(sure), frozenset(maybe) - frozenset(sure))


# SAM.gov Assistance Listing applicant types (old and new terms) as they appear in the FPI data.
SAM_TERMS: dict[str, Coverage] = {
    "State": _c({A.STATE}),
    # a public university counts only as part of its state: at most a case to check, never eligible on its own
    "State (includes District of Columbia, public institutions of higher education and hospitals)":
        _c({A.STATE}, {A.HIGHER_ED}),
    "Local (includes State-designated Indian Tribes, excludes institutions of higher education and hospitals":
        _c(LOCAL, {A.TRIBE}),
    "City or Township Government": _c({A.CITY}),
    "County Government": _c({A.COUNTY}),
    "Special District Government": _c({A.SPECIAL_DISTRICT}),
    "Independent School District": _c({A.SCHOOL_DISTRICT}),
    "Federally Recognized Indian Tribal Governments": _c({A.TRIBE}),
    "Indian/Native American Tribal Government (Other than Federally Recognized)": _c(maybe={A.TRIBE}),
    "Indian/Native American Tribally Designated Organization": _c(maybe={A.TRIBE, A.NONPROFIT}),
    "Native American Organizations (includes Indian groups, cooperatives, corporations, partnerships, associations)":
        _c(maybe={A.TRIBE, A.NONPROFIT}),
    "U.S. Territories and possessions": _c({A.TERRITORY}),
    "U.S. Territories and possessions (includes institutions of higher education and hospitals)":
        _c({A.TERRITORY}, {A.HIGHER_ED}),
    "Public nonprofit institution/organization (includes institutions of higher education and hospitals)":
        _c({A.NONPROFIT, A.HIGHER_ED}),
    "Private nonprofit institution/organization (includes institutions of higher education and hospitals)":
        _c({A.NONPROFIT, A.HIGHER_ED}),
    "Quasi-public nonprofit institution/organization": _c(maybe={A.NONPROFIT, A.SPECIAL_DISTRICT}),
    "Nonprofit with 501C3 IRS Status (Other than Institution of Higher Education)": _c({A.NONPROFIT}),
    "Nonprofit without 501C3 IRS Status (Other than Institution of Higher Education)": _c({A.NONPROFIT}),
    "Other public institution/organization": _c(maybe=LOCAL | {A.HIGHER_ED}),
    "Other private institutions/organizations": _c(maybe={A.NONPROFIT, A.FOR_PROFIT, A.SMALL_BUSINESS}),
    "Profit organization": _c({A.FOR_PROFIT, A.SMALL_BUSINESS}),
    "For-Profit Organization (Other than Small Business)": _c({A.FOR_PROFIT}),
    "Small business (less than 500 employees)": _c({A.SMALL_BUSINESS}),
    "Individual/Family": _c({A.INDIVIDUAL}),
    "Anyone/general public": _c(maybe=ALL),  # says nothing specific about who applies
    "Government - General": _c(maybe=GOVERNMENTS),
    "Non-Government - General": _c(maybe={A.NONPROFIT, A.FOR_PROFIT, A.SMALL_BUSINESS, A.HIGHER_ED, A.INDIVIDUAL}),
    "Interstate": _c(maybe=GOVERNMENTS),
    "Intrastate": _c(maybe=LOCAL | {A.STATE}),
    "Regional Organization": _c(maybe={A.SPECIAL_DISTRICT, A.NONPROFIT}),
    "Sponsored organization": _c(maybe={A.NONPROFIT}),
    "Specialized group (e.g. health professionals, students, veterans)": _c(maybe={A.INDIVIDUAL, A.NONPROFIT}),
    "Minority group": _c(maybe={A.INDIVIDUAL, A.NONPROFIT}),
    "Other (specify)": _c(maybe=ALL),
    "Public/Indian Housing Authority": _c(maybe={A.SPECIAL_DISTRICT, A.TRIBE}),
    "Historically Black Colleges and Universities (HBCUs)": _c({A.HIGHER_ED}),
    "Tribally Controlled Colleges and Universities (TCCUs)": _c({A.HIGHER_ED}),
    "Hispanic-serving Institution": _c({A.HIGHER_ED}),
    "Alaska Native and Native Hawaiian Serving Institutions": _c({A.HIGHER_ED}),
    "Federal": _c(),
    "Non-domestic (non-US) Entity": _c(),
}

# Grants.gov EligibleApplicants codes (reference/grants-gov.md).
GRANTS_GOV_CODES: dict[str, tuple[str, Coverage]] = {
    "00": ("State governments", _c({A.STATE}, {A.TERRITORY})),
    "01": ("County governments", _c({A.COUNTY})),
    "02": ("City or township governments", _c({A.CITY})),
    "04": ("Special district governments", _c({A.SPECIAL_DISTRICT})),
    "05": ("Independent school districts", _c({A.SCHOOL_DISTRICT})),
    "06": ("Public and state controlled institutions of higher education", _c({A.HIGHER_ED})),
    "07": ("Native American tribal governments (federally recognized)", _c({A.TRIBE})),
    "08": ("Public and Indian housing authorities", _c(maybe={A.SPECIAL_DISTRICT, A.TRIBE})),
    "11": ("Native American tribal organizations", _c(maybe={A.TRIBE, A.NONPROFIT})),
    "12": ("Nonprofits having a 501(c)(3) status", _c({A.NONPROFIT})),
    "13": ("Nonprofits without 501(c)(3) status", _c({A.NONPROFIT})),
    "20": ("Private institutions of higher education", _c({A.HIGHER_ED})),
    "21": ("Individuals", _c({A.INDIVIDUAL})),
    "22": ("For profit organizations other than small businesses", _c({A.FOR_PROFIT})),
    "23": ("Small businesses", _c({A.SMALL_BUSINESS})),
    "25": ("Others (see AdditionalInformationOnEligibility)", _c(maybe=ALL)),
    "99": ("Unrestricted", _c(ALL)),
}


def normalise_term(term: str) -> str:
    """Undo the source's known typo ("lndian" with a lower-case L) and stray spacing."""
    return " ".join(term.replace("lndian", "Indian").split())


def sam_coverage(term: str) -> Coverage:
    """Coverage of one SAM.gov applicant term; KeyError for a term the table lacks."""
    return SAM_TERMS[normalise_term(term)]


def eligible_list(coverages: list[Coverage]) -> list[str]:
    """The catalog's `eligible_applicants`: sure applicants in vocabulary order, then CHECK if any term is vague."""
    sure = set().union(*(c.sure for c in coverages)) if coverages else set()
    maybe = set().union(*(c.maybe for c in coverages)) - sure if coverages else set()
    out: list[str] = [a.value for a in Applicant if a in sure]
    if maybe:
        out.append(CHECK)
    return out


def parse_applicant(text: str) -> Applicant:
    """An applicant from user input ("city", "special district"); ValueError names the vocabulary."""
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return Applicant(key)
    except ValueError:
        raise ValueError(
            f"unknown applicant type {text!r}; expected one of: {', '.join(a.value for a in Applicant)}"
        ) from None
