"""Text rules shared by every layer: the ALN pattern, and turning outside text into plain, inert text.

Everything here runs in time linear in its input: feed fields reach 256 KB, and one backtracking pattern
over a field of 60,000 `<` once held the interpreter for seconds on every answer and page load.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

ALN = r"\d\d\.\d{3}"  # Assistance Listing Number, NN.NNN
ALN_RE = re.compile(rf"\b{ALN}\b")
_CITED_ALN = re.compile(rf"(?<!CFR )(?<!C\.F\.R\. )(?<!§ )(?<!§)(?<!§§ )(?<![Pp]art )(?<![Ss]ection )(?<![Ss]ec\. )"
                        rf"\b{ALN}\b")
RECORD_ID = rf"{ALN}(?:-[a-z0-9]+(?:-[a-z0-9]+)*)?"  # an ALN, or an ALN plus a sub-program slug
NOTICE_ID = r"\d{1,12}"  # a Grants.gov OpportunityID: digits only
# For short text only (an LLM lead): on long text full of `<` these backtrack; `strip_markup` does not.
TAG = re.compile(r"<[^>]*>")
SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+")
_BLOCK_OPEN = re.compile(r"<(script|style)\b", re.I)
# C0/C1 controls (terminal escapes) and bidirectional overrides (text that reads differently than it is)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:@])")

# Links shown to users point only at official hosts: https, a .gov or .mil name (or a state's own
# .state.XX.us), or one of the agency and primary-law sites below that use another top-level domain.
OFFICIAL_SUFFIXES = (".gov", ".mil", ".fed.us")
_STATE_US = re.compile(r"(?:^|\.)(?:state|dot|dnr)\.[a-z]{2}\.us$")
AGENCY_DOMAINS = frozenset({
    "law.cornell.edu",  # the U.S. Code and CFR as the catalog cites them
    "hudexchange.info",  # HUD's program exchange
    # state agencies and authorities that run pass-through programs from a non-.gov domain
    "azcommerce.com", "iowasrf.com", "cwrpda.com", "riib.org", "owrbbonds.com", "scdot.org", "modot.org",
    "ksdot.org", "nevadadot.com", "arkansashighways.com", "floridajobs.org", "floridadisaster.org", "mdwfp.com",
    "msema.org", "scemd.org", "nmdhsem.org", "thda.org", "kyhousing.org", "mainehousing.org", "kshousingcorp.org",
    "housingnm.org", "nhcdfa.org", "destatehousing.com", "miplace.org", "mississippi.org", "sdgoed.com",
    "wyomingbusiness.org", "nheconomy.com", "commerceri.com", "arkansasedc.com", "sccommerce.com",
    "oregon4biz.com", "nmfinance.com", "ahfc.us", "azstateparks.com", "mostateparks.com", "lastateparks.com",
    "scprt.com", "ksoutdoors.com", "gadnr.org", "lhtac.org", "broadband.masstech.org", "maineconnectivity.org",
    "otrd.travelok.com", "sddot.com",
    # the federal lists of state offices that agencies point to
    "naseo.org", "nationalrtap.org",
})


def is_aln(value: str) -> bool:
    return re.fullmatch(ALN, value) is not None


def _drop_blocks(text: str) -> str:
    """Remove <script>…</script> and <style>…</style>, scanning once: a kind with no closing tag left after
    some point has none after any later point either, so it is never searched for again."""
    low, out, pos, at, gone = text.lower(), [], 0, 0, set()
    while (m := _BLOCK_OPEN.search(text, at)) is not None:
        kind = m[1].lower()
        close = -1 if kind in gone else low.find("</" + kind, m.end())
        end = -1 if close < 0 else text.find(">", close)
        if end < 0:
            gone.add(kind)
            at = m.end()
            continue
        out.append(text[pos:m.start()])
        out.append(" ")
        pos = at = end + 1
    out.append(text[pos:])
    return "".join(out)


def _drop_tags(text: str) -> str:
    """Remove every `<…>`, the same spans as the pattern `<[^>]*>`, in one pass: once no `>` follows a `<`,
    no later `<` closes either and the rest is text."""
    out, pos = [], 0
    while (start := text.find("<", pos)) >= 0 and (end := text.find(">", start + 1)) >= 0:
        out.append(text[pos:start])
        out.append(" ")
        pos = end + 1
    out.append(text[pos:])
    return "".join(out)


def strip_markup(text: Any) -> str:
    """Plain text: scripts and tags removed, entities decoded (and tags they spelled removed too), control
    characters dropped, spaces collapsed. Linear in the length of the text."""
    once = html.unescape(_drop_tags(_drop_blocks(str(text or ""))))
    return " ".join(_CONTROL.sub(" ", _drop_tags(_drop_blocks(once))).split())


def inert(text: str) -> str:
    """Catalog and feed text made safe to show as Markdown: no tags, links, images or citations of ours."""
    t = URL.sub("[link removed]", strip_markup(text))
    t = _CITED_ALN.sub("[number removed]", t)  # only the finder itself cites ALNs ("31 CFR 34.302" is a rule)
    t = re.sub(r"[\[\]<>`*_|#]", "", t)
    return " ".join(t.split())


def printable(text: Any) -> str:
    """Text safe to print on a terminal: control characters (escape sequences) shown as '?'."""
    return _CONTROL.sub("?", str(text))


def md_escape(text: Any) -> str:
    """Outside text shown inside Markdown as exactly that text: every Markdown character escaped (the `:` of
    a scheme and the `@` of an address too, so nothing becomes a link), HTML brackets as entities."""
    t = _CONTROL.sub(" ", str(text or ""))
    return _MD_SPECIAL.sub(r"\\\1", t).replace("<", "&lt;").replace(">", "&gt;")


def official_host(host: str) -> bool:
    h = host.lower().rstrip(".")
    return h.endswith(OFFICIAL_SUFFIXES) or bool(_STATE_US.search(h)) or \
        any(h == d or h.endswith("." + d) for d in AGENCY_DOMAINS)


def safe_url(url: Any) -> str | None:
    """The link as it may be shown (https, official host, Markdown-safe), or None when it must not be.

    Refused: other schemes (javascript:, data:, file:), credentials, ports, IP and dotless hosts
    (http://2130706433/), whitespace or control characters, and hosts off the allow-list. An http link to
    an official host is upgraded to https (every .gov name is HTTPS-only)."""
    if not isinstance(url, str) or not url or len(url) > 2048 or _CONTROL.search(url) or \
            any(c.isspace() or c == "\\" for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    labels = host.split(".")
    if parts.scheme.lower() not in ("https", "http") or parts.username or parts.password or port not in (None, 443) \
            or len(labels) < 2 or not re.fullmatch(r"[a-z]{2,24}", labels[-1]) \
            or not all(re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", p) for p in labels) \
            or not official_host(host):
        return None
    keep = "/%:@!$&*+,;=-._~?"  # anything else in path, query and fragment (quotes, brackets) is percent-encoded
    return urlunsplit(("https", host, quote(parts.path, safe=keep), quote(parts.query, safe=keep),
                       quote(parts.fragment, safe=keep)))


def csv_cell(value: Any) -> str:
    """A spreadsheet cell that cannot run: text starting with = + - @ (or a tab or return) gets a leading '."""
    s = str(value if value is not None else "")
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s
