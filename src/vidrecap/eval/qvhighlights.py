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
from .ranking import ranked_ap_columns, voc_interpolated_ap
from .temporal_iou import cross_iou, paired_iou

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
        moments = {
            name: score_length_bucket(predictions, ground_truth, span)
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


def score_length_bucket(
    predictions: list[MomentPrediction],
    ground_truth: list[MomentQuery],
    span: tuple[float, float] | None,
    cache: dict | None = None,
) -> MomentBucketScores:
    """mAP and R1 over the queries that have a ground-truth window in ``span`` (all when None)."""
    cache = {} if cache is None else cache
    gt_by_qid = {q.qid: _windows_in_bucket(q, span) for q in ground_truth}
    kept = [p for p in predictions if len(gt_by_qid[p.qid])]
    thresholds = np.array(IOU_THRESHOLDS)
    if not kept:
        zeros = {str(t): 0.0 for t in IOU_THRESHOLDS}
        return MomentBucketScores(zeros, 0.0, dict(zeros), 0)
    ap_rows = np.array([_cached_query_ap(p, gt_by_qid[p.qid], thresholds, cache) for p in kept])
    ap_by_threshold = ap_rows.mean(axis=0)
    top1_iou = _top1_ious(kept, gt_by_qid)
    return MomentBucketScores(
        map_by_iou={str(t): official_round(v) for t, v in zip(IOU_THRESHOLDS, ap_by_threshold, strict=True)},
        map_average=official_round(float(np.mean(ap_by_threshold))),
        r1_by_iou={str(t): official_round(float(np.mean(top1_iou >= t))) for t in IOU_THRESHOLDS},
        num_queries=len(kept),
    )


def _cached_query_ap(
    prediction: MomentPrediction, gt_windows: np.ndarray, thresholds: np.ndarray, cache: dict
):
    key = (prediction.qid, gt_windows.tobytes())
    if key not in cache:
        cache[key] = _query_average_precision(prediction.windows, gt_windows, thresholds)
    return cache[key]


def _query_average_precision(
    windows: list[tuple[float, float, float]], gt_windows: np.ndarray, thresholds: np.ndarray
) -> np.ndarray:
    """AP at each threshold of one query's first ``MAX_PRED_WINDOWS`` windows (greedy matching)."""
    ranked = sorted(windows[:MAX_PRED_WINDOWS], key=lambda w: -w[2])
    pred = np.array([w[:2] for w in ranked], dtype=float)
    ious = cross_iou(pred, gt_windows)
    true_positive = _greedy_matches(ious, thresholds)
    hits = np.cumsum(true_positive, axis=1)
    ranks = np.arange(1, len(ranked) + 1)
    return voc_interpolated_ap(hits / ranks, hits / gt_windows.shape[0])


def _greedy_matches(ious: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """(T, P) 0/1: does prediction p (score order) take a still-free GT window at threshold t.

    Each prediction tries GT windows from the highest IoU down and takes the first free one with
    IoU >= threshold (ties between GT windows in numpy's ``argsort()[::-1]`` order, as the reference).
    """
    num_preds, num_gts = ious.shape
    if num_gts == 1:
        above = ious[:, 0][None, :] >= thresholds[:, None]
        first = np.argmax(above, axis=1)
        matches = np.zeros((len(thresholds), num_preds))
        rows = np.nonzero(above.any(axis=1))[0]
        matches[rows, first[rows]] = 1.0
        return matches
    matches = np.zeros((len(thresholds), num_preds))
    orders = [np.argsort(ious[p])[::-1] for p in range(num_preds)]
    for t, threshold in enumerate(thresholds):
        taken = np.zeros(num_gts, dtype=bool)
        for p in range(num_preds):
            for g in orders[p]:
                if ious[p, g] < threshold:
                    break
                if not taken[g]:
                    taken[g] = True
                    matches[t, p] = 1.0
                    break
    return matches


def _top1_ious(predictions: list[MomentPrediction], gt_by_qid: dict) -> np.ndarray:
    """IoU of each query's first window with the GT window that overlaps it most."""
    top1 = np.array([p.windows[0][:2] for p in predictions], dtype=float)
    best_gt = np.empty_like(top1)
    for i, prediction in enumerate(predictions):
        gt_windows = gt_by_qid[prediction.qid]
        best_gt[i] = gt_windows[int(np.argmax(cross_iou(top1[i : i + 1], gt_windows)[0]))]
    return paired_iou(top1, best_gt)


# -- highlight detection ---------------------------------------------------------------------------


def clip_saliency_matrix(query: MomentQuery) -> np.ndarray:
    """(int(duration / 2), 3) annotator scores 0-4 for every 2 s clip (0 outside relevant clips)."""
    num_clips = int(query.duration / CLIP_SECONDS)
    matrix = np.zeros((num_clips, NUM_SALIENCY_ANNOTATORS))
    for clip_id, scores in zip(query.relevant_clip_ids, query.saliency_scores, strict=True):
        if clip_id >= num_clips:
            raise InputError(
                f"{query.where}: field 'relevant_clip_ids': clip {clip_id} is past the end of a "
                f"{query.duration} s video ({num_clips} clips)"
            )
        if len(scores) != NUM_SALIENCY_ANNOTATORS:
            raise InputError(f"{query.where}: field 'saliency_scores': expected 3 annotator scores per clip")
        matrix[clip_id] = scores
    return matrix


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
    minimums = np.repeat(list(SALIENCY_LEVELS.values()), NUM_SALIENCY_ANNOTATORS)
    hits, aps = [], []
    for prediction in predictions:
        # columns: (level, annotator) pairs, level-major
        positives = np.tile(clip_saliency_matrix(gt_by_qid[prediction.qid]), len(SALIENCY_LEVELS)) >= minimums
        positives = positives.astype(float)
        scores = np.asarray(prediction.saliency, dtype=float)
        hits.append(_hit_at_one(scores, positives))
        aps.append(ranked_ap_columns(positives, _fit_length(scores, positives.shape[0])))
    hit_rows = np.array(hits).reshape(len(predictions), len(SALIENCY_LEVELS), NUM_SALIENCY_ANNOTATORS)
    ap_rows = np.array(aps).reshape(len(predictions), len(SALIENCY_LEVELS), NUM_SALIENCY_ANNOTATORS)
    return {
        level: HighlightLevelScores(
            map=official_round(float(np.mean(ap_rows[:, i]))),
            hit1=official_round(float(np.mean(hit_rows[:, i].max(axis=1)))),
        )
        for i, level in enumerate(SALIENCY_LEVELS)
    }


def _hit_at_one(scores: np.ndarray, positives: np.ndarray) -> np.ndarray:
    """Per column: is the arg-max clip positive (a clip past the labelled ones is a miss)."""
    best = int(np.argmax(scores))
    return positives[best] if best < len(positives) else np.zeros(positives.shape[1])


def _fit_length(scores: np.ndarray, num_clips: int) -> np.ndarray:
    """Cut or zero-pad predicted saliency to the labelled clips, as the reference does for AP."""
    fitted = np.zeros(num_clips)
    fitted[: min(num_clips, len(scores))] = scores[:num_clips]
    return fitted
