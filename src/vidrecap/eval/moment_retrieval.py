"""Charades-STA / TACoS / ActivityNet-style moment retrieval: R1@{0.3,0.5,0.7} and mIoU of the top-1 window.

Top-1 is the first window of ``pred_relevant_windows`` (file order, as the QVHighlights evaluator:
submissions list windows best first). Its IoU is taken with the ground-truth window it overlaps most
(max IoU over the query's GT windows; Charades-STA and TACoS have exactly one). Recall and mIoU are
averaged over queries and reported in percent with two decimals. The mAP columns are those of the
QVHighlights evaluator on all windows (first 10 predictions, IoU 0.5:0.05:0.95).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..datasets.moments import (
    MomentPrediction,
    MomentQuery,
    check_same_queries,
    load_moment_annotations,
    load_moment_predictions,
)
from .qvhighlights import LENGTH_BUCKETS, official_round, score_length_bucket
from .temporal_iou import cross_iou

RECALL_THRESHOLDS: tuple[float, ...] = (0.3, 0.5, 0.7)


@dataclass(frozen=True)
class MomentRetrievalResult:
    """Top-1 recall per IoU threshold, mean IoU, and the detection-style mAP (all percent)."""

    recall_at_1: dict[str, float]
    mean_iou: float
    map_by_iou: dict[str, float]
    map_average: float
    num_queries: int

    def to_dict(self) -> dict:
        row = {f"R1@{t}": v for t, v in self.recall_at_1.items()}
        row["mIoU"] = self.mean_iou
        row["mAP"] = self.map_average
        row["mAP@0.5"] = self.map_by_iou["0.5"]
        row["mAP@0.75"] = self.map_by_iou["0.75"]
        row["num_queries"] = self.num_queries
        return row


def top1_ious(predictions: list[MomentPrediction], ground_truth: list[MomentQuery]) -> np.ndarray:
    """IoU of each prediction's first window with its best-overlapping ground-truth window."""
    gt_by_qid = {q.qid: np.array(q.relevant_windows, dtype=float).reshape(-1, 2) for q in ground_truth}
    ious = np.zeros(len(predictions))
    for i, prediction in enumerate(predictions):
        top1 = np.array([prediction.windows[0][:2]], dtype=float)
        ious[i] = cross_iou(top1, gt_by_qid[prediction.qid]).max()
    return ious


def evaluate_moment_retrieval(
    predictions: list[MomentPrediction],
    ground_truth: list[MomentQuery],
    pred_path: str | Path = "predictions",
) -> MomentRetrievalResult:
    check_same_queries(predictions, ground_truth, pred_path)
    ious = top1_ious(predictions, ground_truth)
    detection = score_length_bucket(predictions, ground_truth, LENGTH_BUCKETS["full"])
    return MomentRetrievalResult(
        recall_at_1={str(t): official_round(float(np.mean(ious >= t))) for t in RECALL_THRESHOLDS},
        mean_iou=official_round(float(np.mean(ious))),
        map_by_iou=detection.map_by_iou,
        map_average=detection.map_average,
        num_queries=len(predictions),
    )


def evaluate_moment_retrieval_files(pred_path: str | Path, gt_path: str | Path) -> MomentRetrievalResult:
    predictions = load_moment_predictions(pred_path, require_windows=True)
    ground_truth = load_moment_annotations(gt_path)
    return evaluate_moment_retrieval(predictions, ground_truth, pred_path)
