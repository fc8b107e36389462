"""The Browse tab: the whole catalog as a readable, filterable table, its CSV export and a program's detail."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Any

from finder.answering.facts import next_deadline, short_name, verdict_phrase
from finder.answering.markdown import program_detail
from finder.catalog.applicants import LABELS
from finder.catalog.eligibility import Asker
from finder.catalog.model import Opportunity
from finder.catalog.vocab import Applicant, VerdictKind
from finder.engine import Finder

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
        w.writerows(rows)
    return path


def detail(finder: Finder, program_id: str, applicant: str = "", state: str = "") -> str:
    asker = Asker(Applicant(applicant), state=state or None) if applicant else None
    hit = finder.hit(program_id, asker)
    return program_detail(1, hit, full_summary=True) if hit else ""
