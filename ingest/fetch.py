"""`finder fetch-notices`: get current notices from Grants.gov, keep those joined to the catalog, and hand
them to the same ingest path as a dropped-in file.

Two ways that need no key: the search2 API (the catalog's ALNs and the IIJ category, then fetchOpportunity
for each notice kept), or the daily XML extract (zip). Either way every download streams to a temporary
file under a size cap, with connect and read timeouts and retries with backoff on 429 and 5xx, and is
checked whole (a complete zip, a parseable JSON document) before it replaces anything. A failure names
its cause in one line and leaves the notice files, and so the serving index, as they were.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx

from finder.errors import FinderError, RecordError
from finder.settings import Settings
from ingest.sources import grants_gov
from ingest.sources.limits import MB, Limits
from ingest.sources.xml_extract import REPEATED, iter_records, zip_members

log = logging.getLogger(__name__)
API_FILE = "grants-gov-api.json"
EXTRACT_FILE = "grants-gov-extract.xml"
STATUS_FILE = "fetch.json"
Progress = Callable[[str, int, int], None]


class FetchError(FinderError):
    """Grants.gov could not be reached or answered badly; nothing was changed."""


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


class Http:
    """A small client: timeouts, size cap, retries with backoff on 429/5xx and dropped connections, and
    HTTPS_PROXY/HTTP_PROXY from the environment."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.requests = 0
        self.proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy") or \
            os.environ.get("HTTP_PROXY") or os.environ.get("http_proxy")
        timeout = httpx.Timeout(settings.fetch_read_timeout, connect=settings.fetch_connect_timeout)
        self.client = httpx.Client(timeout=timeout, trust_env=True, follow_redirects=True,
                                   headers={"User-Agent": "infrastructure-funding-finder"})

    def close(self) -> None:
        self.client.close()

    def stream_to(self, method: str, url: str, dest: Path, *, body: Any = None) -> None:
        """The response body into `dest`, retried as needed; FetchError names the cause."""
        cap = self.settings.fetch_max_mb * MB
        wait = self.settings.fetch_backoff
        for attempt in range(self.settings.fetch_retries + 1):
            last = attempt == self.settings.fetch_retries
            self.requests += 1
            try:
                with self.client.stream(method, url, json=body) as resp:
                    if resp.status_code == 429 or resp.status_code >= 500:
                        if last:
                            raise FetchError(f"HTTP {resp.status_code} from {url} after {attempt + 1} tries; "
                                             "Grants.gov is busy or down, try again later")
                        delay = _retry_after(resp.headers.get("Retry-After"), wait)
                        log.info("HTTP %s from %s; retrying in %.1fs", resp.status_code, url, delay)
                        time.sleep(delay)
                        wait *= 2
                        continue
                    if resp.status_code >= 400:
                        raise FetchError(f"HTTP {resp.status_code} from {url}; check the URL setting")
                    size = 0
                    with open(dest, "wb") as fh:
                        for chunk in resp.iter_bytes():
                            size += len(chunk)
                            if size > cap:
                                raise FetchError(f"download from {url} is over the {cap // MB} MB cap "
                                                 "(FINDER_FETCH_MAX_MB)")
                            fh.write(chunk)
                    return
            except httpx.ProxyError as exc:
                raise FetchError(f"the proxy {self.proxy} refused the request ({exc})") from None
            except httpx.TimeoutException:
                if last:
                    raise FetchError(f"{url} did not answer within {self.settings.fetch_read_timeout:g}s "
                                     f"(FINDER_FETCH_READ_TIMEOUT)") from None
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                if last:
                    via = f" through the proxy {self.proxy}" if self.proxy else ""
                    raise FetchError(f"cannot reach {url}{via}: no network or the host refused "
                                     f"({type(exc).__name__})") from None
            time.sleep(wait)
            wait *= 2
        raise FetchError(f"{url} failed after {self.settings.fetch_retries + 1} tries")

    def post_json(self, url: str, body: dict[str, Any], scratch: Path) -> dict[str, Any]:
        self.stream_to("POST", url, scratch, body=body)
        try:
            doc = json.loads(scratch.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise FetchError(f"{url} sent a truncated or malformed JSON document ({exc})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict):
            raise FetchError(f"{url} answered without a 'data' object (errorcode {doc.get('errorcode')!r})"
                             if isinstance(doc, dict) else f"{url} answered with {type(doc).__name__}")
        return doc


def _retry_after(value: str | None, default: float) -> float:
    try:
        return min(60.0, max(0.0, float(value))) if value else default
    except ValueError:
        return default


def fetch_notices(settings: Settings, alns: Iterable[str], *, method: str | None = None,
                  progress: Progress | None = None, today: dt.date | None = None) -> FetchReport:
    """Fetch, keep the notices joined to the catalog, and write them into the notices folder atomically."""
    method = method or settings.fetch_method
    if method not in ("api", "extract"):
        raise FetchError(f"unknown fetch method {method!r}; expected 'api' or 'extract' (FINDER_FETCH_METHOD)")
    progress = progress or (lambda stage, done, total: None)
    started = time.monotonic()
    http = Http(settings)
    folder = Path(settings.notices_dir)
    folder.mkdir(parents=True, exist_ok=True)
    wanted = set(alns)
    try:
        with tempfile.TemporaryDirectory(prefix="finder-fetch-") as tmp:
            if method == "api":
                kept, staged = _via_api(settings, http, wanted, Path(tmp), progress)
                target = folder / API_FILE
            else:
                kept, staged = _via_extract(settings, http, wanted, Path(tmp), progress, today or dt.date.today())
                target = folder / EXTRACT_FILE
            _move(staged, target)
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


def _via_api(settings: Settings, http: Http, alns: set[str], tmp: Path, progress: Progress) -> tuple[int, Path]:
    base = settings.grants_gov_api_url.rstrip("/")
    hits: dict[str, dict[str, Any]] = {}
    queries = [{"aln": a} for a in sorted(alns)] + [{"fundingCategories": "IIJ"}]
    for i, query in enumerate(queries, 1):
        doc = http.post_json(f"{base}/search2", {**query, "oppStatuses": "forecasted|posted", "rows": 1000},
                             tmp / "search2.json")
        for h in doc["data"].get("oppHits") or []:
            if isinstance(h, dict) and h.get("id") is not None:
                hits[str(h["id"])] = h
        progress("searching Grants.gov", i, len(queries))
    fetched = []
    for i, oid in enumerate(sorted(hits), 1):
        doc = http.post_json(f"{base}/fetchOpportunity", {"opportunityId": int(oid) if oid.isdigit() else oid},
                             tmp / "fetch.json")
        fetched.append(doc["data"])
        progress("fetching notice details", i, len(hits))
    bundle = tmp / API_FILE
    bundle.write_text(json.dumps({"errorcode": 0, "msg": "finder fetch-notices bundle", "data": {"fetched": fetched}}))
    errors: list[str] = []
    kept = [n for n in grants_gov.read_json(bundle, errors, Limits.of(settings))
            if set(n.alns) & alns or set(n.categories) & set(settings.notice_categories)]
    for line in errors:
        log.warning("fetched notice skipped: %s", line)
    return len(kept), bundle


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
