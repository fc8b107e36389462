"""Caps on everything read from outside, so one hostile or broken file cannot exhaust memory or disk."""

from __future__ import annotations

from dataclasses import dataclass

from finder.settings import Settings

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Byte and size caps for one read; `Limits.of(settings)` takes them from the FINDER_MAX_* settings."""

    file_bytes: int = 4096 * MB  # an uncompressed XML extract (Grants.gov's daily file is about 2 GB)
    json_bytes: int = 64 * MB  # one search2 or fetchOpportunity response
    field_chars: int = 256 * 1024  # one XML field, e.g. a Description
    zip_ratio: int = 200  # uncompressed / compressed size of a zip member

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(file_bytes=settings.max_extract_mb * MB, json_bytes=settings.max_json_mb * MB,
                   field_chars=settings.max_field_kb * 1024, zip_ratio=settings.max_zip_ratio)


class TooLarge(ValueError):
    """A file, member or field is over its cap; the message names the cap and the setting that raises it."""
