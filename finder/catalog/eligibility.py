"""Whether one applicant may apply directly for one program, how else the money reaches them, and why.

Reviewed records carry the program's own rules (`Opportunity.rules`: direct applicants, pass-through
routes, conditions, population and place limits); the verdict follows them. A record without reviewed
rules keeps the listing-based verdict from its SAM.gov applicant codes, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.catalog.applicants import CHECK, LABELS, normalise_term, sam_coverage
from finder.catalog.model import Opportunity
from finder.catalog.rules import STATES, Condition, PopulationRule, Route, Rules
from finder.catalog.vocab import Applicant, StateOffice, VerdictKind

BADGES: dict[VerdictKind, str] = {
    VerdictKind.ELIGIBLE: "Eligible", VerdictKind.THROUGH: "Not directly: through a partner",
    VerdictKind.NOT_ELIGIBLE: "Not eligible", VerdictKind.CHECK: "Check",
}
UNREVIEWED_NOTE = ("This verdict comes from the listing's applicant codes and has not been reviewed against the "
                   "program's own rules.")


@dataclass(frozen=True)
class Verdict:
    """The verdict for `applicant` on program `program_id`, with a reason built from the catalog fields used."""

    program_id: str
    applicant: Applicant
    kind: VerdictKind
    reason: str
    reviewed: bool = True
    via: str | None = None
    office: StateOffice | None = None

    @property
    def badge(self) -> str:
        if self.kind is VerdictKind.THROUGH and self.office not in (None, StateOffice.OTHER):
            return "Not directly: through your state"
        return BADGES[self.kind]


@dataclass(frozen=True)
class Asker:
    """Who is asking: applicant type, and population and state when known."""

    applicant: Applicant
    population: int | None = None
    state: str | None = None
    county: str | None = None  # the county (parish, borough) the asker is in or is, when said
    urban_population: int | None = None  # population of the Census urbanized area the asker is in, when known
    words: str = ""  # how the asker described themselves (the question), to settle conditions they say they meet


def _plural(a: Applicant) -> str:
    return LABELS[a][1]


def join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _direct(op: Opportunity) -> list[Applicant]:
    return [Applicant(a) for a in op.eligible_applicants if a != CHECK]


def _who(op: Opportunity) -> str:
    return join([_plural(a) for a in _direct(op)]) or "no applicant type in our vocabulary"


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


def judge(op: Opportunity, asker: Applicant | Asker) -> Verdict:
    """The verdict for one asker on one program: from its reviewed rules when it has them, else its listing."""
    a = asker if isinstance(asker, Asker) else Asker(asker)
    if op.rules is None:
        return _from_listing(op, a.applicant)
    return _from_rules(op, a)


def _possessive(name: str) -> str:
    """"SS4A's", but "Entitlement Communities'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _name(op: Opportunity) -> str:
    return op.popular_name or op.title


def _through(op: Opportunity, a: Asker, route: Route, lead: str = "") -> Verdict:
    label = _plural(a.applicant)
    text = (f"{lead}The money reaches {label} through {route.via}. "
            f"Direct applicants to the federal agency: {_who(op)}.")
    return Verdict(op.id, a.applicant, VerdictKind.THROUGH, text, via=route.via, office=route.office)


def _population(op: Opportunity, a: Asker, rule: PopulationRule) -> Verdict:
    """The verdict one population rule gives this asker."""
    label, one = _plural(a.applicant), LABELS[a.applicant][0]
    limit = (f"{rule.max:,} people or fewer" if rule.max is not None and rule.min is None else
             f"{rule.min:,} people or more" if rule.max is None else f"{rule.min:,} to {rule.max:,} people")
    population = a.urban_population if rule.counts == "urbanized_area" else a.population
    if population is None:
        unknown = rule.if_unknown or ("eligible" if rule.min is None else "check")
        if unknown == "eligible":
            return Verdict(op.id, a.applicant, VerdictKind.ELIGIBLE,
                           f"{label.capitalize()} are eligible direct applicants for {_name(op)} when the "
                           f"{rule.area} has {limit}. Add your population to the profile to confirm.")
        other = f"; otherwise the money comes through {rule.otherwise.via}" if rule.otherwise else ""
        rank = f" or is among the {rule.or_largest} most populous in the state" if rule.or_largest else ""
        return Verdict(op.id, a.applicant, VerdictKind.CHECK,
                       f"Check your population: {label} apply directly to {_name(op)} only when the {rule.area} has "
                       f"{limit}{rank}{other}.")
    inside = (rule.max is None or population <= rule.max) and (rule.min is None or population >= rule.min)
    pop = (f"{one.split(' ', 1)[1]} of {population:,}" if rule.counts == "own"
           else f"{one.split(' ', 1)[1]} in an urbanized area of about {population:,}")
    if inside:
        return Verdict(op.id, a.applicant, VerdictKind.ELIGIBLE,
                       f"Yes: a {pop} is within {_possessive(_name(op))} limit ({rule.area} of {limit}), and "
                       f"{label} are eligible direct applicants.")
    side = "above" if rule.max is not None and population > rule.max else "below"
    lead = f"A {pop} is {side} {_possessive(_name(op))} limit ({rule.area} of {limit}). "
    if side == "below" and rule.or_largest:
        other = f"; if not, the money comes through {rule.otherwise.via}" if rule.otherwise else ""
        return Verdict(op.id, a.applicant, VerdictKind.CHECK,
                       f"{lead}Check whether yours is among the {rule.or_largest} most populous {label} in your "
                       f"state: those qualify too{other}.")
    if rule.otherwise is not None:
        return _through(op, a, rule.otherwise, lead)
    return Verdict(op.id, a.applicant, VerdictKind.NOT_ELIGIBLE, lead + "The program's rules give no other path.")


def _place(op: Opportunity, a: Asker) -> Verdict | None:
    place = op.rules.place if op.rules else None
    if place is None or a.state is None:
        return None
    state = STATES.get(a.state, a.state)
    inside = place.county_inside(a.state, a.county) if a.county else None
    if inside is False:
        return Verdict(op.id, a.applicant, VerdictKind.NOT_ELIGIBLE,
                       f"{a.county} in {state} is outside {place.area}.")
    if inside:
        return None
    if a.state in place.states and a.state not in place.exclude_counties:
        return None
    if a.state in place.partial or a.state in place.exclude_counties:
        part = f" It covers {place.partial_note}." if place.partial_note else ""
        return Verdict(op.id, a.applicant, VerdictKind.CHECK,
                       f"Check your location: only part of {state} is in {place.area}.{part} Confirm your "
                       f"community is inside it.")
    covered = join([STATES[s] for s in place.states + place.partial])
    return Verdict(op.id, a.applicant, VerdictKind.NOT_ELIGIBLE,
                   f"{state} is outside {place.area}, which covers {covered}.")


def _open_condition(rules: Rules, a: Asker) -> Condition | None:
    """The condition this asker must still check; None when there is none or their own words meet it."""
    cond = rules.condition_for(a.applicant)
    return None if cond is None or cond.met(a.words) else cond


def _from_rules(op: Opportunity, a: Asker) -> Verdict:
    assert op.rules is not None
    rules, applicant = op.rules, a.applicant
    label = _plural(applicant)
    if applicant in _direct(op):
        verdict: Verdict | None = None
        for rule in (r for r in rules.population if applicant in r.applicants):
            verdict = _population(op, a, rule)
            if verdict.kind is not VerdictKind.ELIGIBLE:
                break
        cond = _open_condition(rules, a)
        if verdict is None or (verdict.kind is VerdictKind.ELIGIBLE and cond is not None):
            passed = f"{verdict.reason} " if verdict is not None else ""
            verdict = (Verdict(op.id, applicant, VerdictKind.CHECK, f"{passed}Check {cond.check}.") if cond else
                       Verdict(op.id, applicant, VerdictKind.ELIGIBLE,
                               f"{label.capitalize()} are eligible direct applicants. Direct applicants: {_who(op)}."))
        met = rules.condition_for(applicant)
        if met is not None and cond is None and verdict.kind is VerdictKind.ELIGIBLE:
            verdict = Verdict(op.id, applicant, verdict.kind,
                              f"{verdict.reason} Yes, as you describe yourselves: {met.check}.")
    elif (route := rules.route_for(applicant)) is not None:
        verdict = _through(op, a, route)
    elif (cond := rules.condition_for(applicant)) is not None:
        verdict = (Verdict(op.id, applicant, VerdictKind.ELIGIBLE, f"Yes, as you describe yourselves: {cond.check}.")
                   if cond.met(a.words) else Verdict(op.id, applicant, VerdictKind.CHECK, f"Check {cond.check}."))
    else:
        verdict = Verdict(op.id, applicant, VerdictKind.NOT_ELIGIBLE,
                          f"{label.capitalize()} are not eligible: the program's rules name {_who(op)} as direct "
                          f"applicants and no path for {label}.")
    if verdict.kind is VerdictKind.ELIGIBLE and rules.requires:
        verdict = Verdict(op.id, applicant, verdict.kind,
                          f"{verdict.reason} Every project must also meet this: {'; '.join(rules.requires)}.")
    place = _place(op, a)
    if place is not None and (place.kind is VerdictKind.NOT_ELIGIBLE or verdict.kind is VerdictKind.ELIGIBLE):
        return place
    if rules.place is not None and a.state in rules.place.states and verdict.kind is VerdictKind.ELIGIBLE:
        inside = f" {STATES[a.state]} is in {rules.place.area}."
        return Verdict(op.id, applicant, verdict.kind, verdict.reason + inside)
    return verdict


def _from_listing(op: Opportunity, applicant: Applicant) -> Verdict:
    """Listing-based: eligible when the codes surely cover the applicant; check for a vague code; else not."""
    who = _who(op) if _direct(op) else "no clearly named applicant type"
    notes = f" {op.applicant_notes}" if op.applicant_notes else ""
    label = _plural(applicant).capitalize()
    if applicant in _direct(op):
        terms = _terms_covering(op, applicant, sure=True)
        via = f" (listing term: \"{terms[0]}\")" if terms else ""
        return Verdict(op.id, applicant, VerdictKind.ELIGIBLE,
                       f"{label} are eligible direct applicants{via}. Eligible applicants: {who}.{notes} "
                       f"{UNREVIEWED_NOTE}", reviewed=False)
    if CHECK in op.eligible_applicants:
        vague = _terms_covering(op, applicant, sure=False) if op.applicant_terms else []
        if vague or not op.applicant_terms:
            term = f"\"{vague[0]}\"" if vague else "an ambiguous applicant type"
            return Verdict(op.id, applicant, VerdictKind.CHECK,
                           f"Check with the agency whether {_plural(applicant)} qualify: the listing names {term}, "
                           f"which may or may not include them. Clearly eligible: {who}.{notes} {UNREVIEWED_NOTE}",
                           reviewed=False)
    return Verdict(op.id, applicant, VerdictKind.NOT_ELIGIBLE,
                   f"{label} are not direct applicants. Eligible applicants: {who}.{notes} {UNREVIEWED_NOTE}",
                   reviewed=False)
