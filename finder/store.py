"""The index storage: the only module that touches Chroma.

An index is a series of generations. Each generation holds two collections (programs and notices)
whose records carry a content hash. A refresh copies the current generation aside, applies its
changes there, and then moves the pointer; readers follow the pointer, so a failed or killed refresh
leaves the previous generation serving. Embedded mode keeps each generation in its own folder;
server mode keeps each as a pair of collections on the Chroma server, with the pointer in the
metadata of a small pointer collection.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings

from finder.catalog import TEXT_RECIPE
from finder.embeddings import Embedder
from finder.errors import IndexMissingError, StoreUnavailableError
from finder.settings import Settings

PROGRAMS = "programs"
NOTICES = "notices"
BATCH = 2000


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
        return {"model_path": self.embedder.model_path}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> _ChromaEmbedding:
        return _ChromaEmbedding(Embedder(config["model_path"]))


@dataclass(frozen=True)
class Row:
    """One stored record: id, hash of its content, the text to embed, its metadata and the full record."""

    id: str
    hash: str
    text: str
    meta: dict[str, str | int | float | bool]
    record: dict[str, Any]


def _chroma_settings() -> ChromaSettings:
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


class Generation:
    """One complete, consistent copy of the index."""

    def __init__(self, client: ClientAPI, name: str, prefix: str, embedder: Embedder, *, close: bool) -> None:
        self.client, self.name, self.embedder, self._close = client, name, embedder, close
        ef: Any = _ChromaEmbedding(embedder)  # Chroma's protocol type is wider than the text-only one we implement
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

    def query(self, vector: list[float], k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Nearest programs as (id, cosine similarity)."""
        try:
            n = min(k, self.programs.count())
            if n == 0:
                return []
            got = self.programs.query(query_embeddings=[vector], n_results=n, where=where or None,  # type: ignore[arg-type]
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
            _release(self.client)

    def _col(self, table: str):
        return self.programs if table == PROGRAMS else self.notices


def _placeholder(key: str) -> list[float]:
    angle = (int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 3600) / 3600 * 2 * math.pi
    return [math.cos(angle), math.sin(angle)]


def _release(client: ClientAPI) -> None:
    ident = getattr(client, "_identifier", None)
    system = SharedSystemClient._identifier_to_system.pop(ident, None) if ident else None
    if system is not None:
        system.stop()


class Store:
    """Finds, creates, switches and drops generations in the embedded folder or on a Chroma server."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings, self.embedder = settings, embedder
        self.root = Path(settings.index_dir)
        self.base = f"{embedder.model_name}-{TEXT_RECIPE}"
        self._server: ClientAPI | None = None

    # -- pointer -------------------------------------------------------------------------------
    @property
    def pointer_file(self) -> Path:
        return self.root / "CURRENT.json"

    def pointer(self) -> dict[str, Any] | None:
        """The current generation's pointer ({generation, refreshed_at, report}), or None before a first build."""
        if self.settings.chroma_url:
            try:
                meta = self._client().get_or_create_collection("finder-pointer").metadata or {}
            except Exception as exc:
                raise StoreUnavailableError(
                    f"Chroma server at {self.settings.chroma_url} is not answering ({exc}); "
                    "start it or unset FINDER_CHROMA_URL"
                ) from exc
            return json.loads(str(meta["pointer"])) if meta.get("pointer") else None
        try:
            return json.loads(self.pointer_file.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise IndexMissingError(f"{self.pointer_file} is damaged ({exc}); run `finder ingest` to rebuild") from exc

    def pointer_stamp(self) -> str:
        """Cheap change detector for readers."""
        if self.settings.chroma_url:
            return json.dumps(self.pointer())
        try:
            st = self.pointer_file.stat()
            return f"{st.st_mtime_ns}:{st.st_size}"
        except FileNotFoundError:
            return ""

    def switch(self, generation: str, **extra: Any) -> dict[str, Any]:
        ptr = {"generation": generation, "model": self.embedder.model_name, **extra}
        if self.settings.chroma_url:
            col = self._client().get_or_create_collection("finder-pointer")
            col.modify(metadata={"pointer": json.dumps(ptr)})
        else:
            tmp = self.pointer_file.with_suffix(f".{uuid.uuid4().hex}.tmp")
            tmp.write_text(json.dumps(ptr, indent=1))
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, self.pointer_file)
        return ptr

    # -- generations ---------------------------------------------------------------------------
    def new_name(self) -> str:
        return dt.datetime.now(dt.UTC).strftime("g%Y%m%dT%H%M%S") + uuid.uuid4().hex[:6]

    def open(self, generation: str, *, create: bool = False) -> Generation:
        if self.settings.chroma_url:
            client = self._client()
            prefix = f"{self.base}-{generation}-"
            if not create:
                names = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
                if f"{prefix}{PROGRAMS}" not in names:
                    raise IndexMissingError(f"index generation {generation} is missing on the Chroma server; "
                                            "run `finder ingest`")
            return Generation(client, generation, prefix, self.embedder, close=False)
        path = self.root / "generations" / generation
        if not create and not (path / "chroma.sqlite3").exists():
            raise IndexMissingError(f"index folder {path} is missing or damaged; run `finder ingest` to rebuild")
        path.mkdir(parents=True, exist_ok=True)
        try:
            client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
        except Exception as exc:
            raise IndexMissingError(f"index folder {path} cannot be opened ({exc}); run `finder ingest`") from exc
        return Generation(client, generation, f"{self.base}-", self.embedder, close=True)

    def fork(self, source: str | None) -> Generation:
        """A new generation holding a copy of `source` (or empty)."""
        name = self.new_name()
        if source and not self.settings.chroma_url:
            src = self.root / "generations" / source
            if (src / "chroma.sqlite3").exists():
                try:
                    shutil.copytree(src, self.root / "generations" / name)
                    return self.open(name)
                except BaseException:
                    self.drop(name)
                    raise
        gen = self.open(name, create=True)
        if source and self.settings.chroma_url:
            old = self.open(source)
            gen.copy_from(old)
        return gen

    def generations(self) -> list[str]:
        if self.settings.chroma_url:
            names = [c.name if hasattr(c, "name") else str(c) for c in self._client().list_collections()]
            suffix = f"-{PROGRAMS}"
            return sorted({n[len(self.base) + 1:-len(suffix)] for n in names
                           if n.startswith(self.base + "-") and n.endswith(suffix)})
        folder = self.root / "generations"
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    def drop(self, generation: str) -> None:
        if self.settings.chroma_url:
            for table in (PROGRAMS, NOTICES):
                with contextlib.suppress(Exception):  # already gone
                    self._client().delete_collection(f"{self.base}-{generation}-{table}")
        else:
            shutil.rmtree(self.root / "generations" / generation, ignore_errors=True)

    def prune(self, keep: set[str]) -> list[str]:
        """Drop every generation not in `keep`: interrupted builds and those readers have moved past."""
        doomed = [g for g in self.generations() if g not in keep]
        for g in doomed:
            self.drop(g)
        return doomed

    def _client(self) -> ClientAPI:
        if self._server is None:
            url = urlparse(self.settings.chroma_url or "")
            try:
                self._server = chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                                   ssl=url.scheme == "https", settings=_chroma_settings())
            except Exception as exc:
                raise StoreUnavailableError(
                    f"Chroma server at {self.settings.chroma_url} is not answering ({exc}); "
                    "start it or unset FINDER_CHROMA_URL"
                ) from exc
        return self._server
