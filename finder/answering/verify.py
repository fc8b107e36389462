"""Checks an LLM-written lead against the index before it is shown. The model may change the wording,
never the facts: a lead that names a program not shown, contradicts a verdict, states a number the
records do not hold, or keeps anything the guards strip, is dropped for the grounded lead."""

from __future__ import annotations

import re
from dataclasses import dataclass

from finder.answering.guards import INJECTION
from finder.answering.types import Hit
from finder.catalog.vocab import VerdictKind
from finder.text import RECORD_ID, TAG, URL

YES = re.compile(r"\b(are|is|be) (an? )?(eligible|direct applicants?)|\bcan apply( directly)?\b|\bmay apply\b|"
                 r"\bqualif(y|ies)\b", re.I)
NO = re.compile(r"\b(not|n't|never|no longer) (be )?(eligible|apply|a direct|direct applicants?|qualify)|"
                r"\bcannot apply\b|\bineligible\b|\bthrough (the|your|their) state\b|\bnot directly\b", re.I)
NUMBER = re.compile(r"\d{4}-\d\d-\d\d|\$?\d[\d,]*(?:\.\d+)?\s*(?:million|billion|thousand|percent|%)?", re.I)


@dataclass(frozen=True)
class Check:
    ok: bool
    reason: str = ""


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


def verify(lead: str, shown: list[Hit], records_text: str, known_acronyms: dict[str, set[str]],
           about: Hit | None = None) -> Check:
    """Whether `lead` may be shown for these programs; the reason names the first problem found. A sentence
    that names no program speaks of `about`, the program asked about, when there is one."""
    if URL.search(lead) or TAG.search(lead) or "](" in lead:
        return Check(False, "contains a link or markup")
    if INJECTION.search(lead):
        return Check(False, "contains instructions")
    ids = {h.id for h in shown} | {h.aln for h in shown}
    for cited in re.findall(RECORD_ID, lead):
        if cited not in ids:
            return Check(False, f"cites {cited}, which is not among the shown programs")
    shown_ids = {h.id for h in shown}
    for word in re.findall(r"\b[A-Z][A-Z0-9-]{2,}\b", lead):
        owners = known_acronyms.get(word.lower())
        if owners and not owners & shown_ids:
            return Check(False, f"names {word}, a program that is not shown")
    held = _norm(records_text)
    for number in NUMBER.findall(re.sub(RECORD_ID, " ", lead)):  # program ids were checked above
        meaningful = re.fullmatch(r"\d{4}-\d\d-\d\d", number) or any(c.isalpha() or c in "$%" for c in number) \
            or len(number.strip()) > 2  # a bare one- or two-digit number ("3 programs") is not a fact to check
        if meaningful and _norm(number) not in held:
            return Check(False, f"states {number.strip()}, which the records do not hold")
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
                return Check(False, f"says the asker can apply to {h.id}, but the verdict is {kind}")
            if claim_no and kind is VerdictKind.ELIGIBLE:
                return Check(False, f"says the asker cannot apply to {h.id}, but the verdict is eligible")
        if not about_these and claim_yes and \
                not any(h.verdict and h.verdict.kind is VerdictKind.ELIGIBLE for h in shown):
            return Check(False, "claims eligibility, but no shown program lets the asker apply directly")
    return Check(True)
