"""Which records are due for a recheck: a status checked too long ago, or none at all.

Programs change (ended, terminated, paused, renamed); a status is a dated note, so staff recheck the oldest
first. `finder validate` warns about them, `finder validate --stale` lists them, and the admin tab shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from finder.catalog.model import Opportunity


@dataclass(frozen=True)
class Due:
    """One record due for a recheck."""

    id: str
    title: str
    status: str  # the status value, or "none"
    checked: dt.date | None  # when the status was last checked
    age_days: int | None  # days since then; None when there is no status

    def line(self) -> str:
        when = f"last checked {self.checked.isoformat()} ({self.age_days} days ago)" if self.checked else "no status"
        return f"{self.id}: {self.status}, {when}: {self.title}"


def due_for_recheck(records: Iterable[Opportunity], today: dt.date, max_age_days: int) -> list[Due]:
    """Records whose status is missing or older than `max_age_days`, the oldest (and missing) first."""
    out = []
    for op in records:
        st = op.status
        if st is None:
            out.append(Due(op.id, op.title, "none", None, None))
            continue
        age = (today - st.as_of).days
        if age > max_age_days:
            out.append(Due(op.id, op.title, st.value.value, st.as_of, age))
    return sorted(out, key=lambda d: (d.checked is not None, d.checked or dt.date.min, d.id))
