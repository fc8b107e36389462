"""Readers of program listings: the OMB Federal Program Inventory JSON and SAM.gov's Assistance Listings CSV.

Each yields `Listing`s, the facts one source gives about one ALN; `ingest/listings.py` merges them into records.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finder.catalog.vocab import SAM_ASSISTANCE, AssistanceType
from finder.errors import RecordError
from finder.text import is_aln, safe_url

FPI_NAME = "OMB Federal Program Inventory (SAM.gov Assistance Listings, USAspending.gov)"
FPI_URL = "https://fpi.omb.gov/"
FACT_FIELDS = ["title", "popular_name", "agency", "sub_agency", "applicant_terms", "eligible_applicants",
               "assistance_types", "categories", "bil_funded", "obligations", "authorizations"]
SAM_CSV_NAME = "SAM.gov Assistance Listings bulk CSV"

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
        if not is_aln(aln):
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
        links={k: safe for k, v in (("sam", r.get("sam_url")), ("grants_gov", r.get("grants_url")),
                                    ("usaspending", r.get("usaspending_url"))) if (safe := safe_url(v))},
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
        if not is_aln(aln):
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
            links={"sam": safe} if (safe := safe_url(_clean(row.get("URL")))) else {},  # official https only
            source={"name": SAM_CSV_NAME, "url": "https://sam.gov/", "date": date.isoformat(),
                    "facts": ["title", "popular_name", "agency", "sub_agency", "assistance_types", "bil_funded",
                              "authorizations", "links"]},
        )


def read_listings(path: Path) -> Iterator[Listing]:
    if not path.is_file():
        raise RecordError(str(path), "file not found")
    return read_sam_csv(path) if path.suffix.lower() == ".csv" else read_fpi(path)
