"""Constraints pulled out of a plain-words question and the asker's profile, without an LLM."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from finder.answering.geography import question_county, urban_population
from finder.answering.guards import off_limits
from finder.answering.intent import asks, loose_phrase, program_phrase
from finder.answering.vocabulary import expansions
from finder.catalog.rules import STATES
from finder.catalog.vocab import Applicant, Ask, RefusalKind, Sector

A = Applicant
# The asker's own kind of body, most specific first: "our transit authority" is a special district, not a city.
APPLICANT_PATTERNS: list[tuple[str, Applicant]] = [
    (r"\b(special (purpose )?districts?|(water|utility|sanitary|sewer|sanitation|irrigation|fire|flood control|"
     r"drainage|levee|park|hospital|library|port|conservation|soil and water conservation|reclamation|rural water|"
     r"public utility|transit|transportation) districts?|(port|transit|airport|housing|water|sewer|power|"
     r"transportation|regional transit|toll|bridge|turnpike) authorit(y|ies)|councils? of governments?|\bcogs?\b|"
     r"\bmpos?\b|metropolitan planning organi[sz]ations?|regional planning (commission|council)s?|"
     r"planning district( commission)?s?|joint powers authorit(y|ies)|(levee|flood control|drainage|water|sewer|port|"
     r"airport) (board|commission)s?|public utility districts?|\bpuds?\b|(public )?transit (agenc(y|ies)|systems?|"
     r"operators?))\b", A.SPECIAL_DISTRICT),
    (r"\b(school districts?|school boards?|school system|independent school district|isd)\b", A.SCHOOL_DISTRICT),
    (r"\b(federally recognized (indian )?tribes?|tribes?|tribal (governments?|nations?|councils?|communit(y|ies))|"
     r"pueblos?|rancherias?|band of [\w ]{0,30}indians|alaska native( regional| village)? (village|corporation)s?|"
     r"native villages?|"
     r"native (american|alaskan?) (village|nation|tribe)s?|(the )?[A-Z]?\w+ nation\b)\b", A.TRIBE),
    (r"\b(count(y|ies)|parish(es)?|county government)\b", A.COUNTY),
    (r"\b(cit(y|ies)|towns?|townships?|villages?|boroughs?|municipalit(y|ies)|municipal government|mayor|"
     r"city council|town council|town board|village board|hamlet)\b", A.CITY),
    # after the city: "a city in Puerto Rico" is a municipality there, "Guam" alone is the territory's government
    (r"\b(territor(y|ies)|puerto rico|guam|u\.?s\.? virgin islands|american samoa|northern mariana( islands)?|cnmi)\b",
     A.TERRITORY),
    (r"\b(non-?profits?|not-for-profit|501\s?\(?c\)?\s?\(?3\)?|community (group|organization)s?|neighborhood "
     r"(group|association|organization)|land trust|charit(y|ies)|foundation|community action (agenc(y|ies)|program)|"
     r"volunteer (fire|rescue|ambulance) (company|companies|department|association|squad)s?|(rural |electric |"
     r"telephone |broadband |water |utility )+co-?op(erative)?s?)\b", A.NONPROFIT),
    (r"\b(small business(es)?)\b", A.SMALL_BUSINESS),
    (r"\b(universit(y|ies)|colleges?|community college)\b", A.HIGHER_ED),
    (r"\b(for-?profit|compan(y|ies)|private firms?|privately owned|(short ?line|class (ii|iii|2|3)) railroads?|"
     r"private( [\w-]+)? (utility|company|operator|owner))\b", A.FOR_PROFIT),
    (r"\b(as a state|state agenc(y|ies)|state governments?|state department|our state\b(?! (dot|revolving))|"
     r"(?<!our )(?<!my )(?<!your )state (dots?|highway (department|agency)))", A.STATE),
]
# Words that place the asker (not just mention a body): "our county", "as a tribe", "a city of 20,000",
# "I work for a federally recognized tribe", "City of 40,000 here".
SELF = (r"\b(our|we are|we're|we represent|i am|i'm|as|for|i work for|i work at|i'm with|i represent|i run|"
        r"i manage|speaking for|on behalf of|my)\s+(an?\s+|the\s+)?([\w'-]+,?\s+){0,5}?")
HERE = r"^\W*(an?\s+|the\s+)?([\w'-]+\s+){0,2}?"  # + the noun + HERE_TAIL: "City of 40,000 here"
HERE_TAIL = r"[^.?!]{0,40}(\b(here|speaking)\b|:\s)"  # "City of 40,000 here", "A town of 8,000 in Maine: can we"

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
    Sector.COMMUNITY: r"community facilit|librar(y|ies)|community center|neighborhood|(town|city|village) hall|"
                      r"court ?house|public building|municipal building|civic center|senior center",
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
    asks: tuple[Ask, ...] = (Ask.FIND,)  # what the question asks (finder/answering/intent.py)
    county: str | None = None
    urban_population: int | None = None
    program_phrase: str | None = None  # a program name as the asker wrote it, resolved or not
    loose_phrase: str | None = None  # a looser one ("the Brownfields assessment grants"), used only if it resolves


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


TERRITORIES = frozenset({"PR", "GU", "VI", "AS", "MP"})
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


def question_applicant(low: str, state: str | None = None) -> Applicant | None:
    """The kind of body the asker is, from their own words; None when the question does not say."""
    for pattern, who in APPLICANT_PATTERNS:
        asking = r"\b(can|could|may|does|do|is|are|would)\s+(an?\s+|the\s+)?([\w'-]+\s+){0,2}?"
        if re.search(SELF + pattern, low) or re.search(HERE + pattern + HERE_TAIL, low) or \
                re.search(asking + pattern, low):
            return _territorial(_borough(who, low, state), low, state)
    if m := re.search(r"\bfor (\w+ )?(count(y|ies)|cit(y|ies)|towns?|tribes?|special districts?|states|nonprofits?|"
                      r"school districts?)\b", low):
        for pattern, who in APPLICANT_PATTERNS:
            if re.search(pattern, m[0]):
                return who
    return None


def _territorial(who: Applicant, low: str, state: str | None) -> Applicant:
    """A territory's own authorities and agencies (the Guam Power Authority) act as its government."""
    if who is Applicant.SPECIAL_DISTRICT and state in TERRITORIES and re.search(r"\bauthorit|\bagenc", low):
        return Applicant.TERRITORY
    return who


def _borough(who: Applicant, low: str, state: str | None) -> Applicant:
    """Alaska's boroughs are its counties; elsewhere (NJ, PA, CT) a borough is a municipality."""
    if who is Applicant.CITY and re.search(r"\bboroughs?\b", low) and (state == "AK" or "alaska" in low):
        return Applicant.COUNTY
    return who


def parse(text: str, *, profile_applicant: Applicant | None = None, today: dt.date | None = None,
          population: int | None = None, state: str | None = None) -> Constraints:
    """Constraints for one question; the question's own applicant words win over the profile."""
    today = today or dt.date.today()
    t = " ".join(text.split())
    low = t.lower()
    state = question_state(low) or state
    applicant = question_applicant(low, state) or profile_applicant
    population = question_population(low) or population
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
    wants = asks(t)
    elig_q = Ask.APPLY in wants
    off = off_limits(t, question_state(low))
    return Constraints(
        text=t, applicant=applicant, population=population, state=state,
        sectors=sectors, assistance=assistance, assistance_only=only, bil_only=bil_only, close_window=window,
        open_now=open_now, eligibility_question=elig_q, off_limits=off, expansions=tuple(expansions(t)),
        asks=wants, county=question_county(low), urban_population=urban_population(low),
        program_phrase=program_phrase(t), loose_phrase=loose_phrase(t),
    )
