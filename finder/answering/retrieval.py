"""Hybrid retrieval: dense (Chroma + MiniLM) and BM25 (bm25s) fused by reciprocal rank, plus exact names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from finder.answering.query import Constraints
from finder.catalog.eligibility import Asker, judge
from finder.catalog.model import Opportunity
from finder.catalog.vocab import GRANT_TYPES, LOAN_TYPES, AssistanceType, Sector, VerdictKind
from finder.index.lexical import DEPTH

if TYPE_CHECKING:
    from finder.index.snapshot import Snapshot

RRF_K = 60
NAME_BOOST = 1.0
DENSE_EXPANSION = True
ENDED_PENALTY = 0.004  # below live matches of similar relevance; a top match that ended still shows, marked ended
REACH_BOOST = {VerdictKind.ELIGIBLE: 0.002, VerdictKind.THROUGH: 0.002, VerdictKind.CHECK: 0.001,
               VerdictKind.NOT_ELIGIBLE: 0.0}
SUPPORT_PENALTY = 0.002
USES_BOOST = 0.003
REVIEWED_BOOST = 0.002
SUPPORT_TYPES = frozenset({AssistanceType.FEDERAL_OPERATIONS, AssistanceType.INFORMATION, AssistanceType.TRAINING,
                           AssistanceType.TECHNICAL_ASSISTANCE, AssistanceType.SPECIALIZED_SERVICES,
                           AssistanceType.COMPLAINTS, AssistanceType.OTHER})


class Retriever(StrEnum):
    HYBRID = "hybrid"
    DENSE = "dense"
    BM25 = "bm25"


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


def passes(op: Opportunity, c: Constraints, snap: Snapshot) -> bool:
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
    if c.expansions and op.uses:  # the program says it pays for the very thing the clerk named
        uses = " ".join(op.uses).lower()
        b += USES_BOOST * min(2, sum(t.lower() in uses for t in c.expansions))
    if c.applicant is not None:  # programs this asker can reach, directly or through a partner, come first
        asker = Asker(c.applicant, c.population, c.state, c.county, c.urban_population, c.text)
        b += REACH_BOOST[judge(op, asker).kind]
    if not kinds - SUPPORT_TYPES or Sector.RESEARCH in op.sectors:
        b -= SUPPORT_PENALTY  # federal research, operations and information listings fund no local project
    if (c.open_now or c.close_window) and any(n.is_open(today) for n in snap.notices_for(op.aln)):
        b += 0.004
    if op.needs_review:
        b -= 0.002
    if op.rules is not None:
        b += REVIEWED_BOOST  # the staples officials ask about most, with rules a person checked
    if op.status is not None and not op.status.live:
        b -= ENDED_PENALTY  # ended, terminated or paused programs rank below live matches of similar relevance
    return b


@dataclass(frozen=True)
class Retrieval:
    """Ranked programs, plus the best dense similarity before filters (the answer's confidence signal)."""

    ranked: list[Scored]
    best_similarity: float


def dense_text(c: Constraints) -> str:
    """What the dense retriever embeds: the question plus the catalog phrases for its everyday words."""
    return " ".join((c.text, *c.expansions)) if DENSE_EXPANSION else c.text


def retrieve(snap: Snapshot, c: Constraints, *, k: int = 10, mode: Retriever = Retriever.HYBRID,
             today: dt.date | None = None, vector: list[float] | None = None) -> Retrieval:
    """Ranked programs; `vector` is `dense_text(c)` already embedded, when the caller has it."""
    today = today or dt.date.today()
    expanded = " ".join((c.text, *c.expansions))
    dense = snap.dense(vector if vector is not None else snap.embed(dense_text(c)), DEPTH)
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
        if op is None or not passes(op, c, snap):
            continue
        score = fused.get(pid, 0.0) + NAME_BOOST * named.get(pid, 0.0) + boost(op, c, snap, today)
        out.append(Scored(pid, score, sims.get(pid), pid in named))
    out.sort(key=lambda s: (-s.score, s.id))
    return Retrieval(out[:k], best)
