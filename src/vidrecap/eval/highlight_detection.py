"""TVSum and YouTube Highlights highlight detection, as UMT / QD-DETR / Lighthouse evaluate them.

TVSum ("top-5 mAP"): for each of the 20 annotators, a clip is positive when its score is above the
median of that annotator's scores for the video (torch's lower median for an even count); clips are
ranked by predicted saliency and the trapezoid AP of the first 5 is taken, with recall relative to
the positives among those 5. Per domain: mean over videos, then over annotators.

YouTube Highlights: a clip is positive when its label is > 0; all clips are ranked (no cut-off);
per domain: mean AP over videos.

The overall score is the mean over domains (the "Avg." column of the papers). Scores are percent with
two decimals. Ties in predicted saliency keep clip order (a stable sort; torch's is unspecified).
If a prediction has a different number of clips than the labels, only the first
``min(len(prediction), clips)`` clips are ranked (the median still uses all labelled clips).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..datasets.highlights import HighlightVideo, load_highlight_annotations
from ..datasets.moments import MomentPrediction, load_moment_predictions
from ..errors import InputError
from .qvhighlights import official_round
from .ranking import top_k_trapezoid_ap

TVSUM_TOP_K = 5


@dataclass(frozen=True)
class HighlightDetectionResult:
    """mAP per domain and the mean over domains (percent)."""

    benchmark: str
    map_by_domain: dict[str, float]
    map_mean: float
    num_videos: int

    def to_dict(self) -> dict:
        return {
            "mAP": self.map_mean,
            "mAP_by_domain": dict(self.map_by_domain),
            "num_videos": self.num_videos,
        }


def lower_median(values: np.ndarray) -> float:
    """The lower of the two middle values for an even count (torch.median's convention)."""
    ordered = np.sort(values)
    return float(ordered[(len(ordered) - 1) // 2])


def _ranked_labels(scores: np.ndarray, positives: np.ndarray) -> np.ndarray:
    count = min(len(scores), len(positives))
    order = np.argsort(-scores[:count], kind="stable")
    return positives[:count][order]


def tvsum_video_ap(scores: np.ndarray, labels: np.ndarray, top_k: int = TVSUM_TOP_K) -> np.ndarray:
    """Top-k AP of one video for each annotator column of ``labels`` (clips, annotators)."""
    aps = []
    for column in labels.T:
        positives = (column > lower_median(column)).astype(float)
        aps.append(top_k_trapezoid_ap(_ranked_labels(scores, positives), top_k))
    return np.array(aps)


def youtube_video_ap(scores: np.ndarray, labels: np.ndarray) -> float:
    positives = (labels[:, 0] > 0).astype(float)
    return top_k_trapezoid_ap(_ranked_labels(scores, positives), None)


def evaluate_highlight_detection(
    predictions: list[MomentPrediction], videos: list[HighlightVideo], benchmark: str
) -> HighlightDetectionResult:
    """``benchmark`` is ``"tvsum"`` (top-5 mAP over annotators) or ``"youtube"`` (mAP over all clips)."""
    if benchmark not in ("tvsum", "youtube"):
        raise ValueError(f"unknown highlight benchmark {benchmark!r}")
    scores = _scores_by_qid(predictions, videos)
    per_domain: dict[str, list] = defaultdict(list)
    for video in videos:
        if benchmark == "tvsum":
            per_domain[video.domain].append(tvsum_video_ap(scores[video.qid], video.labels))
        else:
            per_domain[video.domain].append(youtube_video_ap(scores[video.qid], video.labels))
    by_domain = {}
    for domain, aps in per_domain.items():
        # TVSum: mean over videos per annotator, then over annotators (equal to the overall mean).
        by_domain[domain] = float(np.mean(np.mean(np.array(aps), axis=0)))
    return HighlightDetectionResult(
        benchmark=benchmark,
        map_by_domain={d: official_round(v) for d, v in sorted(by_domain.items())},
        map_mean=official_round(float(np.mean(list(by_domain.values())))),
        num_videos=len(videos),
    )


def _scores_by_qid(predictions: list[MomentPrediction], videos: list[HighlightVideo]) -> dict:
    by_qid = {p.qid: p for p in predictions}
    for video in videos:
        if video.qid not in by_qid:
            raise InputError(f"{video.where}: field 'qid': no prediction for {video.qid!r}")
    known = {v.qid for v in videos}
    for prediction in predictions:
        if prediction.qid not in known:
            raise InputError(
                f"{prediction.where}: field 'qid': {prediction.qid!r} is not in the ground truth"
            )
        if prediction.saliency is None:
            raise InputError(f"{prediction.where}: field 'pred_saliency_scores': missing")
    return {qid: np.asarray(p.saliency, dtype=float) for qid, p in by_qid.items()}


def evaluate_highlight_files(
    pred_path: str | Path, gt_path: str | Path, benchmark: str
) -> HighlightDetectionResult:
    predictions = load_moment_predictions(pred_path, require_windows=False, require_saliency=True)
    return evaluate_highlight_detection(predictions, load_highlight_annotations(gt_path), benchmark)
