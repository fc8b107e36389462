"""Text rules shared by every layer: the ALN pattern and turning outside text into plain, inert text."""

from __future__ import annotations

import html
import re
from typing import Any

ALN = r"\d\d\.\d{3}"  # Assistance Listing Number, NN.NNN
ALN_RE = re.compile(rf"\b{ALN}\b")
RECORD_ID = rf"{ALN}(?:-[a-z0-9]+(?:-[a-z0-9]+)*)?"  # an ALN, or an ALN plus a sub-program slug
TAG = re.compile(r"<[^>]*>")
SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+")


def is_aln(value: str) -> bool:
    return re.fullmatch(ALN, value) is not None


def strip_markup(text: Any) -> str:
    """Plain text: scripts and tags removed, entities decoded (and tags they spelled removed too), spaces collapsed."""
    once = html.unescape(TAG.sub(" ", SCRIPT.sub(" ", str(text or ""))))
    return " ".join(TAG.sub(" ", SCRIPT.sub(" ", once)).split())


def inert(text: str) -> str:
    """Catalog and feed text made safe to show as Markdown: no tags, links, images or citations of ours."""
    t = URL.sub("[link removed]", strip_markup(text))
    t = ALN_RE.sub("[number removed]", t)  # only the finder itself cites ALNs
    t = re.sub(r"[\[\]<>`*_|#]", "", t)
    return " ".join(t.split())
