"""Infrastructure Funding Finder core: catalog, index, retrieval, eligibility and grounded answers.

The public face is small: build a `Settings`, make a `Finder`, and ask. Names load on first use, so
importing one room (say `finder.catalog`) does not pull in the model, Chroma or the answer engine.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "Settings": "finder.settings",
    "Finder": "finder.engine",
    "Answer": "finder.answering.types",
    "Hit": "finder.answering.types",
    "Profile": "finder.answering.conversation",
    "Conversation": "finder.answering.conversation",
    "Retriever": "finder.answering.retrieval",
    "Opportunity": "finder.catalog.model",
    "load_catalog": "finder.catalog.model",
    "Applicant": "finder.catalog.vocab",
    "VerdictKind": "finder.catalog.vocab",
    "Verdict": "finder.catalog.eligibility",
    "Asker": "finder.catalog.eligibility",
    "judge": "finder.catalog.eligibility",
    "FinderError": "finder.errors",
    "RecordError": "finder.errors",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'finder' has no attribute {name!r}")
