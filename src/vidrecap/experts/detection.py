"""What every COCO object detector returns: ``Detection``s after per-class non-maximum suppression,
labelled in darknet's ``coco.names`` order (``COCO``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NMS_IOU = 0.45


@dataclass
class Detection:
    """One object: COCO label, score (objectness × class probability), box in pixels of the frame."""

    label: str
    score: float
    x: float
    y: float
    w: float
    h: float


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float = NMS_IOU) -> list[int]:
    """Indices kept by greedy non-maximum suppression over ``(x0, y0, x1, y1)`` boxes, best first."""
    order = np.argsort(-scores)
    keep = []
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    while len(order):
        best, rest = order[0], order[1:]
        keep.append(int(best))
        ix = np.clip(np.minimum(boxes[rest, 2], boxes[best, 2]) - np.maximum(boxes[rest, 0], boxes[best, 0]), 0, None)
        iy = np.clip(np.minimum(boxes[rest, 3], boxes[best, 3]) - np.maximum(boxes[rest, 1], boxes[best, 1]), 0, None)
        inter = ix * iy
        order = rest[inter / np.maximum(area[rest] + area[best] - inter, 1e-9) < iou]
    return keep


def detections(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, labels: Sequence[str],
               frame: tuple[int, int]) -> list[Detection]:
    """Per-class NMS over ``(x0, y0, x1, y1)`` boxes already in frame pixels, clipped to the frame
    ``(height, width)``; boxes under 2 px are dropped. Best first."""
    h, w = frame
    found = []
    for k in np.unique(classes):
        idx = np.flatnonzero(classes == k)
        for j in nms(boxes[idx], scores[idx]):
            x0, y0, x1, y1 = (float(v) for v in boxes[idx[j]])
            x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)
            if x1 - x0 >= 2 and y1 - y0 >= 2:
                found.append(Detection(labels[k], round(float(scores[idx[j]]), 4), x0, y0, x1 - x0, y1 - y0))
    found.sort(key=lambda d: -d.score)
    return found


COCO = tuple(w.replace("_", " ") for w in (  # darknet's coco.names order
    "person bicycle car motorbike aeroplane bus train truck boat traffic_light fire_hydrant stop_sign "
    "parking_meter bench bird cat dog horse sheep cow elephant bear zebra giraffe backpack umbrella handbag tie "
    "suitcase frisbee skis snowboard sports_ball kite baseball_bat baseball_glove skateboard surfboard "
    "tennis_racket bottle wine_glass cup fork knife spoon bowl banana apple sandwich orange broccoli carrot "
    "hot_dog pizza donut cake chair sofa pottedplant bed diningtable toilet tvmonitor laptop mouse remote "
    "keyboard cell_phone microwave oven toaster sink refrigerator book clock vase scissors teddy_bear "
    "hair_drier toothbrush").split())
