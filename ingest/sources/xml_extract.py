"""Streaming reader of the Grants.gov XML extract (plain or zipped), bounded in memory.

Expat hands us character data in chunks, so a field is capped as it grows; the fields of a record and the
records of a file are counted against caps too. Nothing but the current record is held, and any DTD (the
door to entity bombs and external entities) is refused outright.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from finder.errors import RecordError
from ingest.sources.limits import MB, Limits, TooLarge

SYNOPSIS = "OpportunitySynopsisDetail_1_0"
FORECAST = "OpportunityForecastDetail_1_0"
REPEATED = {"FundingInstrumentType", "CategoryOfFundingActivity", "CFDANumbers", "EligibleApplicants"}
CHUNK = 1 << 16
Record = tuple[dict[str, Any], bool]  # (fields, is_forecast)


class _Refused(Exception):
    """Raised inside an expat handler to stop the parse with our own message."""


class _Records:
    """Expat handlers that collect one record's fields at a time."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.kind: str | None = None
        self.field: str | None = None
        self.depth = 0
        self.text: list[str] = []
        self.size = 0
        self.fields: dict[str, Any] = {}
        self.count = 0  # fields of the current record, repeated ones included
        self.done: list[Record] = []
        self.seen_root = False

    def start(self, tag: str, _attrs: dict[str, str]) -> None:
        local = tag.rsplit(" ", 1)[-1]
        self.seen_root = True
        self.depth += 1
        if self.kind is None and local in (SYNOPSIS, FORECAST):
            self.kind, self.fields, self.depth, self.count = local, {}, 1, 0
        elif self.kind is not None and self.depth == 2:
            self.count += 1
            if self.count > self.limits.fields:
                raise TooLarge(f"record has more than {self.limits.fields:,} fields, over the field-count cap "
                               "(FINDER_MAX_FIELDS)")
            self.field, self.text, self.size = local, [], 0

    def data(self, text: str) -> None:
        if self.field is None:
            return
        self.size += len(text)
        if self.size > self.limits.field_chars:
            raise TooLarge(f"field {self.field} is over the {self.limits.field_chars // 1024} KB field cap "
                           "(FINDER_MAX_FIELD_KB)")
        self.text.append(text)

    def end(self, tag: str) -> None:
        if self.kind is not None and self.depth == 2 and self.field is not None:
            value = "".join(self.text)
            if self.field in REPEATED:
                self.fields.setdefault(self.field, []).append(value)
            else:
                self.fields[self.field] = value
            self.field = None
        elif self.kind is not None and self.depth == 1:
            self.done.append((self.fields, self.kind == FORECAST))
            self.kind, self.fields = None, {}
        self.depth -= 1


def _refuse_dtd(*_args: Any) -> None:
    raise _Refused("the file declares a DTD or entities, which a Grants.gov extract never does; refused")


def iter_records(stream: IO[bytes], name: str, limits: Limits) -> Iterator[Record]:
    """(fields, is_forecast) for each synopsis or forecast record, as the bytes stream in."""
    rec = _Records(limits)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = rec.start, rec.end
    parser.CharacterDataHandler = rec.data
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    total = count = 0
    while True:
        chunk = stream.read(CHUNK)
        total += len(chunk)
        if total > limits.file_bytes:
            raise RecordError(name, f"file is over the {limits.file_bytes // MB} MB cap (FINDER_MAX_EXTRACT_MB)",
                              hint="skipped; raise the cap if this is a real extract")
        try:
            parser.Parse(chunk, not chunk)
        except TooLarge as exc:
            raise RecordError(name, str(exc), record=f"#{count + 1}", hint="file skipped") from None
        except _Refused as exc:
            raise RecordError(name, str(exc)) from None
        except expat.ExpatError as exc:
            raise RecordError(name, f"malformed XML ({expat.ErrorString(exc.code)}, line {exc.lineno}) after "
                                    f"{count} records",
                              hint="the file is truncated or damaged; download the extract again") from None
        for item in rec.done:
            count += 1
            if count > limits.items:
                raise RecordError(name, f"more than {limits.items:,} records, over the record cap (FINDER_MAX_ITEMS)",
                                  hint="file skipped")
            yield item
        rec.done.clear()
        if not chunk:
            break
    if not rec.seen_root:
        raise RecordError(name, "file is empty; expected a Grants.gov XML extract")


def zip_members(path: Path, limits: Limits) -> Iterator[tuple[str, Callable[[], IO[bytes]]]]:
    """The .xml members of a zip, each checked for encryption, size and compression ratio before it opens."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise RecordError(str(path), f"not a readable zip ({exc})",
                          hint="the download is truncated or damaged; fetch the extract again") from None
    with zf:
        infos = [i for i in zf.infolist() if i.filename.lower().endswith(".xml")]
        if not infos:
            raise RecordError(str(path), "zip holds no .xml extract")
        for info in infos:
            where = f"{path}:{info.filename}"
            if info.flag_bits & 0x1:
                raise RecordError(where, "the zip member is encrypted; expected a plain Grants.gov extract")
            if info.file_size > limits.file_bytes:
                raise RecordError(where, f"member would unpack to {info.file_size // MB} MB, over the "
                                         f"{limits.file_bytes // MB} MB cap (FINDER_MAX_EXTRACT_MB)")
            if info.compress_size and info.file_size / info.compress_size > limits.zip_ratio:
                raise RecordError(where, f"member compresses {info.file_size // max(1, info.compress_size)}:1, over "
                                         f"the {limits.zip_ratio}:1 cap (FINDER_MAX_ZIP_RATIO): a zip bomb?")
            yield where, (lambda info=info: zf.open(info))  # type: ignore[misc]
