"""One index generation: a pair of Chroma collections (programs, notices) and the only code that reads or
writes them. Chroma always gets our embedding function, so it never falls back to a downloading default."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finder.errors import StoreUnavailableError
from finder.index.embeddings import Embedder

if TYPE_CHECKING:  # chromadb itself is imported on first use: a process that finds nothing to do never pays for it
    from chromadb.api import ClientAPI
    from chromadb.config import Settings as ChromaSettings

PROGRAMS = "programs"
NOTICES = "notices"
BATCH = 2000


@functools.cache
def _embedding_function_class() -> type:
    import chromadb

    class _ChromaEmbedding(chromadb.EmbeddingFunction[chromadb.Documents]):
        """Our model as Chroma's embedding function, so Chroma never falls back to its downloading default."""

        def __init__(self, embedder: Embedder) -> None:
            self.embedder = embedder

        def __call__(self, input: chromadb.Documents) -> chromadb.Embeddings:  # noqa: A002 (Chroma's name)
            import numpy as np

            return [np.asarray(v, dtype=np.float32) for v in self.embedder.embed_documents(list(input))]

        @staticmethod
        def name() -> str:
            return "finder-sentence-transformers"

        def get_config(self) -> dict[str, Any]:
            return {"model_path": self.embedder.model_path, "backend": self.embedder.backend,
                    "cache_dir": str(self.embedder.cache_dir)}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> Any:
            # collections made before backends existed were embedded with torch
            return _ChromaEmbedding(Embedder(config["model_path"], backend=config.get("backend", "torch"),
                                             cache_dir=config.get("cache_dir")))

    return _ChromaEmbedding


@dataclass(frozen=True)
class Row:
    """One stored record: id, hash of its content, the text to embed, its metadata and the full record."""

    id: str
    hash: str
    text: str
    meta: dict[str, str | int | float | bool]
    record: dict[str, Any]


def _chroma_settings() -> ChromaSettings:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


class Generation:
    """One complete, consistent copy of the index."""

    def __init__(self, client: ClientAPI, name: str, prefix: str, embedder: Embedder, *, close: bool) -> None:
        self.client, self.name, self.embedder, self._close = client, name, embedder, close
        ef: Any = _embedding_function_class()(embedder)  # Chroma's protocol type is wider than our text-only one
        meta = {"hnsw:space": "cosine", "model": embedder.model_name}
        try:
            self.programs = client.get_or_create_collection(f"{prefix}{PROGRAMS}", embedding_function=ef,
                                                            metadata=meta)
            self.notices = client.get_or_create_collection(f"{prefix}{NOTICES}", embedding_function=ef,
                                                           metadata=meta)
        except Exception as exc:  # chromadb raises many types here
            raise StoreUnavailableError(f"cannot open index generation {name}: {exc}") from exc

    def hashes(self, table: str) -> dict[str, tuple[str, str]]:
        """id -> (content hash, source file) of every stored record."""
        col = self._col(table)
        out: dict[str, tuple[str, str]] = {}
        for offset in range(0, col.count(), BATCH):
            got = col.get(include=["metadatas"], limit=BATCH, offset=offset)
            for rid, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
                out[rid] = (str((meta or {}).get("hash", "")), str((meta or {}).get("file", "")))
        return out

    def records(self, table: str) -> Iterator[dict[str, Any]]:
        col = self._col(table)
        for offset in range(0, col.count(), BATCH):
            got = col.get(include=["metadatas"], limit=BATCH, offset=offset)
            for meta in got["metadatas"] or []:
                yield json.loads(str((meta or {})["record"]))

    def metadatas(self, table: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, stored metadata) of every record, the record itself still JSON text."""
        col = self._col(table)
        for offset in range(0, col.count(), BATCH):
            got = col.get(include=["metadatas"], limit=BATCH, offset=offset)
            for rid, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
                yield rid, dict(meta or {})

    def upsert(self, table: str, rows: Sequence[Row]) -> int:
        """Write rows; returns how many texts were embedded. Programs are embedded with the model.
        Notices are joined to programs by ALN and never searched by similarity, so they carry a cheap
        placeholder vector derived from their id instead of a model embedding."""
        col = self._col(table)
        for start in range(0, len(rows), BATCH // 4):
            chunk = rows[start:start + BATCH // 4]
            vectors = self.embedder.embed_documents([r.text for r in chunk]) if table == PROGRAMS else \
                [_placeholder(r.id) for r in chunk]
            col.upsert(
                ids=[r.id for r in chunk],
                documents=[r.text for r in chunk],
                embeddings=vectors,
                metadatas=[{**r.meta, "hash": r.hash, "record": json.dumps(r.record)} for r in chunk],
            )
        return len(rows) if table == PROGRAMS else 0

    def delete(self, table: str, ids: Iterable[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), BATCH):
            self._col(table).delete(ids=ids[start:start + BATCH])

    def query(self, vector: list[float], k: int) -> list[tuple[str, float]]:
        """Nearest programs as (id, cosine similarity)."""
        try:
            n = min(k, self.programs.count())
            if n == 0:
                return []
            got = self.programs.query(query_embeddings=[vector], n_results=n,  # type: ignore[arg-type]
                                      include=["distances"])
        except Exception as exc:
            raise StoreUnavailableError(f"index query failed ({exc}); if FINDER_CHROMA_URL is set, check that the "
                                        "Chroma server is running, otherwise run `finder ingest` to rebuild") from exc
        return [(rid, 1.0 - float(d)) for rid, d in zip(got["ids"][0], (got["distances"] or [[]])[0], strict=True)]

    def copy_from(self, other: Generation) -> None:
        for table in (PROGRAMS, NOTICES):
            src, dst = other._col(table), self._col(table)
            for offset in range(0, src.count(), BATCH):
                got = src.get(include=["embeddings", "documents", "metadatas"], limit=BATCH, offset=offset)
                dst.upsert(ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"],
                           metadatas=got["metadatas"])

    def close(self) -> None:
        if self._close:
            self._close = False  # closing twice must not release another holder's share
            _release(self.client)

    def _col(self, table: str):
        return self.programs if table == PROGRAMS else self.notices


def _placeholder(key: str) -> list[float]:
    angle = (int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 3600) / 3600 * 2 * math.pi
    return [math.cos(angle), math.sin(angle)]


# Chroma shares one System per folder between every PersistentClient opened on it. A reader and a
# refresh in the same process may hold the same folder, so the System stops only with its last holder.
_HOLDERS: dict[str, int] = {}
_HOLDERS_LOCK = threading.Lock()


def persistent_client(path: str) -> ClientAPI:
    """An embedded client on `path`, counted as one more holder of its shared System (see `_release`)."""
    import chromadb

    with _HOLDERS_LOCK:
        client = chromadb.PersistentClient(path=path, settings=_chroma_settings())
        ident = getattr(client, "_identifier", None)
        if ident:
            _HOLDERS[ident] = _HOLDERS.get(ident, 0) + 1
        return client


def _release(client: ClientAPI) -> None:
    from chromadb.api.shared_system_client import SharedSystemClient

    ident = getattr(client, "_identifier", None)
    if not ident:
        return
    with _HOLDERS_LOCK:
        _HOLDERS[ident] = _HOLDERS.get(ident, 1) - 1
        if _HOLDERS[ident] > 0:
            return
        del _HOLDERS[ident]
        system = SharedSystemClient._identifier_to_system.pop(ident, None)
    if system is not None:
        system.stop()
