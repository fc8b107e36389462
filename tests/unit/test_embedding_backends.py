"""Embedding backends and the int8 export's cache, and the early stop of an unchanged refresh: no model loaded,
no Chroma opened."""

import json
import os
from pathlib import Path

import pytest

from finder.errors import FinderError
from finder.index.embeddings import ONNX_INT8, RECIPE, TORCH, Embedder
from finder.index.onnx_encoder import MANIFEST_FILE, fingerprint, prepare
from finder.index.store import Store
from finder.settings import Settings
from ingest.unchanged import remember_sources, sources_key, still_unchanged


def test_each_backend_names_its_own_collections():
    path = Settings().embedding_model
    torch, onnx = Embedder(path, backend=TORCH), Embedder(path, backend=ONNX_INT8)
    assert torch.model_name == "all-minilm-l6-v2"  # indexes built before backends existed stay readable
    assert onnx.model_name == f"all-minilm-l6-v2-onnx-int8-{RECIPE}"
    assert Embedder(path).backend == ONNX_INT8  # the default
    assert Settings().embedding_backend == ONNX_INT8
    s = Settings(embedding_backend="torch", model_cache_dir=Path("/tmp/x"))
    assert Embedder.of(s).backend == TORCH and Embedder.of(s).cache_dir == Path("/tmp/x")
    assert Store(Settings(), torch).base != Store(Settings(), onnx).base


def test_unknown_backend_is_refused_by_name():
    with pytest.raises(FinderError, match="FINDER_EMBEDDING_BACKEND"):
        Embedder("x", backend="tensorflow")
    with pytest.raises(ValueError):
        Settings(embedding_backend="tensorflow")


def _fake_model(tmp_path: Path) -> Path:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "model.safetensors").write_bytes(b"weights")
    return model


def test_fingerprint_follows_the_model_files(tmp_path):
    model = _fake_model(tmp_path)
    first = fingerprint(str(model), RECIPE)
    assert fingerprint(str(model), RECIPE) == first
    assert fingerprint(str(model), "other-recipe") != first
    (model / "model.safetensors").write_bytes(b"other weights")
    assert fingerprint(str(model), RECIPE) != first


def test_export_is_made_once_atomically_and_replaces_older_ones(tmp_path):
    model, cache = _fake_model(tmp_path), tmp_path / "cache"
    calls = []

    def export(path, dest, extra):
        calls.append(dest)
        assert not dest.name.startswith("name-")  # built aside, under a hidden temporary name
        dest.mkdir()
        (dest / MANIFEST_FILE).write_text(json.dumps(extra))

    first = prepare(str(model), cache, "name", RECIPE, export)
    assert first.parent == cache and json.loads((first / MANIFEST_FILE).read_text())["fingerprint"] in first.name
    assert prepare(str(model), cache, "name", RECIPE, export) == first and len(calls) == 1
    (model / "model.safetensors").write_bytes(b"new weights")
    second = prepare(str(model), cache, "name", RECIPE, export)
    assert second != first and len(calls) == 2 and not first.exists()

    def broken(path, dest, extra):
        dest.mkdir()
        raise RuntimeError("disk full")

    (model / "model.safetensors").write_bytes(b"newer weights")
    with pytest.raises(RuntimeError):
        prepare(str(model), cache, "name", RECIPE, broken)
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith(".name.lock")) == [second.name]


def test_unchanged_sources_are_recognised_and_any_change_is_not(tmp_path):
    data = tmp_path / "data" / "agency"
    data.mkdir(parents=True)
    record = data / "1.001.yaml"
    record.write_text("id: '1.001'\n")
    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "index")
    store = Store(settings, Embedder(settings.embedding_model))
    gen = store.root / "generations" / "g1"
    gen.mkdir(parents=True)
    (gen / "chroma.sqlite3").write_bytes(b"x" * 100)
    store.switch("g1")
    notices: list[Path] = []
    assert still_unchanged(settings, store, settings.data_dir, notices) is None  # nothing recorded yet
    remember_sources(settings, store, settings.data_dir, notices, generation="g1", programs=1, notices=0, clean=True)
    last = still_unchanged(settings, store, settings.data_dir, notices)
    assert last is not None and last["programs"] == 1 and last["pointer"]["generation"] == "g1"

    key = sources_key(settings, store, settings.data_dir, notices, "g1")
    os.utime(record, ns=(1, 1))  # touched
    assert sources_key(settings, store, settings.data_dir, notices, "g1") != key
    assert still_unchanged(settings, store, settings.data_dir, notices) is None
    remember_sources(settings, store, settings.data_dir, notices, generation="g1", programs=1, notices=0, clean=True)
    (gen / "chroma.sqlite3").write_bytes(b"x" * 99)  # the index itself changed
    assert still_unchanged(settings, store, settings.data_dir, notices) is None
    remember_sources(settings, store, settings.data_dir, notices, generation="g1", programs=1, notices=0, clean=True)
    store.forget_sources()  # a reader found the generation damaged
    assert still_unchanged(settings, store, settings.data_dir, notices) is None
    remember_sources(settings, store, settings.data_dir, notices, generation="g1", programs=1, notices=0, clean=False)
    assert still_unchanged(settings, store, settings.data_dir, notices) is None  # skipped files: report them again
    remember_sources(settings, store, settings.data_dir, notices, generation="g1", programs=1, notices=0, clean=True)
    assert still_unchanged(settings.model_copy(update={"max_record_kb": 1}), store, settings.data_dir, notices) \
        is None
    assert still_unchanged(settings.model_copy(update={"chroma_url": "http://127.0.0.1:9"}), store,
                           settings.data_dir, notices) is None
