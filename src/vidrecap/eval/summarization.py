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
from .rank_correlation import kendall_tau_b, spearman_rho

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
    picked = knapsack_picks_batch(np.array([values], dtype=float).reshape(1, -1), weights, capacity)
    return [int(i) for i in np.flatnonzero(picked[0])]


def knapsack_picks_batch(values: np.ndarray, weights: list[int], capacity: int) -> np.ndarray:
    """``knapsack_picks`` of each row of ``values`` (K, items) with shared weights: (K, items) bool."""
    num_rows, num_items = values.shape
    best = np.zeros((num_rows, capacity + 1), dtype=np.float32)  # best value per remaining capacity
    keep = np.zeros((num_items, num_rows, capacity + 1), dtype=bool)
    for i, weight in enumerate(weights):
        if weight > capacity:
            continue
        with_item = values[:, i : i + 1] + best[:, : capacity + 1 - weight].astype(np.float64)
        better = with_item > best[:, weight:]
        best[:, weight:] = np.where(better, with_item, best[:, weight:])
        keep[i, :, weight:] = better
    picked = np.zeros((num_rows, num_items), dtype=bool)
    room = np.full(num_rows, capacity)
    rows = np.arange(num_rows)
    for i in range(num_items - 1, -1, -1):
        picked[:, i] = keep[i, rows, room]
        room -= np.where(picked[:, i], weights[i], 0)
    return picked


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
    return summaries_from_frame_scores(np.asarray(frame_scores)[None], shots, proportion)[0]


def summaries_from_frame_scores(
    frame_scores: np.ndarray, shots: list[tuple[int, int]], proportion: float = SUMMARY_PROPORTION
) -> np.ndarray:
    """``summary_from_frame_scores`` of each row of ``frame_scores`` (K, frames): (K, frames)."""
    num_frames = frame_scores.shape[1]
    weights = [last - first + 1 for first, last in shots]
    capacity = int(math.floor(num_frames * proportion))
    picked = knapsack_picks_batch(shot_means(frame_scores, shots), weights, capacity)
    summaries = np.zeros(frame_scores.shape)
    for i, (first, last) in enumerate(shots):
        summaries[picked[:, i], first : last + 1] = 1
    return summaries


def shot_means(frame_scores: np.ndarray, shots: list[tuple[int, int]]) -> np.ndarray:
    """(K, shots) mean frame score of each shot, equal bit for bit to ``frame_scores[k, first : last + 1].mean()``."""
    firsts = np.array([first for first, _ in shots], dtype=int)
    lengths = np.array([last - first + 1 for first, last in shots], dtype=int)
    means = np.zeros((frame_scores.shape[0], len(shots)))
    for length in np.unique(lengths):
        same_length = np.flatnonzero(lengths == length)
        frames = firsts[same_length, None] + np.arange(length)
        rows = frame_scores[:, frames].reshape(-1, length)
        with np.errstate(invalid="ignore"):
            means[:, same_length] = (pairwise_sums(rows) / length).reshape(len(frame_scores), -1)
    return means


def pairwise_sums(rows: np.ndarray) -> np.ndarray:
    """(m,) sum of each row of ``rows`` (m, n), added in the order numpy's 1-d pairwise summation uses.

    numpy sums a 1-d float array in blocks of 8 running partial sums (split in halves above 128
    values); a 2-d reduction may add the same values in another order, so it is spelled out here.
    """
    num_rows, length = rows.shape
    if length > 128:
        half = length // 2 - (length // 2) % 8
        return pairwise_sums(rows[:, :half]) + pairwise_sums(rows[:, half:])
    if length < 8:
        return _sequential_sums(rows)
    blocked = length - length % 8
    partial = rows[:, :8].copy()
    for start in range(8, blocked, 8):
        partial += rows[:, start : start + 8]
    p = partial.T
    total = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]))
    return _sequential_sums(rows[:, blocked:], start=total)


def _sequential_sums(rows: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    total = np.zeros(rows.shape[0]) if start is None else start
    for column in rows.T:
        total += column
    return total


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
    taus = np.nan_to_num(kendall_tau_b(frame_scores, user_scores), nan=0.0)
    rhos = np.nan_to_num(spearman_rho(frame_scores, user_scores), nan=0.0)
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
        if benchmark == "tvsum":  # one knapsack pass for the prediction and every user
            machine, *users = summaries_from_frame_scores(np.vstack([frame_scores, video.user_scores]), shots)
            score = summary_f1(machine, np.array(users), "avg")
        else:
            score = summary_f1(summary_from_frame_scores(frame_scores, shots), video.user_scores, "max")
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
