"""Constraints pulled out of a plain-words question and the asker's profile, without an LLM."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from finder.answering.guards import off_limits
from finder.answering.vocabulary import expansions
from finder.catalog.rules import STATES
from finder.catalog.vocab import Applicant, RefusalKind, Sector

A = Applicant
APPLICANT_PATTERNS: list[tuple[str, Applicant]] = [
    (r"\b(special (purpose )?districts?|water districts?|utility districts?|sanitary districts?|port authorit(y|ies)"
     r"|irrigation districts?|fire districts?|transit authorit(y|ies))\b", A.SPECIAL_DISTRICT),
    (r"\bschool districts?\b", A.SCHOOL_DISTRICT),
    (r"\b(count(y|ies)|parish(es)?|borough)\b", A.COUNTY),
    (r"\b(tribes?|tribal( government| nation)?s?|pueblos?|native (american|alaskan?) (village|nation)s?)\b", A.TRIBE),
    (r"\b(territor(y|ies)|puerto rico|guam|u\.?s\.? virgin islands|american samoa|northern mariana)\b", A.TERRITORY),
    (r"\b(cit(y|ies)|towns?|townships?|villages?|municipalit(y|ies)|municipal government|mayor)\b", A.CITY),
    (r"\b(non-?profits?|501\s?\(?c\)?\s?\(?3\)?|community (group|organization)s?|neighborhood group)\b", A.NONPROFIT),
    (r"\b(small business(es)?)\b", A.SMALL_BUSINESS),
    (r"\b(universit(y|ies)|colleges?)\b", A.HIGHER_ED),
    (r"\b(for-?profit|compan(y|ies)|private firms?)\b", A.FOR_PROFIT),
    (r"\b(as a state|state agenc(y|ies)|state governments?|our state\b(?! (dot|revolving)))", A.STATE),
]
# Words that place the asker (not just mention a body): "our county", "as a tribe", "a city of 20,000".
SELF = r"\b(our|we are an?|we're an?|i am an?|as an?|for an?|for our|an?|my)\s+(small |rural |large |mid-?sized )?"

SECTOR_WORDS: dict[Sector, str] = {
    Sector.WATER: r"drinking water|water (system|main|utilit|infrastructure|supply|treatment)|\bwater\b|lead pipe|"
                  r"lead service|pfas|aquifer|groundwater|well",
    Sector.WASTEWATER: r"wastewater|sewer|septic|sanitation|treatment plant",
    Sector.STORMWATER: r"stormwater|storm water|drainage|combined sewer",
    Sector.BROADBAND: r"broadband|internet|fiber|digital equity|connectivity",
    Sector.ENERGY: r"energy|electric|grid|solar|power|weatheriz|heat pump|utility bill|efficien",
    Sector.TRANSPORTATION: r"transportation|\bev\b|electric vehicle|charger|charging|highway|street|road",
    Sector.ROADS_BRIDGES: r"road|bridge|highway|pavement|culvert|street",
    Sector.TRANSIT: r"transit|\bbus(es)?\b|subway|light rail|paratransit|van service|ferr(y|ies)",
    Sector.RAIL: r"\brail|railroad|train|amtrak|grade crossing",
    Sector.AVIATION: r"airport|aviation|runway",
    Sector.PORTS_WATERWAYS: r"\bports?\b|harbor|marina|waterway|shipping|maritime",
    Sector.SAFETY: r"safety|crash|fatalit|pedestrian|bike lane|vision zero",
    Sector.RESILIENCE: r"resilien|flood|hazard mitigation|sea level|erosion|earthquake|hurricane",
    Sector.DISASTER_RECOVERY: r"disaster|recovery|hurricane|tornado|wildfire damage",
    Sector.WILDFIRE: r"wildfire|fire risk|fuel reduction|prescribed fire",
    Sector.ENVIRONMENT: r"pollution|environment|climate|contamina|clean up|cleanup",
    Sector.BROWNFIELDS: r"brownfield|contaminated site|abandoned (site|property)",
    Sector.AIR_QUALITY: r"diesel|emission|air quality|clean air|greenhouse",
    Sector.HOUSING: r"housing|homes?\b|rent|homeless",
    Sector.COMMUNITY: r"community facilit|library|community center|neighborhood",
    Sector.ECONOMIC_DEVELOPMENT: r"economic|jobs|industrial park|business",
    Sector.PUBLIC_SAFETY: r"emergency|911|first responder|police|fire station|preparedness",
    Sector.CYBERSECURITY: r"cyber",
    Sector.PLANNING: r"\bplan(ning)?\b|study|feasibility",
}

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "thirty": 30, "sixty": 60, "ninety": 90}

Kind = Literal["loan", "grant"]


@dataclass(frozen=True)
class Constraints:
    """What the question (and profile) pins down. Hard ones filter; soft ones boost."""

    text: str
    applicant: Applicant | None = None
    population: int | None = None
    state: str | None = None
    sectors: frozenset[Sector] = frozenset()
    assistance: Kind | None = None
    assistance_only: bool = False
    bil_only: bool = False
    close_window: tuple[dt.date, dt.date] | None = None
    open_now: bool = False
    eligibility_question: bool = False
    off_limits: RefusalKind | None = None
    expansions: tuple[str, ...] = ()  # catalog phrases for the question's everyday words (finder/vocabulary.py)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word.lower(), 0)


def time_window(text: str, today: dt.date) -> tuple[tuple[dt.date, dt.date] | None, bool]:
    """(close-date window, open_now) from time words, resolved against `today`."""
    t = text.lower()
    m = re.search(r"(next|coming|within( the next)?|in the next)\s+(\d+|\w+)\s+(day|week|month)s?", t)
    if m and _count(m[3]):
        n = _count(m[3]) * {"day": 1, "week": 7, "month": 30}[m[4]]
        return (today, today + dt.timedelta(days=n)), False
    if re.search(r"\bnext month\b", t):
        first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return (first, last), False
    if re.search(r"\bthis month\b", t):
        last = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return (today, last), False
    if re.search(r"\b(this|next) (week)\b", t):
        return (today, today + dt.timedelta(days=7)), False
    if re.search(r"\b(clos(e|es|ing) soon|deadline(s)? (coming )?soon|upcoming deadlines?)\b", t):
        return (today, today + dt.timedelta(days=30)), False
    if re.search(r"\b(open now|currently open|open right now|accepting applications|is \w+ open|still open|"
                 r"can (we|i) apply now|open (grants?|notices?|opportunit))", t):
        return None, True
    return None, False


POPULATION = re.compile(
    r"\b(?:(?:of|with|population(?: of| is)?|serving|has|have|about|around|roughly)\s+(?:about\s+|around\s+|roughly\s+|"
    r"only\s+|just\s+)?(?P<a>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?P<ak>\s?k\b)?(?P<aw>\s+(?:people|residents|population|"
    r"inhabitants|citizens))?"
    r"|(?P<b>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?P<bk>\s?k\b)?\s+(?:people|residents|inhabitants|population))")
PLACE_WORDS = re.compile(r"people|residents|population|city|town|county|village|borough|township|tribe|parish")


def question_population(low: str) -> int | None:
    """A population stated in the question ("a town of 8,500", "12k residents", "we have 25,000 people")."""
    for m in POPULATION.finditer(low):
        num, k = (m["a"], m["ak"]) if m["a"] else (m["b"], m["bk"])
        if m["a"] and not (k or m["aw"] or PLACE_WORDS.search(low)):
            continue
        value = float(num.replace(",", "")) * (1000 if k else 1)
        if value >= 50 and not (1900 <= value <= 2100 and not k and "," not in num and not m["aw"] and not m["b"]):
            return int(value)
    return None


STATE_NAMES = sorted(((name.lower(), code) for code, name in STATES.items()), key=lambda x: -len(x[0]))
STATE_RE = re.compile(r"\b(" + "|".join(re.escape(n) for n, _ in STATE_NAMES) + r")\b")


def question_state(low: str) -> str | None:
    """A state or territory named in the question ("a county in Ohio", "a Texas town"), as its USPS code."""
    for m in STATE_RE.finditer(low):
        name = m[1]
        if name == "washington" and re.search(r"washington,? d\.?c\b", low[m.start():m.end() + 6]):
            return "DC"
        if name == "georgia" and "country" in low:
            continue
        return dict(STATE_NAMES)[name]
    return None


def parse(text: str, *, profile_applicant: Applicant | None = None, today: dt.date | None = None,
          population: int | None = None, state: str | None = None) -> Constraints:
    """Constraints for one question; the question's own applicant words win over the profile."""
    today = today or dt.date.today()
    t = " ".join(text.split())
    low = t.lower()
    applicant, from_q = profile_applicant, False
    for pattern, who in APPLICANT_PATTERNS:
        if re.search(SELF + pattern, low) or re.search(r"\b(can|could|may|does|do|is|are)\s+(an?\s+)?" + pattern, low):
            applicant, from_q = who, True
            break
    if not from_q and (m := re.search(r"\bfor (\w+ )?(count(y|ies)|cit(y|ies)|tribes?|special districts?|states|"
                                      r"nonprofits?|school districts?)\b", low)):
        for pattern, who in APPLICANT_PATTERNS:
            if re.search(pattern, m[0]):
                applicant, from_q = who, True
                break
    population = question_population(low) or population
    state = question_state(low) or state
    sectors = frozenset(s for s, words in SECTOR_WORDS.items() if re.search(words, low))
    assistance: Kind | None = None
    if re.search(r"\bloans?\b|financing|revolving fund|borrow", low):
        assistance = "loan"
    elif re.search(r"\bgrants?\b", low) and not re.search(r"\bgrants? or loans?\b", low):
        assistance = "grant"
    only = bool(assistance and re.search(
        r"\b(only|just)\s+(\w+\s+)?(loans?|grants?)\b|\b(loans?|grants?)\s+only\b|\bnot (a )?loans?\b|\bno loans\b",
        low))
    if re.search(r"\bnot (a )?loans?\b|\bno loans\b", low):
        assistance = "grant"
    bil_only = bool(re.search(r"\b(bil|iija|bipartisan infrastructure law|infrastructure (investment and jobs|law))"
                              r"(-| )?(funded|money|programs?|funding)?\b", low))
    window, open_now = time_window(low, today)
    elig_q = bool(re.search(r"\b(can|could|may|are|is)\b.{0,40}\b(apply|eligible|qualify)|\beligib|who can apply", low))
    off = off_limits(t)
    return Constraints(
        text=t, applicant=applicant, population=population, state=state,
        sectors=sectors, assistance=assistance, assistance_only=only, bil_only=bil_only, close_window=window,
        open_now=open_now, eligibility_question=elig_q, off_limits=off, expansions=tuple(expansions(t)),
    )
