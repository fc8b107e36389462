"""Is a question in scope? Labelled examples embedded with the bundled model, plus the rules in `guards.py`.

Rules catch what words settle (a campaign mailer, venture capital, a town in Bavaria). The examples catch the
rest by meaning: each label's score is the mean similarity of the question to its three closest examples, and
a question is declined only when one out-of-scope label beats the in-scope examples by a clear margin. A local
need described only as a problem ("our jail roof leaks") sits close to the in-scope examples and is answered.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np
import yaml

from finder.catalog.vocab import RefusalKind

IN = "in"
LABELS: dict[str, RefusalKind] = {
    "personal": RefusalKind.PERSONAL, "business": RefusalKind.BUSINESS, "abroad": RefusalKind.ABROAD,
    "opinion": RefusalKind.OPINION, "vendor": RefusalKind.VENDOR, "contact": RefusalKind.CONTACT,
    "off_task": RefusalKind.OFF_TASK,
}
TOP = 3  # a label's score: mean similarity to its closest TOP examples
MARGIN = 0.08  # an out-of-scope label must beat the in-scope score by this much
FLOOR = 0.40  # and be at least this similar


@dataclass(frozen=True)
class Decision:
    kind: RefusalKind | None
    scores: dict[str, float]


class ScopeModel:
    """The labelled examples and their vectors, embedded once per model."""

    def __init__(self, examples: dict[str, list[str]], vectors: np.ndarray) -> None:
        self.labels = [label for label, texts in examples.items() for _ in texts]
        self.vectors = vectors
        self._rows: dict[str, slice] = {}  # each label's examples sit together, in the order they were embedded
        start = 0
        for label, texts in examples.items():
            self._rows[label] = slice(start, start + len(texts))
            start += len(texts)

    def decide(self, vector: Sequence[float]) -> Decision:
        sims = self.vectors @ np.asarray(vector, dtype=np.float32)
        scores = {label: _top_mean(sims[rows]) for label, rows in self._rows.items()}
        inside = scores[IN]
        label, best = max(((k, v) for k, v in scores.items() if k != IN), key=lambda kv: kv[1])
        kind = LABELS[label] if best >= FLOOR and best - inside >= MARGIN else None
        return Decision(kind, scores)


def _top_mean(sims: np.ndarray) -> float:
    """Mean of the TOP largest values: a partial partition, not a sort, on every question."""
    if len(sims) <= TOP:
        return float(sims.mean())
    return float(np.partition(sims, len(sims) - TOP)[-TOP:].mean())


@lru_cache(maxsize=1)
def examples() -> dict[str, list[str]]:
    text = files("finder.answering").joinpath("scope_examples.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    unknown = set(data) - set(LABELS) - {IN}
    if unknown:
        raise ValueError(f"scope_examples.yaml: unknown labels {sorted(unknown)}")
    return {label: [str(t) for t in texts] for label, texts in data.items()}


@lru_cache(maxsize=1)
def _digest() -> str:
    return hashlib.sha256(repr(sorted(examples().items())).encode()).hexdigest()[:12]


_models: dict[str, ScopeModel] = {}
_lock = threading.Lock()


def model_for(key: str, embed_many: Callable[[list[str]], list[list[float]]]) -> ScopeModel:
    """The scope model for one embedding model (`key`), embedding the examples on first use."""
    ex = examples()
    digest = key + _digest()
    with _lock:
        if digest not in _models:
            texts = [t for label in ex for t in ex[label]]
            _models[digest] = ScopeModel(ex, np.asarray(embed_many(texts), dtype=np.float32))
        return _models[digest]
