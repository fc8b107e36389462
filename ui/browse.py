"""The Browse tab: the whole catalog as a readable, filterable table, its CSV export and a program's detail.

The export writes the rows the server last showed this session (held in server-side state), never a table
the client sends back, and no cell of it can run as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from finder.answering.facts import (
    browse_name,
    deadline_short,
    inactive,
    open_notice,
    status_label,
    verdict_phrase,
)
from finder.answering.html import escape
from finder.answering.markdown import program_detail
from finder.answering.types import Hit
from finder.catalog.applicants import LABELS
from finder.catalog.eligibility import Asker
from finder.catalog.model import Opportunity
from finder.catalog.vocab import Applicant, VerdictKind
from finder.engine import Finder
from finder.text import csv_cell, safe_url

APPLICANTS = {a.value for a in Applicant}

BROWSE_COLUMNS = ["Program", "Your verdict", "Status", "Next deadline", "ALN", "Who applies directly"]
STATUS_CHOICES = [("Live (hides ended, terminated and paused)", "live"), ("Open Grants.gov notice now", "open"),
                  ("All, including ended", "all"), ("Ended, terminated or paused only", "inactive")]
SORTS = [("Open deadlines first, then name", "deadline"), ("Program name", "name"), ("Your verdict", "verdict"),
         ("Status", "status"), ("ALN", "aln")]
VERDICT_ORDER = {VerdictKind.ELIGIBLE: 0, VerdictKind.THROUGH: 1, VerdictKind.CHECK: 2, VerdictKind.NOT_ELIGIBLE: 3}
FILTER_NAMES = {"text": "the search words", "sector": "the sector", "applicant": "the applicant type",
                "assistance": "the assistance type", "bil_only": "Bipartisan Infrastructure Law only",
                "agency": "the agency", "status": "the status filter", "state": "the state"}
DEFAULTS: dict[str, Any] = {"text": "", "sector": "", "applicant": "", "assistance": "", "bil_only": False,
                            "agency": "", "status": "live", "state": ""}


def catalog_rows(finder: Finder) -> list[Opportunity]:
    return list(finder.index.snapshot().programs.values())


def applicant_labels(op: Opportunity) -> str:
    labels = [LABELS[Applicant(a)][1] for a in op.eligible_applicants if a != "check"]
    return ", ".join(labels) + (" (some cases to check)" if "check" in op.eligible_applicants else "") or "see listing"


def _status_ok(hit: Hit, status: str) -> bool:
    if status == "open":
        return open_notice(hit) is not None
    if status == "inactive":
        return inactive(hit)
    return status == "all" or not inactive(hit)


def browse(finder: Finder, text: str = "", sector: str = "", applicant: str = "", assistance: str = "",
           bil_only: bool = False, agency: str = "", status: str = "live", state: str = "", sort: str = "deadline",
           ) -> tuple[list[list[Any]], list[str]]:
    """(rows for the table, their program ids). An applicant type keeps only the programs that applicant can
    reach (eligible, through a partner, or to check); the status filter is live programs by default."""
    snap = finder.index.snapshot()
    t = (text or "").lower().strip()
    asker = Asker(Applicant(applicant), state=state or None) if applicant in APPLICANTS else None

    def wanted(op: Opportunity) -> bool:
        text_ok = not t or t in f"{op.title} {op.popular_name or ''} {op.aln} {' '.join(op.keywords + op.uses)}".lower()
        return text_ok and not (sector and sector not in op.sectors) \
            and not (assistance and assistance not in op.assistance_types) \
            and not (bil_only and not op.bil_funded) and not (agency and op.agency != agency)

    chosen = [op.id for op in snap.programs.values() if wanted(op)]
    found = []
    for hit in finder.hits(chosen, asker):
        v = hit.verdict
        if v is not None and v.kind is VerdictKind.NOT_ELIGIBLE:
            continue  # outside what this applicant can reach (or outside the program's region)
        place = hit.program.rules.place if hit.program.rules else None
        if state and place and (place.states or place.partial) and state not in place.states + place.partial:
            continue  # outside the program's region, with or without an applicant type
        if not _status_ok(hit, status or "live"):
            continue
        found.append(hit)
    keys = {"name": lambda h: browse_name(h.program).lower(),
            "verdict": lambda h: (VERDICT_ORDER.get(h.verdict.kind, 9) if h.verdict else 9,
                                  browse_name(h.program).lower()),
            "status": lambda h: (inactive(h), status_label(h) or "~", browse_name(h.program).lower()),
            "aln": lambda h: h.program.id,
            "deadline": lambda h: (open_notice(h) is None, deadline_short(h) == "", browse_name(h.program).lower())}
    found.sort(key=keys.get(sort, keys["deadline"]))
    rows = [[browse_name(h.program), verdict_phrase(h) if asker else "set an applicant type",
             status_label(h) or "not in the index", deadline_short(h), h.program.aln, applicant_labels(h.program)]
            for h in found]
    return rows, [h.id for h in found]


PHONE_LIST = 100  # programs the phone list shows at once; the filters narrow the rest


def phone_list(rows: list[list[Any]], pids: list[str], finder: Finder) -> str:
    """The rows as a stacked list for a narrow screen (the table is hidden there): each program on its own
    lines, its name linked to its official page. Every value is escaped."""
    programs = finder.index.snapshot().programs
    items = []
    for row, pid in zip(rows[:PHONE_LIST], pids[:PHONE_LIST], strict=False):
        url = safe_url(programs[pid].url) if pid in programs else None
        name = f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{escape(row[0])}</a>' if url \
            else escape(row[0])
        facts = " · ".join(escape(f"{label}: {value}") for label, value in
                           zip(BROWSE_COLUMNS[1:5], row[1:5], strict=True) if value)
        items.append(f'<li><div class="name">{name}</div><div>{facts}</div></li>')
    more = f"<p>Showing the first {PHONE_LIST} of {len(rows)}; narrow them with the filters.</p>" \
        if len(rows) > PHONE_LIST else ""
    return f'<ul aria-label="Programs">{"".join(items)}</ul>{more}'


def why_empty(finder: Finder, **filters: Any) -> str:
    """Why a filter left no programs: which filters, set back alone, would show some, and how many."""
    relaxed = {**DEFAULTS, "status": "all"}  # the default status hides ended programs: a filter too
    active = {k: v for k, v in {"status": "live", **filters}.items() if k in relaxed and v != relaxed[k]}
    hints = []
    for key in active:
        n = len(browse(finder, **{**filters, key: relaxed[key]})[1])
        if n:
            hints.append(f"without {FILTER_NAMES[key]}, {n} would show")
    if filters.get("status") == "open" and not any(
            n.is_open(finder.today()) for ns in finder.index.snapshot().notices.values() for n in ns):
        hints.insert(0, "no Grants.gov notice in the index is open now (staff can fetch the latest on the Admin "
                        "tab)")
    if not hints:
        return "No programs match these filters together; clear the search words or set the filters back to (any)."
    return "No programs match: " + "; ".join(hints) + "."


def export_csv(rows: list[list[Any]], folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    fd, path = tempfile.mkstemp(prefix="funding-programs-", suffix=".csv", dir=folder)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(BROWSE_COLUMNS)
        w.writerows([csv_cell(v) for v in row] for row in rows)
    return path


def detail(finder: Finder, program_id: str, applicant: str = "", state: str = "") -> str:
    asker = Asker(Applicant(applicant), state=state or None) if applicant else None
    hit = finder.hit(program_id, asker)
    return program_detail(1, hit, full_summary=True) if hit else ""


def browse_tab(finder: Finder, demo: gr.Blocks, choices: dict[str, list[tuple[str, str]]], folder: Path) -> None:
    """The Browse tab's components and events (inside the caller's `gr.Tab`)."""
    programs = list(finder.index.snapshot().programs.values())
    sectors = sorted({s.value for op in programs for s in op.sectors})
    agencies = sorted({op.agency for op in programs})
    kinds = sorted({a.value for op in programs for a in op.assistance_types})
    shown = gr.State(([], []))  # (rows, program ids) as last shown to this session: what the export writes
    with gr.Row():
        text = gr.Textbox(label="Search programs", max_lines=1, max_length=200, elem_id="browse-text")
        who = gr.Dropdown(choices["applicant"], value="", label="Your applicant type (shows what you can reach)",
                          elem_id="browse-applicant")
        where = gr.Dropdown(choices["state"], value="", label="Your state", elem_id="browse-state")
        status = gr.Dropdown(STATUS_CHOICES, value="live", label="Status", elem_id="browse-status")
    with gr.Row():
        sector = gr.Dropdown([("(any)", "")] + [(s.replace("_", " "), s) for s in sectors], value="", label="Sector",
                             elem_id="browse-sector")
        kind = gr.Dropdown([("(any)", "")] + [(k, k) for k in kinds], value="", label="Assistance",
                           elem_id="browse-kind")
        agency = gr.Dropdown([("(any)", "")] + [(a, a) for a in agencies], value="", label="Agency",
                             elem_id="browse-agency")
        sort = gr.Dropdown(SORTS, value="deadline", label="Sort by", elem_id="browse-sort")
    with gr.Row():
        bil = gr.Checkbox(label="Bipartisan Infrastructure Law only", elem_id="browse-bil")
        export = gr.Button("Export CSV", elem_id="export")
    count = gr.Markdown(elem_id="browse-count")
    more = gr.Markdown(elem_id="browse-detail")
    cards = gr.HTML(elem_id="browse-cards")
    table = gr.Dataframe(headers=BROWSE_COLUMNS, interactive=False, wrap=True, elem_id="browse-table",
                         column_widths=["30%", "18%", "14%", "14%", "8%", "16%"])
    csv_file = gr.File(label="CSV export", visible=False, elem_id="csv-file")
    filters = [text, sector, who, kind, bil, agency, status, where, sort]
    names = ["text", "sector", "applicant", "assistance", "bil_only", "agency", "status", "state", "sort"]

    def refresh_rows(*values):
        given = dict(zip(names, [v[:200] if isinstance(v, str) else v for v in values], strict=True))
        rows, pids = browse(finder, **given)
        if rows:
            said = f"{len(rows)} programs" + (" you can reach" if given["applicant"] else "")
        else:
            said = "0 programs. " + why_empty(finder, **{k: v for k, v in given.items() if k != "sort"})
        return rows, (rows, pids), said, phone_list(rows, pids, finder)

    outs = [table, shown, count, cards]
    for f in filters:
        f.change(refresh_rows, filters, outs, api_visibility="private")  # type: ignore[attr-defined]
    demo.load(refresh_rows, filters, outs, api_visibility="private")

    def on_export(state, request: gr.Request):
        rows = state[0] if state else []
        target = folder / str(getattr(request, "session_hash", None) or "local")
        return gr.update(value=export_csv(rows, target), visible=True)

    export.click(on_export, shown, csv_file, api_visibility="private")

    def on_select(state, a, s, evt: gr.SelectData):
        pids = state[1] if state else []
        r = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        return detail(finder, pids[r], a, s) if isinstance(r, int) and 0 <= r < len(pids) else ""

    table.select(on_select, [shown, who, where], more, api_visibility="private")
