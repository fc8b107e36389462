"""Whether one applicant may apply directly for one program, and why, from the catalog's facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from finder.applicants import CHECK, LABELS, Applicant, normalise_term, sam_coverage
from finder.catalog import Opportunity

Kind = Literal["eligible", "not_eligible", "check"]
BADGES: dict[str, str] = {"eligible": "Eligible", "not_eligible": "Not a direct applicant", "check": "Check"}


@dataclass(frozen=True)
class Verdict:
    """The verdict for `applicant` on program `program_id`, with a reason quoting the catalog fields used."""

    program_id: str
    applicant: Applicant
    kind: Kind
    reason: str

    @property
    def badge(self) -> str:
        return BADGES[self.kind]


def _plural(a: Applicant) -> str:
    return LABELS[a][1]


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _terms_covering(op: Opportunity, applicant: Applicant, *, sure: bool) -> list[str]:
    out = []
    for term in op.applicant_terms:
        try:
            cov = sam_coverage(term)
        except KeyError:
            continue
        if applicant in (cov.sure if sure else cov.maybe):
            out.append(normalise_term(term).split(" (")[0])
    return out


def judge(op: Opportunity, applicant: Applicant) -> Verdict:
    """eligible when the record lists the applicant; check when only an ambiguous term might cover it;
    otherwise not_eligible, naming who does apply and any pass-through path in `applicant_notes`."""
    listed = [Applicant(a) for a in op.eligible_applicants if a != CHECK]
    who = _join([_plural(a) for a in listed]) or "no clearly named applicant type"
    notes = f" {op.applicant_notes}" if op.applicant_notes else ""
    label = _plural(applicant).capitalize()
    if applicant in listed:
        terms = _terms_covering(op, applicant, sure=True)
        via = f" (listing term: \"{terms[0]}\")" if terms else ""
        return Verdict(op.id, applicant, "eligible",
                       f"{label} are eligible direct applicants{via}. Eligible applicants: {who}.{notes}")
    if CHECK in op.eligible_applicants:
        vague = _terms_covering(op, applicant, sure=False) if op.applicant_terms else []
        if vague or not op.applicant_terms:
            term = f"\"{vague[0]}\"" if vague else "an ambiguous applicant type"
            return Verdict(op.id, applicant, "check",
                           f"Check with the agency: the listing names {term}, which may or may not include "
                           f"{_plural(applicant)}. Clearly eligible: {who}.{notes}")
    return Verdict(op.id, applicant, "not_eligible",
                   f"{label} are not direct applicants. Eligible applicants: {who}.{notes}")
