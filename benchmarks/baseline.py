"""The textbook RAG baseline: MiniLM over each program's title and listing objective, nothing else.

No keywords, uses, summaries, BM25, name matching, priors or refusal gate: one cosine ranking. It runs
with the same bundled model as the finder, so the difference in the table is the finder's own work.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from finder.catalog.model import load_catalog
from finder.index.embeddings import Embedder


class TextbookBaseline:
    """Dense retrieval over 'title. objective' per catalog record (a sub-program uses its parent's objective)."""

    def __init__(self, data_dir: Path, fpi: Path, embedder: Embedder) -> None:
        objectives = {r["cfda"]: r.get("objective") or "" for r in json.loads(fpi.read_text(encoding="utf-8"))}
        records, _ = load_catalog(data_dir)
        self.ids = [op.id for op in records]
        self.alns = [op.aln for op in records]
        texts = [f"{op.title}. {objectives.get(op.aln, '')}" for op in records]
        self.embedder = embedder
        self.matrix = np.asarray(embedder.embed_documents(texts), dtype=np.float32)

    def search(self, question: str, k: int = 10) -> list[tuple[str, str]]:
        q = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        order = np.argsort(-(self.matrix @ q))[:k]
        return [(self.alns[i], self.ids[i]) for i in order]


def score(baseline: TextbookBaseline, questions: list[dict[str, Any]]) -> tuple[float, float]:
    """recall@5 and MRR@10 over the discovery questions, matched by ALN or record id as the scorer does."""
    n = hit5 = 0
    rr = 0.0
    for q in questions:
        if q["kind"] != "discovery":
            continue
        n += 1
        want = set(q["expect_any"])
        ranks = [i for i, (aln, pid) in enumerate(baseline.search(q["question"])) if aln in want or pid in want]
        hit5 += bool(ranks and ranks[0] < 5)
        rr += 1 / (ranks[0] + 1) if ranks else 0.0
    return (hit5 / n, rr / n) if n else (0.0, 0.0)
