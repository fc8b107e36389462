"""The Admin tab: log in and out, a refresh with live progress, checking uploaded files, exporting feedback.

Every action checks the login token in the session's server-side state against the client it was issued
to. The report is Markdown built from file names, record ids and error messages that came from outside,
so each is escaped as text (`md_escape`): a notice id cannot put a link or an image in front of staff. An
uploaded file is deleted from Gradio's cache as soon as it is checked (copied into the notices folder, or
rejected), so nothing uploaded stays downloadable.
"""

from __future__ import annotations

import contextlib
import queue
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from finder.catalog.freshness import due_for_recheck
from finder.engine import Finder
from finder.errors import FinderError
from finder.settings import Settings
from finder.text import md_escape as escape
from ui import feedback
from ui.login import LoginGuard


def run_refresh(settings: Settings, finder: Finder, authed: bool, upload: Any = None,
                fetch: bool = False) -> Iterator[tuple[str, str]]:
    """Run a refresh (after a Grants.gov fetch, if asked) in the background and stream (progress, report)."""
    if not authed:
        raise gr.Error("Log in to the admin tab first.")
    from ingest.fetch import FetchError, fetch_and_refresh
    from ingest.refresh import refresh

    notes = []
    if upload is not None:
        path = Path(upload if isinstance(upload, str) else upload.name)
        try:
            notes.append(stage_upload(settings, path))
        except FinderError as exc:
            message = str(exc).replace(str(path.parent) + "/", "")
            yield "Upload rejected", f"**Upload rejected:** {escape(message)}\n\nThe index was not changed."
            return
        finally:
            with contextlib.suppress(OSError):
                path.unlink()  # checked and copied (or rejected): it leaves Gradio's cache now
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
    yield from ((line, "") for line in _progress(thread, events, fetch))
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


def _progress(thread: threading.Thread, events: queue.Queue[tuple[str, int, int]], fetch: bool) -> Iterator[str]:
    """Progress lines while `thread` works: each step with its count, and the seconds so far once a second,
    so a slow step (a Grants.gov fetch, the model loading) never looks stuck."""
    started = time.monotonic()
    line = "Asking Grants.gov for the notices of the catalog's programs" if fetch else "Refresh started"
    yield f"{line}…"
    shown = 0
    while thread.is_alive() or not events.empty():
        try:
            stage, done, total = events.get(timeout=0.2)
            line = f"{stage[:1].upper()}{stage[1:]}: {done} of {total}" if total > 1 else stage.capitalize()
        except queue.Empty:
            if time.monotonic() - started < shown + 1:
                continue
        shown = int(time.monotonic() - started)
        yield f"{line} ({shown} s so far)…"


def stage_upload(settings: Settings, path: Path) -> str:
    """Check an uploaded file and put it where the next refresh reads it."""
    from ingest.listings import import_listings
    from ingest.sources import grants_gov

    name = path.name
    if path.suffix.lower() == ".csv" or (path.suffix.lower() == ".json" and path.read_bytes()[:1] == b"["):
        report = import_listings(path, Path(settings.data_dir), create=False)
        return f"- Listings file {escape(name)}: {escape(report.line())}"
    from ingest.fetch import catalog_alns
    from ingest.sources.limits import Limits, skipped_count

    errors: list[str] = []
    alns = catalog_alns(settings)
    keep = set(settings.notice_categories)
    read = joined = 0
    for n in grants_gov.read(path, errors=errors, limits=Limits.of(settings)):  # counted, never held whole
        read += 1
        joined += bool(set(n.alns) & alns or set(n.categories) & keep)
    target = Path(settings.notices_dir)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, target / name)
    skipped = skipped_count(errors)
    return (f"- Notices file {escape(name)}: {read} notices read, {joined} of them joined to catalog programs "
            f"(by ALN or the {', '.join(sorted(keep))} category) and kept; {skipped} records skipped")


def admin_tab(settings: Settings, finder: Finder, guard: LoginGuard, client: Callable[[Any], tuple[str, str]],
              footer: tuple[Callable[[], str], Any], folder: Path) -> None:
    """The Admin tab's components and events (inside the caller's `gr.Tab`); `footer` is (how to render it,
    its component), redrawn after each refresh."""
    token = gr.State(None)
    with gr.Column(visible=True) as login_box:
        pw = gr.Textbox(label="Admin password", type="password", max_lines=1, max_length=200,
                        elem_id="admin-password")
        login = gr.Button("Log in", elem_id="admin-login")
        login_msg = gr.Markdown(elem_id="admin-message")
    with gr.Column(visible=False) as admin_box:
        upload = gr.File(label="Optional: Grants.gov extract (.zip/.xml/.json) or listings file (.csv/.json)",
                         file_types=[".zip", ".xml", ".json", ".csv"])
        with gr.Row():
            run = gr.Button("Run refresh", variant="primary", elem_id="run-refresh")
            fetch = gr.Button("Fetch latest from Grants.gov", elem_id="fetch-notices")
            logout = gr.Button("Log out", elem_id="admin-logout")
        progress = gr.Textbox(label="Progress", interactive=False, elem_id="refresh-progress")
        report = gr.Markdown(elem_id="refresh-report")
        fb_export = gr.Button("Export feedback (JSONL)")
        fb_file = gr.File(label="Feedback export", visible=False)
        stale = gr.Markdown(elem_id="stale-statuses")

    def on_login(attempt, request: gr.Request):
        got, message = guard.login(attempt, *client(request))
        due = stale_statuses(settings, finder) if got is not None else ""
        return got, gr.update(visible=got is None), gr.update(visible=got is not None), message, "", due

    for trigger in (login.click, pw.submit):
        trigger(on_login, pw, [token, login_box, admin_box, login_msg, pw, stale], api_visibility="private")

    def on_logout(tok):
        guard.logout(tok)
        return None, gr.update(visible=True), gr.update(visible=False), "Logged out.", "", ""

    logout.click(on_logout, token, [token, login_box, admin_box, login_msg, report, progress],
                 api_visibility="private")

    def authed(tok, request: gr.Request | None) -> bool:
        return guard.check(tok, *client(request))

    def on_run(tok, up, request: gr.Request):
        yield from run_refresh(settings, finder, authed(tok, request), up)

    def on_fetch(tok, request: gr.Request):
        yield from run_refresh(settings, finder, authed(tok, request), None, fetch=True)

    for button, fn, inputs in ((run, on_run, [token, upload]), (fetch, on_fetch, [token])):
        button.click(fn, inputs, [progress, report], api_visibility="private").then(
            footer[0], None, footer[1], api_visibility="private")

    def on_fb_export(tok, request: gr.Request):
        if not authed(tok, request):
            raise gr.Error("Log in to the admin tab first (logins expire after idle time).")
        path = feedback.export(Path(settings.index_dir), folder / str(request.session_hash or "local"))
        return gr.update(value=str(path), visible=True) if path else gr.update(visible=False)

    fb_export.click(on_fb_export, token, fb_file, api_visibility="private")


def stale_statuses(settings: Settings, finder: Finder, shown: int = 40) -> str:
    """The records whose status is missing or older than FINDER_STATUS_MAX_AGE_DAYS, oldest first, as Markdown:
    what staff should recheck on the official pages (the same list as `finder validate --stale`)."""
    limit = settings.status_max_age_days
    due = due_for_recheck(finder.index.snapshot().programs.values(), finder.today(), limit)
    if not due:
        return f"**Statuses:** every program's status was checked within the last {limit} days."
    rows = [f"| {d.id} | {escape(d.title[:70])} | {d.status} | "  # id and status: validated catalog values
            f"{d.checked.isoformat() if d.checked else 'never'} |" for d in due[:shown]]
    more = f"\n\n{len(due) - shown} more: run `finder validate --stale`." if len(due) > shown else ""
    return (f"**{len(due)} program statuses are due for a recheck** (missing, or older than {limit} days; "
            f"`finder validate --stale` lists them too):\n\n| ALN | program | status | last checked |\n"
            f"|---|---|---|---|\n" + "\n".join(rows) + more)
