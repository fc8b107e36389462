"""The int8 ONNX backend against the sentence-transformers reference, the lazy cold start it buys, and the
early stop of an unchanged refresh, on the real model and a real Chroma store."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from finder.catalog.model import scan_catalog, search_text
from finder.engine import Finder
from finder.errors import IndexMissingError
from finder.index.embeddings import TORCH, Embedder
from finder.index.onnx_encoder import MANIFEST_FILE
from finder.settings import OFFLINE_ENV, Settings
from ingest.refresh import refresh
from tests.conftest import CATALOG, ROOT, SMALL, copy_catalog, make_settings

QUERIES = ["Tell me about SS4A", "drinking water loans for a tribe", "bridge repair money for a county",
           "EV chargers along highways", "flood mitigation for a small town"]


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return Embedder(Settings().embedding_model, backend=TORCH).load()


def test_int8_vectors_stay_close_to_the_reference_and_rank_alike(embedder, torch_embedder):
    texts = [search_text(op) for _, op in scan_catalog(CATALOG) if not isinstance(op, Exception)][::8]
    docs_q8, docs_ref = np.asarray(embedder.embed_documents(texts)), np.asarray(torch_embedder.embed_documents(texts))
    cos = (docs_q8 * docs_ref).sum(1)
    assert cos.min() > 0.98 and cos.mean() > 0.99
    for q in QUERIES:  # near-ties may swap; similarities move by a few hundredths at most
        sim_q8 = docs_q8 @ np.asarray(embedder.embed_query(q))
        sim_ref = docs_ref @ np.asarray(torch_embedder.embed_query(q))
        by_q8, by_ref = np.argsort(-sim_q8)[:5], np.argsort(-sim_ref)[:5]
        assert by_ref[0] in by_q8[:2] and len(set(by_q8) & set(by_ref)) >= 4, q
        assert np.abs(sim_q8 - sim_ref).max() < 0.04, q
    manifest = json.loads((embedder._model.folder / MANIFEST_FILE).read_text())
    assert manifest["check"]["int8"]["min_cosine"] > 0.98 and manifest["check"]["float"]["min_cosine"] > 0.9999


def test_remembered_batches_equal_fresh_ones(embedder):
    texts = [f"example question number {i} about a culvert" for i in range(70)]
    first, again = embedder.embed_queries(texts), embedder.embed_queries(texts)
    assert np.allclose(first, again) and np.allclose(first[:3], embedder.embed_queries(texts[:3]), atol=1e-5)


def test_an_index_of_another_backend_is_never_read_and_is_rebuilt(tmp_path, embedder, torch_embedder):
    settings = make_settings(tmp_path, copy_catalog(tmp_path / "data", SMALL[:6]), embedding_backend="torch")
    refresh(settings, embedder=torch_embedder)
    onnx_settings = settings.model_copy(update={"embedding_backend": "onnx-int8"})
    with pytest.raises(IndexMissingError, match="another embedding model or backend.*finder ingest"):
        Finder(onnx_settings).search("SS4A")
    report = refresh(onnx_settings, embedder=embedder)
    assert report.switched and len(report.added) == 6 and "rebuilt from scratch" in report.notes[0]
    assert Finder(onnx_settings).search("Tell me about SS4A", k=3)[0].id == "20.939"


def test_a_cold_answer_loads_neither_torch_nor_sentence_transformers(small_index):
    code = textwrap.dedent(f"""
        import json, sys
        from finder.engine import Finder
        from finder.settings import Settings
        s = Settings(index_dir={str(small_index.index_dir)!r}, data_dir={str(small_index.data_dir)!r})
        answer = Finder(s).ask("Tell me about SS4A")
        print(json.dumps({{"shown": [h.id for h in answer.shown],
                          "heavy": sorted(m for m in ("torch", "transformers", "sentence_transformers",
                                                      "langchain_huggingface") if m in sys.modules)}}))
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**OFFLINE_ENV, "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["heavy"] == [] and got["shown"][0] == "20.939"


def test_an_unchanged_refresh_opens_nothing(tmp_path, embedder):
    settings = make_settings(tmp_path, copy_catalog(tmp_path / "data", SMALL[:4]))
    refresh(settings, embedder=embedder)
    code = textwrap.dedent(f"""
        import json, sys
        from ingest.refresh import refresh
        from finder.settings import Settings
        s = Settings(index_dir={str(settings.index_dir)!r}, data_dir={str(settings.data_dir)!r},
                     notices_dir={str(settings.notices_dir)!r})
        r = refresh(s)
        print(json.dumps({{"unchanged": r.unchanged, "switched": r.switched, "chroma": "chromadb" in sys.modules}}))
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**OFFLINE_ENV, "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"unchanged": 4, "switched": False, "chroma": False}


def test_a_damaged_index_of_the_same_size_is_still_rebuilt(tmp_path, embedder):
    settings = make_settings(tmp_path, copy_catalog(tmp_path / "data", SMALL[:4]))
    first = refresh(settings, embedder=embedder)
    db = settings.index_dir / "generations" / first.generation / "chroma.sqlite3"
    db.write_bytes(b"\0" * db.stat().st_size)  # same size: only a reader can tell
    with pytest.raises(IndexMissingError):
        Finder(settings).search("SS4A")
    report = refresh(settings, embedder=embedder)
    assert report.switched and "rebuilt from scratch" in report.notes[0]
    assert Finder(settings).search("Tell me about SS4A", k=3)[0].id == "20.939"
