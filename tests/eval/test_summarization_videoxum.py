from __future__ import annotations

import importlib.util
import json
import shutil

import numpy as np
import pytest

from vidrecap.datasets.summarization import SummaryPrediction, load_summe_dir, load_tvsum_mat
from vidrecap.datasets.videoxum import (
    VideoXumPrediction,
    VideoXumVideo,
    load_videoxum,
    videoxum_reference_text,
)
from vidrecap.eval.summarization import (
    evaluate_summarization,
    knapsack_picks,
    summary_f1,
    uniform_shots,
)
from vidrecap.eval.videoxum import evaluate_videoxum, top_fraction_mask, video_f1


def test_knapsack_optimum_and_strict_tie_rule():
    assert knapsack_picks([6.0, 10.0, 12.0], [1, 2, 3], 5) == [1, 2]
    # equal value: the later item does not strictly improve, so the first one is kept
    assert knapsack_picks([1.0, 1.0], [1, 1], 1) == [0]


def test_f1_average_and_max_over_users():
    machine = np.array([1, 1, 0, 0])
    users = np.array([[1, 1, 0, 0], [0, 0, 1, 1]])
    assert summary_f1(machine, users, "avg").f1 == pytest.approx(0.5)
    assert summary_f1(machine, users, "max").f1 == pytest.approx(1.0)


def test_uniform_shots_cover_every_frame():
    shots = uniform_shots(125, 30.0)
    assert shots[0] == (0, 59) and shots[-1] == (120, 124)


def test_tvsum_mat_loader_and_f1(data_dir):
    videos = load_tvsum_mat(data_dir / "tvsum/ydata-tvsum50.mat")
    assert len(videos) == 50 and videos[0].video_id == "AwmHb44_ouw" and videos[0].category == "VT"
    assert videos[0].user_scores.shape == (20, 10597) and videos[0].title.startswith("#1306")
    sample = videos[:4]
    oracle = [SummaryPrediction(v.video_id, list(v.user_scores.mean(0))) for v in sample]
    rng = np.random.default_rng(0)
    noise = [SummaryPrediction(v.video_id, list(rng.random(60))) for v in sample]
    good, bad = evaluate_summarization(oracle, sample), evaluate_summarization(noise, sample)
    assert good.f1 > 30 > 25 > bad.f1
    assert good.kendall_tau > 0.2 and abs(bad.kendall_tau) < 0.1 and good.spearman_rho > good.kendall_tau


def test_summe_uses_user_selections_and_max(tmp_path):
    from scipy.io import savemat

    user_score = np.zeros((100, 2))
    user_score[:15, 0] = 1
    user_score[50:65, 1] = 1
    savemat(tmp_path / "Cooking.mat", {"user_score": user_score, "nFrames": 100, "FPS": 5.0})
    videos = load_summe_dir(tmp_path)
    scores = [1.0] * 15 + [0.0] * 85
    result = evaluate_summarization(
        [SummaryPrediction("Cooking", scores, change_points=[(0, 14), (15, 99)])], videos, "summe"
    )
    assert result.f1 == 100.0 and result.shots == "given change points"


def test_videoxum_top15_selection_matches_reference_rule():
    scores = np.arange(20, dtype=float)
    assert top_fraction_mask(scores).sum() == 4  # int(0.15 * 20) = 3, threshold is the 4th largest
    annotations = np.zeros((2, 20))
    annotations[0, 16:] = 1
    best, mean = video_f1(scores, annotations)
    assert best == 1.0 and mean == 0.5


class _Encoder:
    def encode_frames(self, video_id, frame_indices):
        return np.array([[1.0, 0.0] if i >= 10 else [0.0, 1.0] for i in frame_indices])

    def encode_text(self, text):
        return np.array([1.0, 0.0])


def test_videoxum_end_to_end(tmp_path):
    onehot = [[0] * 16 + [1] * 4 for _ in range(10)]
    record = {
        "video_id": "v_x",
        "duration": 20.0,
        "sampled_frames": 20,
        "timestamps": [[0, 10], [10, 20]],
        "tsum": ["A man walks.", "He sits down."],
        "vsum": [],
        "vsum_onehot": onehot,
    }
    path = tmp_path / "val_videoxum.json"
    path.write_text(json.dumps([record]))
    videos = load_videoxum(path)
    assert isinstance(videos[0], VideoXumVideo) and videos[0].text_summary == "a man walks he sits down"
    pred = VideoXumPrediction("v_x", list(range(20)), "a man walks. he sits down.")
    result = evaluate_videoxum([pred], videos, encoder=_Encoder(), meteor=False)
    assert result.f1_max == 1.0 and result.kendall > 0.5 and result.vt_score == pytest.approx(1.0)
    assert result.text.bleu[3] == pytest.approx(1.0) and result.to_dict()["METEOR"] is None


def test_videoxum_reference_text_is_prepared_as_the_reference_dataset_does():
    """``pre_caption("".join(tsum))`` of jylins/videoxum, worked by hand on awkward summaries."""
    tsum = ["He met Mr. Smith in the U.S.", " Then (again) he left!", 'It\'s 5:30 p.m.; "great"~ #1*']
    tsum.append("Two  spaces\tand\ttabs\n")
    # joined without a separator ("left!It's"), .!"()*#:;~ -> spaces, runs of 2+ whitespace -> one
    # space (a single tab stays), the trailing newline and outer spaces stripped
    expected = "he met mr smith in the u s then again he left it's 5 30 p m great 1 two spaces\tand\ttabs"
    assert videoxum_reference_text(tsum) == expected
    assert videoxum_reference_text(["Über CAFÉ.", "Naïve"]) == "über café naïve"
    assert videoxum_reference_text(["...", "!!"]) == ""
    assert videoxum_reference_text(["a b c d"], max_words=2) == "a b"


@pytest.mark.skipif(
    shutil.which("java") is None or importlib.util.find_spec("pycocoevalcap") is None,
    reason="needs java (default-jre-headless) + pycocoevalcap",
)
def test_videoxum_text_scores_equal_the_coco_evaluator_on_prepared_references():
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    tsums = {
        "v1": ["He met Mr. Smith in the U.S.", "Then he left!"],
        "v2": ["A woman (C) cooks: pasta; rice.", "She serves it~ #2"],
        "v3": ["Kids play in the park.", "They're laughing."],
    }
    summaries = {"v1": "he met mr. smith in the u.s. then left", "v2": "a woman cooks pasta", "v3": "kids play."}
    videos = [VideoXumVideo(key, 10.0, [], tsum, np.zeros((10, 10))) for key, tsum in tsums.items()]
    predictions = [VideoXumPrediction(key, None, text) for key, text in summaries.items()]
    result = evaluate_videoxum(predictions, videos, meteor=False, tokenizer="stanford")
    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize({k: [{"caption": videoxum_reference_text(v)}] for k, v in tsums.items()})
    res = tokenizer.tokenize({k: [{"caption": v}] for k, v in summaries.items()})
    assert gts["v1"] == ["he met mr smith in the u s then he left"]  # "u.s." is gone before PTB
    assert result.text.bleu[3] == pytest.approx(Bleu(4).compute_score(gts, res, verbose=0)[0][3], abs=1e-9)
    assert result.text.rouge_l == pytest.approx(Rouge().compute_score(gts, res)[0], abs=1e-9)
    assert result.text.cider == pytest.approx(Cider().compute_score(gts, res)[0], abs=1e-9)
    assert result.to_dict()["tokenizer"] == "stanford"
