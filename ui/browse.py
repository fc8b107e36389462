"""The Browse tab: the whole catalog as a filterable table, its CSV export and a program's detail."""

from __future__ import annotations

import csv
import os
import tempfile
from typing import Any

from finder.answering.markdown import program_detail
from finder.catalog.model import Opportunity
from finder.engine import Finder


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
    return program_detail(1, hit, full_summary=True) if hit else ""

