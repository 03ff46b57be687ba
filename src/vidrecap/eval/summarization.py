"""Video summarization F1 (TVSum / SumMe knapsack protocol) and rank correlation (Otani et al.).

F1, as the KTS-based evaluation of dr-dsn / vasnet / pgl-sum: predicted scores are spread over the
frames (each score covers the frames up to the next score's position), averaged per shot, and a 0/1
knapsack picks shots (weight = frames) within ``floor(0.15 * frames)``. The resulting frame summary
is compared with each user summary (overlap precision / recall, with 1e-8 in the denominators) and the
F1 values are averaged (TVSum) or maxed (SumMe).

Shots: the original protocol uses KTS change points computed from the video; without videos we use
the prediction's ``change_points`` when given, else uniform shots of 2 s (``round(2 * fps)`` frames).
TVSum user summaries are built from each user's per-frame scores with the same shots and knapsack (as
the released eccv16 h5 files were); SumMe user summaries are the users' own selections.

Rank correlation, as "Rethinking the Evaluation of Video Summaries": Kendall's tau-b of the ranks
and Spearman's rho between the per-frame predicted scores and each user's per-frame scores, averaged
over users, then over videos (a constant prediction gives NaN, counted as 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..datasets.summarization import (
    SummarizationVideo,
    SummaryPrediction,
    load_summary_predictions,
    load_summe_dir,
    load_tvsum_mat,
)
from ..errors import InputError

SUMMARY_PROPORTION = 0.15
UNIFORM_SHOT_SECONDS = 2.0


@dataclass(frozen=True)
class SummaryScore:
    f1: float
    precision: float
    recall: float


@dataclass(frozen=True)
class SummarizationResult:
    """F1 (percent), Kendall tau and Spearman rho, averaged over videos; per-video F1 too."""

    benchmark: str
    f1: float
    kendall_tau: float
    spearman_rho: float
    f1_by_video: dict[str, float]
    f1_by_category: dict[str, float]
    shots: str

    def to_dict(self) -> dict:
        return {
            "F1": self.f1,
            "Kendall": self.kendall_tau,
            "Spearman": self.spearman_rho,
            "F1_by_category": dict(self.f1_by_category),
            "F1_by_video": dict(self.f1_by_video),
            "shots": self.shots,
        }


def knapsack_picks(values: list[float], weights: list[int], capacity: int) -> list[int]:
    """0/1 knapsack by dynamic programming: indices of the picked items, ascending.

    A float32 table and a strict ``>`` as in the KTS ``knapsack_dp`` that the F1 references use, so
    that ties resolve the same way (an item is taken only if it strictly improves the value).
    """
    table = np.zeros((len(values) + 1, capacity + 1), dtype=np.float32)
    keep = np.zeros((len(values) + 1, capacity + 1), dtype=bool)
    for i, (value, weight) in enumerate(zip(values, weights, strict=True), start=1):
        table[i] = table[i - 1]
        if weight <= capacity:
            with_item = float(value) + table[i - 1, : capacity + 1 - weight].astype(np.float64)
            better = with_item > table[i - 1, weight:]
            table[i, weight:][better] = with_item[better]
            keep[i, weight:] = better
    picks, room = [], capacity
    for i in range(len(values), 0, -1):
        if keep[i, room]:
            picks.append(i - 1)
            room -= weights[i - 1]
    return sorted(picks)


def uniform_shots(
    num_frames: int, fps: float, seconds: float = UNIFORM_SHOT_SECONDS
) -> list[tuple[int, int]]:
    """Consecutive shots of ``round(seconds * fps)`` frames ``[(first, last), ...]`` covering the video."""
    length = max(1, round(seconds * fps))
    return [(start, min(start + length, num_frames) - 1) for start in range(0, num_frames, length)]


def frame_scores_from_positions(scores: list[float], positions: list[int], num_frames: int) -> np.ndarray:
    """Each score covers the frames from its position to the next one (the last to the end)."""
    frame_scores = np.zeros(num_frames)
    bounds = [*positions, num_frames]
    for i, score in enumerate(scores):
        frame_scores[bounds[i] : bounds[i + 1]] = score
    return frame_scores


def prediction_frame_scores(prediction: SummaryPrediction, video: SummarizationVideo) -> np.ndarray:
    count = len(prediction.scores)
    if prediction.positions is not None:
        positions = prediction.positions
    elif prediction.clip_seconds is not None:
        positions = [
            min(int(i * prediction.clip_seconds * video.fps), video.num_frames) for i in range(count)
        ]
    else:
        positions = [int(i * video.num_frames / count) for i in range(count)]
    return frame_scores_from_positions(prediction.scores, positions, video.num_frames)


def summary_from_frame_scores(
    frame_scores: np.ndarray, shots: list[tuple[int, int]], proportion: float = SUMMARY_PROPORTION
) -> np.ndarray:
    """0/1 per frame: the shots a knapsack picks by mean shot score within ``proportion`` of the frames."""
    num_frames = len(frame_scores)
    shot_values = [float(frame_scores[first : last + 1].mean()) for first, last in shots]
    weights = [last - first + 1 for first, last in shots]
    picks = knapsack_picks(shot_values, weights, int(math.floor(num_frames * proportion)))
    summary = np.zeros(num_frames)
    for i in picks:
        first, last = shots[i]
        summary[first : last + 1] = 1
    return summary


def summary_f1(machine: np.ndarray, users: np.ndarray, reduce: str = "avg") -> SummaryScore:
    """F1 of a 0/1 frame summary against each user's (users, frames); ``reduce`` is avg or max."""
    machine = (np.asarray(machine) > 0).astype(float)
    users = (np.asarray(users) > 0).astype(float)
    machine = np.pad(machine[: users.shape[1]], (0, max(0, users.shape[1] - len(machine))))
    f1s, precisions, recalls = [], [], []
    for user in users:
        overlap = float((machine * user).sum())
        precision = overlap / (machine.sum() + 1e-8)
        recall = overlap / (user.sum() + 1e-8)
        f1s.append(0.0 if precision == 0 and recall == 0 else 2 * precision * recall / (precision + recall))
        precisions.append(precision)
        recalls.append(recall)
    if reduce == "max":
        best = int(np.argmax(f1s))
        return SummaryScore(f1s[best], precisions[best], recalls[best])
    return SummaryScore(float(np.mean(f1s)), float(np.mean(precisions)), float(np.mean(recalls)))


def rank_correlations(frame_scores: np.ndarray, user_scores: np.ndarray) -> tuple[float, float]:
    """Mean over users of Kendall's tau-b (of ranks) and Spearman's rho; NaN counts as 0."""
    from scipy.stats import kendalltau, rankdata, spearmanr

    taus, rhos = [], []
    for user in user_scores:
        tau = kendalltau(rankdata(-frame_scores), rankdata(-user))[0]
        rho = spearmanr(frame_scores, user)[0]
        taus.append(0.0 if math.isnan(tau) else float(tau))
        rhos.append(0.0 if math.isnan(rho) else float(rho))
    return float(np.mean(taus)), float(np.mean(rhos))


def evaluate_summarization(
    predictions: list[SummaryPrediction], videos: list[SummarizationVideo], benchmark: str = "tvsum"
) -> SummarizationResult:
    """``benchmark`` "tvsum" (knapsack user summaries, mean F1) or "summe" (user selections, max F1)."""
    by_vid = {p.vid: p for p in predictions}
    known = {v.video_id for v in videos}
    for prediction in predictions:
        if prediction.vid not in known:
            raise InputError(
                f"{prediction.where}: field 'vid': {prediction.vid!r} is not in the ground truth"
            )
    f1_by_video, taus, rhos, categories = {}, [], [], {}
    used_change_points = False
    for video in videos:
        if video.video_id not in by_vid:
            raise InputError(f"predictions: field 'vid': no prediction for video {video.video_id!r}")
        prediction = by_vid[video.video_id]
        shots = prediction.change_points or uniform_shots(video.num_frames, video.fps)
        used_change_points |= prediction.change_points is not None
        _check_shots(shots, video, prediction)
        frame_scores = prediction_frame_scores(prediction, video)
        machine = summary_from_frame_scores(frame_scores, shots)
        if benchmark == "tvsum":
            users = np.array([summary_from_frame_scores(u, shots) for u in video.user_scores])
            score = summary_f1(machine, users, "avg")
        else:
            score = summary_f1(machine, video.user_scores, "max")
        f1_by_video[video.video_id] = score.f1
        categories.setdefault(video.category or "all", []).append(score.f1)
        tau, rho = rank_correlations(frame_scores, video.user_scores)
        taus.append(tau)
        rhos.append(rho)
    return SummarizationResult(
        benchmark=benchmark,
        f1=round(100 * float(np.mean(list(f1_by_video.values()))), 2),
        kendall_tau=round(float(np.mean(taus)), 4),
        spearman_rho=round(float(np.mean(rhos)), 4),
        f1_by_video={k: round(100 * v, 2) for k, v in f1_by_video.items()},
        f1_by_category={k: round(100 * float(np.mean(v)), 2) for k, v in sorted(categories.items())},
        shots="given change points" if used_change_points else f"uniform {UNIFORM_SHOT_SECONDS:g} s",
    )


def _check_shots(
    shots: list[tuple[int, int]], video: SummarizationVideo, prediction: SummaryPrediction
) -> None:
    if shots[-1][1] >= video.num_frames:
        raise InputError(
            f"{prediction.where}: field 'change_points': frame {shots[-1][1]} is past the "
            f"video's {video.num_frames} frames"
        )


def evaluate_summarization_files(
    pred_path: str | Path, gt_path: str | Path, benchmark: str
) -> SummarizationResult:
    videos = load_tvsum_mat(gt_path) if benchmark == "tvsum" else load_summe_dir(gt_path)
    return evaluate_summarization(load_summary_predictions(pred_path), videos, benchmark)
