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
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from finder.catalog.model import TEXT_RECIPE
from finder.errors import IndexMissingError, StoreUnavailableError
from finder.index.embeddings import Embedder
from finder.index.generation import (
    NOTICES,
    PROGRAMS,
    Generation,
    _chroma_settings,
    _release,
    persistent_client,
)
from finder.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI


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

    # -- what the last clean refresh read (embedded store) -------------------------------------------
    @property
    def sources_file(self) -> Path:
        """Written by a clean refresh: a digest of its sources, so an unchanged refresh can stop early."""
        return self.root / "SOURCES.json"

    def forget_sources(self) -> None:
        """A reader found the generation damaged: the next refresh must check everything, not stop early."""
        with contextlib.suppress(OSError):
            self.sources_file.unlink(missing_ok=True)

    def generation_files(self, generation: str) -> list[str]:
        """Each file of an embedded generation with its size. Not its time: readers rewrite Chroma's files
        when they close them, with the same content."""
        folder = self.root / "generations" / generation
        return sorted(f"{p.relative_to(folder)}:{p.stat().st_size}" for p in folder.rglob("*") if p.is_file())

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
            local = persistent_client(str(path))
        except Exception as exc:
            raise IndexMissingError(f"index folder {path} cannot be opened ({exc}); run `finder ingest`") from exc
        if not create:
            try:
                names = {c.name if hasattr(c, "name") else str(c) for c in local.list_collections()}
            except Exception as exc:
                _release(local)
                raise IndexMissingError(f"index folder {path} cannot be read ({exc}); run `finder ingest`") from exc
            if f"{self.base}-{PROGRAMS}" not in names:
                _release(local)
                raise IndexMissingError(f"index generation {generation} was built with another embedding model or "
                                        f"backend, not {self.embedder.model_name}; run `finder ingest` to rebuild")
        return Generation(local, generation, f"{self.base}-", self.embedder, close=True)

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
            import chromadb

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
