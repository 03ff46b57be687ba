from __future__ import annotations

import json

import pytest

from vidrecap.cli import main
from vidrecap.datasets.moments import MomentPrediction, MomentQuery
from vidrecap.errors import InputError
from vidrecap.eval.qvhighlights import evaluate_qvhighlights, evaluate_qvhighlights_files


def test_sample_predictions_match_official_output_exactly(data_dir):
    folder = data_dir / "qvhighlights"
    expected = json.loads((folder / "sample_val_preds_metrics_raw.json").read_text())
    result = evaluate_qvhighlights_files(
        folder / "sample_val_preds.jsonl", folder / "highlight_val_release.jsonl"
    )
    got = result.to_dict()
    assert list(got) == list(expected)
    for section, values in expected.items():
        assert got[section] == values, section
    assert list(got["brief"]) == list(expected["brief"])


def test_cli_json_output_is_the_official_json(data_dir, capsys):
    folder = data_dir / "qvhighlights"
    code = main(
        [
            "eval",
            "qvhighlights",
            "--pred",
            str(folder / "sample_val_preds.jsonl"),
            "--gt",
            str(folder / "highlight_val_release.jsonl"),
            "--json",
        ]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out) == json.loads(
        (folder / "sample_val_preds_metrics_raw.json").read_text()
    )


def _gt(qid, windows, duration=150):
    return MomentQuery(qid=qid, query="q", vid="v", duration=duration, relevant_windows=windows)


def _pred(qid, windows):
    return MomentPrediction(qid=qid, vid="v", query="q", windows=windows, saliency=None)


def test_only_first_ten_windows_count_for_map():
    gt = [_gt(1, [(50.0, 60.0)])]
    miss = [(0.0, 2.0, 0.9 - i * 0.01) for i in range(10)]
    late_hit = evaluate_qvhighlights([_pred(1, [*miss, (50.0, 60.0, 0.99)])], gt)
    assert late_hit.moments["full"].map_average == 0.0  # the 11th window is ignored even with top score
    early_hit = evaluate_qvhighlights([_pred(1, [*miss[:9], (50.0, 60.0, 0.01)])], gt)
    assert early_hit.moments["full"].map_by_iou["0.5"] == 10.0  # found at rank 10 by score: precision 1/10


def test_top1_is_the_first_window_not_the_best_scored():
    gt = [_gt(1, [(50.0, 60.0)])]
    result = evaluate_qvhighlights([_pred(1, [(0.0, 5.0, 0.1), (50.0, 60.0, 0.9)])], gt)
    assert result.moments["full"].r1_by_iou["0.5"] == 0.0
    assert result.moments["full"].map_by_iou["0.5"] == 100.0


def test_length_buckets_and_best_overlapping_gt_window():
    gt = [_gt(1, [(0.0, 8.0), (40.0, 80.0)])]
    result = evaluate_qvhighlights([_pred(1, [(40.0, 80.0, 1.0)])], gt)
    assert result.moments["full"].r1_by_iou["0.95"] == 100.0
    assert result.moments["long"].r1_by_iou["0.5"] == 100.0
    assert result.moments["short"].r1_by_iou["0.5"] == 0.0
    assert result.moments["middle"].num_queries == 0


def test_qids_must_match_like_the_official_check():
    with pytest.raises(InputError, match="no prediction"):
        evaluate_qvhighlights([_pred(1, [(0.0, 2.0, 1.0)])], [_gt(1, [(0.0, 2.0)]), _gt(2, [(0.0, 2.0)])])
    with pytest.raises(InputError, match="not in the ground truth"):
        evaluate_qvhighlights([_pred(3, [(0.0, 2.0, 1.0)])], [_gt(1, [(0.0, 2.0)])])


def test_highlight_hit_and_ap():
    gt = [
        MomentQuery(
            1, "q", "v", 10, [(0.0, 4.0)], relevant_clip_ids=[0, 1], saliency_scores=[[4, 4, 1], [2, 2, 2]]
        )
    ]
    good = MomentPrediction(1, "v", "q", [(0.0, 4.0, 1.0)], saliency=[0.9, 0.5, 0.1, 0.0, 0.0])
    result = evaluate_qvhighlights([good], gt)
    # Fair: annotator 3 rates clip 0 only 1, so its single positive (clip 1) comes at rank 2: AP 0.5.
    assert result.highlights["Fair"].hit1 == 100.0 and result.highlights["Fair"].map == 83.33
    # VeryGood: annotators 1, 2 have clip 0 as positive (AP 1); annotator 3 has none (AP 0).
    assert result.highlights["VeryGood"].map == 66.67
    off_end = MomentPrediction(1, "v", "q", [(0.0, 4.0, 1.0)], saliency=[0, 0, 0, 0, 0, 1.0])
    assert evaluate_qvhighlights([off_end], gt).highlights["Fair"].hit1 == 0.0
