"""The int8 ONNX model: its cache folder, and a runner on ONNX Runtime and the model's own fast tokenizer.

No PyTorch, transformers or sentence-transformers here: a process that only asks questions imports
onnxruntime and tokenizers (a fraction of a second) instead of torch (several seconds). The export itself is
made by `embeddings.export_onnx_int8`, which puts the whole sentence-transformers pipeline (transformer,
pooling, normalisation) into the graph and checks that this runner reproduces its vectors.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "manifest.json"
# libraries whose versions can change the exported graph or its quantisation
EXPORTERS = ("torch", "transformers", "sentence-transformers", "onnxruntime", "onnx")

log = logging.getLogger(__name__)


class OnnxEncoder:
    """Text -> normalised vectors. Thread-safe.

    Each text runs alone: the int8 graph quantises activations with one scale per call, so a text batched with
    others would get a vector that depends on its neighbours. Alone it always gets the same vector, pays for no
    padding, and (measured on 2 cores) costs a quarter less CPU than batches of 32. Many texts spread over a few
    threads, one core each, which uses the cores better than splitting one text's matrix products."""

    def __init__(self, folder: Path, workers: int = 0) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.folder = folder
        self.manifest: dict[str, Any] = json.loads((folder / MANIFEST_FILE).read_text())
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(int(self.manifest["max_seq_length"]))
        self.tokenizer.no_padding()
        self.inputs: list[str] = list(self.manifest["inputs"])
        self.workers = workers or min(os.cpu_count() or 1, 4)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"])
        self.dim = int(self.manifest["dim"])

    def _one(self, text: str) -> np.ndarray:
        e = self.tokenizer.encode(text)
        arrays = {"input_ids": e.ids, "attention_mask": e.attention_mask, "token_type_ids": e.type_ids}
        feed = {name: np.asarray([arrays[name]], dtype=np.int64) for name in self.inputs}
        return self.session.run(None, feed)[0][0]

    def encode(self, texts: list[str]) -> np.ndarray:
        """One float32 row per text, in the order given."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if len(texts) < 2 or self.workers < 2:
            for i, text in enumerate(texts):
                out[i] = self._one(text)
            return out
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self.workers, thread_name_prefix="embed") as pool:  # onnxruntime frees the GIL
            for i, vector in enumerate(pool.map(self._one, texts)):
                out[i] = vector
        return out

    def encode_remembered(self, texts: list[str]) -> np.ndarray:
        """Like `encode`, but the vectors are kept in the export folder and read back by the next process
        that embeds the very same list (the scope examples each process embeds before its first answer)."""
        digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
        memo = self.folder / f"vectors-{digest}.npy"
        try:
            vectors = np.load(memo)
            if vectors.shape == (len(texts), self.dim):
                return vectors
        except (OSError, ValueError):
            pass
        vectors = self.encode(texts)
        tmp = memo.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(tmp, "wb") as fh:
                np.save(fh, vectors)
            tmp.replace(memo)
        except OSError:  # a read-only cache: embed every time
            tmp.unlink(missing_ok=True)
        return vectors


def versions() -> dict[str, str]:
    out = {}
    for pkg in EXPORTERS:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "-"
    return out


def fingerprint(model_path: str, recipe: str) -> str:
    """Changes when the model files or the libraries that export it change (cheap: no file is read)."""
    h = hashlib.sha256(recipe.encode())
    root = Path(model_path)
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        st = f.stat()
        h.update(f"{f.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    h.update(json.dumps(versions(), sort_keys=True).encode())
    return h.hexdigest()[:12]


def prepare(model_path: str, cache_dir: Path, name: str, recipe: str,
            export: Callable[[str, Path, dict[str, Any]], object]) -> Path:
    """The cached export `cache_dir/NAME-FINGERPRINT`, made by `export(model_path, folder, extra_manifest)`
    first if it is missing. One process exports at a time; a half-made export is never seen."""
    from filelock import FileLock

    fp = fingerprint(model_path, recipe)
    folder = Path(cache_dir) / f"{name}-{fp}"
    if (folder / MANIFEST_FILE).exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder.parent / f".{name}.lock")):
        if (folder / MANIFEST_FILE).exists():  # another process made it while we waited
            return folder
        tmp = folder.parent / f".{folder.name}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            log.warning("exporting the embedding model to int8 ONNX in %s (once; about a minute)", folder)
            export(model_path, tmp, {"fingerprint": fp})
            tmp.rename(folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        for old in folder.parent.glob(f"{name}-*"):  # exports for other versions of the model or libraries
            if old != folder and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    return folder
