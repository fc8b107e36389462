"""Records due for a status recheck: missing first, then the oldest, and only those over the limit."""

import datetime as dt

from finder.catalog.freshness import due_for_recheck
from tests.unit.records import record

TODAY = dt.date(2026, 12, 3)


def _status(as_of: str) -> dict:
    return {"value": "annual", "as_of": as_of, "note": "Yearly rounds."}


def test_missing_and_old_statuses_are_due_oldest_first():
    fresh = record("99.001", status=_status("2026-11-01"))
    old = record("99.002", status=_status("2026-01-15"))
    older = record("99.003", status=_status("2025-06-30"))
    none = record("99.004")
    due = due_for_recheck([fresh, old, older, none], TODAY, 180)
    assert [d.id for d in due] == ["99.004", "99.003", "99.002"]
    assert due[1].age_days == (TODAY - dt.date(2025, 6, 30)).days and "last checked 2025-06-30" in due[1].line()
    assert due_for_recheck([fresh, old], TODAY, 365) == []
