"""Grants.gov notices: the daily XML extract (zip or xml, parsed streaming) and search2/fetchOpportunity JSON.

Each notice is cleaned into a `Notice`: HTML stripped, dates parsed, applicant codes mapped. A bad
record is skipped with a message naming file, record and field; a bad file raises RecordError.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

from pydantic import ValidationError

from finder.catalog.applicants import GRANTS_GOV_CODES, eligible_list
from finder.catalog.notices import Notice, grants_gov_url
from finder.catalog.vocab import FundingInstrument
from finder.errors import RecordError
from finder.text import is_aln, strip_markup

SYNOPSIS = "OpportunitySynopsisDetail_1_0"
FORECAST = "OpportunityForecastDetail_1_0"
REPEATED = {"FundingInstrumentType", "CategoryOfFundingActivity", "CFDANumbers", "EligibleApplicants"}


class BadField(ValueError):
    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(problem)


plain = strip_markup  # no feed HTML ever reaches the UI


def parse_date(value: str | None, field: str) -> dt.date | None:
    v = (value or "").strip()
    if not v:
        return None
    for fmt in ("%m%d%Y", "%m/%d/%Y", "%Y-%m-%d", "%b %d, %Y"):
        try:
            return dt.datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    raise BadField(field, f"bad date {v!r}; expected MMDDYYYY")


def parse_money(value: Any, field: str) -> float | None:
    v = str(value if value is not None else "").strip().replace(",", "").replace("$", "")
    if v.lower() in ("", "none", "null", "n/a"):
        return None
    try:
        return float(v) or None
    except ValueError:
        raise BadField(field, f"bad amount {value!r}; expected a number or 'none'") from None


def map_codes(codes: list[str]) -> list[str]:
    """Grants.gov applicant codes in our vocabulary, by the same rule as listing terms (one rule for check)."""
    for code in codes:
        if code not in GRANTS_GOV_CODES:
            raise BadField("EligibleApplicants", f"unknown applicant code {code!r}; expected one of "
                           f"{', '.join(sorted(GRANTS_GOV_CODES))}")
    return eligible_list([GRANTS_GOV_CODES[c][1] for c in codes])


def _aln(v: str) -> str:
    v = v.strip()
    if not is_aln(v):
        raise BadField("CFDANumbers", f"bad ALN {v!r}; expected NN.NNN")
    return v


def notice_from_fields(f: dict[str, Any], *, forecast: bool) -> Notice:
    """A Notice from extract-style fields (repeated ones as lists)."""
    oid = str(f.get("OpportunityID") or "").strip()
    if not oid:
        raise BadField("OpportunityID", "missing OpportunityID")
    instruments = []
    for code in f.get("FundingInstrumentType", []):
        try:
            instruments.append(FundingInstrument(code.strip()))
        except ValueError:
            raise BadField("FundingInstrumentType", f"unknown code {code!r}; expected G, CA, PC or O") from None
    codes = [c.strip() for c in f.get("EligibleApplicants", []) if c.strip()]
    ceiling = parse_money(f.get("AwardCeiling"), "AwardCeiling")
    floor = parse_money(f.get("AwardFloor"), "AwardFloor")
    awards = str(f.get("ExpectedNumberOfAwards") or "").strip()
    cost = str(f.get("CostSharingOrMatchingRequirement") or "").strip().lower()
    close = parse_date(f.get("CloseDate"), "CloseDate") if not forecast else \
        parse_date(f.get("EstimatedSynopsisCloseDate"), "EstimatedSynopsisCloseDate")
    post = parse_date(f.get("PostDate"), "PostDate") if not forecast else \
        parse_date(f.get("EstimatedSynopsisPostDate") or f.get("PostDate"), "EstimatedSynopsisPostDate")
    try:
        return Notice(
            id=oid, number=plain(f.get("OpportunityNumber")), title=plain(f.get("OpportunityTitle")) or "(untitled)",
            agency=plain(f.get("AgencyName") or f.get("AgencyCode")),
            alns=sorted({_aln(a) for a in f.get("CFDANumbers", []) if a.strip()}),
            categories=sorted({c.strip() for c in f.get("CategoryOfFundingActivity", []) if c.strip()}),
            instruments=instruments, eligible_codes=codes, eligible_applicants=map_codes(codes),
            forecast=forecast, post_date=post, close_date=close,
            close_note=plain(f.get("CloseDateExplanation") or f.get("EstimatedSynopsisCloseDateExplanation")),
            archive_date=parse_date(f.get("ArchiveDate"), "ArchiveDate"),
            award_floor=floor, award_ceiling=ceiling,
            total_funding=parse_money(f.get("EstimatedTotalProgramFunding"), "EstimatedTotalProgramFunding"),
            expected_awards=int(awards) if awards.isdigit() else None,
            cost_share=True if cost == "yes" else False if cost == "no" else None,
            description=plain(f.get("Description"))[:1500], url=grants_gov_url(oid),
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise BadField(".".join(map(str, err["loc"])), err["msg"]) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def iter_xml(stream: IO[bytes], name: str, errors: list[str]) -> Iterator[Notice]:
    """Stream notices out of an extract; memory stays bounded because each record is cleared once read."""
    context = ET.iterparse(stream, events=("start", "end"))
    root = None
    count = 0
    try:
        for event, elem in context:
            if event == "start":
                if root is None:
                    root = elem
                continue
            kind = _local(elem.tag)
            if kind not in (SYNOPSIS, FORECAST):
                continue
            count += 1
            fields: dict[str, Any] = {}
            for child in elem:
                key = _local(child.tag)
                if key in REPEATED:
                    fields.setdefault(key, []).append(child.text or "")
                else:
                    fields[key] = child.text or ""
            elem.clear()
            if root is not None:
                root.clear()
            try:
                yield notice_from_fields(fields, forecast=kind == FORECAST)
            except BadField as exc:
                rid = fields.get("OpportunityID") or f"#{count}"
                errors.append(str(RecordError(name, str(exc), record=str(rid), field=exc.field,
                                              hint="record skipped")))
    except ET.ParseError as exc:
        raise RecordError(name, f"malformed XML ({exc}) after {count} records",
                          hint="the file is truncated or damaged; download the extract again") from None
    if root is None:
        raise RecordError(name, "file is empty; expected a Grants.gov XML extract")


def read(path: Path, *, errors: list[str] | None = None) -> Iterator[Notice]:
    """Notices from one file (.zip, .xml or .json). Record problems go to `errors`; file problems raise."""
    errors = errors if errors is not None else []
    name = str(path)
    if not path.is_file():
        raise RecordError(name, "file not found")
    if path.stat().st_size == 0:
        raise RecordError(name, "file is empty; expected a Grants.gov extract or API response")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _read_zip(path, errors)
    if suffix == ".json":
        return iter(list(read_json(path, errors)))
    return _read_xml_file(path, errors)


def _read_xml_file(path: Path, errors: list[str]) -> Iterator[Notice]:
    with open(path, "rb") as fh:
        yield from iter_xml(fh, str(path), errors)


def _read_zip(path: Path, errors: list[str]) -> Iterator[Notice]:
    try:
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.namelist() if m.lower().endswith(".xml")]
            if not members:
                raise RecordError(str(path), "zip holds no .xml extract")
            for member in members:
                with zf.open(member) as fh:
                    yield from iter_xml(fh, f"{path}:{member}", errors)
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise RecordError(str(path), f"not a readable zip ({exc})",
                          hint="the download is truncated or damaged; fetch the extract again") from None
    except (OSError, ValueError) as exc:
        if isinstance(exc, RecordError):
            raise
        raise RecordError(str(path), f"zip member cannot be read ({exc})",
                          hint="the download is truncated or damaged; fetch the extract again") from None


def _listish(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [x for x in re.split(r"[|,;\s]+", v) if x]
    return [str(x.get("cfdaNumber") or x.get("alnNumber") or x.get("id") or "") if isinstance(x, dict) else str(x)
            for x in v]


def _from_search_hit(h: dict[str, Any]) -> dict[str, Any]:
    return {
        "OpportunityID": h.get("id"), "OpportunityNumber": h.get("number"), "OpportunityTitle": h.get("title"),
        "AgencyName": h.get("agency") or h.get("agencyName") or h.get("agencyCode"),
        "CFDANumbers": _listish(h.get("cfdaList") if h.get("cfdaList") is not None else h.get("alnist")),
        "PostDate": h.get("openDate"), "CloseDate": h.get("closeDate"),
    }


def _from_fetch(d: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    syn = d.get("synopsis") or d.get("forecast") or {}
    if not isinstance(syn, dict):
        raise BadField("synopsis", "expected an object")
    forecast = bool(d.get("forecast")) and not d.get("synopsis")
    codes = [str(a.get("id")) if isinstance(a, dict) else str(a) for a in syn.get("applicantTypes") or []]
    return {
        "OpportunityID": d.get("id"), "OpportunityNumber": d.get("opportunityNumber"),
        "OpportunityTitle": d.get("opportunityTitle"),
        "AgencyName": syn.get("agencyName") or d.get("owningAgencyCode"),
        "CFDANumbers": _listish(d.get("cfdas") or d.get("alns")),
        "CategoryOfFundingActivity": [str(c.get("id")) if isinstance(c, dict) else str(c)
                                      for c in syn.get("fundingActivityCategories") or []],
        "FundingInstrumentType": [str(c.get("id")) if isinstance(c, dict) else str(c)
                                  for c in syn.get("fundingInstruments") or []],
        "EligibleApplicants": codes,
        "PostDate": syn.get("postingDate") or syn.get("postingDateStr"),
        "CloseDate": syn.get("responseDate") or syn.get("responseDateStr"),
        "EstimatedSynopsisCloseDate": syn.get("estimatedSynopsisCloseDate"),
        "EstimatedSynopsisPostDate": syn.get("estimatedSynopsisPostDate"),
        "ArchiveDate": syn.get("archiveDate"),
        "AwardCeiling": syn.get("awardCeiling"), "AwardFloor": syn.get("awardFloor"),
        "EstimatedTotalProgramFunding": syn.get("estimatedFunding"),
        "CostSharingOrMatchingRequirement": "Yes" if syn.get("costSharing") is True else
        "No" if syn.get("costSharing") is False else "",
        "Description": syn.get("synopsisDesc") or syn.get("forecastDesc"),
        "CloseDateExplanation": syn.get("responseDateDesc"),
    }, forecast


def read_json(path: Path, errors: list[str]) -> Iterator[Notice]:
    name = str(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise RecordError(name, f"malformed JSON ({exc})",
                          hint="expected a search2 or fetchOpportunity response") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict):
        raise RecordError(name, "expected an object with a 'data' object (search2 or fetchOpportunity response)")
    if doc.get("errorcode") not in (None, 0, "0"):
        raise RecordError(name, f"the API answered with error {doc.get('errorcode')}: {plain(doc.get('msg'))}")
    data = doc["data"]
    if "oppHits" in data:
        if not isinstance(data["oppHits"], list):
            raise RecordError(name, "'oppHits' must be a list", field="data.oppHits")
        items: list[tuple[Any, bool]] = [(h, True) for h in data["oppHits"]]
    else:
        items = [(data, False)]
    for i, (item, is_hit) in enumerate(items):
        rid = str(item.get("id") or f"#{i}") if isinstance(item, dict) else f"#{i}"
        try:
            if not isinstance(item, dict):
                raise BadField("data", "expected an object per opportunity")
            if is_hit:
                fields, forecast = _from_search_hit(item), str(item.get("oppStatus", "")).lower() == "forecasted"
            else:
                fields, forecast = _from_fetch(item)
            yield notice_from_fields(fields, forecast=forecast)
        except BadField as exc:
            errors.append(str(RecordError(name, str(exc), record=rid, field=exc.field, hint="record skipped")))
        except (TypeError, AttributeError, ValueError) as exc:
            errors.append(str(RecordError(name, f"unexpected shape ({exc})", record=rid, hint="record skipped")))
