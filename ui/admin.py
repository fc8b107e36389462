"""The Admin tab's work: the password check, a refresh with live progress, and checking uploaded files."""

from __future__ import annotations

import queue
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from finder.answering.html import escape
from finder.engine import Finder
from finder.errors import FinderError
from finder.settings import Settings


def run_refresh(settings: Settings, finder: Finder, authed: bool, upload: Any = None,
                fetch: bool = False) -> Iterator[tuple[str, str]]:
    """Run a refresh (after a Grants.gov fetch, if asked) in the background and stream (progress, report)."""
    if not authed:
        raise gr.Error("Log in to the admin tab first.")
    from ingest.fetch import FetchError, fetch_and_refresh
    from ingest.refresh import refresh

    notes = []
    if upload is not None:
        try:
            notes.append(stage_upload(settings, Path(upload if isinstance(upload, str) else upload.name)))
        except FinderError as exc:
            message = str(exc).replace(str(Path(upload if isinstance(upload, str) else upload.name).parent) + "/", "")
            yield "Upload rejected", f"**Upload rejected:** {escape(message)}\n\nThe index was not changed."
            return
    events: queue.Queue[tuple[str, int, int]] = queue.Queue()
    result: dict[str, Any] = {}

    def work() -> None:
        step = lambda s, d, t: events.put((s, d, t))  # noqa: E731
        try:
            if fetch:
                fetched, result["report"] = fetch_and_refresh(settings, progress=step)
                notes.append(f"- {escape(fetched.line())}")
            else:
                result["report"] = refresh(settings, embedder=finder.index.embedder, progress=step)
        except FetchError as exc:
            result["error"] = f"the Grants.gov fetch failed: {exc}"
        except Exception as exc:  # shown to staff; the old index keeps serving
            result["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    yield "Refresh started…", ""
    while thread.is_alive() or not events.empty():
        try:
            stage, done, total = events.get(timeout=0.2)
            yield f"{stage}: {done}/{total}", ""
        except queue.Empty:
            continue
    if "error" in result:
        yield "Refresh failed", (f"**Refresh failed:** {escape(result['error'])}\n\nThe previous index is still "
                                 "serving. Fix the problem and run the refresh again.")
        return
    r = result["report"]
    lines = [f"**Refresh complete** in {r.seconds:.1f}s ({'new generation' if r.switched else 'no changes'}).",
             f"- Added: {len(r.added)} {escape(', '.join(r.added[:20]))}",
             f"- Updated: {len(r.updated)} {escape(', '.join(r.updated[:20]))}",
             f"- Removed: {len(r.removed)} {escape(', '.join(r.removed[:20]))}",
             f"- Unchanged: {r.unchanged}",
             f"- Notices: +{r.notices_added} ~{r.notices_updated} -{r.notices_removed} ={r.notices_unchanged}",
             f"- Skipped: {len(r.skipped)}"] + [f"  - {escape(s)}" for s in r.skipped[:30]] + notes
    yield "Done", "\n".join(lines)


def stage_upload(settings: Settings, path: Path) -> str:
    """Check an uploaded file and put it where the next refresh reads it."""
    from ingest.listings import import_listings
    from ingest.sources import grants_gov

    name = path.name
    if path.suffix.lower() == ".csv" or (path.suffix.lower() == ".json" and path.read_bytes()[:1] == b"["):
        report = import_listings(path, Path(settings.data_dir), create=False)
        return f"- Listings file {escape(name)}: {escape(report.line())}"
    from ingest.fetch import catalog_alns
    from ingest.sources.limits import Limits

    errors: list[str] = []
    alns = catalog_alns(settings)
    keep = set(settings.notice_categories)
    notices = list(grants_gov.read(path, errors=errors, limits=Limits.of(settings)))
    joined = sum(1 for n in notices if set(n.alns) & alns or set(n.categories) & keep)
    target = Path(settings.notices_dir)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, target / name)
    return (f"- Notices file {escape(name)}: {len(notices)} notices read, {joined} of them joined to catalog programs "
            f"(by ALN or the {', '.join(sorted(keep))} category) and kept; {len(errors)} records skipped")
