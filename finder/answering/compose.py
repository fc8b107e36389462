"""The grounded answer as data: which programs to show, and a head-on lead in plain words.

Everything here comes from the retrieved records, their verdicts and notices; nothing is invented.
"""

from __future__ import annotations

import datetime as dt

from finder.answering.facts import inactive, office_phrase, open_notice, short_name, who_applies
from finder.answering.leads import (
    amount_lead,
    compare_line,
    deadline_lead,
    match_lead,
    office_lead,
    status_lead,
    uses_lead,
)
from finder.answering.types import MAX_SHOWN, Answer, Hit
from finder.catalog.applicants import LABELS
from finder.catalog.eligibility import UNREVIEWED_NOTE, Asker
from finder.catalog.vocab import Applicant, Ask, RefusalKind, StatusKind, VerdictKind
from finder.text import inert

REFUSALS: dict[RefusalKind, str] = {
    RefusalKind.INJECTION: ("I can only help find infrastructure funding programs in this index, and I can't share "
                            "settings or follow instructions given inside a question. Try, for example: \"What "
                            "grants help a county replace lead pipes?\""),
    RefusalKind.PERSONAL: ("This finder covers federal infrastructure funding for governments, tribes and "
                           "organizations, not help for a person or household, so no program here fits. For help "
                           "with bills, food, housing, health care or benefits, call or text 211 (211.org) or use "
                           "the federal benefit finder at usa.gov/benefit-finder (formerly benefits.gov)."),
    RefusalKind.OFF_TASK: ("I only find federal infrastructure funding programs in this index, so I can't help with "
                           "that request. Try asking about a project, for example: \"Is there money to replace our "
                           "town's old water mains?\""),
    RefusalKind.WRITING: ("I can't write applications, narratives or letters for you. I can find the federal programs "
                          "that fit the project, whether you can apply, the match and the deadline, and link each "
                          "program's official page and notice, which say what an application must contain. Try, for "
                          "example: \"Which programs pay for sidewalks in a city of 20,000?\""),
    RefusalKind.BUSINESS: ("This finder covers public infrastructure funding for governments, tribes and community "
                           "organizations, not a private business's own financing or investors. For business loans and "
                           "investors, the U.S. Small Business Administration (sba.gov) and your state's Small "
                           "Business Development Center are the places to start."),
    RefusalKind.ABROAD: ("This finder covers U.S. federal programs for places in the United States, its territories "
                         "and tribal nations, so I can't help with funding elsewhere. The national or regional "
                         "government where the project is would be the place to ask."),
    RefusalKind.OPINION: ("I stay out of opinions and politics. I can tell you which federal programs fit a project, "
                          "who can apply, the match and the status, with links to the official pages."),
    RefusalKind.VENDOR: ("I can't pick vendors, brands or contractors. Purchases made with federal grant money must "
                         "follow your procurement rules (2 CFR 200.317-200.327 for most grants). I can help find the "
                         "program that pays for the purchase."),
    RefusalKind.CONTACT: ("I can't look up anyone's personal contact details. Each program's official page lists its "
                          "office contacts; ask me about the program and I'll link it."),
    RefusalKind.LOW: ("I couldn't find a program in the index that fits that question, so I won't guess. Try naming "
                      "the kind of project (\"bridge repair\", \"drinking water\", \"EV chargers\"), who is applying "
                      "(city, county, tribe) or a program name such as SS4A or BRIC."),
    RefusalKind.EMPTY: "Please type a question about infrastructure funding, for example: \"Can a county apply for "
                       "BRIC?\"",
    RefusalKind.LONG: "That question is too long (over {limit} characters). Please shorten it to the essentials.",
}
LOW_CONFIDENCE = "I'm not confident these are a close match; try naming the kind of project or a program."
SET_APPLICANT = "Set your applicant type (city, county, tribe, ...) to see whether you can apply directly."


def refusal(kind: RefusalKind, asker: Asker | None = None, **fmt: object) -> Answer:
    return Answer(REFUSALS[kind].format(**fmt), refused=kind, asker=asker)


def _name(hit: Hit) -> str:
    return f"{inert(short_name(hit.program))} (ALN {hit.aln})"


def _ended(hit: Hit) -> str:
    """What the status changes about 'can we apply': ended programs take no one; a closed round or an
    unconfirmed status is said plainly, so a verdict is never read as an open door."""
    st = hit.program.status
    if st is None or open_notice(hit) is not None:
        return ""
    checked = f"{st.as_of.day} {st.as_of:%B %Y}"
    note = f" {inert(st.note)}" if st.note else ""
    if inactive(hit):
        return f" But it is {st.value.value}, so no new applications (status last checked {checked}).{note}"
    if st.value is StatusKind.CLOSED:
        return f" But its latest round has closed and no new one is announced (last checked {checked}).{note}"
    if st.value is StatusKind.UNKNOWN:
        return f" Its current status is unconfirmed (last checked {checked}).{note}"
    return ""


def eligibility_lead(hit: Hit, *, with_status: bool = True) -> str:
    """Head-on answer to "can we apply for X?"; `with_status` adds what the status changes about it."""
    v = hit.verdict
    assert v is not None
    plural = LABELS[v.applicant][1]
    reason = inert(v.reason)
    if v.kind is VerdictKind.ELIGIBLE:
        specific = reason.removeprefix("Yes: ") if reason.startswith("Yes:") or " when the " in reason else ""
        specific = specific[:1].upper() + specific[1:]
        if not v.reviewed:
            specific = (specific + " " + UNREVIEWED_NOTE).strip()
        lead = f"Yes, {plural} can apply directly for {_name(hit)}." + (f" {specific}" if specific else "")
    elif v.kind is VerdictKind.THROUGH:
        before = reason.split("The money reaches")[0].strip()
        via = inert(v.via or "a state or other partner")
        lead = (f"Not directly. {before + ' ' if before else ''}{plural.capitalize()} cannot apply to the federal "
                f"agency for {_name(hit)}; the money reaches them through {via}.")
        if (office := office_phrase(hit)) is not None:
            lead += f" {office[0].upper()}{office[1:]}."
    elif v.kind is VerdictKind.NOT_ELIGIBLE:
        lead = f"No, not for {_name(hit)}. {reason}"
    else:
        lead = f"Maybe, for {_name(hit)}. {reason}"
    return lead + (_ended(hit) if with_status else "")


def overall_lead(hits: list[Hit], applicant: Applicant) -> str:
    """Head-on answer to "can we apply?" when the question names no single program."""
    plural = LABELS[applicant][1]
    shown = hits[:MAX_SHOWN]
    count = {k: [h for h in shown if h.verdict and h.verdict.kind is k] for k in VerdictKind}
    if yes := count[VerdictKind.ELIGIBLE]:
        return (f"Yes. {plural.capitalize()} can apply directly to {len(yes)} of the {len(shown)} best matches, "
                f"starting with {_name(yes[0])}.")
    if through := count[VerdictKind.THROUGH]:
        return (f"Not directly. {plural.capitalize()} cannot apply to the federal agency for these programs, but "
                f"{len(through)} of them reach {plural} through the state or another partner.")
    if maybe := count[VerdictKind.CHECK]:
        return f"Possibly. {len(maybe)} of the best matches may take {plural}; each card says what to check."
    return f"No. None of the best matches takes {plural} as a direct applicant or through a partner."


def choose_shown(hits: list[Hit], about: Hit | None, named: list[Hit], window: bool) -> list[Hit]:
    """The programs to name: the asked-about or named ones first with two related, else the top five."""
    if about is not None:
        return [about] + related(about, [h for h in hits if h is not about])[:2]
    if named and not window:
        focus = named[:MAX_SHOWN]
        return focus + related(focus[0], [h for h in hits if h not in focus])[:max(0, 3 - len(focus))]
    return hits[:MAX_SHOWN]


def passes_through(hit: Hit) -> bool:
    """The asker reaches this program through a state office (so 'who runs it here' has a state answer); with
    no applicant type, local applicants do."""
    if hit.verdict is None:
        return hit.program.routes_through_state
    return hit.verdict.kind is VerdictKind.THROUGH


def related(anchor: Hit, others: list[Hit]) -> list[Hit]:
    """Programs that share the anchor's sector or uses: a named program's neighbours, never a stray match."""
    sectors = set(anchor.program.sectors)
    words = {w for u in anchor.program.uses for w in u.lower().split() if len(w) > 4}
    return [h for h in others if sectors & set(h.program.sectors)
            or words & {w for u in h.program.uses for w in u.lower().split()}]


LEADS = {Ask.STATUS: status_lead, Ask.MATCH: match_lead, Ask.OFFICE: office_lead, Ask.DEADLINE: deadline_lead,
         Ask.AMOUNT: amount_lead, Ask.USES: uses_lead}


def apply_lead(hit: Hit, *, with_status: bool = True) -> str:
    """'Can we apply?' about one program: the verdict when the asker is known, else who applies."""
    if hit.verdict is not None:
        return eligibility_lead(hit, with_status=with_status)
    return f"{inert(short_name(hit.program))} (ALN {hit.aln}): {who_applies(hit.program)} {SET_APPLICANT}"


def focus_lead(hit: Hit, asks: tuple[Ask, ...]) -> str:
    """One sentence or two per thing asked, about the program the question names, in the order asked."""
    parts = []
    for ask in asks:
        if ask is Ask.APPLY:
            parts.append(apply_lead(hit, with_status=Ask.STATUS not in asks))
        elif ask is Ask.STATUS:
            parts.append(status_lead(hit, asked_ended=Ask.ENDED in asks))
        elif ask in LEADS:
            parts.append(LEADS[ask](hit))
        elif ask is Ask.COMPARE and len(asks) == 1:  # "which is better, X or Y?": the facts side by side
            parts.append(compare_line(hit))
    return " ".join(dict.fromkeys(parts))


def unresolved_lead(phrase: str, asks: tuple[Ask, ...]) -> str:
    what = {Ask.APPLY: "whether you can apply", Ask.STATUS: "its status", Ask.MATCH: "its match",
            Ask.OFFICE: "who runs it", Ask.DEADLINE: "its deadline", Ask.AMOUNT: "its award limits",
            Ask.USES: "what it pays for"}
    asked = [what[a] for a in asks if a in what]
    about = f" so I can't tell you {asked[0]}" if asked else " so I can't answer about it"
    return (f"I don't have a program called \"{inert(phrase)}\" in this index,{about} from the records. It may go by "
            f"another name, or be outside federal infrastructure funding.")


def unnamed_lead(hits: list[Hit], shown: list[Hit], applicant: Applicant | None, asks: tuple[Ask, ...],
                 low_confidence: bool) -> str:
    """The lead when the question names no program: the overall verdict for 'can we apply?', the asked fact for
    the best match ('what share of a 5339 bus purchase does FTA pay?'), or the state office of the top programs
    that pass through one ('who runs the weatherization program in Michigan?'), those with an office on record
    for the asker's state first."""
    facts = tuple(a for a in asks if a in (Ask.MATCH, Ask.AMOUNT, Ask.DEADLINE, Ask.STATUS, Ask.ENDED))
    if Ask.APPLY in asks and applicant is not None:
        lead = overall_lead(hits, applicant)
        if facts and shown and not low_confidence:  # "...and how much do we chip in?": the best match's fact too
            lead += " " + focus_lead(shown[0], facts)
        return lead
    if facts and shown and not low_confidence:
        return focus_lead(shown[0], facts)
    routed = sorted((h for h in shown[:3] if passes_through(h)), key=lambda h: not (h.office and h.office.agency))
    if Ask.OFFICE in asks and routed:
        return " ".join(office_lead(h) for h in routed[:2])
    return ""


def compose(hits: list[Hit], asker: Asker | None, *, about: Hit | None = None, named: list[Hit] | None = None,
            window: tuple[dt.date, dt.date] | None = None, notices_loaded: bool = True,
            eligibility_question: bool = False, low_confidence: bool = False, asks: tuple[Ask, ...] = (Ask.FIND,),
            unresolved: str | None = None) -> Answer:
    """The grounded answer for a question's ranked hits: the asked fact about the named program first."""
    applicant = asker.applicant if asker else None
    named = named or []
    if eligibility_question and Ask.APPLY not in asks:
        asks = (Ask.APPLY, *asks)
    if window and not hits:
        lead = f"No program in the index has a Grants.gov notice closing between {window[0]} and {window[1]}."
        if not notices_loaded:
            lead += " No Grants.gov notices are loaded yet; ask staff to run a refresh with the latest extract."
        return Answer(lead, asker=asker, asks=asks)
    focus = about or (named[0] if named and not window else None)
    specific = [a for a in asks if a is not Ask.FIND]
    shown = choose_shown(hits, focus, named, bool(window))
    if unresolved and focus is None:
        shown = hits[:3]
    lead, heading = "", ""
    who = f" for {LABELS[applicant][0]}" if applicant else ""
    if unresolved and focus is None:
        lead = unresolved_lead(unresolved, tuple(specific))
        heading = "These programs in the index match the topic of your question:" if shown else ""
    elif focus is not None and specific:
        others = [h for h in named[1:3] if h is not focus] if Ask.COMPARE in asks or len(named) > 1 else []
        if specific == [Ask.OFFICE] and passes_through(focus):  # "who runs CDBG in Ohio": the state routes only
            others = [h for h in others if passes_through(h)]
        lead = " ".join(focus_lead(h, tuple(specific)) for h in [focus, *others])
        heading = "Related programs are listed after it." if len(shown) > 1 + len(others) else ""
    elif not window:
        lead = unnamed_lead(hits, shown, applicant, asks, low_confidence)
    if window:
        heading = f"These programs have notices closing between {window[0]} and {window[1]}{who}:"
    elif focus is not None and not specific:
        first = focus.program
        also = first.popular_name if first.popular_name and first.popular_name.lower() not in first.title.lower() \
            else None
        heading = (f"Here is {inert(first.title)}" + (f" ({inert(also)})" if also else "")
                   + (", with related programs" if len(shown) > 1 else "") + f"{who}:")
    elif focus is None and not (unresolved and focus is None):
        heading = (f"Here {'is the program' if len(shown) == 1 else f'are the {len(shown)} programs'} that best "
                   f"match your question{who}:")
    notes = [LOW_CONFIDENCE] if low_confidence else []
    if applicant is None and any(h.verdict is None for h in shown):
        notes.append(SET_APPLICANT)
    return Answer(lead, hits=hits, shown=shown, heading=heading, notes=notes, asker=asker,
                  low_confidence=low_confidence, about=focus.id if focus else None, asks=asks)
