"""The project's exception tree. Each message names where, what was expected, and what to run next."""

from __future__ import annotations


class FinderError(Exception):
    """Base of every error the finder reports to a user."""


class RecordError(FinderError):
    """A source file or one of its records is not what we expect."""

    def __init__(self, file: str, problem: str, *, record: str | None = None, field: str | None = None,
                 hint: str = "") -> None:
        self.file, self.record, self.field, self.problem, self.hint = file, record, field, problem, hint
        where = file + (f" record {record}" if record else "") + (f" field {field}" if field else "")
        super().__init__(f"{where}: {problem}" + (f" ({hint})" if hint else ""))


class IndexMissingError(FinderError):
    """No usable index: it was never built, or it was deleted or damaged."""


class IngestLockedError(FinderError):
    """Another ingest holds the writer lock."""


class StoreUnavailableError(FinderError):
    """The Chroma server (or the embedded store) cannot be reached or read."""
