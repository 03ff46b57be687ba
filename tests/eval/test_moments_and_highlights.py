from __future__ import annotations

import json

import numpy as np
import pytest

from vidrecap.datasets.highlights import load_highlight_annotations
from vidrecap.datasets.moments import MomentPrediction, MomentQuery, load_moment_annotations
from vidrecap.eval.highlight_detection import evaluate_highlight_detection, lower_median, tvsum_video_ap
from vidrecap.eval.moment_retrieval import evaluate_moment_retrieval
from vidrecap.eval.ranking import ranked_ap_over_recall_levels, top_k_trapezoid_ap


def _pred(qid, windows, saliency=None):
    return MomentPrediction(qid=qid, vid="v", query="q", windows=windows, saliency=saliency)


def test_recall_and_miou_on_a_hand_checked_case():
    gt = [
        MomentQuery(1, "q", "v", 30, [(0.0, 10.0)]),
        MomentQuery(2, "q", "v", 30, [(10.0, 20.0), (0.0, 4.0)]),
    ]
    preds = [_pred(1, [(0.0, 5.0, 0.9)]), _pred(2, [(0.0, 3.0, 0.8), (10.0, 20.0, 0.1)])]
    result = evaluate_moment_retrieval(preds, gt)
    # query 1: IoU 0.5; query 2: best GT for the first window is (0, 4): IoU 0.75 (max over GT windows).
    assert result.recall_at_1 == {"0.3": 100.0, "0.5": 100.0, "0.7": 50.0}
    assert result.mean_iou == 62.5


@pytest.mark.parametrize(
    "name", ["charades_sta/charades_test_release.jsonl", "tacos/tacos_test_release.jsonl"]
)
def test_ground_truth_as_prediction_is_perfect_and_a_shift_is_not(data_dir, name):
    gt = load_moment_annotations(data_dir / name)[:300]
    perfect = [_pred(q.qid, [(*q.relevant_windows[0], 1.0)]) for q in gt]
    assert evaluate_moment_retrieval(perfect, gt).recall_at_1["0.7"] == 100.0
    shifted = [
        _pred(q.qid, [(w[0] + 0.5 * (w[1] - w[0]), w[1] + 0.5 * (w[1] - w[0]), 1.0)])
        for q in gt
        for w in [q.relevant_windows[0]]
    ]
    result = evaluate_moment_retrieval(shifted, gt)  # IoU = 1/3 everywhere
    assert result.recall_at_1 == {"0.3": 100.0, "0.5": 0.0, "0.7": 0.0}
    assert result.mean_iou == 33.33


def test_ranked_ap_matches_hand_computation():
    # ranks: 1 (pos), 0, 1 (pos), 0: interpolated precisions at the two recall levels: 1 and 2/3.
    assert ranked_ap_over_recall_levels(np.array([1, 0, 1, 0]), np.array([4, 3, 2, 1])) == pytest.approx(
        5 / 6
    )
    # tied scores form one threshold
    assert ranked_ap_over_recall_levels(np.array([1, 0]), np.array([1.0, 1.0])) == 0.5
    assert ranked_ap_over_recall_levels(np.zeros(3), np.arange(3)) == 0.0
    assert ranked_ap_over_recall_levels(np.ones(3), np.arange(3)) == 1.0


def test_top5_trapezoid_ap():
    assert top_k_trapezoid_ap([1, 0, 1, 0, 0, 1], 5) == pytest.approx(
        0.5 * (1 + 1) / 2 + 0.5 * (0.5 + 2 / 3) / 2
    )
    assert top_k_trapezoid_ap([0, 0, 0, 0, 0, 1], 5) == 0.0
    assert lower_median(np.array([1.0, 2.0, 3.0, 4.0])) == 2.0


def test_tvsum_label_is_above_median_per_annotator():
    labels = np.array([[1, 5], [2, 4], [3, 3], [4, 2], [5, 1]], dtype=float)
    scores = np.array([5, 4, 3, 2, 1], dtype=float)
    aps = tvsum_video_ap(scores, labels)
    # annotator 1: positives are clips 3, 4 (ranks 4, 5); annotator 2: clips 0, 1 (ranks 1, 2)
    # annotator 1: precision drops to 0 over the three misses, then 1/4 and 2/5 at the hits.
    assert aps[1] == 1.0 and aps[0] == pytest.approx(0.5 * (0 + 0.25) / 2 + 0.5 * (0.25 + 0.4) / 2)


def test_tvsum_and_youtube_files(data_dir):
    tvsum = load_highlight_annotations(data_dir / "tvsum/tvsum_val_release.jsonl")
    oracle = [_pred(v.qid, [], list(v.labels.mean(axis=1))) for v in tvsum]
    reverse = [_pred(v.qid, [], list(-v.labels.mean(axis=1))) for v in tvsum]
    good, bad = (
        evaluate_highlight_detection(oracle, tvsum, "tvsum"),
        evaluate_highlight_detection(reverse, tvsum, "tvsum"),
    )
    assert set(good.map_by_domain) == {v.domain for v in tvsum}
    assert good.map_mean > 75 > 20 > bad.map_mean
    youtube = load_highlight_annotations(data_dir / "youtube_highlight/youtube_highlight_val_release.jsonl")
    perfect = [_pred(v.qid, [], list(v.labels[:, 0])) for v in youtube]
    result = evaluate_highlight_detection(perfect, youtube, "youtube")
    assert result.map_mean == 100.0 and len(result.map_by_domain) == 6


def test_highlight_cli(data_dir, tmp_path, capsys):
    from vidrecap.cli import main

    gt = data_dir / "tvsum/tvsum_val_release.jsonl"
    preds = tmp_path / "p.jsonl"
    videos = load_highlight_annotations(gt)
    preds.write_text(
        "".join(
            json.dumps({"qid": v.qid, "pred_saliency_scores": list(v.labels.mean(1))}) + "\n" for v in videos
        )
    )
    assert main(["eval", "tvsum", "--pred", str(preds), "--gt", str(gt), "--json"]) == 0
    assert "mAP_by_domain" in json.loads(capsys.readouterr().out)
