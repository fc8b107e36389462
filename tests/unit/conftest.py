"""The fast tier: no model, no Chroma, no subprocess. These guards make a slip fail loudly."""

import subprocess

import pytest


@pytest.fixture(autouse=True)
def _no_heavy_components(monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("tests/unit must not start processes, load the model or open Chroma; "
                             "move this test to tests/integration")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr("finder.index.embeddings.Embedder.load", refuse)
    monkeypatch.setattr("finder.index.embeddings.Embedder.embed_query", refuse)
    monkeypatch.setattr("finder.index.embeddings.Embedder.embed_documents", refuse)
    monkeypatch.setattr("chromadb.PersistentClient", refuse)
    monkeypatch.setattr("chromadb.HttpClient", refuse)
