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

from finder.answering.facts import next_deadline, short_name, verdict_phrase
from finder.answering.markdown import program_detail
from finder.catalog.applicants import LABELS
from finder.catalog.eligibility import Asker
from finder.catalog.model import Opportunity
from finder.catalog.vocab import Applicant, VerdictKind
from finder.engine import Finder
from finder.text import csv_cell

BROWSE_COLUMNS = ["Program", "ALN", "Who applies directly", "Your verdict", "Status", "Next deadline"]


def catalog_rows(finder: Finder) -> list[Opportunity]:
    return list(finder.index.snapshot().programs.values())


def applicant_labels(op: Opportunity) -> str:
    labels = [LABELS[Applicant(a)][1] for a in op.eligible_applicants if a != "check"]
    return ", ".join(labels) + (" (some cases to check)" if "check" in op.eligible_applicants else "") or "see listing"


def browse(finder: Finder, text: str = "", sector: str = "", applicant: str = "", assistance: str = "",
           bil_only: bool = False, agency: str = "", open_only: bool = False, state: str = "",
           ) -> tuple[list[list[Any]], list[str]]:
    """(rows for the table, their program ids): programs with open notices first, then by name."""
    snap = finder.index.snapshot()
    t = (text or "").lower().strip()
    asker = Asker(Applicant(applicant), state=state or None) if applicant else None

    def wanted(op: Opportunity) -> bool:
        text_ok = not t or t in f"{op.title} {op.popular_name or ''} {op.aln} {' '.join(op.keywords + op.uses)}".lower()
        return text_ok and not (sector and sector not in op.sectors) \
            and not (assistance and assistance not in op.assistance_types) \
            and not (bil_only and not op.bil_funded) and not (agency and op.agency != agency)

    chosen = [op.id for op in snap.programs.values() if wanted(op)]
    rows = []
    for hit in finder.hits(chosen, asker):
        op = hit.program
        if state and op.rules and op.rules.place and hit.verdict and hit.verdict.kind is VerdictKind.NOT_ELIGIBLE:
            continue  # outside the program's region
        deadline = next_deadline(hit) or ""
        if open_only and not deadline.startswith("Open"):
            continue
        rows.append([short_name(op), op.aln, applicant_labels(op),
                     verdict_phrase(hit) if asker else "set an applicant type",
                     op.status.value.value if op.status else "", deadline, op.id])
    rows.sort(key=lambda r: (not str(r[5]).startswith("Open"), str(r[0]).lower()))
    return [r[:-1] for r in rows], [str(r[-1]) for r in rows]


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
        who = gr.Dropdown(choices["applicant"], value="", label="Your applicant type", elem_id="browse-applicant")
        where = gr.Dropdown(choices["state"], value="", label="Your state", elem_id="browse-state")
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
        rows, pids = browse(finder, *[v if not isinstance(v, str) else v[:200] for v in values])
        return rows, (rows, pids), f"{len(rows)} programs"

    for f in filters:
        f.change(refresh_rows, filters, [table, shown, count], api_visibility="private")  # type: ignore[attr-defined]
    demo.load(refresh_rows, filters, [table, shown, count], api_visibility="private")

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
