"""Import program facts from the FPI JSON or SAM.gov's Assistance Listings CSV into catalog records.

Fact fields are created or refreshed; hand-written fields (summary, applicant_notes, keywords,
sectors, cost_share, population_limit, program_page, last_reviewed) are never overwritten.
No source sentence is written: the objective is not copied, and a new record gets a draft summary
built only from the structured fields, marked for review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from finder.catalog.applicants import LABELS, eligible_list, sam_coverage
from finder.catalog.model import Opportunity, dump_record, record_path, scan_catalog
from finder.catalog.vocab import Applicant, Sector
from finder.errors import RecordError
from ingest.sources.listings import Listing, read_listings

CATEGORY_SECTORS: list[tuple[str, Sector]] = [
    ("broadband", Sector.BROADBAND), ("telecommunication", Sector.BROADBAND), ("highway", Sector.ROADS_BRIDGES),
    ("bridge", Sector.ROADS_BRIDGES), ("transit", Sector.TRANSIT), ("rail", Sector.RAIL),
    ("air transportation", Sector.AVIATION), ("water transportation", Sector.PORTS_WATERWAYS),
    ("transportation", Sector.TRANSPORTATION), ("sewer", Sector.WASTEWATER), ("water", Sector.WATER),
    ("energy", Sector.ENERGY), ("disaster", Sector.DISASTER_RECOVERY), ("emergency", Sector.PUBLIC_SAFETY),
    ("air pollution", Sector.AIR_QUALITY), ("pollution", Sector.ENVIRONMENT),
    ("environmental", Sector.ENVIRONMENT), ("natural resources", Sector.NATURAL_RESOURCES),
    ("housing", Sector.HOUSING), ("community development", Sector.COMMUNITY),
    ("business", Sector.ECONOMIC_DEVELOPMENT), ("research", Sector.RESEARCH),
]


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        line = f"created {len(self.created)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}"
        return line + (f", not in the catalog {len(self.skipped)} (--create adds them)" if self.skipped else "")


def _sectors(categories: list[str]) -> list[str]:
    found: list[str] = []
    for cat in categories:
        low = cat.lower()
        for word, sector in CATEGORY_SECTORS:
            if word in low and sector.value not in found:
                found.append(sector.value)
                break
    return found[:3] or [Sector.COMMUNITY.value]


def draft_summary(lst: Listing, eligible: list[str]) -> str:
    """A factual placeholder built from structured fields only, until a person writes the real summary."""
    who = [LABELS[Applicant(a)][1] for a in eligible if a != "check"]
    kinds = ", ".join(k.value + "s" for k in lst.assistance)
    cats = "; ".join(c.lower() for c in lst.categories[:3]) or "no category"
    text = (
        f"{lst.title} is a federal assistance listing administered by {lst.sub_agency or lst.agency}. "
        f"It provides {kinds}. The listing files it under {cats}. "
        f"Direct applicants named in the listing: {', '.join(who) or 'none that map clearly to our applicant types'}"
        f"{'; some listed applicant terms are ambiguous, so check the notice' if 'check' in eligible else ''}. "
        f"{'The listing ties it to the Bipartisan Infrastructure Law. ' if lst.bil_funded else ''}"
        "This draft was generated from the listing's structured fields and has not been reviewed by staff yet, "
        "so read the official SAM.gov page for what the program pays for and how to apply before relying on it."
    )
    words = text.split()
    return " ".join(words[:150]) if len(words) > 150 else text


def merge(existing: Opportunity | None, lst: Listing, today: dt.date, file: str) -> Opportunity:
    """The record with `lst`'s facts, keeping every hand-written field of `existing`."""
    if lst.applicant_terms is not None:
        covs = []
        for term in lst.applicant_terms:
            try:
                covs.append(sam_coverage(term))
            except KeyError:
                raise RecordError(file, f"applicant term {term!r} is not in the mapping table", record=lst.aln,
                                  field="applicant_types",
                                  hint="add it to SAM_TERMS in finder/catalog/applicants.py") from None
        terms, eligible = lst.applicant_terms, eligible_list(covs)
        if existing is not None and existing.rules is not None:
            eligible = existing.eligible_applicants  # reviewed direct applicants outrank the listing's codes
    else:
        terms = existing.applicant_terms if existing else []
        eligible = existing.eligible_applicants if existing else ["check"]
    old = existing.model_dump(mode="json", exclude_none=True) if existing else {}
    links = {**old.get("links", {}), **lst.links}
    sources = [lst.source if s["name"] == lst.source["name"] else s for s in old.get("sources", [])]
    if lst.source not in sources:  # a new record, or one this source never backed: add it at the end
        sources.append(lst.source)
    data: dict[str, Any] = {
        **old,  # reviewed fields the importer does not know (rules, status, uses, ...) pass through unchanged
        "id": lst.aln, "aln": lst.aln, "title": lst.title, "popular_name": lst.popular_name,
        "agency": lst.agency, "sub_agency": lst.sub_agency,
        "summary": old.get("summary") or draft_summary(lst, eligible),
        "needs_review": old.get("needs_review", not existing),
        "eligible_applicants": eligible, "applicant_terms": terms,
        "applicant_notes": old.get("applicant_notes"),
        "assistance_types": [a.value for a in lst.assistance],
        "sectors": old.get("sectors") or _sectors(lst.categories),
        "keywords": old.get("keywords", []),
        "categories": lst.categories or old.get("categories", []),
        "bil_funded": lst.bil_funded or (old.get("bil_funded", False) if lst.applicant_terms is None else False),
        "obligations": lst.obligations or old.get("obligations", []),
        "cost_share": old.get("cost_share"), "population_limit": old.get("population_limit"),
        "authorizations": lst.authorizations or old.get("authorizations", []),
        "links": links, "sources": sources,
        "last_reviewed": old.get("last_reviewed", today.isoformat()),
    }
    try:
        return Opportunity.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise RecordError(file, err["msg"], record=lst.aln, field=".".join(map(str, err["loc"])),
                          hint="the source record cannot form a valid catalog entry") from None


def import_listings(path: Path, data_dir: Path, *, scope: set[str] | None = None, create: bool = True,
                    today: dt.date | None = None) -> ImportReport:
    """Create or refresh catalog records from a listings file; with `scope`, only those ALNs."""
    today = today or dt.date.today()
    existing: dict[str, tuple[Path, Opportunity]] = {}
    if data_dir.is_dir():
        for record_file, item in scan_catalog(data_dir):
            if isinstance(item, RecordError):
                raise item
            existing[item.id] = (record_file, item)
    report = ImportReport()
    for lst in read_listings(path):
        if scope is not None and lst.aln not in scope:
            continue
        found = existing.get(lst.aln)
        file, old = found if found else (None, None)
        if old is None and not create:
            report.skipped.append(lst.aln)
            continue
        op = merge(old, lst, today, str(path))
        target = file or record_path(data_dir, op)
        text = dump_record(op)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            report.unchanged.append(op.id)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".yaml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        (report.updated if old else report.created).append(op.id)
    return report
