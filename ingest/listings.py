"""Import program facts from the FPI JSON or SAM.gov's Assistance Listings CSV into catalog records.

Fact fields are created or refreshed; hand-written fields (summary, applicant_notes, keywords,
sectors, cost_share, population_limit, program_page, last_reviewed) are never overwritten.
No source sentence is written: the objective is not copied, and a new record gets a draft summary
built only from the structured fields, marked for review.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from finder.applicants import LABELS, Applicant, eligible_list, sam_coverage
from finder.catalog import (
    SAM_ASSISTANCE,
    AssistanceType,
    Opportunity,
    Sector,
    dump_record,
    record_path,
    scan_catalog,
)
from finder.errors import RecordError

FPI_NAME = "OMB Federal Program Inventory (SAM.gov Assistance Listings, USAspending.gov)"
FPI_URL = "https://fpi.omb.gov/"
SAM_CSV_NAME = "SAM.gov Assistance Listings bulk CSV"
FACT_FIELDS = ["title", "popular_name", "agency", "sub_agency", "applicant_terms", "eligible_applicants",
               "assistance_types", "categories", "bil_funded", "obligations", "authorizations"]
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
class Listing:
    """The facts one source gives about one ALN."""

    aln: str
    title: str
    popular_name: str | None
    agency: str
    sub_agency: str | None
    applicant_terms: list[str] | None
    assistance: list[AssistanceType]
    categories: list[str]
    bil_funded: bool
    obligations: list[dict[str, Any]]
    authorizations: list[str]
    links: dict[str, str]
    source: dict[str, Any]


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        line = f"created {len(self.created)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}"
        return line + (f", not in the catalog {len(self.skipped)} (--create adds them)" if self.skipped else "")


def _clean(text: Any) -> str:
    return " ".join(html.unescape(str(text or "")).split())


def popular(text: Any) -> str | None:
    """A listing's popular name as people say it: no wrapping parentheses, no trailing period."""
    name = _clean(text).rstrip(".").strip()
    while name.startswith("(") and name.endswith(")") and _balanced(name[1:-1]):
        name = name[1:-1].strip()
    return name or None


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _money(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f or None


def _assistance(terms: list[str], file: str, aln: str) -> list[AssistanceType]:
    out: list[AssistanceType] = []
    for t in terms:
        t = _clean(t)
        kind = SAM_ASSISTANCE.get(t)
        if kind is None:
            raise RecordError(file, f"unknown assistance type {t!r}", record=aln, field="assistance_types",
                              hint=f"expected one of {sorted(SAM_ASSISTANCE)}")
        if kind not in out:
            out.append(kind)
    return out or [AssistanceType.OTHER]


def source_date(path: Path) -> dt.date:
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", path.name)
    return dt.date(int(m[1]), int(m[2]), int(m[3])) if m else dt.date.fromtimestamp(path.stat().st_mtime)


def read_fpi(path: Path) -> Iterator[Listing]:
    """Assistance listings from the FPI JSON array."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RecordError(str(path), f"not readable FPI JSON ({exc})",
                          hint="pass the fpi_assistance_listings_*.json file") from None
    if not isinstance(data, list):
        raise RecordError(str(path), "expected a JSON array of programs")
    date = source_date(path)
    for i, r in enumerate(data):
        if not isinstance(r, dict):
            raise RecordError(str(path), "expected an object", record=f"#{i}")
        if r.get("program_type", "assistance_listing") != "assistance_listing":
            continue
        aln = str(r.get("cfda") or "")
        if not re.fullmatch(r"\d\d\.\d{3}", aln):
            raise RecordError(str(path), f"bad ALN {aln!r}; expected NN.NNN", record=f"#{i}", field="cfda")
        try:
            yield _fpi_listing(r, aln, str(path), date)
        except RecordError:
            raise
        except (TypeError, AttributeError, ValueError) as exc:
            raise RecordError(str(path), f"unexpected shape ({exc})", record=aln,
                              hint="expected the FPI assistance-listing JSON format") from None


def _fpi_listing(r: dict[str, Any], aln: str, file: str, date: dt.date) -> Listing:
    obligations = []
    for ob in r.get("obligations") or []:
        try:
            year = int(ob["x"])
        except (KeyError, TypeError, ValueError):
            raise RecordError(file, "obligation without a fiscal year", record=aln, field="obligations.x") from None
        obligations.append({"fiscal_year": year, "sam_estimate": _money(ob.get("sam_estimate")),
                            "sam_actual": _money(ob.get("sam_actual")),
                            "usaspending_actual": _money(ob.get("usa_spending_actual"))})
    return Listing(
        aln=aln, title=_clean(r.get("title")), popular_name=popular(r.get("popular_name")),
        agency=_clean(r.get("agency")), sub_agency=_sub_agency(r.get("sub-agency")),
        applicant_terms=sorted({_clean(t) for t in r.get("applicant_types") or []}),
        assistance=_assistance(r.get("assistance_types") or [], file, aln),
        categories=sorted({_clean(c) for c in r.get("categories") or []}),
        bil_funded=bool(r.get("derived_cites_pl117_58") or r.get("derived_mentions_iija_bil_in_text")),
        obligations=sorted(obligations, key=lambda o: o["fiscal_year"]),
        authorizations=[_clean(a.get("text")) for a in r.get("authorizations") or [] if a.get("text")],
        links={k: v for k, v in (("sam", r.get("sam_url")), ("grants_gov", r.get("grants_url")),
                                 ("usaspending", r.get("usaspending_url"))) if isinstance(v, str) and v},
        source={"name": FPI_NAME, "url": FPI_URL, "date": date.isoformat(), "facts": FACT_FIELDS + ["links"]},
    )


def _sub_agency(v: Any) -> str | None:
    s = _clean(v)
    return None if s in ("", "N/A") else s


def read_sam_csv(path: Path) -> Iterator[Listing]:
    """Assistance listings from SAM.gov's bulk CSV (quoted multi-line fields, some Windows-1252 bytes)."""
    raw = path.read_bytes()
    if not raw.strip():
        raise RecordError(str(path), "file is empty; expected SAM.gov's Assistance Listings CSV")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    need = {"Program Number", "Program Title", "Federal Agency (030)", "Types of Assistance (060)"}
    missing = need - set(reader.fieldnames or [])
    if missing:
        raise RecordError(str(path), f"missing columns {sorted(missing)}",
                          hint="expected AssistanceListings_DataGov_PUBLIC_CURRENT.csv from SAM.gov")
    date = source_date(path)
    for n, row in enumerate(reader, start=2):
        aln = _clean(row.get("Program Number"))
        if not re.fullmatch(r"\d\d\.\d{3}", aln):
            raise RecordError(str(path), f"bad ALN {aln!r}; expected NN.NNN", record=f"line {n}",
                              field="Program Number")
        agency_parts = [p.strip() for p in _clean(row.get("Federal Agency (030)")).split(",") if p.strip()]
        kinds = [k.strip() for k in re.split(r"[;,\n]|\s-\s", row.get("Types of Assistance (060)") or "")]
        kinds = [k.rstrip(".").title().replace("/ Insured", "/ Insured") for k in kinds if k]
        assistance = [SAM_ASSISTANCE[k] for k in kinds if k in SAM_ASSISTANCE] or [AssistanceType.OTHER]
        auth = _clean(row.get("Authorization (040)"))
        yield Listing(
            aln=aln, title=_clean(row.get("Program Title")), popular_name=popular(row.get("Popular Name (020)")),
            agency=agency_parts[-1] if agency_parts else "Unknown agency",
            sub_agency=agency_parts[0] if len(agency_parts) > 1 else None,
            applicant_terms=None, assistance=list(dict.fromkeys(assistance)), categories=[],
            bil_funded=bool(re.search(r"117-58|Infrastructure Investment and Jobs Act", auth, re.I)),
            obligations=[], authorizations=[auth] if auth else [],
            links={"sam": _clean(row.get("URL"))} if _clean(row.get("URL")) else {},
            source={"name": SAM_CSV_NAME, "url": "https://sam.gov/", "date": date.isoformat(),
                    "facts": ["title", "popular_name", "agency", "sub_agency", "assistance_types", "bil_funded",
                              "authorizations", "links"]},
        )


def read_listings(path: Path) -> Iterator[Listing]:
    if not path.is_file():
        raise RecordError(str(path), "file not found")
    return read_sam_csv(path) if path.suffix.lower() == ".csv" else read_fpi(path)


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
                                  field="applicant_types", hint="add it to SAM_TERMS in finder/applicants.py") from None
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
