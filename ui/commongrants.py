"""Programs as CommonGrants opportunities (HHS's open format): status, funding, key dates, the Assistance Listing
number and the Funding Opportunity Number as identifiers, and our eligibility and cost share as custom fields.

One program is one opportunity; its first notice (open first, then forecast, closed, archived) supplies the key
dates and award sizes. Words come from `finder/answering/facts.py` as plain, inert text. Tests validate the
output against the published models of `common-grants-sdk`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from finder.answering.facts import (
    amount,
    display_name,
    notice_phrase,
    office_phrase,
    open_notice,
    ordered_notices,
    status_phrase,
    verdict_phrase,
    who_applies,
)
from finder.answering.types import Hit, NoticeView
from finder.catalog.eligibility import Asker
from finder.catalog.notices import Notice
from finder.catalog.vocab import Applicant, NoticeStatus, StatusKind
from finder.text import inert, safe_url

# Stable opportunity ids: CommonGrants ids are UUIDs, so each program id maps to a UUIDv5 under our namespace.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/infrastructure-funding-finder/program")
ORG_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/infrastructure-funding-finder/agency")

# Our applicant vocabulary -> CommonGrants ApplicantTypeOptions (a territory has no option of its own).
APPLICANT_TYPES: dict[Applicant, tuple[str, ...]] = {
    Applicant.STATE: ("government_state",), Applicant.COUNTY: ("government_county",),
    Applicant.CITY: ("government_municipal",), Applicant.SPECIAL_DISTRICT: ("government_special_district",),
    Applicant.SCHOOL_DISTRICT: ("school_district_independent",), Applicant.TRIBE: ("government_tribal",),
    Applicant.TERRITORY: ("custom",), Applicant.NONPROFIT: ("non_profit_with_501c3", "nonprofit_without_501c3"),
    Applicant.FOR_PROFIT: ("for_profit_not_small_business",), Applicant.SMALL_BUSINESS: ("for_profit_small_business",),
    Applicant.HIGHER_ED: ("higher_education_public", "higher_education_private"),
    Applicant.INDIVIDUAL: ("individual",),
}
# A record's status -> CommonGrants status values; the rest are `custom` with our value as customValue.
STATUS_VALUES = {StatusKind.OPEN: "open", StatusKind.ROLLING: "open", StatusKind.CLOSED: "closed",
                 StatusKind.ENDED: "closed", StatusKind.TERMINATED: "closed"}


def opportunity_id(program_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, program_id))


def _org(name: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid5(ORG_NAMESPACE, name)), "name": inert(name)}


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _usd(value: float | None) -> dict[str, str] | None:
    return {"amount": f"{value:.2f}", "currency": "USD"} if value else None


def status(hit: Hit) -> dict[str, Any]:
    """An open notice outranks the record's older status, as everywhere in the finder."""
    words = status_phrase(hit) or "The index has no status for this program; check its program page."
    if open_notice(hit) is not None:
        return {"value": "open", "description": words}
    live = [n for n in ordered_notices(hit) if n.status is NoticeStatus.FORECASTED]
    st = hit.program.status
    if live and (st is None or st.live):
        return {"value": "forecasted", "description": words}
    if st is not None and st.value in STATUS_VALUES:
        return {"value": STATUS_VALUES[st.value], "description": words}
    return {"value": "custom", "customValue": st.value.value if st else "unknown", "description": words}


def key_dates(hit: Hit, notice: NoticeView | None, full: Notice | None) -> dict[str, Any] | None:
    dates: dict[str, Any] = {}
    if full is not None and full.post_date:
        dates["postDate"] = {"name": "Notice posted", "eventType": "singleDate", "date": full.post_date.isoformat()}
    if notice is not None and notice.close_date:
        dates["closeDate"] = {"name": "Application deadline", "eventType": "singleDate",
                              "date": notice.close_date.isoformat(), "description": notice_phrase(notice)}
    elif notice is not None and notice.close_note:
        dates["closeDate"] = {"name": "Application deadline", "eventType": "other",
                              "details": inert(notice.close_note)}
    if (st := hit.program.status) is not None:
        dates["otherDates"] = {"statusCheckedOn": {"name": "Status last checked", "eventType": "singleDate",
                                                   "date": st.as_of.isoformat()}}
    return dates or None


def funding(hit: Hit, notice: NoticeView | None) -> dict[str, Any] | None:
    op = hit.program
    out: dict[str, Any] = {}
    ceiling = (notice.award_ceiling if notice else None) or (op.award.max_dollars if op.award else None)
    for key, value in (("maxAwardAmount", ceiling), ("minAwardAmount", notice.award_floor if notice else None),
                       ("totalAmountAvailable", notice.total_funding if notice else None)):
        if (m := _usd(value)) is not None:
            out[key] = m
    details = [inert(op.award.text) if op.award else None, amount(op),
               f"Notice: {notice_phrase(notice)}" if notice else None]
    if any(details):
        out["details"] = " ".join(d if d.endswith(".") else d + "." for d in details if d)
    return out or None


def cost_sharing(hit: Hit, notice: NoticeView | None) -> dict[str, Any] | None:
    cs = hit.program.cost_share
    if cs is not None:
        value: dict[str, Any] = {"description": inert(cs.text)}
        if cs.applicant_min is not None:
            value["percentage"] = float(cs.applicant_min)
            if cs.applicant_min > 0:
                value["type"] = "Matching"
        if cs.cases:
            value["waiverInfo"] = " ".join(f"{inert(c.when).capitalize()}: {inert(c.text)}." for c in cs.cases)
    elif notice is not None and notice.cost_share is not None:
        value = {"description": "cost share required" if notice.cost_share else "no cost share"}
    else:
        return None
    return {"name": "costSharing", "fieldType": "object", "value": value,
            "description": "Cost sharing or matching requirement, from the program's rules or its notice"}


def eligibility(hit: Hit, asker: Asker | None) -> dict[str, Any]:
    op = hit.program
    routes = op.rules.through if op.rules else []
    value: dict[str, Any] = {
        "directApplicants": [a for a in op.eligible_applicants if a != "check"],
        "throughRoutes": [{"applicants": [a.value for a in r.applicants], "via": inert(r.via)} for r in routes],
        "reviewed": op.rules is not None,
    }
    if asker is not None and hit.verdict is not None:
        value["verdict"] = {"applicant": asker.applicant.value, "state": asker.state, "population": asker.population,
                            "kind": hit.verdict.kind.value, "label": verdict_phrase(hit),
                            "reason": inert(hit.verdict.reason), "office": office_phrase(hit, link=False)}
    return {"name": "finderEligibility", "fieldType": "object", "value": value,
            "description": "Who may apply directly, the pass-through routes for others, and (when an applicant "
                           "is given) the verdict from the program's rules with the state's office"}


def custom_fields(hit: Hit, notice: NoticeView | None, asker: Asker | None) -> dict[str, Any]:
    op = hit.program
    fields: dict[str, Any] = {
        "assistanceListing": {"name": "assistanceListing", "fieldType": "array",
                              "value": [{"assistanceListingNumber": op.aln, "programTitle": inert(op.title),
                                         "isPrimary": True}],
                              "description": "Assistance Listing number and program title"},
        "eligibilityCriteria": {"name": "eligibilityCriteria", "fieldType": "string", "value": who_applies(op),
                                "description": "Who applies directly and through whom others reach the money"},
        "finderEligibility": eligibility(hit, asker),
    }
    if (cs := cost_sharing(hit, notice)) is not None:
        fields["costSharing"] = cs
    return fields


def identifiers(hit: Hit, full: Notice | None) -> dict[str, Any]:
    ids: dict[str, Any] = {"opp:us:aln": {"registry": {"code": "opp:us:aln"}, "id": hit.aln},
                           "otherIds": {"finder:program": {"id": hit.id}}}
    if full is not None and full.number:
        ids["opp:us:fon"] = {"registry": {"code": "opp:us:fon"}, "id": inert(full.number)}
    return ids


def opportunity(hit: Hit, asker: Asker | None = None, notices: dict[str, Notice] | None = None) -> dict[str, Any]:
    """One program as a CommonGrants opportunity (camelCase wire names). `notices` maps notice ids to the full
    notices, for the post date and the Funding Opportunity Number; `asker` adds the verdict."""
    op = hit.program
    first = ordered_notices(hit)[0] if hit.notices else None
    full = (notices or {}).get(first.id) if first else None
    funders: dict[str, Any] = {"primary": _org(op.sub_agency or op.agency)}
    if op.sub_agency:
        funders["otherOrgs"] = {"parent": _org(op.agency)}
    created = min([s.date for s in op.sources] + [op.last_reviewed])
    modified = max([op.last_reviewed] + ([op.status.as_of] if op.status else []))
    types = [t for a in op.eligible_applicants if a != "check" for t in APPLICANT_TYPES[Applicant(a)]]
    record: dict[str, Any] = {
        "id": opportunity_id(op.id), "title": inert(display_name(op)), "identifiers": identifiers(hit, full),
        "status": status(hit), "description": inert(op.summary), "funders": funders,
        "customFields": custom_fields(hit, first, asker), "createdAt": _stamp(created),
        "lastModifiedAt": _stamp(modified),
        "acceptedApplicantTypes": [{"value": t, **({"customValue": "territory"} if t == "custom" else {})}
                                   for t in dict.fromkeys(types)],
    }
    for key, value in (("funding", funding(hit, first)), ("keyDates", key_dates(hit, first, full)),
                       ("source", safe_url(op.url))):
        if value is not None:
            record[key] = value
    return record
