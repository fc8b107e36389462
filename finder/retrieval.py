"""Hybrid retrieval: dense (Chroma + MiniLM) and BM25 (bm25s) fused by reciprocal rank, plus exact names."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import bm25s
import numpy as np

from finder.catalog import GRANT_TYPES, LOAN_TYPES, AssistanceType, Opportunity, Sector, search_text
from finder.eligibility import Asker, VerdictKind, judge
from finder.query import Constraints

if TYPE_CHECKING:
    from finder.index import Snapshot

RRF_K = 60
DEPTH = 60
STOP = frozenset((
    "a an and are as at be by can could do does for from has have how i in is it its may of on or our that the "
    "their them there these this to us was we what when where which who will with would you your any there's get "
    "help pay money funding fund funds grant grants program programs federal tell me about explain offer offers"
).split())
NAME_BOOST = 1.0
DENSE_EXPANSION = True
ENDED_PENALTY = 0.05  # more than any fused RRF score (at most 2/61)
REACH_BOOST = {VerdictKind.ELIGIBLE: 0.002, VerdictKind.THROUGH: 0.002, VerdictKind.CHECK: 0.001,
               VerdictKind.NOT_ELIGIBLE: 0.0}
SUPPORT_PENALTY = 0.002
REVIEWED_BOOST = 0.002
SUPPORT_TYPES = frozenset({AssistanceType.FEDERAL_OPERATIONS, AssistanceType.INFORMATION, AssistanceType.TRAINING,
                           AssistanceType.TECHNICAL_ASSISTANCE, AssistanceType.SPECIALIZED_SERVICES,
                           AssistanceType.COMPLAINTS, AssistanceType.OTHER})


class Retriever(StrEnum):
    HYBRID = "hybrid"
    DENSE = "dense"
    BM25 = "bm25"


def tokens(text: str) -> list[str]:
    out = []
    for tok in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text.lower()):
        for part in [tok, *tok.split("-")] if "-" in tok else [tok]:
            if part in STOP or len(part) < 2:
                continue
            if len(part) > 4 and part.endswith("s") and not part.endswith("ss"):
                part = part[:-1]
            out.append(part)
    return out


def _norm_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


class Lexical:
    """BM25 over title, popular name, summary and keywords, plus exact acronym and title matching.
    Built from the same records the dense index holds."""

    def __init__(self, records: Sequence[Opportunity]) -> None:
        self.ids = [op.id for op in records]
        corpus = [tokens(search_text(op) + " " + op.title + " " + (op.popular_name or "")) for op in records]
        self.vocab = sorted({t for doc in corpus for t in doc})
        self._vocab_set = set(self.vocab)
        self._by_initial: dict[str, list[str]] = {}
        for word in self.vocab:
            self._by_initial.setdefault(word[0], []).append(word)
        self._corrections: dict[str, str] = {}
        self.bm25 = bm25s.BM25()
        self.bm25.index(corpus, show_progress=False)
        words = Counter(w for op in records for w in set(_norm_words(op.summary)))
        self.acronyms: dict[str, set[str]] = {}
        self.case_sensitive: set[str] = set()
        self.titles: list[tuple[list[str], str]] = []
        for op in records:
            for name in [op.popular_name or "", *op.keywords]:
                for acro in re.findall(r"\b[A-Za-z0-9]*[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)?\b", name):
                    caps = sum(c.isupper() or c.isdigit() for c in acro)
                    if caps >= 3 or (caps >= 2 and "-" in acro):
                        key = acro.lower()
                        self.acronyms.setdefault(key, set()).add(op.id)
                        if key.isalpha() and words[key] >= 3:
                            self.case_sensitive.add(key)
            for title in (op.title, op.popular_name or ""):
                words_t = [w for w in _norm_words(title) if w != "program"]
                if len(words_t) >= 3:
                    self.titles.append((words_t, op.id))
        self._title_grams: dict[tuple[str, str, str], set[int]] = {}
        for i, (words_t, _) in enumerate(self.titles):
            for j in range(len(words_t) - 2):
                self._title_grams.setdefault(tuple(words_t[j:j + 3]), set()).add(i)  # type: ignore[arg-type]

    def correct(self, toks: list[str]) -> list[str]:
        """Replace unknown tokens by the closest vocabulary word, so misspellings still land."""
        out = []
        for t in toks:
            if t in self._vocab_set or len(t) < 4 or t.isdigit():
                out.append(t)
                continue
            if t not in self._corrections:
                if len(self._corrections) > 10_000:
                    self._corrections.clear()
                close = difflib.get_close_matches(t, self._by_initial.get(t[0], []), n=1, cutoff=0.8)
                self._corrections[t] = close[0] if close else t
            out.append(self._corrections[t])
        return out

    def search(self, text: str, depth: int = DEPTH) -> list[tuple[str, float]]:
        toks = [t for t in self.correct(tokens(text)) if t in self._vocab_set]
        if not toks:
            return []
        scores = self.bm25.get_scores(toks)
        order = np.argsort(-scores)[:depth]
        return [(self.ids[i], float(scores[i])) for i in order if scores[i] > 0]

    def names(self, text: str) -> dict[str, float]:
        """Programs named in the question: acronyms ("SS4A", "WIFIA") and long runs of a title."""
        hits: dict[str, float] = {}
        for raw in re.findall(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?", text):
            key = raw.lower()
            cands = [key] if key in self.acronyms else difflib.get_close_matches(key, self.acronyms, 1, 0.85) \
                if len(key) >= 5 and raw.isupper() else []
            for c in cands:
                if c in self.case_sensitive and not raw.isupper():
                    continue
                for pid in self.acronyms[c]:
                    hits[pid] = max(hits.get(pid, 0.0), 1.0)
        q = _norm_words(text)
        qs = " " + " ".join(q) + " "
        candidates: set[int] = set()
        for j in range(len(q) - 2):
            candidates |= self._title_grams.get((q[j], q[j + 1], q[j + 2]), set())
        for i in sorted(candidates):
            words_t, pid = self.titles[i]
            best = _longest_run(words_t, qs)
            if best >= 3 and best / len(words_t) >= 0.6:
                hits[pid] = max(hits.get(pid, 0.0), best / len(words_t))
        return hits


def _longest_run(words_t: list[str], qs: str) -> int:
    n = len(words_t)
    for size in range(n, 2, -1):
        for start in range(0, n - size + 1):
            if " " + " ".join(words_t[start:start + size]) + " " in qs:
                return size
    return 0


@dataclass(frozen=True)
class Scored:
    id: str
    score: float
    dense: float | None
    named: bool


def rrf(*rankings: Sequence[str]) -> dict[str, float]:
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
    return fused


def passes(op: Opportunity, c: Constraints, snap: Snapshot, today: dt.date) -> bool:
    """Hard constraints."""
    kinds = set(op.assistance_types)
    if c.assistance_only and c.assistance == "loan" and not kinds & LOAN_TYPES:
        return False
    if c.assistance_only and c.assistance == "grant" and not kinds & GRANT_TYPES:
        return False
    if c.bil_only and not op.bil_funded:
        return False
    if c.close_window:
        if c.sectors and not set(op.sectors) & c.sectors:
            return False
        lo, hi = c.close_window
        if not any(n.close_date and lo <= n.close_date <= hi for n in snap.notices_for(op.aln)):
            return False
    return True


def boost(op: Opportunity, c: Constraints, snap: Snapshot, today: dt.date) -> float:
    """Soft constraints nudge the fused score; one RRF rank step is about 0.0003 near the top."""
    b = 0.0
    if c.sectors and set(op.sectors) & c.sectors:
        b += 0.002 * min(2, len(set(op.sectors) & c.sectors))
    kinds = set(op.assistance_types)
    if c.assistance == "loan" and kinds & LOAN_TYPES or c.assistance == "grant" and kinds & GRANT_TYPES:
        b += 0.001
    if c.applicant is not None:  # programs this asker can reach, directly or through a partner, come first
        b += REACH_BOOST[judge(op, Asker(c.applicant, c.population, c.state)).kind]
    if not kinds - SUPPORT_TYPES or Sector.RESEARCH in op.sectors:
        b -= SUPPORT_PENALTY  # federal research, operations and information listings fund no local project
    if (c.open_now or c.close_window) and any(n.is_open(today) for n in snap.notices_for(op.aln)):
        b += 0.004
    if op.needs_review:
        b -= 0.002
    if op.rules is not None:
        b += REVIEWED_BOOST  # the staples officials ask about most, with rules a person checked
    if op.status is not None and not op.status.live:
        b -= ENDED_PENALTY  # ended, terminated or paused programs rank below every live match, unless named
    return b


@dataclass(frozen=True)
class Retrieval:
    """Ranked programs, plus the best dense similarity before filters (the answer's confidence signal)."""

    ranked: list[Scored]
    best_similarity: float


def retrieve(snap: Snapshot, c: Constraints, *, k: int = 10, mode: Retriever = Retriever.HYBRID,
             today: dt.date | None = None) -> Retrieval:
    today = today or dt.date.today()
    expanded = " ".join((c.text, *c.expansions))
    dense = snap.dense(snap.embed(expanded if DENSE_EXPANSION else c.text), DEPTH)
    lex = snap.lexical.search(expanded) if mode in (Retriever.HYBRID, Retriever.BM25) else []
    named = snap.lexical.names(c.text) if mode != Retriever.DENSE else {}
    best = max((s for _, s in dense), default=0.0)
    if mode is Retriever.BM25:
        dense = []  # still embedded above: the refusal gate uses the same similarity signal in every mode
    fused = rrf([pid for pid, _ in dense], [pid for pid, _ in lex])
    sims = dict(dense)
    candidates = set(fused) | set(named)
    if c.close_window:
        candidates |= {pid for pid, op in snap.programs.items() if snap.notices_for(op.aln)}
    out = []
    for pid in candidates:
        op = snap.programs.get(pid)
        if op is None or not passes(op, c, snap, today):
            continue
        score = fused.get(pid, 0.0) + NAME_BOOST * named.get(pid, 0.0) + boost(op, c, snap, today)
        out.append(Scored(pid, score, sims.get(pid), pid in named))
    out.sort(key=lambda s: (-s.score, s.id))
    return Retrieval(out[:k], best)
