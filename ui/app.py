"""The Gradio app: Ask (chat with cards), Browse and a password-protected Admin tab, built per tab.

The server owns each session's conversation (ui/session.py); the client never sends history back.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from finder.catalog.applicants import LABELS
from finder.catalog.rules import STATES
from finder.catalog.vocab import Applicant
from finder.engine import Finder
from finder.errors import FinderError
from finder.settings import Settings
from ui import chat, feedback
from ui.admin import run_refresh
from ui.browse import BROWSE_COLUMNS, browse, detail, export_csv
from ui.login import LoginGuard
from ui.middleware import NoDeepLinks
from ui.session import ChatSession
from ui.styles import CSS

EXAMPLES = [
    "Can a city of 20,000 apply for EV charger money?",
    "Our rural county needs a new ambulance. What can help?",
    "Tell me about SS4A",
    "We're a town in Texas. Can we apply directly for the Drinking Water State Revolving Fund?",
    "Is there money to replace lead service lines?",
]
DEADLINE_EXAMPLE = "What water grants close in the next 60 days?"
APPLICANT_CHOICES = [("(not set)", "")] + [(LABELS[a][1].capitalize(), a.value) for a in Applicant]
STATE_CHOICES = [("(not set)", "")] + [(name, code) for code, name in STATES.items()]


def footer(finder: Finder) -> str:
    try:
        snap = finder.index.snapshot()
    except FinderError as exc:
        return f"Index unavailable: {exc}"
    today = finder.today()
    open_n = len({n.id for ns in snap.notices.values() for n in ns if n.is_open(today)})
    status = Path(finder.settings.index_dir) / "fetch.json"
    fetched = json.loads(status.read_text()).get("fetched_at") if status.exists() else None
    warning = (f"Index problem: {finder.index.last_error} (answers still come from the last good index) · "
               if finder.index.last_error else "")
    return (f"{warning}Index last refreshed: {snap.refreshed_at or 'unknown'} · {len(snap.programs)} programs · "
            f"{snap.notice_count} notices, {open_n} open · notices last fetched from Grants.gov: "
            f"{fetched or 'never'} · answers come only from this index; confirm on the official pages.")


def examples(finder: Finder) -> list[str]:
    """Start-screen examples, offering a deadline question only when notices are loaded."""
    try:
        loaded = bool(finder.index.snapshot().notices)
    except FinderError:
        loaded = False
    return EXAMPLES + [DEADLINE_EXAMPLE] if loaded else EXAMPLES


def _client(request: gr.Request | None) -> tuple[str, str]:
    if request is None:
        return "local", ""
    host = request.client.host if request.client else "unknown"
    return str(host), str(request.headers.get("user-agent", ""))[:200]


def _ask_tab(finder: Finder, temp: Path) -> gr.Textbox:
    session = gr.State(None)
    saved = gr.BrowserState([], storage_key="finder-shortlist")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=240, elem_id="profile-col"):
            gr.Markdown("## Your profile")
            applicant = gr.Dropdown(APPLICANT_CHOICES, value="", label="Applicant type", elem_id="applicant")
            state = gr.Dropdown(STATE_CHOICES, value="", label="State or territory", elem_id="state")
            population = gr.Textbox(label="Population", placeholder="e.g. 12,000 or 12k", max_lines=1,
                                    elem_id="population")
            note = gr.Markdown(elem_id="profile-note")
            adopt = gr.Button("Use the last answer's applicant, state and population", size="sm",
                              elem_id="adopt-profile")
        with gr.Column(scale=3):
            box = gr.Textbox(label="Your question", placeholder="e.g. 'Can a county apply for BRIC?'",
                             max_lines=4, elem_id="question")
            with gr.Row():
                send = gr.Button("Ask", variant="primary", elem_id="ask")
                clear = gr.Button("Clear conversation", elem_id="clear")
            gr.Examples(examples(finder), inputs=box, label="Try an example")
            conversation = gr.Chatbot(label="Conversation", height=420, elem_id="chat", sanitize_html=True,
                                      allow_tags=False, autoscroll=False, feedback_options=("Like", "Dislike"),
                                      buttons=["copy_all"])
            with gr.Row():
                reason = gr.Dropdown(feedback.REASONS, value=None, label="Why? (after rating an answer)", scale=2)
                send_reason = gr.Button("Send reason", scale=1)
            rating_note = gr.Markdown(elem_id="rating-note")
            cards = gr.HTML(elem_id="cards")
            with gr.Row():
                pick = gr.CheckboxGroup([], label="Save programs from this answer to your shortlist", scale=3,
                                        elem_id="save")
                export = gr.Button("Export shortlist", scale=1, elem_id="export-shortlist")
            shortlist_view = gr.Markdown(elem_id="shortlist")
            shortlist_files = gr.File(label="Shortlist (CSV and printable brief)", file_count="multiple",
                                      visible=False, elem_id="shortlist-files")

    def on_ask(message, sess, a, s, p):
        for messages, html, new, problem, cleared in chat.respond_stream(finder, sess, message, a, s, p):
            yield messages, html, new, problem, cleared, gr.update(choices=chat.shortlist_choices(new), value=[])

    outs = [conversation, cards, session, note, box, pick]
    box.submit(on_ask, [box, session, applicant, state, population], outs, api_visibility="private")
    send.click(on_ask, [box, session, applicant, state, population], outs, api_name="ask")
    clear.click(lambda sess: ([], "", ChatSession(), "", gr.update(choices=[], value=[])), session,
                [conversation, cards, session, rating_note, pick], api_visibility="private")

    def on_like(sess, data: gr.LikeData):
        if sess is None:
            return "That message is not an answer from this session."
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        return chat.rate(finder, sess, int(index), data.liked is True)

    conversation.like(on_like, session, rating_note, api_visibility="private")
    adopt.click(lambda sess: chat.adopt_profile(sess), session, [applicant, state, population, note],
                api_visibility="private")
    send_reason.click(lambda sess, r: (chat.add_reason(finder, sess or ChatSession(), r or ""), None),
                      [session, reason], [rating_note, reason], api_visibility="private")

    def on_pick(sess, chosen, kept):
        kept = list(dict.fromkeys([*(kept or []), *(chosen or [])]))
        names = [r["program"] for r in chat.shortlist_rows(finder, kept, sess or ChatSession())]
        return kept, ("**Shortlist:** " + "; ".join(names)) if names else ""

    pick.change(on_pick, [session, pick, saved], [saved, shortlist_view], api_visibility="private")

    def on_export(sess, kept):
        if not kept:
            return gr.update(visible=False), "Save a program first."
        files = chat.export_shortlist(finder, kept, sess or ChatSession(), temp)
        return gr.update(value=[str(f) for f in files], visible=True), ""

    export.click(on_export, [session, saved], [shortlist_files, rating_note], api_visibility="private")
    return box


def _browse_tab(finder: Finder, temp: Path, demo: gr.Blocks) -> None:
    programs = list(finder.index.snapshot().programs.values())
    sectors = sorted({s.value for op in programs for s in op.sectors})
    agencies = sorted({op.agency for op in programs})
    kinds = sorted({a.value for op in programs for a in op.assistance_types})
    ids = gr.State([])
    with gr.Row():
        text = gr.Textbox(label="Search programs", max_lines=1, elem_id="browse-text")
        who = gr.Dropdown(APPLICANT_CHOICES, value="", label="Your applicant type", elem_id="browse-applicant")
        where = gr.Dropdown(STATE_CHOICES, value="", label="Your state", elem_id="browse-state")
    with gr.Row():
        sector = gr.Dropdown([("(any)", "")] + [(s.replace("_", " "), s) for s in sectors], value="", label="Sector")
        kind = gr.Dropdown([("(any)", "")] + [(k, k) for k in kinds], value="", label="Assistance")
        agency = gr.Dropdown([("(any)", "")] + [(a, a) for a in agencies], value="", label="Agency")
    with gr.Row():
        bil = gr.Checkbox(label="Bipartisan Infrastructure Law only")
        open_only = gr.Checkbox(label="Open notices only")
        export = gr.Button("Export CSV", elem_id="export")
    count = gr.Markdown(elem_id="browse-count")
    more = gr.Markdown(elem_id="browse-detail")
    table = gr.Dataframe(headers=BROWSE_COLUMNS, interactive=False, wrap=True, elem_id="browse-table",
                         column_widths=["30%", "8%", "22%", "16%", "9%", "15%"])
    csv_file = gr.File(label="CSV export", visible=False, elem_id="csv-file")
    filters = [text, sector, who, kind, bil, agency, open_only, where]

    def refresh_rows(*values):
        rows, pids = browse(finder, *values)
        return rows, pids, f"{len(rows)} programs"

    for f in filters:
        f.change(refresh_rows, filters, [table, ids, count], api_visibility="private")  # type: ignore[attr-defined]
    demo.load(refresh_rows, filters, [table, ids, count], api_visibility="private")
    export.click(lambda rows: gr.update(value=export_csv(rows.values.tolist() if hasattr(rows, "values") else rows,
                                                         temp), visible=True), table, csv_file,
                 api_visibility="private")

    def on_select(pids, a, s, evt: gr.SelectData):
        r = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        return detail(finder, pids[r], a, s) if 0 <= r < len(pids) else ""

    table.select(on_select, [ids, who, where], more, api_visibility="private")


def _admin_tab(settings: Settings, finder: Finder, guard: LoginGuard, foot: gr.Markdown) -> None:
    token = gr.State(None)
    with gr.Column(visible=True) as login_box:
        pw = gr.Textbox(label="Admin password", type="password", max_lines=1, elem_id="admin-password")
        login = gr.Button("Log in", elem_id="admin-login")
        login_msg = gr.Markdown(elem_id="admin-message")
    with gr.Column(visible=False) as admin_box:
        upload = gr.File(label="Optional: Grants.gov extract (.zip/.xml/.json) or listings file (.csv/.json)",
                         file_types=[".zip", ".xml", ".json", ".csv"])
        with gr.Row():
            run = gr.Button("Run refresh", variant="primary", elem_id="run-refresh")
            fetch = gr.Button("Fetch latest from Grants.gov", elem_id="fetch-notices")
        progress = gr.Textbox(label="Progress", interactive=False, elem_id="refresh-progress")
        report = gr.Markdown(elem_id="refresh-report")
        fb_export = gr.Button("Export feedback (JSONL)")
        fb_file = gr.File(label="Feedback export", visible=False)

    def on_login(attempt, request: gr.Request):
        got, message = guard.login(attempt, *_client(request))
        return got, gr.update(visible=got is None), gr.update(visible=got is not None), message, ""

    for trigger in (login.click, pw.submit):
        trigger(on_login, pw, [token, login_box, admin_box, login_msg, pw], api_visibility="private")

    def authed(tok, request: gr.Request | None) -> bool:
        return guard.check(tok, *_client(request))

    def on_run(tok, up, request: gr.Request):
        yield from run_refresh(settings, finder, authed(tok, request), up)

    def on_fetch(tok, request: gr.Request):
        yield from run_refresh(settings, finder, authed(tok, request), None, fetch=True)

    for button, fn, inputs in ((run, on_run, [token, upload]), (fetch, on_fetch, [token])):
        button.click(fn, inputs, [progress, report], api_visibility="private").then(
            lambda: footer(finder), None, foot, api_visibility="private")

    def on_fb_export(tok, request: gr.Request):
        if not authed(tok, request):
            raise gr.Error("Log in to the admin tab first (logins expire after idle time).")
        path = feedback.feedback_file(Path(settings.index_dir))
        return gr.update(value=str(path), visible=True) if path.exists() else gr.update(visible=False)

    fb_export.click(on_fb_export, token, fb_file, api_visibility="private")


def build_app(settings: Settings, finder: Finder | None = None) -> gr.Blocks:
    finder = finder or Finder(settings)
    temp = Path(tempfile.mkdtemp(prefix="finder-app-"))
    guard = LoginGuard(settings)
    with gr.Blocks(title="Infrastructure Funding Finder", analytics_enabled=False,
                   delete_cache=(600, 3600)) as demo:
        gr.Markdown("# Infrastructure Funding Finder\nFind federal infrastructure programs your government can "
                    "apply for. Answers come from the program index only, with official links.")
        foot = gr.Markdown(elem_id="footer", render=False)
        with gr.Tab("Ask"):
            _ask_tab(finder, temp)
        with gr.Tab("Browse"):
            _browse_tab(finder, temp, demo)
        with gr.Tab("Admin"):
            _admin_tab(settings, finder, guard, foot)
        foot.render()
        demo.load(lambda: footer(finder), None, foot, api_visibility="private")
        def clear_exports() -> None:  # when a session ends, its exports go too
            for f in temp.glob("*"):
                f.unlink(missing_ok=True)

        demo.unload(clear_exports)
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=128, api_open=False)
    demo.finder_temp = temp  # type: ignore[attr-defined]
    return demo


def launch(demo: gr.Blocks, settings: Settings, **kwargs: Any) -> None:
    # system fonts only: the default theme would fetch web fonts from the internet
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    try:
        demo.launch(server_name=settings.host, server_port=settings.port, theme=theme, css=CSS, footer_links=[],
                    ssr_mode=False, show_error=False, max_file_size=f"{settings.max_upload_mb}mb",
                    app_kwargs={"middleware": [Middleware(NoDeepLinks)]}, **kwargs)
    finally:
        if not kwargs.get("prevent_thread_lock"):
            shutil.rmtree(getattr(demo, "finder_temp", ""), ignore_errors=True)


def serve(settings: Settings) -> None:
    from ui import schedule

    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    finder = Finder(settings)
    finder.index.snapshot()
    finder.index.embedder.load()
    schedule.start(settings)
    launch(build_app(settings, finder), settings)
