"""The CommonGrants routes' work as plain functions: a page of opportunities, one by id, and a search with
CommonGrants filters, sorting and pagination. Responses use the protocol's envelopes (status, message, items,
paginationInfo, sortInfo, filterInfo) and its error shape; ui/mount.py wires them to HTTP.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from finder.catalog.eligibility import Asker
from finder.catalog.vocab import VerdictKind
from finder.engine import Finder
from ui import inputs
from ui.commongrants import opportunity, opportunity_id
from ui.session import echo

MAX_PAGE_SIZE = 100
SEARCH_DEPTH = 50  # a text search ranks this many programs, then filters, sorts and pages them
RELEVANCE = "relevance"
SORTS: dict[str, Any] = {
    "title": lambda r: r["title"].lower(),
    "keyDates.closeDate": lambda r: r.get("keyDates", {}).get("closeDate", {}).get("date", "9999-12-31"),
    "lastModifiedAt": lambda r: r["lastModifiedAt"], "createdAt": lambda r: r["createdAt"],
    "status.value": lambda r: ["open", "forecasted", "custom", "closed"].index(r["status"]["value"]),
}


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: list[Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors or [message]

    def body(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, "errors": self.errors}


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class Paging(_Wire):
    page: int = Field(1, ge=1)
    page_size: int = Field(10, ge=1, le=MAX_PAGE_SIZE)


class Sorting(_Wire):
    sort_by: str | None = None
    sort_order: Literal["asc", "desc"] | None = None
    custom_sort_by: str | None = None


class SearchRequest(_Wire):
    search: str | None = None
    filters: dict[str, Any] = Field(default_factory=dict)
    sorting: Sorting | None = None
    pagination: Paging = Field(default_factory=Paging)


def paging(page: Any, size: Any) -> Paging:
    try:
        return Paging(page=int(page or 1), page_size=int(size or 10))
    except (ValueError, ValidationError):
        raise ApiError(400, f"page must be 1 or more and pageSize from 1 to {MAX_PAGE_SIZE}") from None


def _asker(applicant: Any, state: Any, population: Any) -> Asker | None:
    try:
        return inputs.asker(applicant, state, population)
    except inputs.InputError as exc:
        raise ApiError(400, str(exc)) from None


def records(finder: Finder, ids: list[str], asker: Asker | None) -> list[dict[str, Any]]:
    """Opportunities for program ids, in order, from one leased snapshot."""
    with finder.index.reading() as snap:
        hits = finder.hits(ids, asker)
        full = {n.id: n for h in hits for n in snap.notices_for(h.aln)}
    return [opportunity(h, asker, full) for h in hits]


def pagination_info(p: Paging, total: int) -> dict[str, Any]:
    return {"page": p.page, "pageSize": p.page_size, "totalItems": total,
            "totalPages": math.ceil(total / p.page_size)}


def list_page(finder: Finder, page: Any = 1, size: Any = 10, applicant: Any = "", state: Any = "",
              population: Any = "") -> dict[str, Any]:
    """GET /common-grants/opportunities: every program, in catalog order, one page at a time."""
    p, asker = paging(page, size), _asker(applicant, state, population)
    with finder.index.reading() as snap:
        ids = list(snap.programs)
    chunk = ids[(p.page - 1) * p.page_size:p.page * p.page_size]
    return {"status": 200, "message": "Success", "items": records(finder, chunk, asker),
            "paginationInfo": pagination_info(p, len(ids))}


def one(finder: Finder, opp_id: str, applicant: Any = "", state: Any = "", population: Any = "") -> dict[str, Any]:
    """GET /common-grants/opportunities/{oppId}: by its UUID (or our program id); 404 when unknown."""
    asker = _asker(applicant, state, population)
    with finder.index.reading() as snap:
        pid = opp_id if opp_id in snap.programs else next(
            (p for p in snap.programs if opportunity_id(p) == opp_id.lower()), None)
    found = records(finder, [pid], asker) if pid else []
    if not found:
        raise ApiError(404, "Opportunity not found", [f"No opportunity has the id {echo(opp_id[:80])}"])
    return {"status": 200, "message": "Success", "data": found[0]}


STATUSES = ("open", "forecasted", "custom", "closed")
VERDICTS = tuple(v.value for v in VerdictKind)


def _standard(key: str, f: Any) -> dict[str, Any]:
    """A status or close-date filter, checked; ApiError names what is wrong."""
    op, value = f.get("operator"), f.get("value")
    if key == "status":
        if op not in ("in", "notIn") or not isinstance(value, list) or not set(value) <= set(STATUSES):
            raise ApiError(400, f"filters.status needs operator in or notIn and values from {', '.join(STATUSES)}")
        return {"operator": op, "value": list(value)}
    try:
        low, high = (dt.date.fromisoformat(v) if v else None for v in (value.get("min"), value.get("max")))
    except (AttributeError, TypeError, ValueError):
        raise ApiError(400, "filters.closeDateRange needs value {min, max} as YYYY-MM-DD dates") from None
    if op not in ("between", "outside"):
        raise ApiError(400, "filters.closeDateRange needs operator between or outside")
    bounds = {"min": low.isoformat() if low else None, "max": high.isoformat() if high else None}
    return {"operator": op, "value": bounds}


def _filters(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(applied standard filters, asker and verdict custom filters, errors): unsupported ones are named, ignored."""
    applied, who, errors = {}, {}, []
    for key, f in raw.items():
        if key == "customFilters" and isinstance(f, dict):
            for name, cf in f.items():
                if name in ("applicant", "state", "population", "verdict") and isinstance(cf, dict):
                    who[name] = cf.get("value")
                else:
                    errors.append(f"custom filter {echo(str(name)[:40])} is not supported; ignored")
        elif key in ("status", "closeDateRange") and isinstance(f, dict):
            applied[key] = _standard(key, f)
        elif f is not None:
            errors.append(f"filter {echo(str(key)[:40])} is not supported; ignored")
    verdicts = who.get("verdict")
    if verdicts is not None and (not isinstance(verdicts, list) or not set(verdicts) <= set(VERDICTS)):
        raise ApiError(400, f"customFilters.verdict needs a list of values from {', '.join(VERDICTS)}")
    return applied, who, errors


def _keep(record: dict[str, Any], applied: dict[str, Any], verdicts: Any) -> bool:
    if (f := applied.get("status")) is not None:
        inside = record["status"]["value"] in set(f["value"] or [])
        if inside != (f["operator"] != "notIn"):
            return False
    if (f := applied.get("closeDateRange")) is not None:
        when = record.get("keyDates", {}).get("closeDate", {}).get("date")
        low, high = str(f["value"].get("min") or ""), str(f["value"].get("max") or "9999-12-31")
        if when is None or (low <= when <= high) != (f["operator"] != "outside"):
            return False
    if verdicts:
        verdict = record["customFields"]["finderEligibility"]["value"].get("verdict", {}).get("kind")
        return verdict in set(verdicts)
    return True


def _sort(req: SearchRequest) -> tuple[str, str, str | None, list[str]]:
    s = req.sorting or Sorting()
    default = ("custom", "desc", RELEVANCE) if req.search else ("lastModifiedAt", "desc", None)
    if s.sort_by is None:
        return *default, []
    if s.sort_by == "custom" and s.custom_sort_by == RELEVANCE and req.search:
        return "custom", "desc", RELEVANCE, []
    if s.sort_by in SORTS:
        return s.sort_by, s.sort_order or "asc", None, []
    return *default, [f"sorting by {echo(s.sort_by[:40])} is not supported; used the default order"]


def search(finder: Finder, body: Any) -> dict[str, Any]:
    """POST /common-grants/opportunities/search: text (ranked by the finder's hybrid search), filters on status,
    close date and, as custom filters, applicant, state, population and verdict; sorted and paged."""
    try:
        req = SearchRequest.model_validate(body if isinstance(body, dict) else {})
    except ValidationError as exc:
        raise ApiError(400, "The search request is not valid", [
            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]) from None
    applied, who, errors = _filters(req.filters)
    asker = _asker(who.get("applicant"), who.get("state"), who.get("population"))
    if who.get("verdict") and asker is None:
        raise ApiError(400, "customFilters.verdict needs customFilters.applicant: a verdict is for an applicant")
    if req.search:
        try:
            text = inputs.question(req.search, what="search text")
        except inputs.InputError as exc:
            raise ApiError(400, str(exc)) from None
        ids = [h.id for h in finder.search(text, asker.applicant if asker else None, k=SEARCH_DEPTH)]
    else:
        with finder.index.reading() as snap:
            ids = list(snap.programs)
    kept = [r for r in records(finder, ids, asker) if _keep(r, applied, who.get("verdict"))]
    sort_by, order, custom, sort_errors = _sort(req)
    if custom is None:
        kept.sort(key=SORTS[sort_by], reverse=order == "desc")
    p = req.pagination
    sort_info = {"sortBy": sort_by, "sortOrder": order, "errors": sort_errors}
    if custom:
        sort_info["customSortBy"] = custom
    return {"status": 200, "message": "Success", "items": kept[(p.page - 1) * p.page_size:p.page * p.page_size],
            "paginationInfo": pagination_info(p, len(kept)), "sortInfo": sort_info,
            "filterInfo": {"filters": {**applied, **_custom_applied(asker, who.get("verdict"))}, "errors": errors}}


def _custom_applied(asker: Asker | None, verdicts: list[str] | None) -> dict[str, Any]:
    """The custom filters as they were understood (normalised, never the caller's raw text)."""
    got = {"applicant": asker.applicant.value if asker else None, "state": asker.state if asker else None,
           "population": asker.population if asker else None, "verdict": verdicts}
    custom = {k: {"operator": "in" if k == "verdict" else "eq", "value": v} for k, v in got.items() if v}
    return {"customFilters": custom} if custom else {}
