"""On-screen text with RapidOCR: PP-OCRv6 small detection + recognition (ONNX) shipped in its wheel.

Runs on onnxruntime with one thread, without the angle classifier (video text is upright). Lines
below ``min_score`` are dropped, like Tesseract's unconfident words, and so are "lines" taller than
``MAX_LINE_HEIGHT`` of the frame: the detector sometimes outlines a plain object (a hand holding a
cup against a wall) as one text region, and the recogniser then reads a glyph or two from its shape
("一", "人", "HA"); a real line of text, even a title card's, is far shorter.
"""

from __future__ import annotations

import importlib.util

import numpy as np

from ..errors import BackendError
from ..registry import register

MAX_LINE_HEIGHT = 0.5  # share of the frame's height; slide titles measure ~0.15, street signs less


def _available() -> bool:
    return importlib.util.find_spec("rapidocr") is not None


@register("ocr", "embedded", summary="PP-OCRv6 small (RapidOCR, ONNX): detection + recognition",
          needs="rapidocr==3.10.0", available=_available)
@register("ocr", "rapidocr", summary="PP-OCRv6 small (RapidOCR, ONNX); option side (default 360)",
          needs="rapidocr==3.10.0", available=_available)
class RapidTextReader:
    """``side``: the detector sees frames whose short side is at least this (upscaled if smaller).
    360 keeps 640×360 sampled frames at their size; larger values cost more and found no more words
    on our slides and signs (``benchmarks/ocr.py``)."""

    def __init__(self, threads: int = 1, min_score: float = 0.6, side: int = 360, **_):
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:
            raise BackendError("the rapidocr OCR backend needs: pip install rapidocr==3.10.0") from exc
        self._engine = RapidOCR(params={
            "Global.log_level": "critical", "Global.use_cls": False,
            "Det.limit_side_len": side, "Det.limit_type": "min",
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })
        self.min_score = min_score
        self.spec = f"rapidocr:pp-ocrv6-small:{side}:{min_score:g}:lines{MAX_LINE_HEIGHT:g}"

    def read(self, image: np.ndarray) -> str:
        result = self._engine(np.ascontiguousarray(image[:, :, ::-1]))  # RapidOCR expects BGR arrays
        texts, scores = result.txts or (), result.scores or ()
        heights = [float(np.ptp(np.asarray(b)[:, 1])) for b in result.boxes] if texts else []
        limit = MAX_LINE_HEIGHT * image.shape[0]
        lines = [t.strip() for t, s, h in zip(texts, scores, heights, strict=False)
                 if s >= self.min_score and h <= limit and t.strip()]
        return "\n".join(lines)
