"""Head-on first sentences: the fact a question asks about one program (status, match, office, deadline,
amount), in plain words, from the record and its loaded notices. The eligibility lead lives in compose.py.

Every sentence comes from catalog fields with a cited source or from Grants.gov notices; when the record lacks
the fact, the lead says so and links where to check.
"""

from __future__ import annotations

from finder.answering.facts import (
    day,
    fact_source,
    first_sentences,
    md_link,
    money,
    next_deadline,
    office_phrase,
    open_notice,
    ordered_notices,
    short_name,
    status_label,
    verdict_phrase,
)
from finder.answering.types import Hit
from finder.catalog.vocab import NoticeStatus, StatusKind, VerdictKind
from finder.text import inert, safe_url

STATUS_LEADS: dict[StatusKind, str] = {
    StatusKind.TERMINATED: "No: {name} has been terminated.",
    StatusKind.ENDED: "No: {name} has ended.",
    StatusKind.PAUSED: "Not now: {name} is paused.",
    StatusKind.CLOSED: "Not right now: {name}'s latest round has closed, and no new round is announced.",
    StatusKind.ANNUAL: "{name} runs yearly rounds; no notice for it is open in the index now.",
    StatusKind.FORMULA: "It continues: {name} is paid out by formula each year.",
    StatusKind.ROLLING: "Yes: {name} takes applications year-round.",
    StatusKind.OPEN: "Yes: {name} has a round open.",
    StatusKind.UNKNOWN: "Unconfirmed: no official page we found confirms {name}'s current status.",
}


def name_of(hit: Hit) -> str:
    return f"{inert(short_name(hit.program))} (ALN {hit.aln})"


def _source(hit: Hit, fact: str) -> str:
    src = fact_source(hit.program, fact)
    return f" ([source]({src[1]}))" if src else ""


def check_page(hit: Hit) -> str:
    """Where to check a fact the record lacks: the program's own page, else its rules source, else its listing
    (official https links only, as everywhere: finder.text.safe_url)."""
    op = hit.program
    if page := safe_url(op.links.program_page):
        return page
    rules = next((safe for s in op.sources if s.url and {"rules", "eligible_applicants"} & set(s.facts)
                  and "fpi.omb.gov" not in s.url and (safe := safe_url(s.url))), None)
    return rules or hit.url


# The same, for a question asking whether the program ended ("was it cancelled?"): there a yes means it did.
ENDED_LEADS: dict[StatusKind, str] = {
    **STATUS_LEADS,
    StatusKind.TERMINATED: "Yes: {name} has been terminated.",
    StatusKind.ENDED: "Yes: {name} has ended.",
    StatusKind.PAUSED: "It is paused, not ended: {name} is on hold.",
    StatusKind.CLOSED: "Not ended, but {name}'s latest round has closed, and no new round is announced.",
    StatusKind.FORMULA: "No: {name} continues, paid out by formula each year.",
    StatusKind.ROLLING: "No: {name} still takes applications year-round.",
    StatusKind.OPEN: "No: {name} has a round open.",
}


def status_lead(hit: Hit, asked_ended: bool = False) -> str:
    """'No: Digital Equity Competitive Grant (ALN 11.036) has been terminated. NTIA ended ... (last checked
    3 December 2026; source)'. An open notice outranks the record's older status. `asked_ended`: the question
    asked whether it ended, so the yes and no turn round."""
    name = name_of(hit)
    if (n := open_notice(hit)) is not None:
        closes = f"closes {day(n.close_date)}" if n.close_date else "is posted"
        return (f"{'No, it is open' if asked_ended else 'Yes, it is open'}: the Grants.gov notice for {name} "
                f"{closes} ({md_link('notice', n.url)}).")
    st = hit.program.status
    if st is None:
        return f"The index has no status for {name}; check its [program page]({check_page(hit)})."
    note = f" {inert(st.note)}" if st.note else ""
    checked = f" (Last checked {day(st.as_of)}{_source(hit, 'status')}.)"
    return (ENDED_LEADS if asked_ended else STATUS_LEADS)[st.value].format(name=name) + note + checked


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def match_lead(hit: Hit) -> str:
    """The federal share and what the applicant pays, from the record's cost share."""
    name = name_of(hit)
    cs = hit.program.cost_share
    if cs is None:
        return (f"The index does not record the cost share for {name}, so I won't guess; the program's rules or "
                f"notice say it ([program page]({check_page(hit)})).")
    cases = " ".join(f"{_first_up(inert(c.when))}: {inert(c.text).rstrip('. ')}." for c in cs.cases)
    return f"Match for {name}: {inert(cs.text)}" + (f" {cases}" if cases else "") + _source(hit, "cost_share")


def office_lead(hit: Hit) -> str:
    """Who runs it for the asker: the state's office for a pass-through program, else the federal agency."""
    name = name_of(hit)
    v = hit.verdict
    if v is not None and v.kind is VerdictKind.THROUGH:
        if (office := office_phrase(hit)) is not None:
            via = inert(v.via or "the state")
            return f"For {name}, the money comes through {via}. {office[0].upper()}{office[1:]}."
        return (f"For {name}, the money comes through {inert(v.via or 'the state')}. Set your state in the profile "
                f"(or name it in the question) to see which office runs it.")
    agency = inert(hit.program.sub_agency or hit.program.agency)
    if v is not None and v.kind is VerdictKind.ELIGIBLE:
        return f"You apply directly to the federal agency for {name}: {agency}; no state office stands between."
    routes = hit.program.rules.through if hit.program.rules else []
    if routes:
        lead = f"For {name}, the money reaches most local applicants through {inert(routes[0].via)}."
        if (office := office_phrase(hit)) is not None:
            lead += f" {office[0].upper()}{office[1:]}."
        return lead
    return f"{name} is run by {agency}."


def deadline_lead(hit: Hit) -> str:
    name = name_of(hit)
    if (phrase := next_deadline(hit)) is not None:
        return f"{name}: {phrase}."
    closed = [n for n in ordered_notices(hit) if n.status in (NoticeStatus.CLOSED, NoticeStatus.ARCHIVED)]
    if closed and closed[0].close_date:
        return f"No notice for {name} is open now; the last one loaded closed {day(closed[0].close_date)}."
    return f"No Grants.gov notice for {name} is loaded, so I can't give a deadline; its Grants.gov link has the latest."


def amount_lead(hit: Hit) -> str:
    """Award size: the record's limits from its rules, else the open notice's ceiling."""
    name = name_of(hit)
    parts = []
    if hit.program.award is not None:
        parts.append(f"{inert(hit.program.award.text)}{_source(hit, 'award')}")
    ceilings = [n for n in ordered_notices(hit) if n.award_ceiling]
    if ceilings:
        n = ceilings[0]
        parts.append(f"its notice \"{inert(n.title)}\" lists awards up to {money(n.award_ceiling or 0)}")
    if not parts:
        return (f"The index does not record award limits for {name}; its notice of funding sets them "
                f"({hit.url}).")
    return f"For {name}: " + "; ".join(parts) + "."


def uses_lead(hit: Hit) -> str:
    """What the program pays for, in the record's own list (sourced, like every use the cards show)."""
    uses = [inert(u) for u in hit.program.uses]
    if not uses:
        return f"The index does not list what {name_of(hit)} pays for; its [program page]({check_page(hit)}) says."
    return f"{name_of(hit)} pays for: {'; '.join(uses[:8])}{'; and more' if len(uses) > 8 else ''}." + \
        _source(hit, "uses")


def compare_line(hit: Hit) -> str:
    """One program side by side with another: who applies for the asker, the match and the status."""
    parts = [f"{name_of(hit)}: {verdict_phrase(hit).rstrip('.')}"]
    cs = hit.program.cost_share
    parts.append(f"match: {first_sentences(inert(cs.text), 1).rstrip('.')}" if cs is not None
                 else "match: not recorded")
    if (label := status_label(hit)) is not None:
        parts.append(f"status: {label[:1].lower()}{label[1:]}")
    return "; ".join(parts) + "."
