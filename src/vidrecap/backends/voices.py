"""Speaker embeddings: the GE2E voice encoder whose weights ship in the ``resemblyzer`` wheel.

Resemblyzer (Apache-2.0) packages ``pretrained.pt``: a 3-layer LSTM (256 units) over 40-band mel
power spectra (25 ms windows, 10 ms hop, 16 kHz) whose last hidden state, through a linear layer,
ReLU and L2 norm, is a 256-d voice embedding trained with the generalised end-to-end loss on
LibriSpeech, VoxCeleb 1 and 2. Its own preprocessing imports librosa and webrtcvad; we load only
the weights (``pip install --no-deps resemblyzer``) and compute the same spectra with numpy.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import BackendError
from ..registry import register

SAMPLE_RATE = 16_000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
TARGET_DBFS = -30.0  # the encoder was trained on speech normalised to this loudness


def weights_path() -> Path:
    """``pretrained.pt`` inside the installed resemblyzer package (found without importing it)."""
    from importlib.util import find_spec

    spec = find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise BackendError("the speaker encoder needs resemblyzer's weights: "
                           "pip install --no-deps resemblyzer==0.1.4 (scripts/setup.sh does)")
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    if not path.exists():
        raise BackendError(f"{path}: resemblyzer's voice encoder weights are missing")
    return path


@lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
    """(N_MELS, N_FFT // 2 + 1) triangular filters on the Slaney mel scale, area-normalised
    (the scale and norm librosa uses by default, which the encoder was trained with)."""
    def hz_to_mel(f):
        f = np.asarray(f, dtype=np.float64)
        lin = f / (200.0 / 3)
        log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
        return np.where(f >= 1000.0, log, lin)

    def mel_to_hz(m):
        m = np.asarray(m, dtype=np.float64)
        return np.where(m >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0)), m * (200.0 / 3))

    fft_freqs = np.linspace(0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


def mel_power(audio: np.ndarray) -> np.ndarray:
    """(frames, N_MELS) mel power spectrogram, centred frames with zero padding (10 ms hop)."""
    padded = np.pad(audio.astype(np.float32), N_FFT // 2)
    n = 1 + (padded.size - N_FFT) // HOP
    if n <= 0:
        return np.zeros((0, N_MELS), np.float32)
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n)[:, None]
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)  # periodic Hann
    spec = np.abs(np.fft.rfft(padded[idx] * window, axis=1)) ** 2
    return (spec.astype(np.float32) @ mel_filters().T).astype(np.float32)


def normalise_loudness(audio: np.ndarray) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0
    if rms < 1e-6:
        return audio
    return (audio * (10 ** (TARGET_DBFS / 20) / rms)).astype(np.float32)


class VoiceEncoder:
    """``embed(chunks)`` -> (n, 256) unit rows, one per 16 kHz audio chunk (0.5–3 s works best)."""

    dim = 256

    def __init__(self, weights: Path | None = None, threads: int = 1):
        import torch

        self.path = weights or weights_path()
        self.torch = torch
        self.lstm = torch.nn.LSTM(N_MELS, 256, 3, batch_first=True)
        self.linear = torch.nn.Linear(256, 256)
        try:
            state = torch.load(self.path, map_location="cpu", weights_only=True)["model_state"]
            self.lstm.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("lstm.")})
            self.linear.load_state_dict({k[7:]: v for k, v in state.items() if k.startswith("linear.")})
        except (OSError, KeyError, RuntimeError) as exc:
            raise BackendError(f"{self.path}: not a voice encoder checkpoint ({exc})") from exc
        self.lstm.eval()
        self.linear.eval()
        self.threads = threads

    @property
    def signature(self) -> str:
        st = self.path.stat()
        return hashlib.sha256(f"ge2e:{st.st_size}:{self.path.name}".encode()).hexdigest()[:12]

    def embed(self, chunks: list[np.ndarray], batch: int = 32) -> np.ndarray:
        """Chunks of similar length are batched (zero-padded at the front, which the LSTM's
        final state barely sees) to keep the cost per second of speech low."""
        torch = self.torch
        mels = [mel_power(normalise_loudness(c)) for c in chunks]
        out = np.zeros((len(chunks), self.dim), np.float32)
        order = sorted(range(len(mels)), key=lambda i: len(mels[i]))
        before = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            with torch.inference_mode():
                for s in range(0, len(order), batch):
                    ids = order[s:s + batch]
                    longest = max(1, max(len(mels[i]) for i in ids))
                    x = np.zeros((len(ids), longest, N_MELS), np.float32)
                    for row, i in enumerate(ids):
                        if len(mels[i]):
                            x[row, longest - len(mels[i]):] = mels[i]
                    _, (hidden, _) = self.lstm(torch.from_numpy(x))
                    e = torch.relu(self.linear(hidden[-1])).numpy()
                    out[ids] = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-9)
        finally:
            torch.set_num_threads(before)
        return out


def _have_weights() -> bool:
    from importlib.util import find_spec

    return find_spec("resemblyzer") is not None


@register("diarizer", "embedded", summary="GE2E voice encoder (resemblyzer's packaged weights) + clustering",
          needs="resemblyzer (installed with --no-deps for its weights), torch", available=_have_weights)
def embedded_diarizer(threads: int = 1, **_) -> VoiceEncoder:
    return VoiceEncoder(threads=threads)


@register("diarizer", "none", summary="no speaker turns")
class NoDiarizer:
    spec = "none"

    def __init__(self, **_):
        pass


@register("diarizer", "hf", summary="hf:DIR — a local transformers x-vector model (e.g. WavLM/UniSpeech-SAT for "
          "speaker verification) as the voice encoder", needs="transformers; the model directory on disk")
class HFVoiceEncoder:
    """``AutoModelForAudioXVector`` from a local directory: ``embed`` returns its x-vectors, unit length."""

    def __init__(self, target: str | None = None, device: str = "cpu", threads: int = 1, **_):
        if not target or not Path(target).expanduser().is_dir():
            raise BackendError(f"--diarizer hf:DIR needs a local model directory, got {target!r}")
        try:
            import torch
            from transformers import AutoFeatureExtractor, AutoModelForAudioXVector

            self.extractor = AutoFeatureExtractor.from_pretrained(target, local_files_only=True)
            self.model = AutoModelForAudioXVector.from_pretrained(target, local_files_only=True).eval().to(device)
        except (ImportError, OSError, ValueError) as exc:
            raise BackendError(f"{target}: not a transformers x-vector model ({exc})") from exc
        self.torch, self.device, self.threads = torch, device, threads
        self.dim = int(self.model.config.xvector_output_dim)

    def embed(self, chunks: list[np.ndarray], batch: int = 8) -> np.ndarray:
        torch = self.torch
        out = np.zeros((len(chunks), self.dim), np.float32)
        with torch.inference_mode():
            for s in range(0, len(chunks), batch):
                part = [c if c.size >= 400 else np.pad(c, (0, 400 - c.size)) for c in chunks[s:s + batch]]
                inputs = self.extractor(part, sampling_rate=SAMPLE_RATE, return_tensors="pt", padding=True)
                e = self.model(**{k: v.to(self.device) for k, v in inputs.items()}).embeddings.cpu().numpy()
                out[s:s + len(part)] = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-9)
        return out
