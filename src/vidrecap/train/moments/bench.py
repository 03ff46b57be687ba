"""The benchmarks the moment head trains on: which annotation loader, which of the suite's evaluators.

- ``qvhighlights``: QVHighlights jsonl (windows + clip saliency); QVHighlights' brief metrics.
- ``charades``, ``tacos``: the same jsonl with windows only; top-1 recall / mAP (moment retrieval).
- ``tvsum``, ``youtube``: highlight jsonl (``label`` per clip and annotator, no windows); the
  saliency target is the mean over annotators and the score is the benchmark's highlight mAP.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .data import MomentSample, load_samples

MOMENT_BENCHMARKS = ("qvhighlights", "charades", "tacos")
HIGHLIGHT_BENCHMARKS = ("tvsum", "youtube")
BENCHMARKS = MOMENT_BENCHMARKS + HIGHLIGHT_BENCHMARKS


def load_annotations(benchmark: str, path: Path) -> list:
    """``benchmark``'s ground truth: ``MomentQuery`` or ``HighlightVideo`` records."""
    if benchmark in MOMENT_BENCHMARKS:
        from ...datasets.moments import load_moment_annotations

        return load_moment_annotations(path)
    from ...datasets.highlights import load_highlight_annotations

    return load_highlight_annotations(path)


def load_benchmark_samples(benchmark: str, path: Path, features, text) -> list:
    """Training samples (``MomentSample``) from ``path`` in ``benchmark``'s annotation format."""
    if benchmark in MOMENT_BENCHMARKS:
        return load_samples(path, features, text)
    return load_highlight_samples(path, features, text)


def load_highlight_samples(path: Path, features, text) -> list:
    from ...datasets.highlights import load_highlight_annotations

    samples = []
    for video in load_highlight_annotations(path):
        rows = features.load(video.vid)
        n = min(rows.shape[0], video.num_clips)
        samples.append(
            MomentSample(
                video.qid,
                video.vid,
                video.query,
                video.duration,
                rows[:n],
                text.features(video.qid, video.query),
                np.zeros((0, 2), np.float32),
                video.labels[:n].mean(axis=1).astype(np.float32),
            )
        )
    return samples


def benchmark_scores(benchmark: str, rows: list[dict], gt_file: Path | None) -> dict[str, float]:
    """The suite's evaluator for ``benchmark`` on submission ``rows`` (ground truth cut to their qids)."""
    if benchmark == "qvhighlights":
        return qvhighlights_scores(rows, gt_file)
    if benchmark in MOMENT_BENCHMARKS:
        return _retrieval_scores(rows, gt_file)
    return _highlight_scores(benchmark, rows, gt_file)


def _predictions(rows: list[dict]):
    from ...datasets.moments import MomentPrediction

    return [
        MomentPrediction(
            r["qid"], r["vid"], r["query"], [tuple(w) for w in r["pred_relevant_windows"]], r["pred_saliency_scores"]
        )
        for r in rows
    ]


def _retrieval_scores(rows: list[dict], gt_file: Path | None) -> dict[str, float]:
    from ...datasets.moments import load_moment_annotations
    from ...eval.moment_retrieval import evaluate_moment_retrieval

    qids = {r["qid"] for r in rows}
    truth = [q for q in load_moment_annotations(gt_file) if q.qid in qids]
    result = evaluate_moment_retrieval(_predictions(rows), truth).to_dict()
    return {k: float(v) for k, v in result.items() if k != "num_queries"}


def _highlight_scores(benchmark: str, rows: list[dict], gt_file: Path | None) -> dict[str, float]:
    from ...datasets.highlights import load_highlight_annotations
    from ...eval.highlight_detection import evaluate_highlight_detection

    qids = {r["qid"] for r in rows}
    videos = [v for v in load_highlight_annotations(gt_file) if v.qid in qids]
    padded = []
    by_qid = {v.qid: v for v in videos}
    for r in rows:  # features may cover fewer clips than the labels: the rest score lowest
        scores = list(r["pred_saliency_scores"])
        missing = by_qid[r["qid"]].num_clips - len(scores)
        padded.append({**r, "pred_saliency_scores": scores + [min(scores, default=0.0) - 1.0] * max(0, missing)})
    result = evaluate_highlight_detection(_predictions(padded), videos, "tvsum" if benchmark == "tvsum" else "youtube")
    return {"HL-mAP": float(result.map_mean)}


def qvhighlights_scores(rows: list[dict], gt_file: Path | None) -> dict[str, float]:
    """The suite's QVHighlights brief metrics for ``rows`` (ground truth restricted to their qids)."""
    from ...datasets.moments import MomentPrediction, load_moment_annotations
    from ...eval.qvhighlights import evaluate_qvhighlights

    qids = {r["qid"] for r in rows}
    truth = [q for q in load_moment_annotations(gt_file) if q.qid in qids]
    predictions = [
        MomentPrediction(
            r["qid"],
            r["vid"],
            r["query"],
            [tuple(w) for w in r["pred_relevant_windows"]],
            r["pred_saliency_scores"],
        )
        for r in rows
    ]
    return evaluate_qvhighlights(predictions, truth).brief()
