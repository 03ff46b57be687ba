"""VideoXum cross-modal summarization, as the reference ``eval_v2vt_sum.py`` / ``utils.py`` compute it.

- F1: the predicted top 15 % frames are those scoring at least the ``int(0.15 * frames)``-th largest
  score (0-based, so one more than 15 % without ties); binary F1 against each of the 10 annotators'
  ``vsum_onehot``; max and mean over annotators, then mean over videos.
- Kendall's tau-b of ranks and Spearman's rho between the predicted scores and the annotators' mean
  ``vsum_onehot`` (per video; NaN counts as 0), mean over videos. The reference passes its logits
  through a sigmoid first, which is monotone: scores are ranked as given.
- Text: BLEU-4, METEOR, ROUGE-L, CIDEr of the predicted summary (as given) against ``tsum``
  prepared as the reference dataset does (``datasets.videoxum.videoxum_reference_text``), through
  the COCO caption evaluator (``captions``: pycocoevalcap's tokenizer when Java is present).
- VT-score: the cosine between the text summary's embedding and the mean of the embeddings of the
  top ``max(1, int(0.15 * frames))`` frames (mean first, then normalised, as the reference's
  VT-CLIPScore), averaged over videos. It needs an encoder (``VTEncoder``) that the caller passes.

A prediction with a different number of frames than the annotation is compared on the first
``min(len)`` frames (the reference crops features and labels to the shorter one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..datasets.videoxum import VideoXumPrediction, VideoXumVideo
from ..errors import InputError
from .captions import CaptionScores, evaluate_captions

TOP_FRACTION = 0.15


class VTEncoder(Protocol):
    """Embeds frames of a video (1 fps indices) and a text into the same space."""

    def encode_frames(self, video_id: str, frame_indices: list[int]) -> np.ndarray: ...

    def encode_text(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True)
class VideoXumResult:
    f1_max: float | None
    f1_mean: float | None
    kendall: float | None
    spearman: float | None
    text: CaptionScores | None
    vt_score: float | None
    num_videos: int

    def to_dict(self) -> dict:
        row: dict = {
            "F1_MAX": self.f1_max,
            "F1_MEAN": self.f1_mean,
            "Kendall": self.kendall,
            "Spearman": self.spearman,
        }
        if self.text is not None:
            text = self.text.to_dict()
            row.update({k: text[k] for k in ("Bleu_4", "METEOR", "ROUGE_L", "CIDEr")})
            for key in ("METEOR_note", "tokenizer", "tokenizer_note"):
                if key in text:
                    row[key] = text[key]
        row["VT_score"] = self.vt_score
        row["num_videos"] = self.num_videos
        return row


def top_fraction_mask(scores: np.ndarray, fraction: float = TOP_FRACTION) -> np.ndarray:
    """0/1: frames scoring >= the ``int(fraction * n)``-th largest score (0-based), as the reference."""
    count = int(len(scores) * fraction)
    threshold = np.sort(scores)[::-1][count]
    return (scores >= threshold).astype(float)


def binary_f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    """F1 of the positive class; 0 when there is nothing predicted and nothing true."""
    true_positive = float(np.sum((truth == 1) & (predicted == 1)))
    denominator = 2 * true_positive + float(np.sum((truth == 0) & (predicted == 1)))
    denominator += float(np.sum((truth == 1) & (predicted == 0)))
    return 0.0 if denominator == 0 else 2 * true_positive / denominator


def video_f1(scores: np.ndarray, annotations: np.ndarray) -> tuple[float, float]:
    """(max, mean) over annotators of the top-15 % F1."""
    predicted = top_fraction_mask(scores)
    f1s = [binary_f1(row, predicted) for row in annotations]
    return max(f1s), float(np.mean(f1s))


def video_rank_correlations(scores: np.ndarray, annotations: np.ndarray) -> tuple[float, float]:
    from scipy.stats import kendalltau, rankdata, spearmanr

    consensus = annotations.mean(axis=0)
    tau = kendalltau(rankdata(-consensus), rankdata(-scores))[0]
    rho = spearmanr(consensus, scores)[0]
    return (0.0 if math.isnan(tau) else float(tau)), (0.0 if math.isnan(rho) else float(rho))


def vt_score(scores: np.ndarray, video_id: str, summary: str, encoder: VTEncoder) -> float:
    count = max(1, int(len(scores) * TOP_FRACTION))
    top = [int(i) for i in np.argsort(-scores, kind="stable")[:count]]
    frames = np.asarray(encoder.encode_frames(video_id, top), dtype=float).reshape(len(top), -1)
    text = np.asarray(encoder.encode_text(summary), dtype=float).ravel()
    visual = frames.mean(axis=0)
    norms = np.linalg.norm(visual) * np.linalg.norm(text)
    return 0.0 if norms == 0 else float(visual @ text / norms)


def evaluate_videoxum(
    predictions: list[VideoXumPrediction],
    videos: list[VideoXumVideo],
    encoder: VTEncoder | None = None,
    meteor: bool | None = None,
    tokenizer: str = "auto",
) -> VideoXumResult:
    """Score whichever parts the predictions have: saliency (F1, tau, rho) and/or text summaries."""
    by_id = {p.video_id: p for p in predictions}
    known = {v.video_id for v in videos}
    for prediction in predictions:
        if prediction.video_id not in known:
            raise InputError(f"{prediction.where}: field 'video_id': not in the ground truth")
    missing = [v.video_id for v in videos if v.video_id not in by_id]
    if missing:
        raise InputError(
            f"predictions: field 'video_id': {len(missing)} videos have no prediction: {missing[0]}"
        )
    paired = [(by_id[v.video_id], v) for v in videos]
    visual = _visual_scores(paired) if all(p.saliency for p, _ in paired) else None
    text = None
    if all(p.summary is not None for p, _ in paired):
        text = evaluate_captions(
            {v.video_id: p.summary for p, v in paired},
            {v.video_id: [v.text_summary] for _, v in paired},
            meteor,
            tokenizer,
        )
    vt = None
    if encoder is not None and visual is not None and text is not None:
        vt = float(
            np.mean(
                [vt_score(np.asarray(p.saliency, float), v.video_id, p.summary, encoder) for p, v in paired]
            )
        )
    f1_max, f1_mean, kendall, spearman = visual if visual is not None else (None, None, None, None)
    return VideoXumResult(f1_max, f1_mean, kendall, spearman, text, vt, len(videos))


def _visual_scores(
    paired: list[tuple[VideoXumPrediction, VideoXumVideo]],
) -> tuple[float, float, float, float]:
    f1_max, f1_mean, taus, rhos = [], [], [], []
    for prediction, video in paired:
        count = min(len(prediction.saliency), video.num_frames)
        scores = np.asarray(prediction.saliency[:count], dtype=float)
        annotations = video.vsum_onehot[:, :count]
        best, mean = video_f1(scores, annotations)
        tau, rho = video_rank_correlations(scores, annotations)
        f1_max.append(best)
        f1_mean.append(mean)
        taus.append(tau)
        rhos.append(rho)
    return float(np.mean(f1_max)), float(np.mean(f1_mean)), float(np.mean(taus)), float(np.mean(rhos))
