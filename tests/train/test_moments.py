"""The moment/highlight head: learning (suite metrics), submission format, save/load, resume, scorer."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch

from .conftest import MOMENT_STEPS
from .synth import moments_config


def test_learns_windows_and_saliency(moments_run):
    run, report = moments_run
    assert report.finished and report.step == MOMENT_STEPS
    with open(run.out_dir / "metrics.csv") as fh:
        trace = [float(r["value"]) for r in csv.DictReader(fh) if r["metric"] == "loss"]
    assert trace[-1] < trace[0] / 5, trace
    m = report.metrics
    assert m["MR-full-R1@0.5"] >= 80 and m["MR-full-mAP@0.5"] >= 80
    assert m["HL-min-Fair-mAP"] >= 90 and m["HL-min-Fair-Hit1"] >= 90


def test_writes_a_valid_submission(moments_run):
    from vidrecap.datasets.moments import load_moment_predictions
    from vidrecap.eval import evaluate_qvhighlights_files

    run, report = moments_run
    predictions = load_moment_predictions(report.predictions, require_saliency=True)
    assert len(predictions) == 20 and all(len(p.saliency) == 30 for p in predictions)
    assert all(w[0] <= w[1] <= 60.0 for p in predictions for w in p.windows)
    official = evaluate_qvhighlights_files(report.predictions, run.val_file).brief()
    assert official == json.loads((run.out_dir / "eval_val.json").read_text())


def test_save_load_and_scorer_agree(moments_run, moment_data, tmp_path):
    from vidrecap.train.moments.model import MomentHead
    from vidrecap.train.moments.scorer import MomentScorer

    run, report = moments_run
    model = MomentHead.load(report.model_dir)
    model.save(tmp_path / "copy")
    scorer = MomentScorer.load(tmp_path / "copy")
    video = np.load(moment_data.features / "mval000.npy")
    query = np.load(moment_data.text / "qid120.npz")["last_hidden_state"]
    row = scorer.predict(video, query, duration=60.0, qid=120, vid="mval000")
    rows = [json.loads(line) for line in report.predictions.read_text().splitlines()]
    expected = next(r for r in rows if r["qid"] == 120)
    # Validation scores a padded batch, the scorer one video: equal up to the 4-decimal rounding of a float tie.
    np.testing.assert_allclose(row["pred_relevant_windows"], expected["pred_relevant_windows"], atol=1.01e-4)
    np.testing.assert_allclose(row["pred_saliency_scores"], expected["pred_saliency_scores"], atol=1.01e-4)
    with pytest.raises(Exception, match="query token files"):
        scorer.predict(video, "a dog runs")


def test_trained_head_is_a_moments_backend(moments_run, moment_data):
    from types import SimpleNamespace

    from vidrecap import registry
    from vidrecap.moments import MomentResult

    run, report = moments_run
    backend = registry.create("moments", f"recap:{report.model_dir}")
    video = np.load(moment_data.features / "mval000.npy")
    recap = SimpleNamespace(embeddings={backend.config.feature_key or "fused": video},
                            video=SimpleNamespace(path="/videos/mval000.mp4", duration=60.0))
    query = np.load(moment_data.text / "qid120.npz")["last_hidden_state"]
    result = backend.index(recap).predict(query, top_k=10, qid=120)
    assert isinstance(result, MomentResult) and result.vid == "mval000"
    rows = [json.loads(line) for line in report.predictions.read_text().splitlines()]
    expected = next(r for r in rows if r["qid"] == 120)
    np.testing.assert_allclose([w.as_list() for w in result.windows], expected["pred_relevant_windows"], atol=1.01e-4)
    np.testing.assert_allclose(result.saliency, expected["pred_saliency_scores"], atol=1.01e-4)


def test_resume_is_bitwise_identical(tmp_path, moment_data):
    from safetensors.torch import load_file

    from vidrecap.train.moments.train import load_moments_run, train_moments

    whole = load_moments_run(moments_config(tmp_path, moment_data, 6, name="whole", dropout=0.1))
    train_moments(whole, quiet=True)
    parts = load_moments_run(
        moments_config(tmp_path, moment_data, 6, name="parts", extra_train="grad_accum = 2", dropout=0.1)
    )
    parts_whole = load_moments_run(
        moments_config(
            tmp_path, moment_data, 6, name="parts_whole", extra_train="grad_accum = 2", dropout=0.1
        )
    )
    train_moments(parts_whole, quiet=True)
    assert not train_moments(parts, quiet=True, stop_after=4).finished
    assert train_moments(parts, quiet=True, resume=True).finished
    a = load_file(str(parts_whole.out_dir / "moments" / "model" / "model.safetensors"))
    b = load_file(str(parts.out_dir / "moments" / "model" / "model.safetensors"))
    assert all(torch.equal(a[k], b[k]) for k in a)
    c = load_file(str(whole.out_dir / "moments" / "model" / "model.safetensors"))
    assert not all(torch.equal(a[k], c[k]) for k in a)  # accumulation changes the run


def test_matching_and_giou():
    from vidrecap.train.moments.spans import cw_to_se, match, pairwise_giou

    targets = torch.tensor([[0.1, 0.2], [0.6, 0.9]])
    predictions = torch.tensor([[0.75, 0.3], [0.5, 0.1], [0.15, 0.1]])  # center, width
    rows, cols = match(torch.tensor([0.9, 0.1, 0.8]), predictions, targets, 4.0, 10.0, 1.0)
    assert dict(zip(rows.tolist(), cols.tolist(), strict=True)) == {0: 1, 2: 0}
    giou = pairwise_giou(cw_to_se(predictions), targets)
    assert torch.allclose(giou[2, 0], torch.tensor(1.0)) and giou[1, 0] < 0


def test_bf16_autocast_and_periodic_evaluation(tmp_path, moment_data):
    from vidrecap.errors import InputError
    from vidrecap.train.moments.train import load_moments_run, train_moments

    extra = 'amp = "bf16"\neval_every = 2\neval_max_items = 4'
    config = moments_config(tmp_path, moment_data, 4, name="bf16", extra_train=extra)
    config.write_text(config.read_text().replace("eval_every = 0\n", ""))
    run = load_moments_run(config)
    report = train_moments(run, quiet=True)
    assert report.finished and np.isfinite(report.loss)
    with open(run.out_dir / "metrics.csv") as fh:
        val_steps = {r["step"] for r in csv.DictReader(fh) if r["split"] == "val"}
    assert val_steps == {"2", "4"}
    fp16 = moments_config(tmp_path, moment_data, 2, name="fp16", extra_train='amp = "fp16"')
    with pytest.raises(InputError, match="fp16"):
        train_moments(load_moments_run(fp16), quiet=True)
