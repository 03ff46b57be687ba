"""QVHighlights moment retrieval + highlight detection, as moment_detr's ``standalone_eval/eval.py``.

Reproduced quirks (each matters for the exact numbers):

- only the first 10 predicted windows of a query, in file order, enter mAP (then sorted by score,
  stable); top-1 for R1 is the *first* window in file order, not the best-scored one;
- R1 compares the top-1 window with the ground-truth window it overlaps most;
- mAP per query is the VOC-2011 interpolated AP at IoU 0.5:0.05:0.95, then averaged over queries;
- length buckets keep only the ground-truth windows whose length is in (0, 10], (10, 30] or
  (30, 150] seconds and the queries that still have one; ``full`` keeps everything;
- highlight ground truth has ``int(duration / 2)`` clips; predicted saliency is cut or zero-padded
  to that length for AP, while Hit@1 takes the arg-max over the whole prediction (a clip past the
  end is a miss); AP is the reference's mean interpolated precision over recall levels;
- every number is ``float(f"{100 * value:.2f}")``; the averaged mAP is averaged before rounding;
- the submission must cover exactly the ground-truth qids.
"""

from __future__ import annotations

from collections import defaultdict
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
from ..errors import InputError
from .detection_ap import query_average_precisions
from .ranking import ranked_ap_batch
from .temporal_iou import cross_iou, padded_windows, paired_iou

IOU_THRESHOLDS: tuple[float, ...] = tuple(float(f"{t:.2f}") for t in np.linspace(0.5, 0.95, 10))
MAX_PRED_WINDOWS = 10
LENGTH_BUCKETS: dict[str, tuple[float, float] | None] = {
    "short": (0.0, 10.0),
    "middle": (10.0, 30.0),
    "long": (30.0, 150.0),
    "full": None,
}
SALIENCY_LEVELS: dict[str, int] = {"Fair": 2, "Good": 3, "VeryGood": 4}
CLIP_SECONDS = 2.0
NUM_SALIENCY_ANNOTATORS = 3


def official_round(fraction: float) -> float:
    """A fraction as the reference prints it: a percentage with two decimals."""
    return float(f"{100 * fraction:.2f}")


@dataclass(frozen=True)
class MomentBucketScores:
    """Moment retrieval in one length bucket: mAP and R1 per IoU threshold (percent, 2 decimals)."""

    map_by_iou: dict[str, float]
    map_average: float
    r1_by_iou: dict[str, float]
    num_queries: int

    def to_dict(self) -> dict:
        return {"MR-mAP": {**self.map_by_iou, "average": self.map_average}, "MR-R1": dict(self.r1_by_iou)}


@dataclass(frozen=True)
class HighlightLevelScores:
    """Highlight detection with clips of at least one saliency level counted as positive (percent)."""

    map: float
    hit1: float

    def to_dict(self) -> dict:
        return {"HL-mAP": self.map, "HL-Hit1": self.hit1}


@dataclass(frozen=True)
class QVHighlightsResult:
    """The official evaluator's output; ``to_dict()`` has its exact keys and nesting."""

    moments: dict[str, MomentBucketScores]
    highlights: dict[str, HighlightLevelScores]

    def brief(self) -> dict[str, float]:
        brief: dict[str, float] = {}
        if self.moments:
            full = self.moments["full"]
            moment_brief = {
                "MR-full-mAP": full.map_average,
                "MR-full-mAP@0.5": full.map_by_iou["0.5"],
                "MR-full-mAP@0.75": full.map_by_iou["0.75"],
                "MR-short-mAP": self.moments["short"].map_average,
                "MR-middle-mAP": self.moments["middle"].map_average,
                "MR-long-mAP": self.moments["long"].map_average,
                "MR-full-R1@0.5": full.r1_by_iou["0.5"],
                "MR-full-R1@0.7": full.r1_by_iou["0.7"],
            }
            brief.update(sorted(moment_brief.items()))
        for level, scores in self.highlights.items():
            brief[f"HL-min-{level}-mAP"] = scores.map
            brief[f"HL-min-{level}-Hit1"] = scores.hit1
        return brief

    def to_dict(self) -> dict:
        sections: dict[str, dict] = {name: s.to_dict() for name, s in self.moments.items()}
        sections.update({f"HL-min-{level}": s.to_dict() for level, s in self.highlights.items()})
        return {"brief": self.brief(), **dict(sorted(sections.items()))}


def evaluate_qvhighlights(
    predictions: list[MomentPrediction],
    ground_truth: list[MomentQuery],
    pred_path: str | Path = "predictions",
) -> QVHighlightsResult:
    """Score a submission against ground truth exactly as the official QVHighlights evaluator."""
    check_same_queries(predictions, ground_truth, pred_path)
    moments: dict[str, MomentBucketScores] = {}
    if all(p.windows for p in predictions):
        ranked_windows = {p.qid: ranked_prediction_windows(p) for p in predictions}
        moments = {
            name: score_length_bucket(predictions, ground_truth, span, ranked_windows)
            for name, span in LENGTH_BUCKETS.items()
        }
    highlights: dict[str, HighlightLevelScores] = {}
    if all(p.saliency is not None for p in predictions):
        highlights = _score_highlights(predictions, ground_truth)
    if not moments and not highlights:
        raise InputError(f"{pred_path}: every prediction needs pred_relevant_windows or pred_saliency_scores")
    return QVHighlightsResult(moments=moments, highlights=highlights)


def evaluate_qvhighlights_files(pred_path: str | Path, gt_path: str | Path) -> QVHighlightsResult:
    predictions = load_moment_predictions(pred_path, require_windows=False)
    ground_truth = load_moment_annotations(gt_path)
    return evaluate_qvhighlights(predictions, ground_truth, pred_path)


# -- moment retrieval ------------------------------------------------------------------------------


def _windows_in_bucket(query: MomentQuery, span: tuple[float, float] | None) -> np.ndarray:
    windows = query.relevant_windows
    if span is not None:
        low, high = span
        windows = [w for w in windows if low < w[1] - w[0] <= high]
    return np.array(windows, dtype=float).reshape(-1, 2)


def ranked_prediction_windows(prediction: MomentPrediction) -> np.ndarray:
    """(P, 2) the first ``MAX_PRED_WINDOWS`` windows in file order, then by decreasing score (stable)."""
    ranked = sorted(prediction.windows[:MAX_PRED_WINDOWS], key=lambda w: -w[2])
    return np.array([w[:2] for w in ranked], dtype=float).reshape(-1, 2)


def score_length_bucket(
    predictions: list[MomentPrediction],
    ground_truth: list[MomentQuery],
    span: tuple[float, float] | None,
    ranked_windows: dict | None = None,
) -> MomentBucketScores:
    """mAP and R1 over the queries that have a ground-truth window in ``span`` (all when None).

    ``ranked_windows`` maps qid to ``ranked_prediction_windows`` when already computed.
    """
    gt_by_qid = {q.qid: _windows_in_bucket(q, span) for q in ground_truth}
    kept = [p for p in predictions if len(gt_by_qid[p.qid])]
    if not kept:
        zeros = {str(t): 0.0 for t in IOU_THRESHOLDS}
        return MomentBucketScores(zeros, 0.0, dict(zeros), 0)
    if ranked_windows is None:
        ranked_windows = {p.qid: ranked_prediction_windows(p) for p in kept}
    gt_windows = [gt_by_qid[p.qid] for p in kept]
    ap_rows = query_average_precisions([ranked_windows[p.qid] for p in kept], gt_windows, np.array(IOU_THRESHOLDS))
    ap_by_threshold = ap_rows.mean(axis=0)
    top1_iou = _top1_ious(kept, gt_windows)
    return MomentBucketScores(
        map_by_iou={str(t): official_round(v) for t, v in zip(IOU_THRESHOLDS, ap_by_threshold, strict=True)},
        map_average=official_round(float(np.mean(ap_by_threshold))),
        r1_by_iou={str(t): official_round(float(np.mean(top1_iou >= t))) for t in IOU_THRESHOLDS},
        num_queries=len(kept),
    )


def _top1_ious(predictions: list[MomentPrediction], gt_windows: list[np.ndarray]) -> np.ndarray:
    """IoU of each query's first window with the GT window that overlaps it most (the first such)."""
    top1 = np.array([p.windows[0][:2] for p in predictions], dtype=float)
    padded_gt, valid = padded_windows(gt_windows)
    ious = np.where(valid, cross_iou(top1[:, None], padded_gt)[:, 0], -np.inf)
    best_gt = padded_gt[np.arange(len(top1)), np.argmax(ious, axis=1)]
    return paired_iou(top1, best_gt)


# -- highlight detection ---------------------------------------------------------------------------


def clip_saliency_matrix(query: MomentQuery) -> np.ndarray:
    """(int(duration / 2), 3) annotator scores 0-4 for every 2 s clip (0 outside relevant clips)."""
    num_clips = int(query.duration / CLIP_SECONDS)
    matrix = np.zeros((num_clips, NUM_SALIENCY_ANNOTATORS))
    if not query.relevant_clip_ids:
        return matrix
    clip_ids = np.asarray(query.relevant_clip_ids)
    if clip_ids.max() >= num_clips:
        raise InputError(
            f"{query.where}: field 'relevant_clip_ids': clip {clip_ids[clip_ids >= num_clips][0]} is past the "
            f"end of a {query.duration} s video ({num_clips} clips)"
        )
    if any(len(scores) != NUM_SALIENCY_ANNOTATORS for scores in query.saliency_scores):
        raise InputError(f"{query.where}: field 'saliency_scores': expected 3 annotator scores per clip")
    matrix[clip_ids] = query.saliency_scores
    return matrix


def positive_clips(query: MomentQuery) -> np.ndarray:
    """(clips, levels x annotators) 0/1: clip reaches the level for that annotator; level-major columns."""
    minimums = np.array(list(SALIENCY_LEVELS.values()))
    positives = clip_saliency_matrix(query)[:, None, :] >= minimums[:, None]
    return positives.reshape(len(positives), -1).astype(float)


def _score_highlights(
    predictions: list[MomentPrediction], ground_truth: list[MomentQuery]
) -> dict[str, HighlightLevelScores]:
    gt_by_qid = {q.qid: q for q in ground_truth}
    for prediction in predictions:
        if not gt_by_qid[prediction.qid].has_saliency:
            raise InputError(
                f"{gt_by_qid[prediction.qid].where}: field 'relevant_clip_ids': missing, "
                "needed to score pred_saliency_scores"
            )
    positives = [positive_clips(gt_by_qid[p.qid]) for p in predictions]
    scores = [np.asarray(p.saliency, dtype=float) for p in predictions]
    shape = (len(predictions), len(SALIENCY_LEVELS), NUM_SALIENCY_ANNOTATORS)
    hit_rows = _hits_at_one(scores, positives).reshape(shape)
    ap_rows = _fitted_ranked_aps(scores, positives).reshape(shape)
    return {
        level: HighlightLevelScores(
            map=official_round(float(np.mean(ap_rows[:, i]))),
            hit1=official_round(float(np.mean(hit_rows[:, i].max(axis=1)))),
        )
        for i, level in enumerate(SALIENCY_LEVELS)
    }


def _hits_at_one(scores: list[np.ndarray], positives: list[np.ndarray]) -> np.ndarray:
    """Per query and column: is the arg-max clip of the whole prediction positive (past the labels: a miss)."""
    padded = np.full((len(scores), max(len(s) for s in scores)), -np.inf)
    for row, query_scores in zip(padded, scores, strict=True):
        row[: len(query_scores)] = query_scores
    best = np.argmax(padded, axis=1)
    hits = np.zeros((len(scores), positives[0].shape[1]))
    for i, (clip, labels) in enumerate(zip(best, positives, strict=True)):
        if clip < len(labels):
            hits[i] = labels[clip]
    return hits


def _fitted_ranked_aps(scores: list[np.ndarray], positives: list[np.ndarray]) -> np.ndarray:
    """Per query and column: ``ranked_ap_columns`` with the scores fitted to the labelled clips."""
    aps = np.zeros((len(scores), positives[0].shape[1]))
    rows_by_clips: dict[int, list[int]] = defaultdict(list)
    for i, labels in enumerate(positives):
        rows_by_clips[len(labels)].append(i)
    for num_clips, rows in rows_by_clips.items():
        labels = np.stack([positives[i] for i in rows])
        fitted = np.stack([_fit_length(scores[i], num_clips) for i in rows])
        aps[rows] = ranked_ap_batch(labels, fitted)
    return aps


def _fit_length(scores: np.ndarray, num_clips: int) -> np.ndarray:
    """Cut or zero-pad predicted saliency to the labelled clips, as the reference does for AP."""
    fitted = np.zeros(num_clips)
    fitted[: min(num_clips, len(scores))] = scores[:num_clips]
    return fitted
