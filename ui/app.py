"""The Gradio app: chat with program cards, a browse tab and a password-protected admin tab."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from finder.answering.conversation import Conversation, Profile, describe
from finder.answering.html import cards
from finder.answering.types import Answer
from finder.catalog.applicants import LABELS, parse_applicant
from finder.catalog.vocab import Applicant
from finder.engine import Finder
from finder.errors import FinderError
from finder.settings import Settings
from ui import feedback
from ui.admin import check_password, run_refresh
from ui.browse import BROWSE_COLUMNS, browse, catalog_rows, detail, export_csv

EXAMPLES = [
    "Can a city of 20,000 apply for EV charger money?",
    "What water grants close in the next 60 days?",
    "Tell me about SS4A",
    "Our county wants to reduce flood risk before the next storm. What helps?",
    "Is there money to replace lead service lines?",
]
APPLICANT_CHOICES = [("(not set)", "")] + [(LABELS[a][0].removeprefix("a ").removeprefix("an "), a.value)
                                           for a in Applicant]
CSS = """
.card{border:1px solid #6b7280;border-radius:8px;padding:10px 12px;margin:8px 0;background:#fff;color:#111}
.card h3{margin:0 0 4px 0;font-size:1rem;color:#111}.card .label{font-weight:600}
.badge{display:inline-block;border-radius:4px;padding:1px 8px;font-weight:600;font-size:.85rem}
.badge.ok{background:#d1fae5;color:#065f46}.badge.no{background:#fee2e2;color:#7f1d1d}
.badge.chk{background:#fef3c7;color:#78350f}.badge.via{background:#dbeafe;color:#1e3a8a}
.status-ended{color:#7f1d1d;font-weight:600}.badge.none{background:#e5e7eb;color:#111}
.card a{color:#1d4ed8;text-decoration:underline}.meta{color:#374151;font-size:.9rem}
#footer{color:#374151;font-size:.85rem}
@media (max-width:640px){.card{padding:8px}}
"""


def answering_for(answer: Answer, profile: Profile) -> str:
    """Whom the answer was for: the asker it actually used (profile or the question's own words)."""
    a = answer.asker
    return describe(a.applicant, a.population, a.state) if a else profile.describe()


def cards_html(answer: Answer, profile: Profile) -> str:
    return cards(answer, answering_for(answer, profile))


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
        yield [*history, {"role": "assistant", "content": "Searching the index…"}], "", conv, ""
        final = finder.ask(message or "", profile, conv)
        who = answering_for(final, profile)
        yield [*history, {"role": "assistant", "content": f"*Answering for: {who}*\n\n{final.text}"}], \
            cards_html(final, profile), conv, ""
    except FinderError as exc:
        yield [*history, {"role": "assistant", "content": f"Sorry, the index is not available: {exc}"}], "", conv, ""


def footer(finder: Finder) -> str:
    try:
        snap = finder.index.snapshot()
    except FinderError as exc:
        return f"Index unavailable: {exc}"
    warning = (f"⚠ Index problem: {finder.index.last_error} (answers still come from the last good index) · "
               if finder.index.last_error else "")
    return (f"{warning}Index last refreshed: {snap.refreshed_at or 'unknown'} · {len(snap.programs)} programs · "
            f"{snap.notice_count} notices · answers come only from this index; confirm on the official pages.")


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
