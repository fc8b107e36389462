"""Small in-memory catalog records for fast tests: no model, no Chroma, no subprocess."""

from __future__ import annotations

from typing import Any

from finder.catalog.model import Opportunity

SUMMARY = " ".join(["This test program pays for public works in small places, described in plain words."] * 5)


def record(rid: str = "99.001", **fields: Any) -> Opportunity:
    """A valid Opportunity with sensible defaults; keyword arguments override any field."""
    data: dict[str, Any] = {
        "id": rid, "aln": rid[:6], "title": f"Test Program {rid}", "agency": "Department of Testing",
        "summary": SUMMARY, "eligible_applicants": ["state"], "assistance_types": ["project grant"],
        "sectors": ["community"], "bil_funded": False, "links": {"sam": "https://sam.gov/fal/x/view"},
        "sources": [{"name": "Test statute section", "url": "https://www.law.cornell.edu/uscode/text/99/1",
                     "date": "2026-11-28", "facts": ["eligible_applicants", "rules", "population", "status",
                                                     "uses", "place"]}],
        "last_reviewed": "2026-11-28",
    }
    if rid != rid[:6]:
        data["parent"] = rid[:6]
    data.update(fields)
    return Opportunity.model_validate(data)


def reviewed(rid: str = "99.001", direct: list[str] | None = None, **rules: Any) -> Opportunity:
    """A record with reviewed rules (`rules` keyword arguments go into the rules block)."""
    return record(rid, eligible_applicants=direct or ["state"], rules={"reviewed": "2026-11-28", **rules})
