"""`finder fetch-notices`: get current notices from Grants.gov, keep those joined to the catalog, and hand
them to the same ingest path as a dropped-in file.

Two ways that need no key: the search2 API (the catalog's ALNs and the IIJ category, then fetchOpportunity
for each notice kept), or the daily XML extract (zip). Either way every download streams to a temporary
file under a size cap, within one deadline, following redirects only within the asked host (ingest/http.py),
and is checked whole (a complete zip, a parseable JSON document within the count caps, at least one notice)
before it replaces anything. A failure names its cause in one line and leaves the notice files, and so the
serving index, as they were.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from finder.errors import RecordError
from finder.settings import Settings
from finder.text import NOTICE_ID
from ingest.http import FetchError, Http
from ingest.sources import grants_gov
from ingest.sources.json_stream import JsonDoc, stream_items
from ingest.sources.limits import Limits
from ingest.sources.xml_extract import REPEATED, iter_records, zip_members

__all__ = ["FetchError", "FetchReport", "catalog_alns", "fetch_and_refresh", "fetch_notices"]

log = logging.getLogger(__name__)
API_FILE = "grants-gov-api.json"
EXTRACT_FILE = "grants-gov-extract.xml"
STATUS_FILE = "fetch.json"
Progress = Callable[[str, int, int], None]


@dataclass
class FetchReport:
    method: str
    requests: int = 0
    kept: int = 0
    file: str = ""
    seconds: float = 0.0

    def line(self) -> str:
        return (f"fetched {self.kept} notices joined to the catalog via {self.method} in {self.seconds:.1f}s "
                f"({self.requests} requests) into {self.file}")


def fetch_notices(settings: Settings, alns: Iterable[str], *, method: str | None = None,
                  progress: Progress | None = None, today: dt.date | None = None) -> FetchReport:
    """Fetch, keep the notices joined to the catalog, and write them into the notices folder atomically.
    Any failure, whatever answered, is one FetchError line and leaves the notices folder as it was."""
    method = method or settings.fetch_method
    if method not in ("api", "extract"):
        raise FetchError(f"unknown fetch method {method!r}; expected 'api' or 'extract' (FINDER_FETCH_METHOD)")
    progress = progress or (lambda stage, done, total: None)
    started = time.monotonic()
    http = Http(settings)
    folder = Path(settings.notices_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="finder-fetch-") as tmp:
            if method == "api":
                kept, staged = _via_api(settings, http, set(alns), Path(tmp), progress)
                target = folder / API_FILE
            else:
                kept, staged = _via_extract(settings, http, set(alns), Path(tmp), progress, today or dt.date.today())
                target = folder / EXTRACT_FILE
            if kept == 0:
                raise FetchError(f"Grants.gov ({method}) answered with no notices joined to the catalog; nothing was "
                                 "changed and the previous notices file, if any, is kept")
            _move(staged, target)
    except (FetchError, KeyboardInterrupt):
        raise
    except RecordError as exc:
        raise FetchError(f"Grants.gov sent a file that cannot be used: {exc}") from None
    except Exception as exc:  # whatever a hostile answer provokes: one line, never a traceback
        log.debug("fetch failed", exc_info=True)
        raise FetchError(f"the fetch failed ({type(exc).__name__}: {str(exc)[:160]}); nothing was changed") from None
    finally:
        http.close()
    report = FetchReport(method, http.requests, kept, target.name, time.monotonic() - started)
    status = {"fetched_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), **report.__dict__}
    Path(settings.index_dir).mkdir(parents=True, exist_ok=True)
    (Path(settings.index_dir) / STATUS_FILE).write_text(json.dumps(status, indent=1))
    progress("fetched", kept, kept)
    return report


def _move(src: Path, dest: Path) -> None:
    """Copy beside the target, then rename over it: readers see the old file or the new one, never half."""
    tmp = dest.with_name(dest.name + ".part")
    with open(src, "rb") as a, open(tmp, "wb") as b:
        while chunk := a.read(1 << 20):
            b.write(chunk)
    os.replace(tmp, dest)


def _answer(http: Http, url: str, body: dict[str, Any], scratch: Path, limits: Limits) -> tuple[JsonDoc, list[Any]]:
    """A search2 or fetchOpportunity answer, streamed and checked: its hits (at most `limits.hits`) and the
    rest of its `data` object. Over a cap, nested too deep, truncated or malformed: one FetchError line."""
    http.stream_to("POST", url, scratch, body=body, cap_mb=max(1, limits.json_bytes >> 20))
    doc, items = JsonDoc(), []
    try:
        with open(scratch, "rb") as fh:
            items = list(stream_items(fh, url, replace(limits, items=limits.hits), doc))
    except RecordError as exc:
        if "item cap" in exc.problem:
            raise FetchError(f"{url} answered with more than {limits.hits:,} hits, over the hit cap (the fetch asks "
                             "for 1,000); refused") from None
        if exc.problem.startswith("malformed JSON"):
            raise FetchError(f"{url} sent a truncated or malformed JSON document ({exc.problem})") from None
        raise FetchError(f"{url} answered with a document that cannot be used: {exc.problem}") from None
    code = doc.header.get("errorcode")
    if code not in (None, 0, "0"):
        raise FetchError(f"{url} answered with error {str(code)[:40]!r}; check the URL setting")
    return doc, items


def _via_api(settings: Settings, http: Http, alns: set[str], tmp: Path, progress: Progress) -> tuple[int, Path]:
    base = settings.grants_gov_api_url.rstrip("/")
    limits = Limits.of(settings)
    ids: set[str] = set()
    queries = [{"aln": a} for a in sorted(alns)] + [{"fundingCategories": "IIJ"}]
    for i, query in enumerate(queries, 1):
        _, hits = _answer(http, f"{base}/search2", {**query, "oppStatuses": "forecasted|posted", "rows": 1000},
                          tmp / "search2.json", limits)
        ids.update(str(h["id"]) for h in hits if isinstance(h, dict) and re.fullmatch(NOTICE_ID, str(h.get("id", ""))))
        if len(ids) > limits.items:
            raise FetchError(f"search2 at {base} named more than {limits.items:,} notices (FINDER_MAX_ITEMS)")
        progress("searching Grants.gov", i, len(queries))
    bundle = tmp / API_FILE
    with open(bundle, "w", encoding="utf-8") as out:  # one notice at a time: the bundle is never held whole
        out.write('{"errorcode": 0, "msg": "finder fetch-notices bundle", "data": {"fetched": [')
        for i, oid in enumerate(sorted(ids, key=int), 1):
            doc, _ = _answer(http, f"{base}/fetchOpportunity", {"opportunityId": int(oid)}, tmp / "fetch.json", limits)
            out.write(("," if i > 1 else "") + json.dumps(doc.rest))
            progress("fetching notice details", i, len(ids))
        out.write("]}}")
    return _count_kept(settings, bundle, alns), bundle


def _count_kept(settings: Settings, path: Path, alns: set[str]) -> int:
    errors: list[str] = []
    keep = set(settings.notice_categories)
    kept = sum(1 for n in grants_gov.read_json(path, errors, Limits.of(settings))
               if set(n.alns) & alns or set(n.categories) & keep)
    for line in errors:
        log.warning("fetched notice skipped: %s", line)
    return kept


def _via_extract(settings: Settings, http: Http, alns: set[str], tmp: Path, progress: Progress,
                 today: dt.date) -> tuple[int, Path]:
    url = settings.grants_gov_extract_url.format(date=today.strftime("%Y%m%d"))
    archive = tmp / "extract.zip"
    progress("downloading the Grants.gov extract", 0, 1)
    http.stream_to("GET", url, archive)
    try:
        with zipfile.ZipFile(archive) as zf:
            bad = zf.testzip()
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise FetchError(f"the extract from {url} is truncated or not a zip ({exc}); nothing was changed") from None
    if bad is not None:
        raise FetchError(f"the extract from {url} is damaged (member {bad} fails its checksum)")
    out = tmp / EXTRACT_FILE
    kept = 0
    limits = Limits.of(settings)
    keep_categories = set(settings.notice_categories)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<Grants xmlns="http://apply.grants.gov/system/OpportunityDetail-V1.0">\n')
        for where, open_member in zip_members(archive, limits):
            try:
                with open_member() as member:
                    for fields, forecast in iter_records(member, where, limits):
                        if set(fields.get("CFDANumbers", [])) & alns or \
                                set(fields.get("CategoryOfFundingActivity", [])) & keep_categories:
                            fh.write(_record_xml(fields, forecast))
                            kept += 1
            except RecordError as exc:
                raise FetchError(f"the extract from {url} cannot be read: {exc}") from None
            except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError, NotImplementedError) as exc:
                raise FetchError(f"the extract from {url} cannot be read ({type(exc).__name__}: {str(exc)[:120]})"
                                 ) from None
        fh.write("</Grants>\n")
    progress("filtering the extract", kept, kept)
    return kept, out


def _record_xml(fields: dict[str, Any], forecast: bool) -> str:
    tag = "OpportunityForecastDetail_1_0" if forecast else "OpportunitySynopsisDetail_1_0"
    parts = []
    for key, value in fields.items():
        for v in (value if key in REPEATED and isinstance(value, list) else [value]):
            parts.append(f"<{key}>{escape(str(v))}</{key}>")
    return f"<{tag}>{''.join(parts)}</{tag}>\n"


def fetch_and_refresh(settings: Settings, *, method: str | None = None, progress: Progress | None = None,
                      wait: float = 0) -> tuple[FetchReport, Any]:
    """Fetch, then run the same refresh as `finder ingest`; a failed fetch raises before the index is touched."""
    from ingest.refresh import refresh

    report = fetch_notices(settings, catalog_alns(settings), method=method, progress=progress)
    return report, refresh(settings, progress=progress, wait=wait)


def catalog_alns(settings: Settings) -> set[str]:
    """The ALNs of every valid catalog record: what a notice must name to be kept."""
    from finder.catalog.model import load_catalog

    records, _ = load_catalog(Path(settings.data_dir), max_bytes=settings.max_record_kb * 1024)
    return {op.aln for op in records}
