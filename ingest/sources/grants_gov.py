"""Grants.gov notices: the daily XML extract (zip or xml, parsed streaming) and search2/fetchOpportunity JSON.

Each notice is cleaned into a `Notice`: HTML stripped, dates parsed, applicant codes mapped. A bad
record is skipped with a message naming file, record and field; a bad file raises RecordError.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from finder.catalog.applicants import GRANTS_GOV_CODES, eligible_list
from finder.catalog.notices import Notice, grants_gov_url
from finder.catalog.vocab import FundingInstrument
from finder.errors import RecordError
from finder.text import NOTICE_ID, is_aln, strip_markup
from ingest.sources.json_stream import JsonDoc, stream_items
from ingest.sources.limits import MB, FileErrors, Limits
from ingest.sources.xml_extract import iter_records, zip_members


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
    raise BadField(field, f"bad date {v[:40]!r}; expected MMDDYYYY")


def parse_money(value: Any, field: str) -> float | None:
    v = str(value if value is not None else "").strip().replace(",", "").replace("$", "")
    if v.lower() in ("", "none", "null", "n/a"):
        return None
    try:
        return float(v) or None
    except ValueError:
        raise BadField(field, f"bad amount {str(value)[:40]!r}; expected a number or 'none'") from None


def map_codes(codes: list[str]) -> list[str]:
    """Grants.gov applicant codes in our vocabulary, by the same rule as listing terms (one rule for check)."""
    for code in codes:
        if code not in GRANTS_GOV_CODES:
            raise BadField("EligibleApplicants", f"unknown applicant code {code[:40]!r}; expected one of "
                           f"{', '.join(sorted(GRANTS_GOV_CODES))}")
    return eligible_list([GRANTS_GOV_CODES[c][1] for c in codes])


def _aln(v: str) -> str:
    v = v.strip()
    if not is_aln(v):
        raise BadField("CFDANumbers", f"bad ALN {v[:40]!r}; expected NN.NNN")
    return v


def notice_from_fields(f: dict[str, Any], *, forecast: bool) -> Notice:
    """A Notice from extract-style fields (repeated ones as lists)."""
    oid = str(f.get("OpportunityID") or "").strip()
    if not oid:
        raise BadField("OpportunityID", "missing OpportunityID")
    if not re.fullmatch(NOTICE_ID, oid):
        raise BadField("OpportunityID", f"bad OpportunityID {oid[:40]!r}; expected digits")
    instruments = []
    for code in f.get("FundingInstrumentType", []):
        try:
            instruments.append(FundingInstrument(code.strip()))
        except ValueError:
            raise BadField("FundingInstrumentType", f"unknown code {code[:40]!r}; expected G, CA, PC or O") from None
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
        raise BadField(".".join(map(str, err["loc"]))[:80], str(err["msg"])[:200]) from None


def _notices(records: Iterator[tuple[dict[str, Any], bool]], name: str, errors: list[str]) -> Iterator[Notice]:
    problems = FileErrors(errors, name)
    try:
        for count, (fields, forecast) in enumerate(records):
            try:
                yield notice_from_fields(fields, forecast=forecast)
            except BadField as exc:
                rid = _rid(fields.get("OpportunityID"), count)
                problems.add(lambda e=exc, r=rid: str(RecordError(name, str(e), record=r, field=e.field,
                                                                  hint="record skipped")))
    finally:
        problems.close()


def read(path: Path, *, errors: list[str] | None = None, limits: Limits | None = None) -> Iterator[Notice]:
    """Notices from one file (.zip, .xml or .json). Record problems go to `errors`; file problems, a file
    over a cap among them, raise RecordError naming the file and the cap."""
    errors = errors if errors is not None else []
    limits = limits or Limits()
    name = str(path)
    if not path.is_file():
        raise RecordError(name, "file not found")
    if path.stat().st_size == 0:
        raise RecordError(name, "file is empty; expected a Grants.gov extract or API response")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _read_zip(path, errors, limits)
    if suffix == ".json":
        return read_json(path, errors, limits)
    return _read_xml_file(path, errors, limits)


def _read_xml_file(path: Path, errors: list[str], limits: Limits) -> Iterator[Notice]:
    with open(path, "rb") as fh:
        yield from _notices(iter_records(fh, str(path), limits), str(path), errors)


def _read_zip(path: Path, errors: list[str], limits: Limits) -> Iterator[Notice]:
    for where, open_member in zip_members(path, limits):
        try:
            with open_member() as fh:
                yield from _notices(iter_records(fh, where, limits), where, errors)
        except RecordError:
            raise
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError, NotImplementedError,
                zlib.error) as exc:
            raise RecordError(where, f"zip member cannot be read ({type(exc).__name__}: {exc})",
                              hint="the download is truncated, damaged or in an unsupported format; "
                                   "fetch the extract again") from None


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


def read_json(path: Path, errors: list[str], limits: Limits | None = None) -> Iterator[Notice]:
    """Notices from a search2, fetchOpportunity or fetch-bundle JSON file, streamed item by item."""
    name = str(path)
    limits = limits or Limits()
    if path.stat().st_size > limits.json_bytes:
        raise RecordError(name, f"JSON file is over the {limits.json_bytes // MB} MB cap (FINDER_MAX_JSON_MB)",
                          hint="skipped; a search2 or fetchOpportunity response is far smaller")
    doc = JsonDoc()
    problems = FileErrors(errors, name)
    try:
        with open(path, "rb") as fh:
            for i, item in enumerate(stream_items(fh, name, limits, doc)):
                yield from _json_notice(item, doc.kind == "oppHits", i, name, problems)
        if doc.header.get("errorcode") not in (None, 0, "0"):
            raise RecordError(name, f"the API answered with error {plain(doc.header.get('errorcode'))[:40]}: "
                                    f"{plain(doc.header.get('msg'))[:200]}")
        if doc.kind is None:  # one fetchOpportunity `data` object
            yield from _json_notice(doc.rest, False, 0, name, problems)
    finally:
        problems.close()


def _json_notice(item: Any, is_hit: bool, i: int, name: str, problems: FileErrors) -> Iterator[Notice]:
    rid = _rid(item.get("id") if isinstance(item, dict) else None, i)
    try:
        if not isinstance(item, dict):
            raise BadField("data", "expected an object per opportunity")
        if is_hit:
            fields, forecast = _from_search_hit(item), str(item.get("oppStatus", "")).lower() == "forecasted"
        else:
            fields, forecast = _from_fetch(item)
        yield notice_from_fields(fields, forecast=forecast)
    except BadField as exc:
        problems.add(lambda e=exc: str(RecordError(name, str(e), record=rid, field=e.field,
                                                   hint="record skipped")))
    except (TypeError, AttributeError, ValueError) as exc:
        problems.add(lambda e=exc: str(RecordError(name, f"unexpected shape ({str(e)[:120]})", record=rid,
                                                   hint="record skipped")))


def _rid(value: Any, i: int) -> str:
    """A record's id for a message: the OpportunityID when it has the right shape, else its position."""
    v = str(value if value is not None else "").strip()
    return v if re.fullmatch(NOTICE_ID, v) else f"#{i + 1}"
