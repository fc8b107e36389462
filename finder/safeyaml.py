"""YAML from files people and scripts edit, read safely: a size cap, and no anchors or aliases at all.

Aliases are how a few hundred bytes expand to gigabytes ("billion laughs"); catalog records, question
files and the state-office table never need them, so any anchor or alias rejects the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from finder.errors import RecordError

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ten times faster when present
DEFAULT_MAX_BYTES = 512 * 1024


def load_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, hint: str = "") -> Any:
    """The parsed document, or a RecordError naming the file and what is wrong with it."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise RecordError(name, f"file is {size // 1024} KB, over the {max_bytes // 1024} KB cap",
                              hint="skipped; raise FINDER_MAX_RECORD_KB if the file is genuine")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(name, f"cannot read: {exc}") from None
    return load_text(text, name, hint=hint)


def load_text(text: str, name: str, *, hint: str = "") -> Any:
    try:
        for event in yaml.parse(text, Loader=SAFE_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = getattr(event, "start_mark", None)
                at = f" at line {mark.line + 1}" if mark else ""
                raise RecordError(name, f"YAML anchors and aliases are not allowed{at}", hint=hint)
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise RecordError(name, f"malformed YAML{at}", hint=hint) from None
