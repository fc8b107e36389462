"""Caps on everything read from outside, so one hostile or broken file cannot exhaust memory or disk.

Byte caps bound how much is read; count caps bound how many things a file may hold within those bytes
(records, fields of a record, nesting, hits of a search answer), and how many of its problems are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from finder.settings import Settings

MB = 1 << 20
ERRORS_PER_FILE = 50  # problems listed per file; the rest are counted in one line
COUNT_TAIL = f" (only the first {ERRORS_PER_FILE} are listed)"


@dataclass(frozen=True)
class Limits:
    """Caps for one read; `Limits.of(settings)` takes them from the FINDER_MAX_* settings."""

    file_bytes: int = 4096 * MB  # an uncompressed XML extract (Grants.gov's daily file is about 2 GB)
    json_bytes: int = 64 * MB  # one search2 or fetchOpportunity response
    field_chars: int = 256 * 1024  # one XML field, e.g. a Description
    zip_ratio: int = 200  # uncompressed / compressed size of a zip member
    items: int = 500_000  # records in one file (the daily extract holds about 80,000)
    fields: int = 1_000  # fields of one record (a real one has about 40)
    depth: int = 32  # nesting of a JSON document (a real answer nests 5 deep)
    hits: int = 5_000  # hits in one search2 answer (the fetch asks for 1,000)

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(file_bytes=settings.max_extract_mb * MB, json_bytes=settings.max_json_mb * MB,
                   field_chars=settings.max_field_kb * 1024, zip_ratio=settings.max_zip_ratio,
                   items=settings.max_items, fields=settings.max_fields)


class TooLarge(ValueError):
    """A file, member or field is over its cap; the message names the cap and the setting that raises it."""


@dataclass
class FileErrors:
    """Record problems of one file, into a shared list: the first ERRORS_PER_FILE in full, then one line
    with how many more (call `close`), so a file of a million bad records adds 51 lines, not a million."""

    sink: list[str]
    name: str
    keep: int = ERRORS_PER_FILE
    count: int = field(default=0)

    def add(self, line: str | Callable[[], str]) -> None:
        """Keep `line` (or build it, when a callable is given: past the cap nothing is even formatted)."""
        self.count += 1
        if self.count <= self.keep:
            self.sink.append(line() if callable(line) else line)

    def close(self) -> None:  # the line `skipped_count` reads back
        if self.count > self.keep:
            self.sink.append(f"{self.name}: {self.count - self.keep:,} more records skipped{COUNT_TAIL}")
            self.keep = self.count  # closing twice adds nothing


def skipped_count(lines: list[str]) -> int:
    """How many records the problem lines of FileErrors stand for (a count line stands for its count)."""
    total = 0
    for line in lines:
        tail = line.rpartition(": ")[2]
        number = tail.split(" ", 1)[0].replace(",", "")
        total += int(number) if tail.endswith(COUNT_TAIL) and number.isdigit() else 1
    return total
