"""Checks an LLM-written lead against the index before it is shown. The model may change the wording,
never the facts: a lead that names a program not shown, contradicts a verdict, states a number the
records do not hold, or keeps anything the guards strip, is dropped for the grounded lead."""

from __future__ import annotations

import re
from dataclasses import dataclass

from finder.answering.facts import short_name
from finder.answering.guards import INJECTION
from finder.answering.types import Hit
from finder.catalog.model import Opportunity
from finder.catalog.vocab import VerdictKind
from finder.text import RECORD_ID, TAG, URL

YES = re.compile(r"\b(are|is|be) (an? )?(eligible|direct applicants?)|\bcan apply( directly)?\b|\bmay apply\b|"
                 r"\bqualif(y|ies)\b|\b(can|may|could) (use|get|receive|tap|request)\b", re.I)
NO = re.compile(r"\b(not|n't|never|no longer) (be )?(eligible|apply|a direct|direct applicants?|qualify)|"
                r"\bcannot apply\b|\bineligible\b|\bthrough (the|your|their) state\b|\bnot directly\b", re.I)
PROMPT_ECHO = re.compile(r"\||\b(Asker|Question|First fact|verdict|status)\s*:|</?facts>|<records>")
# words of a program name that say nothing about which program it is
GENERIC = {"the", "of", "and", "for", "to", "a", "an", "in", "on", "program", "programs", "grant", "grants", "loan",
           "loans", "fund", "funds", "federal", "project", "projects", "assistance", "formula", "state", "states",
           "u", "s", "us", "national", "discretionary", "competitive", "cities", "counties", "tribes", "its", "their"}
DEPARTMENTS = {"Agriculture": "USDA", "Housing and Urban Development": "HUD", "Interior": "DOI",
               "Environmental Protection": "EPA", "Homeland Security": "DHS", "Emergency Management": "FEMA"}
# A lead may only restate the facts: at least this share of each sentence's content words must come from one
# program's fact line (or the question). Words any restatement needs are not counted.
SUPPORT = 0.75
FROM_FACTS = 0.5
COMMON = set("""a an the of to in on at by for from with as and or but so if when that this these those it its they
them their there here you your we our us is are was were be been being has have had do does can could may might must
will would should not no only also just more most than then which who whom what how per each any all both either
money pay pays paid paying help helps apply applies applying directly direct program programs grant grants fund funds
funding federal cost costs project projects share get gets come comes through state states via money eligible
applicant applicants asker one two cannot reach reaches yes""".split())
PROGRAM_NAME = re.compile(r"\b(?:[A-Z][\w'-]*\s+(?:(?:of|and|for|to|the|&)\s+)?){1,7}"
                          r"(?:Program|Programs|Grants?|Fund|Loans?|Initiative|Projects?)\b")
NUMBER = re.compile(r"\d{4}-\d\d-\d\d|\$?\d[\d,]*(?:\.\d+)?\s*(?:million|billion|thousand|percent|%)?", re.I)


# "No match is required": only where a fact line says so itself
NO_MATCH = re.compile(r"\bno (non-?federal |local |cost[- ]share |matching )?(match|cost[- ]shar\w*|matching funds?)\b|"
                      r"\b(match|cost[- ]share) (is |are )?not required\b|\bwithout (a |any )?match\b", re.I)
NO_MATCH_FACT = re.compile(r"\bno (non-?federal |local |cost[- ]share |matching |fixed )?(match|cost[- ]shar\w*|"
                           r"matching)|\bsets? no\b|\bnot required\b|\b100% (federal|of)|\bmatch(ing)? (is )?waived|"
                           r"\bno cost share\b", re.I)
# a sentence cut off by the model: "... cut your revenue by."
DANGLING = re.compile(r"\b(by|the|of|and|or|to|a|an|for|in|with|from|at|on|that|which|than|as)\W*$", re.I)


@dataclass(frozen=True)
class Check:
    ok: bool
    reason: str = ""


def _own_names(op: Opportunity) -> list[str]:
    """Every name a lead may call the program by: title, popular name, short name and recorded aliases."""
    return [n for n in (op.title, op.popular_name or "", short_name(op), *op.aliases) if n]


def _agencies(op: Opportunity) -> set[str]:
    """What people call the program's agencies ("EPA", "FTA")."""
    return {a for n in (op.agency, op.sub_agency or "") for a in _agency_acronyms(n)}


def _mentions(sentence: str, hit: Hit, known_acronyms: dict[str, set[str]]) -> bool:
    """Whether the sentence names the program: by id, ALN, title, popular name or a part of it ("BRIC" of
    "BRIC: Building Resilient ..."), or an acronym the index knows as this program's."""
    s = sentence.lower()
    op = hit.program
    parts = re.split(r"\s*[:,;()/]\s*|\s+-\s+", op.popular_name or "")
    names = [op.id, op.aln, op.title, op.popular_name or "", *(p for p in parts if len(p) > 2)]
    if any(n and re.search(rf"(?<![\w.-]){re.escape(n.lower())}(?![\w-])", s) for n in names):
        return True
    return any(hit.id in known_acronyms.get(w.lower(), ()) for w in re.findall(r"\b[A-Z][A-Za-z0-9-]{2,}\b", sentence))


def _norm(text: str) -> str:
    return re.sub(r"[\s,$]", "", text.lower()).replace("percent", "%")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _agency_acronyms(name: str) -> set[str]:
    """What people call an agency: 'Department of Energy' -> DOE, DE; 'Federal Transit Administration (FTA)' ->
    FTA, FTA; and the few department names whose acronym is not their initials (USDA, HUD, DOI)."""
    out = set(re.findall(r"\(([A-Z][A-Za-z]{1,9})\)", name))
    words = re.findall(r"[A-Za-z]+", re.sub(r"\([^)]*\)", "", name))
    out.add("".join(w[0].upper() for w in words if w.lower() not in {"the", "and", "for", "on"}))
    out.add("".join(w[0].upper() for w in words if w.lower() not in {"of", "the", "and", "for", "on"}))
    out |= {alias for dept, alias in DEPARTMENTS.items() if dept in name}
    return out


def _echoes(sentence: str, question: str, held: set[str]) -> bool:
    """A sentence of eight words or more nearly all taken from the question, and not from the facts: a
    restatement, not an answer."""
    words, asked = _words(sentence), set(_words(question))
    return len(words) >= 8 and sum(w in asked for w in words) >= 0.8 * len(words) and \
        sum(w in held for w in words) < 0.5 * len(words)


def _miscited(lead: str, shown: list[Hit]) -> str | None:
    """The id of a citation whose name in the lead is not the program's ("Highway Projects [20.939]")."""
    by_id = {h.id: h for h in shown} | {h.aln: h for h in shown}
    for m in re.finditer(rf"((?:[\w'-]+\s+){{1,6}})\[({RECORD_ID})\]", lead):
        hit = by_id.get(m[2])
        if hit is None:
            continue
        op = hit.program
        known = set(_words(" ".join([op.title, op.popular_name or "", op.agency, op.sub_agency or ""])))
        words = m[1].split()
        # the name is the run of capitalized words right before the citation
        name: list[str] = []
        for w in reversed(words):
            if not w[:1].isupper():
                break
            name.insert(0, w)
        distinct = [w for w in _words(" ".join(name)) if w not in GENERIC]
        if distinct and sum(w in known for w in distinct) < len(distinct) / 2:
            return m[2]
    return None


def _unknown_name(lead: str, shown: list[Hit], records_text: str) -> str | None:
    """A program name in the lead ("Title II Construction Grants Program") that belongs to no shown program and
    is not in the records the model was given."""
    known = set(_words(" ".join(n for h in shown for n in [*_own_names(h.program), *_agencies(h.program)])))
    held = records_text.lower()
    for m in PROGRAM_NAME.finditer(lead):
        distinct = [w for w in _words(m[0]) if w not in GENERIC]
        if distinct and not all(w in known for w in distinct) and \
                re.sub(r"^the\s+", "", m[0].strip().lower()) not in held:
            return m[0].strip()
    return None


def _unsupported(sentence: str, fact_lines: list[str], question: str, names: re.Pattern[str]) -> bool:
    """A sentence most of whose content words no single fact line (with the question) holds: said from the
    model's own memory, or mixing two programs' facts. At least half must come from the fact line itself,
    so a sentence made of the question's own words ("No changes to the rules.") is no answer to it."""
    sentence = names.sub(" ", re.sub(RECORD_ID, " ", sentence))  # ids and names were checked: not support
    content = [w for w in _words(sentence) if w not in COMMON]
    if not content:
        return False
    asked = set(_words(question))
    return not any(sum(w in line or w in asked for w in content) >= SUPPORT * len(content) and
                   sum(w in line for w in content) >= FROM_FACTS * len(content)
                   for line in (set(_words(t)) for t in fact_lines))


def _no_match_unsaid(sentences: list[str], shown: list[Hit], fact_lines: list[str],
                     known_acronyms: dict[str, set[str]], about: Hit | None) -> bool:
    """A sentence saying no match is required, where the fact line of the program it speaks of does not."""
    for sentence in (s for s in sentences if NO_MATCH.search(s)):
        named = [h for h in shown if _mentions(sentence, h, known_acronyms)] or \
            ([about] if about is not None else shown[:1])
        lines = [t for t in fact_lines if any(t.startswith(f"{short_name(h.program)}:") for h in named)]
        if not any(NO_MATCH_FACT.search(t) for t in lines):
            return True
    return False


def _form(lead: str, sentences: list[str], shown: list[Hit]) -> str | None:
    """What makes a lead no answer at all: a sentence cut off mid-phrase, two program names as labels, or a
    sentence that only repeats names ("Natural Gas Grants: Natural Gas Grants.")."""
    if any(DANGLING.search(s.rstrip(".!;")) for s in sentences):
        return "no complete sentence"
    names = sorted({n.lower() for h in shown for n in (h.program.title, h.program.popular_name or "",
                                                       short_name(h.program)) if len(n) > 2}, key=len, reverse=True)
    labels = re.match(r"\s*([^:.;!?]{2,80}):\s+([^:.;!?]{2,80}):\s", lead)
    if labels and not any(labels[1].lower() + ": " + labels[2].lower() in n for n in names) and \
            all(w[:1].isupper() or w.lower() in {"of", "and", "for", "the", "to", "in"} for w in labels[2].split()):
        return "opens with two program names"  # "RRIF Loan Program: Federal-State Partnership: ..."
    for sentence in sentences:
        rest = sentence.lower()
        for n in names:
            rest = rest.replace(n, " ")
        if rest != sentence.lower() and not re.search(r"[a-z]{3,}", re.sub(RECORD_ID, " ", rest)):
            return "says nothing beyond a program's name"
    return None


def _unknown_label(lead: str, shown: list[Hit]) -> str | None:
    """The name a lead opens with ("Luxe Access Program: ...") when it is not a shown program's: every
    distinct word of it must be in one shown program's title, popular name or short name."""
    m = re.match(r"\s*([^:.;!?]{2,80}):\s", lead)
    if m is None:
        return None
    words = [w for w in _words(m[1]) if w not in GENERIC]
    if not words or len(m[1].split()) > 10:
        return None
    for h in shown:  # an agency may stand in a name: "The EPA Brownfields Grants"
        names = set(_words(" ".join([h.program.id, *_own_names(h.program), *_agencies(h.program)])))
        if all(w in names for w in words):
            return None
    return m[1].strip()


def _verdict_claims(lead: str, shown: list[Hit], known_acronyms: dict[str, set[str]],
                    about: Hit | None) -> str | None:
    """A claim that the asker can, or cannot, apply that the verdict of the program it speaks of denies (a
    sentence that names no program speaks of `about`, else of the only shown program)."""
    for sentence in re.split(r"(?<=[.!?;])\s+|\s+but\s+|,\s+while\s+", lead):
        claim_no, claim_yes = bool(NO.search(sentence)), bool(YES.search(sentence)) and not NO.search(sentence)
        if not (claim_no or claim_yes):
            continue
        named = [h for h in shown if h.verdict is not None and _mentions(sentence, h, known_acronyms)]
        default = [about] if about is not None else shown if len(shown) == 1 else []
        about_these = named or [h for h in default if h.verdict is not None]
        for h in about_these:
            kind = h.verdict.kind if h.verdict else None
            if claim_yes and kind is not VerdictKind.ELIGIBLE:
                return f"says the asker can apply to {h.id}, but the verdict is {kind}"
            if claim_no and kind is VerdictKind.ELIGIBLE:
                return f"says the asker cannot apply to {h.id}, but the verdict is eligible"
        if not about_these and claim_yes and \
                not any(h.verdict and h.verdict.kind is VerdictKind.ELIGIBLE for h in shown):
            return "claims eligibility, but no shown program lets the asker apply directly"
    return None


def verify(lead: str, shown: list[Hit], records_text: str, known_acronyms: dict[str, set[str]],
           about: Hit | None = None, question: str = "") -> Check:
    """Whether `lead` may be shown for these programs; the reason names the first problem found. A sentence
    that names no program speaks of `about`, the program asked about, when there is one."""
    if URL.search(lead) or TAG.search(lead) or "](" in lead:
        return Check(False, "contains a link or markup")
    if INJECTION.search(lead):
        return Check(False, "contains instructions")
    if PROMPT_ECHO.search(lead):
        return Check(False, "copies the prompt's layout")
    if "?" in lead:
        return Check(False, "asks a question instead of answering")
    sentences = [s for s in re.split(r"(?<=[.!?;])\s+", lead) if s]
    if question and any(_echoes(s, question, set(_words(records_text))) for s in sentences):
        return Check(False, "repeats the question")
    ids = {h.id for h in shown} | {h.aln for h in shown}
    for cited in re.findall(RECORD_ID, lead):
        if cited not in ids:
            return Check(False, f"cites {cited}, which is not among the shown programs")
    if (wrong := _miscited(lead, shown)) is not None:
        return Check(False, f"calls {wrong} by a name that is not its own")
    if (name := _unknown_name(lead, shown, records_text) or _unknown_label(lead, shown)) is not None:
        return Check(False, f"names {name}, which is not a shown program")
    shown_ids = {h.id for h in shown}
    agencies = {a for h in shown for a in _agencies(h.program)}
    for word in re.findall(r"\b[A-Z][A-Z0-9-]{2,}\b", lead):
        owners = known_acronyms.get(word.lower())
        if owners and not owners & shown_ids and word not in agencies:  # "EPA" may name a shown program's agency
            return Check(False, f"names {word}, a program that is not shown")
    held = _norm(records_text)
    for number in NUMBER.findall(re.sub(RECORD_ID, " ", lead)):  # program ids were checked above
        meaningful = re.fullmatch(r"\d{4}-\d\d-\d\d", number) or any(c.isalpha() or c in "$%" for c in number) \
            or len(number.strip()) > 2  # a bare one- or two-digit number ("3 programs") is not a fact to check
        if meaningful and _norm(number) not in held:
            return Check(False, f"states {number.strip()}, which the records do not hold")
    if (why := _verdict_claims(lead, shown, known_acronyms, about)) is not None:
        return Check(False, why)
    if (why := _form(lead, sentences, shown)) is not None:
        return Check(False, why)
    fact_lines = [t for t in records_text.splitlines() if t.strip() and not t.startswith("<")]
    if _no_match_unsaid(sentences, shown, fact_lines, known_acronyms, about):
        return Check(False, "says no match is required, which its program's facts do not say")
    names = sorted({n for h in shown for n in _own_names(h.program) if len(n) > 2} | agencies, key=len, reverse=True)
    names_rx = re.compile("|".join(rf"(?<![\w-]){re.escape(n)}(?![\w-])" for n in names) or r"(?!)", re.I)
    if fact_lines and (odd := next((s for s in sentences if _unsupported(s, fact_lines, question, names_rx)), None)):
        return Check(False, f"says what no one fact says: {odd[:60]!r}")
    return Check(True)
