"""The Gradio app: Ask (chat with cards), Browse and a password-protected Admin tab, built per tab.

The server owns each session's conversation (ui/session.py); the client never sends history back.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import gradio as gr

from finder import database
from finder.answering.facts import readable_time
from finder.catalog.applicants import LABELS
from finder.catalog.rules import STATES
from finder.catalog.vocab import Applicant
from finder.engine import MAX_QUESTION, Finder
from finder.errors import FinderError
from finder.settings import Settings
from ui import chat, clients, feedback, mount, server
from ui.admin import admin_tab
from ui.browse import browse_tab
from ui.login import LoginGuard
from ui.scripts import AFTER_ANSWER_JS, PAGE_JS
from ui.session import ChatSession, make_profile

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
EXPORTS_PER_SESSION = 20


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
    return (f"{warning}Index last refreshed: {readable_time(snap.refreshed_at)} · {len(snap.programs)} programs · "
            f"{snap.notice_count} notices, {open_n} open · notices last fetched from Grants.gov: "
            f"{readable_time(fetched) if fetched else 'never'} · answers come only from this index; confirm on the "
            f"official pages.")


def examples(finder: Finder) -> list[str]:
    """Start-screen examples, offering a deadline question only when notices are loaded."""
    try:
        loaded = bool(finder.index.snapshot().notices)
    except FinderError:
        loaded = False
    return EXAMPLES + [DEADLINE_EXAMPLE] if loaded else EXAMPLES


def _ask_tab(finder: Finder, exports: Path, demo: gr.Blocks) -> gr.Textbox:
    session = gr.State(None)
    saved = gr.BrowserState([], storage_key="finder-shortlist")
    kept_profile = gr.BrowserState({}, storage_key="finder-profile")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=240, elem_id="profile-col"):
            gr.Markdown("## Your profile")
            applicant = gr.Dropdown(APPLICANT_CHOICES, value="", label="Applicant type", elem_id="applicant")
            state = gr.Dropdown(STATE_CHOICES, value="", label="State or territory", elem_id="state")
            population = gr.Textbox(label="Population", placeholder="e.g. 12,000 or 12k", max_lines=1,
                                    max_length=40, elem_id="population")
            note = gr.Markdown(elem_id="profile-note")
            adopt = gr.Button("Use the last answer's applicant, state and population", size="sm",
                              elem_id="adopt-profile", visible=False)
        with gr.Column(scale=3):
            box = gr.Textbox(label="Your question", placeholder="e.g. 'Can a county apply for BRIC?'",
                             max_lines=4, max_length=MAX_QUESTION, elem_id="question")
            with gr.Row():
                send = gr.Button("Ask", variant="primary", elem_id="ask")
                clear = gr.Button("Clear conversation", elem_id="clear")
            gr.Examples(examples(finder), inputs=box, label="Try an example")
            with gr.Group(elem_id="chat-area"):
                conversation = gr.Chatbot(label="Conversation", height=420, elem_id="chat", sanitize_html=True,
                                          allow_tags=False, autoscroll=False,
                                          feedback_options=("Like", "Dislike"), buttons=["copy_all"])
                with gr.Row(visible=False, elem_id="reason-row") as reason_row:
                    reason = gr.Dropdown(feedback.REASONS, value=None, label="Why? (optional)", scale=2,
                                         elem_id="reason")
                    send_reason = gr.Button("Send reason", scale=1, elem_id="send-reason")
                rating_note = gr.Markdown(elem_id="rating-note")
            cards = gr.HTML(elem_id="cards")
            pick = gr.CheckboxGroup([], label="Save programs from this answer to your shortlist", elem_id="save",
                                    visible=False)
            with gr.Column(visible=False, elem_id="shortlist-box") as list_box:
                mine = gr.CheckboxGroup([], label="Your shortlist (untick a program to remove it)",
                                        elem_id="shortlist")
                with gr.Row():
                    export = gr.Button("Export shortlist (CSV and printable brief)", elem_id="export-shortlist")
                    clear_list = gr.Button("Clear shortlist", elem_id="clear-shortlist")
                list_note = gr.Markdown(elem_id="shortlist-note")
                shortlist_files = gr.File(label="Shortlist files", file_count="multiple", visible=False,
                                          elem_id="shortlist-files")

    def listed(kept):
        choices = chat.shortlist_view(finder, kept)
        return gr.update(choices=choices, value=[c[1] for c in choices]), gr.update(visible=bool(choices))

    if finder.settings.llm_enabled:  # the lead streams in, one checked sentence at a time: a generator
        def on_ask(message, sess, a, s, p):
            for messages, html, new, problem, cleared in chat.respond_stream(finder, sess, message, a, s, p):
                yield messages, html, new, problem, cleared, gr.update(visible=bool(new.turns))
    else:  # one answer, one update: Gradio sends the history and cards once, with no generator round trips
        def on_ask(message, sess, a, s, p):
            messages, html, new, problem, cleared = chat.respond(finder, sess, message, a, s, p)
            return messages, html, new, problem, cleared, gr.update(visible=bool(new.turns))

    def offer(sess, kept):  # the last answer's programs, ticked where already on the shortlist
        offered = chat.shortlist_choices(sess) if sess else []
        ids = {e["id"] for e in chat.keep_shortlist(finder, kept)}
        return gr.update(choices=offered, value=[i for _, i in offered if i in ids], visible=bool(offered))

    outs = [conversation, cards, session, note, box, adopt]
    ins = [box, session, applicant, state, population]
    for event, api in ((box.submit, {"api_visibility": "private"}), (send.click, {"api_name": "ask"})):
        event(on_ask, ins, outs, **api).then(offer, [session, saved], pick, api_visibility="private").then(
            None, js=AFTER_ANSWER_JS)

    def on_clear(sess):
        if sess is not None:
            sess.clear()
        return ([], "", ChatSession(), "", gr.update(choices=[], value=[], visible=False), gr.update(visible=False),
                gr.update(visible=False))

    reset = [conversation, cards, session, rating_note, pick, adopt, reason_row]
    clear.click(on_clear, session, reset, api_visibility="private")
    conversation.clear(on_clear, session, reset, api_visibility="private")  # the chat's own trash icon, the same

    def on_like(sess, data: gr.LikeData):
        if sess is None:
            return "That message is not an answer from this session.", gr.update()
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        said = chat.rate(finder, sess, int(index), data.liked is True)
        return said, gr.update(visible=sess.pending_reason is not None)

    conversation.like(on_like, session, [rating_note, reason_row], api_visibility="private")
    adopt.click(lambda sess: chat.adopt_profile(sess), session, [applicant, state, population, note],
                api_visibility="private")
    send_reason.click(lambda sess, r: (chat.add_reason(finder, sess or ChatSession(), r or ""), None,
                                       gr.update(visible=False)),
                      [session, reason], [rating_note, reason, reason_row], api_visibility="private")

    def on_pick(sess, kept, chosen):
        kept = chat.save_picks(finder, sess, kept, chosen)
        return kept, *listed(kept)

    pick.input(on_pick, [session, saved, pick], [saved, mine, list_box], api_visibility="private")

    def on_untick(sess, kept, still):
        kept = chat.remove_from_shortlist(finder, kept, still)
        ids = {e["id"] for e in kept}
        offered = chat.shortlist_choices(sess) if sess else []
        return kept, *listed(kept), gr.update(value=[i for _, i in offered if i in ids]), gr.update(visible=False)

    mine.input(on_untick, [session, saved, mine], [saved, mine, list_box, pick, shortlist_files],
               api_visibility="private")
    clear_list.click(lambda sess, kept: on_untick(sess, kept, []), [session, saved],
                     [saved, mine, list_box, pick, shortlist_files], api_visibility="private")

    def on_export(sess, kept, request: gr.Request):
        kept = chat.keep_shortlist(finder, kept)
        if sess is None:  # checked on the server: every page gets a session when it loads (restore, below)
            return gr.update(visible=False), "Ask a question first: this page has no session.", sess
        if not kept:
            return gr.update(visible=False), "Save a program first.", sess
        if sess.exports >= EXPORTS_PER_SESSION:
            return gr.update(visible=False), "This conversation has made its exports; start a new one.", sess
        sess.exports += 1
        files = chat.export_shortlist(finder, kept, sess, exports / str(request.session_hash or "local"))
        return gr.update(value=[str(f) for f in files], visible=True), "", sess

    export.click(on_export, [session, saved], [shortlist_files, list_note, session], api_visibility="private")

    def restore(kept, prof):  # a new page: its server-side session, and the shortlist and profile it kept
        prof = prof if isinstance(prof, dict) else {}
        a = str(prof.get("applicant") or "")
        s = str(prof.get("state") or "")
        p = str(prof.get("population") or "")[:40]
        return (ChatSession(), *listed(kept), a if a in {v for _, v in APPLICANT_CHOICES} else "",
                s if s in {v for _, v in STATE_CHOICES} else "", p)

    demo.load(restore, [saved, kept_profile], [session, mine, list_box, applicant, state, population],
              api_visibility="private")

    def remember(a, s, p):
        _, problem = make_profile(a, s, p)
        return {"applicant": a or "", "state": s or "", "population": str(p or "")[:40]}, problem or ""

    for field in (applicant, state, population):
        field.change(remember, [applicant, state, population], [kept_profile, note], api_visibility="private")
    return box


def build_app(settings: Settings, finder: Finder | None = None) -> gr.Blocks:
    """The app. Its cache and exports live in this process's folder (ui/server.py), which Gradio is pointed
    at here, before any component exists; files in it older than ten minutes are deleted."""
    finder = finder or Finder(settings)
    database.configure(settings)  # this index's ratings go to FINDER_DATABASE_URL when set (ui/feedback.py)
    cache = server.cache_for(settings)
    os.environ["GRADIO_TEMP_DIR"] = str(cache.gradio)
    guard = LoginGuard(settings)
    trusted = clients.parse_networks(settings.trusted_proxies)
    choices = {"applicant": APPLICANT_CHOICES, "state": STATE_CHOICES}
    with gr.Blocks(title="Infrastructure Funding Finder", analytics_enabled=False,
                   delete_cache=(120, 600)) as demo:
        gr.Markdown("# Infrastructure Funding Finder\nFind federal infrastructure programs your government can "
                    "apply for. Answers come from the program index only, with official links.")
        foot = gr.Markdown(elem_id="footer", render=False)
        with gr.Tab("Ask"):
            _ask_tab(finder, cache.exports, demo)
        with gr.Tab("Browse"):
            browse_tab(finder, demo, choices, cache.exports)
        with gr.Tab("Admin"):
            admin_tab(settings, finder, guard, lambda r: clients.of_request(r, trusted),
                      (lambda: footer(finder), foot), cache.exports)
        foot.render()
        demo.load(lambda: footer(finder), None, foot, api_visibility="private")
        demo.load(None, js=PAGE_JS)

        def clear_exports(request: gr.Request) -> None:  # when a session ends, its exports go too
            shutil.rmtree(cache.exports / str(request.session_hash or "local"), ignore_errors=True)

        demo.unload(clear_exports)
        mount.attach(demo, settings, finder)  # issue 25: MCP tools and HTTP routes, all in ui/mount.py
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=128, api_open=False)
    demo.finder_exports = cache.exports  # type: ignore[attr-defined]
    return demo


def launch(demo: gr.Blocks, settings: Settings, *, prevent_thread_lock: bool = False, **_: Any) -> None:
    """Serve `demo` (ui/server.py): in a background thread with `prevent_thread_lock` (stop it with
    `demo.close()`), else until SIGTERM or SIGINT, removing the cache and exports on the way out."""
    if prevent_thread_lock:
        server.start(demo, settings)
    else:
        server.run_until_stopped(demo, settings)


def serve(settings: Settings) -> None:
    from ui import schedule

    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    finder = Finder(settings)
    finder.index.snapshot()
    finder.index.embedder.load()
    schedule.start(settings)
    launch(build_app(settings, finder), settings)
