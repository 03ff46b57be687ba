"""Time each evaluator on the shared benchmark data (QVHighlights val, TVSum).

.venv/bin/python benchmarks/eval_speed.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from vidrecap.datasets.highlights import load_highlight_annotations
from vidrecap.datasets.moments import MomentPrediction, load_moment_annotations, load_moment_predictions
from vidrecap.datasets.summarization import SummaryPrediction, load_tvsum_mat
from vidrecap.eval.highlight_detection import evaluate_highlight_detection
from vidrecap.eval.moment_retrieval import evaluate_moment_retrieval
from vidrecap.eval.qvhighlights import evaluate_qvhighlights
from vidrecap.eval.summarization import evaluate_summarization

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def timed(label: str, action, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<58} {best * 1000:8.1f} ms")
    return result


def main() -> None:
    qvh = DATA / "qvhighlights"
    preds = timed(
        "load QVHighlights sample_val_preds.jsonl",
        lambda: load_moment_predictions(qvh / "sample_val_preds.jsonl", require_windows=False),
    )
    gt = timed(
        "load QVHighlights highlight_val_release.jsonl",
        lambda: load_moment_annotations(qvh / "highlight_val_release.jsonl"),
    )
    result = timed(f"qvhighlights MR + HL ({len(preds)} queries)", lambda: evaluate_qvhighlights(preds, gt))
    print(
        f"    MR-full-mAP {result.brief()['MR-full-mAP']}  HL-min-VeryGood-mAP {result.brief()['HL-min-VeryGood-mAP']}"
    )
    timed("moment retrieval R1/mIoU (same queries)", lambda: evaluate_moment_retrieval(preds, gt))

    tvsum = load_highlight_annotations(DATA / "tvsum/tvsum_val_release.jsonl")
    tvsum += load_highlight_annotations(DATA / "tvsum/tvsum_train_release.jsonl")
    hl_preds = [MomentPrediction(v.qid, v.vid, "", [], list(v.labels.mean(1))) for v in tvsum]
    timed(
        f"tvsum top-5 mAP ({len(tvsum)} videos)",
        lambda: evaluate_highlight_detection(hl_preds, tvsum, "tvsum"),
    )

    videos = timed(
        "load ydata-tvsum50.mat (h5py)", lambda: load_tvsum_mat(DATA / "tvsum/ydata-tvsum50.mat"), 1
    )
    rng = np.random.default_rng(0)
    sum_preds = [SummaryPrediction(v.video_id, list(rng.random(v.num_frames // 15))) for v in videos]
    timed(
        f"tvsum-f1 knapsack F1 + Kendall/Spearman ({len(videos)} videos)",
        lambda: evaluate_summarization(sum_preds, videos),
        1,
    )


if __name__ == "__main__":
    main()
