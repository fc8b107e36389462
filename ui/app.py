"""The Gradio app: chat with program cards, a browse tab and a password-protected admin tab."""

from __future__ import annotations

import csv
import hmac
import html
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from finder.answer import (
    Answer,
    Hit,
    display_name,
    fact_source,
    money,
    official_links,
    ordered_notices,
    program_block,
)
from finder.applicants import LABELS, Applicant, parse_applicant
from finder.catalog import Opportunity
from finder.conversation import Conversation, Profile
from finder.engine import Finder
from finder.errors import FinderError
from finder.settings import Settings
from ui import feedback

EXAMPLES = [
    "Can a city of 20,000 apply for EV charger money?",
    "What water grants close in the next 60 days?",
    "Tell me about SS4A",
    "Our county wants to reduce flood risk before the next storm. What helps?",
    "Is there money to replace lead service lines?",
]
APPLICANT_CHOICES = [("(not set)", "")] + [(LABELS[a][0].removeprefix("a ").removeprefix("an "), a.value)
                                           for a in Applicant]
BADGE_CLASS = {"eligible": "ok", "through_state": "via", "not_eligible": "no", "check": "chk"}
CSS = """
.card{border:1px solid #6b7280;border-radius:8px;padding:10px 12px;margin:8px 0;background:#fff;color:#111}
.card h4{margin:0 0 4px 0;font-size:1rem;color:#111}
.badge{display:inline-block;border-radius:4px;padding:1px 8px;font-weight:600;font-size:.85rem}
.badge.ok{background:#d1fae5;color:#065f46}.badge.no{background:#fee2e2;color:#7f1d1d}
.badge.chk{background:#fef3c7;color:#78350f}.badge.via{background:#dbeafe;color:#1e3a8a}
.status-ended{color:#7f1d1d;font-weight:600}.badge.none{background:#e5e7eb;color:#111}
.card a{color:#1d4ed8;text-decoration:underline}.meta{color:#374151;font-size:.9rem}
#footer{color:#374151;font-size:.85rem}
@media (max-width:640px){.card{padding:8px}}
"""


def escape(text: Any) -> str:
    return html.escape(str(text or ""), quote=True)


def card(hit: Hit) -> str:
    op = hit.program
    v = hit.verdict
    badge = (f'<span class="badge {BADGE_CLASS[v.kind]}" data-verdict="{v.kind}">{escape(v.badge)}</span> '
             f'<span>{escape(v.reason)}</span>') if v else '<span class="badge none" data-verdict="none">Set your ' \
                                                         'applicant type to see eligibility</span>'
    name = escape(display_name(op))
    ob = op.latest_obligation()
    amount = f"FY{ob[0]} obligations {escape(money(ob[1]))}" if ob else "No obligation figures in the source"
    status = "No Grants.gov notice loaded"
    if hit.notices:
        n = ordered_notices(hit)[0]
        when = n.close_date.isoformat() if n.close_date else (n.close_note or "no date")
        status = f"{n.status.value.capitalize()} notice, closes {when}"
        if n.award_ceiling:
            status += f", up to {money(n.award_ceiling)}"
    links = " · ".join(f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{label}</a>'
                       for label, url in official_links(op))
    first = escape(op.summary.split(". ")[0].rstrip(".") + ".")
    if op.status is not None and not op.status.live:
        src = fact_source(op, "status")
        cite = (f' <a href="{escape(src[1])}" target="_blank" rel="noopener noreferrer">source</a>' if src else "")
        first = (f'<div class="status-ended" data-status="{escape(op.status.value)}">'
                 f'{escape(op.status.value.capitalize())} as of {escape(op.status.as_of.isoformat())}: '
                 f'{escape(op.status.note or "")}{cite}</div>' + first)
    return (f'<div class="card" data-id="{escape(op.id)}"><h4>{name}</h4>'
            f'<div class="meta">ALN {escape(op.aln)} · {escape(op.sub_agency or op.agency)}</div>'
            f"<div>{badge}</div><div>{first}</div>"
            f'<div class="meta">{escape(amount)} · {escape(status)}</div><div>{links}</div></div>')


def cards_html(answer: Answer, profile: Profile) -> str:
    head = f'<div class="meta" id="answering-for">Answering for: {escape(profile.describe())}</div>'
    if answer.refused or not answer.hits:
        return head
    return head + "".join(card(h) for h in (answer.shown or answer.hits[:5]))


def make_profile(applicant: str, state: str, population: Any) -> Profile:
    pop = None
    try:
        pop = int(str(population).replace(",", "").strip()) if population not in (None, "") else None
    except (TypeError, ValueError):
        pop = None
    return Profile(applicant=parse_applicant(applicant) if applicant else None, state=state or None, population=pop)


def respond(finder: Finder, message: str, history: list[dict[str, Any]], applicant: str, state: str,
            population: Any, conv: Conversation | None) -> Iterator[tuple[list[dict[str, Any]], str,
                                                                          Conversation, str]]:
    """Stream one chat turn: (history, cards HTML, conversation, cleared input)."""
    conv = conv or Conversation()
    profile = make_profile(applicant, state, population)
    history = [*(history or []), {"role": "user", "content": message or ""}]
    try:
        final: Answer | None = None
        for text, ans in finder.stream(message or "", profile, conv):
            final = ans
            yield [*history, {"role": "assistant", "content": f"*Answering for: {profile.describe()}*\n\n{text}"}], \
                "", conv, ""
        assert final is not None
        yield [*history, {"role": "assistant", "content": f"*Answering for: {profile.describe()}*\n\n{final.text}"}], \
            cards_html(final, profile), conv, ""
    except FinderError as exc:
        yield [*history, {"role": "assistant", "content": f"Sorry, the index is not available: {exc}"}], "", conv, ""


def catalog_rows(finder: Finder) -> list[Opportunity]:
    return list(finder.index.snapshot().programs.values())


BROWSE_COLUMNS = ["ALN", "Program", "Acronym", "Agency", "Sectors", "Assistance", "Applicants", "BIL", "Open notices"]


def browse(finder: Finder, text: str = "", sector: str = "", applicant: str = "", assistance: str = "",
           bil_only: bool = False, agency: str = "", open_only: bool = False) -> list[list[Any]]:
    snap = finder.index.snapshot()
    today = finder.today()
    rows = []
    t = (text or "").lower().strip()
    for op in snap.programs.values():
        open_n = sum(1 for n in snap.notices_for(op.aln) if n.is_open(today))
        if t and t not in f"{op.title} {op.popular_name or ''} {op.aln} {' '.join(op.keywords)}".lower():
            continue
        if sector and sector not in op.sectors:
            continue
        if applicant and applicant not in op.eligible_applicants:
            continue
        if assistance and assistance not in op.assistance_types:
            continue
        if bil_only and not op.bil_funded:
            continue
        if agency and op.agency != agency:
            continue
        if open_only and not open_n:
            continue
        rows.append([op.id, op.title, op.popular_name or "", op.agency, ", ".join(op.sectors),
                     ", ".join(op.assistance_types), ", ".join(op.eligible_applicants),
                     "yes" if op.bil_funded else "no", open_n])
    return sorted(rows, key=lambda r: r[0])


def export_csv(rows: Any) -> str:
    values = rows.values.tolist() if hasattr(rows, "values") else (rows or [])
    fd, path = tempfile.mkstemp(prefix="funding-programs-", suffix=".csv")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(BROWSE_COLUMNS)
        w.writerows(values)
    return path


def detail(finder: Finder, program_id: str) -> str:
    hit = finder.hit(program_id)
    return program_block(1, hit, finder.today(), detail=True) if hit else ""


def footer(finder: Finder) -> str:
    try:
        snap = finder.index.snapshot()
    except FinderError as exc:
        return f"Index unavailable: {exc}"
    warning = (f"⚠ Index problem: {finder.index.last_error} (answers still come from the last good index) · "
               if finder.index.last_error else "")
    return (f"{warning}Index last refreshed: {snap.refreshed_at or 'unknown'} · {len(snap.programs)} programs · "
            f"{snap.notice_count} notices · answers come only from this index; confirm on the official pages.")


def check_password(settings: Settings, attempt: str) -> bool:
    if settings.admin_password is None:
        return False
    return hmac.compare_digest((attempt or "").encode(), settings.admin_password.get_secret_value().encode())


def run_refresh(settings: Settings, finder: Finder, authed: bool, upload: Any = None) -> Iterator[tuple[str, str]]:
    """Run a refresh in the background and stream (progress, report) as it goes."""
    if not authed:
        raise gr.Error("Log in to the admin tab first.")
    from ingest.refresh import refresh

    notes = []
    if upload is not None:
        try:
            notes.append(stage_upload(settings, Path(upload if isinstance(upload, str) else upload.name)))
        except FinderError as exc:
            yield "Upload rejected", f"**Upload rejected:** {escape(exc)}\n\nThe index was not changed."
            return
    events: queue.Queue[tuple[str, int, int]] = queue.Queue()
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["report"] = refresh(settings, embedder=finder.index.embedder,
                                       progress=lambda s, d, t: events.put((s, d, t)))
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
    errors: list[str] = []
    count = sum(1 for _ in grants_gov.read(path, errors=errors))
    target = Path(settings.notices_dir)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, target / name)
    return f"- Notices file {escape(name)}: {count} notices read, {len(errors)} records skipped"


def build_app(settings: Settings, finder: Finder | None = None) -> gr.Blocks:
    finder = finder or Finder(settings)
    snap_programs = catalog_rows(finder)
    sectors = sorted({s.value for op in snap_programs for s in op.sectors})
    agencies = sorted({op.agency for op in snap_programs})
    kinds = sorted({a.value for op in snap_programs for a in op.assistance_types})
    with gr.Blocks(title="Infrastructure Funding Finder", analytics_enabled=False) as demo:
        gr.Markdown("# Infrastructure Funding Finder\nFind federal infrastructure programs your government can "
                    "apply for. Answers come from the program index only, with official links.")
        conv = gr.State(None)
        with gr.Tab("Ask"), gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=220):
                gr.Markdown("### Your profile")
                applicant = gr.Dropdown(APPLICANT_CHOICES, value="", label="Applicant type", elem_id="applicant")
                state = gr.Textbox(label="State (optional)", max_lines=1, elem_id="state")
                population = gr.Textbox(label="Population (optional)", placeholder="e.g. 20,000", max_lines=1,
                                        elem_id="population")
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Chat", height=460, elem_id="chat", sanitize_html=True,
                                  allow_tags=False, feedback_options=("Like", "Dislike"))
                with gr.Row():
                    box = gr.Textbox(placeholder="Ask about funding, e.g. 'Can a county apply for BRIC?'",
                                     show_label=False, scale=5, max_lines=4, elem_id="question")
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                gr.Examples(EXAMPLES, inputs=box, label="Try an example")
                cards = gr.HTML(elem_id="cards")
                with gr.Row():
                    reason = gr.Dropdown(feedback.REASONS, value="", label="Feedback reason (optional)",
                                         scale=2)
                    fb_note = gr.Markdown()
        with gr.Tab("Browse"):
            with gr.Row():
                b_text = gr.Textbox(label="Search", max_lines=1, elem_id="browse-text")
                b_sector = gr.Dropdown([""] + sectors, value="", label="Sector")
                b_app = gr.Dropdown([""] + [a.value for a in Applicant], value="", label="Applicant")
                b_kind = gr.Dropdown([""] + kinds, value="", label="Assistance")
            with gr.Row():
                b_agency = gr.Dropdown([""] + agencies, value="", label="Agency")
                b_bil = gr.Checkbox(label="BIL-funded only")
                b_open = gr.Checkbox(label="Open notices only")
                b_export = gr.Button("Export CSV", elem_id="export")
            b_file = gr.File(label="CSV export", elem_id="csv-file")
            table = gr.Dataframe(value=browse(finder), headers=BROWSE_COLUMNS, interactive=False, wrap=True,
                                 elem_id="browse-table")
            b_detail = gr.Markdown(elem_id="browse-detail")
        with gr.Tab("Admin"):
            authed = gr.State(False)
            with gr.Column(visible=True) as login_box:
                pw = gr.Textbox(label="Admin password", type="password", max_lines=1, elem_id="admin-password")
                login = gr.Button("Log in", elem_id="admin-login")
                login_msg = gr.Markdown()
            with gr.Column(visible=False) as admin_box:
                upload = gr.File(label="Optional: Grants.gov extract (.zip/.xml/.json) or listings file (.csv/.json)",
                                 file_types=[".zip", ".xml", ".json", ".csv"])
                run = gr.Button("Run refresh", variant="primary", elem_id="run-refresh")
                progress = gr.Textbox(label="Progress", interactive=False, elem_id="refresh-progress")
                report = gr.Markdown(elem_id="refresh-report")
                fb_export = gr.Button("Export feedback (JSONL)")
                fb_file = gr.File(label="Feedback export")
        foot = gr.Markdown(footer(finder), elem_id="footer")

        def on_ask(message, history, a, s, p, c):
            yield from respond(finder, message, history, a, s, p, c)

        for trigger in (box.submit, send.click):
            trigger(on_ask, [box, chat, applicant, state, population, conv], [chat, cards, conv, box],
                    api_name="ask" if trigger == send.click else None,
                    api_visibility="public" if trigger == send.click else "private").then(
                lambda: footer(finder), None, foot, api_visibility="private")

        def on_like(history, why, data: gr.LikeData):
            idx = data.index[0] if isinstance(data.index, list | tuple) else data.index
            answer = history[idx]["content"] if 0 <= idx < len(history) else ""
            question = history[idx - 1]["content"] if idx >= 1 else ""
            feedback.record(Path(settings.index_dir), question=str(question), answer=str(answer),
                            liked=bool(data.liked), reason=why or "")
            return "Thanks, your feedback was saved."

        chat.like(on_like, [chat, reason], fb_note, api_visibility="private")

        filters = [b_text, b_sector, b_app, b_kind, b_bil, b_agency, b_open]
        for f in filters:
            f.change(  # type: ignore[attr-defined]
                lambda *a: browse(finder, *a), filters, table, api_visibility="private")
        b_export.click(export_csv, table, b_file, api_visibility="private")

        def on_select(rows, evt: gr.SelectData):
            values = rows.values.tolist() if hasattr(rows, "values") else rows
            r = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
            return detail(finder, values[r][0]) if 0 <= r < len(values) else ""

        table.select(on_select, table, b_detail, api_visibility="private")

        def on_login(attempt):
            if settings.admin_password is None:
                return False, gr.update(visible=True), gr.update(visible=False), \
                    "The admin tab is disabled: set FINDER_ADMIN_PASSWORD and restart."
            if check_password(settings, attempt):
                return True, gr.update(visible=False), gr.update(visible=True), ""
            return False, gr.update(visible=True), gr.update(visible=False), "Wrong password."

        login.click(on_login, pw, [authed, login_box, admin_box, login_msg], api_visibility="private")

        def on_refresh(ok, up):
            yield from run_refresh(settings, finder, ok, up)

        run.click(on_refresh, [authed, upload], [progress, report], api_visibility="private").then(
            lambda: footer(finder), None, foot, api_visibility="private")

        def on_fb_export(ok):
            if not ok:
                raise gr.Error("Log in to the admin tab first.")
            path = feedback.feedback_file(Path(settings.index_dir))
            return str(path) if path.exists() else None

        fb_export.click(on_fb_export, authed, fb_file, api_visibility="private")
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=128)
    return demo


def launch(demo: gr.Blocks, settings: Settings, **kwargs: Any) -> None:
    # system fonts only: the default theme would fetch web fonts from the internet
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    demo.launch(server_name=settings.host, server_port=settings.port, theme=theme,
                css=CSS, footer_links=[], ssr_mode=False, show_error=False, **kwargs)


def serve(settings: Settings) -> None:
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    finder = Finder(settings)
    finder.index.snapshot()
    finder.index.embedder.load()
    launch(build_app(settings, finder), settings)


if __name__ == "__main__":
    serve(Settings())
