"""Who runs each pass-through program in each state: the state-office table, kept as data.

One YAML file per office kind in `data/state_offices/` (dwsrf, cdbg, dot, ...). Each names the programs
it serves, the federal agency's own list of state contacts (the fallback link), and per state the
agency, its page and the source the row came from. Rows whose name was not confirmed against a page
(`seen: false`) are kept for staff review but never shown as an answer: the federal list is linked instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from finder.catalog.rules import STATES
from finder.catalog.vocab import StateOffice
from finder.errors import RecordError
from finder.safeyaml import load_file


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OfficeRow(_Strict):
    agency: str = Field(min_length=3, description="The agency, office or program name, as the source gives it.")
    url: str = Field(pattern=r"^https?://\S+$", description="The office's official page.")
    source: str = Field(pattern=r"^https?://\S+$", description="The page this row came from.")
    seen: bool = Field(description="True when the row was read on that page; False when not yet confirmed.")


class FederalList(_Strict):
    name: str = Field(min_length=3)
    url: str = Field(pattern=r"^https?://\S+$")


class OfficeFile(_Strict):
    office: StateOffice
    title: str = Field(min_length=3, description="What the office does, as a noun phrase.")
    programs: list[str] = Field(min_length=1, description="Catalog record ids this office administers.")
    federal_list: FederalList
    as_of: dt.date
    states: dict[str, OfficeRow]

    @field_validator("states")
    @classmethod
    def _codes(cls, v: dict[str, OfficeRow]) -> dict[str, OfficeRow]:
        bad = [k for k in v if k not in STATES]
        if bad:
            raise ValueError(f"unknown state code {bad[0]!r}; expected a USPS code such as OH, TX, PR")
        return v


@dataclass(frozen=True)
class OfficeContact:
    """What an answer shows for one program in one state: the office when confirmed, else the federal list."""

    title: str
    state: str | None
    agency: str | None
    url: str
    federal_list: str
    as_of: dt.date

    @property
    def named(self) -> bool:
        return self.agency is not None


@dataclass
class OfficeTable:
    files: list[OfficeFile] = field(default_factory=list)
    by_program: dict[str, OfficeFile] = field(default_factory=dict)

    def contact(self, program_id: str, state: str | None) -> OfficeContact | None:
        f = self.by_program.get(program_id)
        if f is None:
            return None
        row = f.states.get(state) if state else None
        if row is not None and row.seen:
            return OfficeContact(f.title, state, row.agency, row.url, f.federal_list.url, f.as_of)
        return OfficeContact(f.title, state, None, f.federal_list.url, f.federal_list.url, f.as_of)

    def coverage(self) -> dict[str, tuple[int, int]]:
        """office -> (confirmed rows, all rows)."""
        return {f.office.value: (sum(r.seen for r in f.states.values()), len(f.states)) for f in self.files}


def load_offices(folder: Path, program_ids: set[str] | None = None) -> tuple[OfficeTable, list[RecordError]]:
    """The table and one error per bad file (file, row and field named); a bad file is left out whole."""
    table, errors = OfficeTable(), list[RecordError]()
    if not folder.is_dir():
        return table, errors
    for path in sorted(folder.glob("*.yaml")):
        try:
            office = _read(path, program_ids)
        except RecordError as exc:
            errors.append(exc)
            continue
        table.files.append(office)
        for pid in office.programs:
            table.by_program.setdefault(pid, office)
    return table, errors


def _read(path: Path, program_ids: set[str] | None) -> OfficeFile:
    raw = load_file(path, hint="fix the file, then run `finder validate`")
    try:
        office = OfficeFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        row = loc[1] if len(loc) > 1 and loc[0] == "states" else None
        field_name = ".".join(loc[2:]) if row else ".".join(loc)
        raise RecordError(str(path), err["msg"], record=row, field=field_name or None,
                          hint="fix the row, then run `finder validate`") from None
    if path.stem != office.office.value:
        raise RecordError(str(path), f"file name must be the office ({office.office.value}.yaml)", field="office")
    if program_ids is not None:
        missing = [p for p in office.programs if p not in program_ids]
        if missing:
            raise RecordError(str(path), f"program {missing[0]!r} is not in the catalog", field="programs",
                              hint="use a catalog record id, e.g. 66.468 or 20.205-nevi")
    return office
