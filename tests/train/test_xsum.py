"""VideoXum's joint model: learns key frames and text, save/load, resume, the xsum backend and CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from .xsum_synth import write_videoxum, xsum_config

STEPS = 100


@pytest.fixture(scope="module")
def xsum_data(tmp_path_factory):
    return write_videoxum(tmp_path_factory.mktemp("videoxum"))


@pytest.fixture(scope="module")
def xsum_run(tmp_path_factory, xsum_data, lm_dir):
    from vidrecap.train.xsum.train import load_xsum_run, train_xsum

    run = load_xsum_run(xsum_config(tmp_path_factory.mktemp("xsum-run"), xsum_data, lm_dir, STEPS))
    return run, train_xsum(run, quiet=True)


def baseline_scores(run) -> dict[str, float]:
    """Random saliency and another video's reference summary, through the same evaluator."""
    from vidrecap.datasets.videoxum import load_videoxum
    from vidrecap.train.xsum.train import videoxum_scores

    videos = load_videoxum(run.val_file)
    rng = np.random.default_rng(0)
    rows = [
        {
            "video_id": v.video_id,
            "saliency": rng.random(v.num_frames).tolist(),
            "summary": videos[(i + 1) % len(videos)].text_summary,
        }
        for i, v in enumerate(videos)
    ]
    return videoxum_scores(rows, run.val_file)


def test_learns_key_frames_and_text_above_baselines(xsum_run):
    run, report = xsum_run
    assert report.finished and report.step == STEPS
    m, base = report.metrics, baseline_scores(run)
    assert m["F1_MAX"] >= base["F1_MAX"] + 0.15 and m["F1_MEAN"] >= base["F1_MEAN"] + 0.15, (m, base)
    assert m["Kendall"] >= 0.4 and m["Spearman"] >= 0.5 and abs(base["Kendall"]) < 0.15, (m, base)
    assert m["ROUGE_L"] >= base["ROUGE_L"] + 0.2 and m["CIDEr"] >= base["CIDEr"] + 2.0, (m, base)
    assert json.loads((run.out_dir / "eval_val.json").read_text()) == pytest.approx(m)


def test_predictions_score_the_same_with_vidrecap_eval_videoxum(xsum_run, capsys):
    from vidrecap.cli import main
    from vidrecap.datasets.videoxum import load_videoxum_predictions

    run, report = xsum_run
    predictions = load_videoxum_predictions(report.predictions)
    assert len(predictions) == 12 and all(len(p.saliency) == 24 and p.summary for p in predictions)
    args = ["eval", "videoxum", "--pred", str(report.predictions), "--gt", str(run.val_file), "--json", "--no-meteor"]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    flat = printed.get("brief", printed) if isinstance(printed, dict) else printed
    for name in ("F1_MAX", "Kendall", "ROUGE_L", "CIDEr"):
        assert flat[name] == pytest.approx(report.metrics[name]), name


def test_save_load_gives_the_same_outputs(xsum_run, tmp_path):
    from vidrecap.train.features import FeatureSource
    from vidrecap.train.xsum.model import XSumModel
    from vidrecap.train.xsum.train import load_xsum_samples, predict_samples

    run, report = xsum_run
    model = XSumModel.load(report.model_dir)
    model.save(tmp_path / "copy")
    again = XSumModel.load(tmp_path / "copy")
    samples = load_xsum_samples(run.val_file, FeatureSource.open(run.feature_dirs), 1.0, 512)
    rows = predict_samples(again, samples)
    assert rows == [json.loads(line) for line in report.predictions.read_text().splitlines()]


def test_resume_is_bitwise_identical(tmp_path, xsum_data, lm_dir):
    from safetensors.torch import load_file

    from vidrecap.train.xsum.train import load_xsum_run, train_xsum

    runs = {n: load_xsum_run(xsum_config(tmp_path, xsum_data, lm_dir, 6, name=n, dropout=0.1)) for n in ("a", "b")}
    train_xsum(runs["a"], quiet=True)
    assert not train_xsum(runs["b"], quiet=True, stop_after=3).finished
    assert train_xsum(runs["b"], quiet=True, resume=True).finished
    a, b = (load_file(str(r.out_dir / "xsum" / "model" / "model.safetensors")) for r in runs.values())
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_loss_weights_and_context_aggregation_switch(lm_dir, xsum_data, tmp_path):
    from vidrecap.errors import InputError
    from vidrecap.train.xsum.model import XSumConfig, XSumModel, make_batch
    from vidrecap.train.xsum.train import load_xsum_run

    run = load_xsum_run(
        xsum_config(tmp_path, xsum_data, lm_dir, 2, extra_model="loss_text = 0.0\ncontext_aggregation = false")
    )
    assert run.model.loss_text == 0.0 and not run.model.context_aggregation
    torch.manual_seed(0)
    with_ca = XSumModel.from_lm(XSumConfig(feature_dim=16, hidden=48, context_window=3, dropout=0.0), lm_dir)
    without = XSumModel.from_lm(XSumConfig(feature_dim=16, hidden=48, context_aggregation=False), lm_dir)
    assert any(n.startswith("context.") for n, _ in with_ca.named_parameters())
    assert not any(n.startswith("context.") for n, _ in without.named_parameters())
    frames = [np.random.default_rng(0).normal(size=(10, 16)).astype(np.float32)]
    batch = make_batch(with_ca, frames, [np.linspace(0, 1, 10)], ["a man cuts an onion"])
    parts = with_ca.losses(batch)
    assert set(parts) == {"saliency", "text"} and all(float(v.detach()) > 0 for v in parts.values())
    with_ca.config.loss_text = 0.0
    assert float(with_ca.loss(batch).detach()) == pytest.approx(float(parts["saliency"].detach()), rel=1e-5)
    bad = xsum_config(tmp_path, xsum_data, lm_dir, 2, name="bad", extra_model="loss_text = -1.0")
    with pytest.raises(InputError, match="model.loss_text"):
        load_xsum_run(bad)


def recap_of(video_id: str, rows_1fps: np.ndarray):
    """A recap whose 2 s cells carry the video's features (every other 1 fps row)."""
    from vidrecap.results import Caption, Cell, Recap, Transcript, VideoInfo

    cells_rows = rows_1fps[::2]
    n = len(cells_rows)
    cells = [Cell(i, 2.0 * i, 2.0 * (i + 1)) for i in range(n)]
    info = VideoInfo(f"/videos/{video_id}.mp4", video_id, 2.0 * n, 0, True, False)
    summary = Caption("summary", 0, 0.0, 2.0 * n, "")
    return Recap(info, {}, [], [], summary, Transcript(), cells, {"fused": cells_rows})


def test_xsum_command_with_the_trained_model(xsum_run, xsum_data, tmp_path, capsys):
    from vidrecap.cli import main
    from vidrecap.datasets.videoxum import load_videoxum
    from vidrecap.moments.crossmodal import CrossModalSummary
    from vidrecap.outputs.store import save_recap

    run, report = xsum_run
    video = load_videoxum(run.val_file)[0]
    rows = np.load(xsum_data.features / f"{video.video_id}.npy")
    save_recap(recap_of(video.video_id, rows), tmp_path / "out")
    code = main(["xsum", str(tmp_path / "out"), "--model", f"xsum:{run.out_dir}", "--json", "--fraction", "0.25"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    written = json.loads((tmp_path / "out" / "xsum.json").read_text())
    assert written == printed
    assert set(written) == set(CrossModalSummary("", 0, "", [], 0, [], None).to_dict())
    salient_frames = video.vsum_onehot.mean(0) > 0.5
    for clip in written["clips"]:  # each chosen 2 s clip lies on frames the annotators marked
        assert salient_frames[int(clip["start"]) : int(clip["end"])].all(), clip
    expected = next(json.loads(x) for x in report.predictions.read_text().splitlines())
    assert written["text"] == expected["summary"] and len(written["relevance"]) == 12
    code = main(["xsum", str(tmp_path / "out"), "--model", f"xsum:{tmp_path}"])
    assert code != 0 and "no trained xsum model" in capsys.readouterr().err


def test_train_xsum_cli(tmp_path, xsum_data, lm_dir, capsys):
    from vidrecap.cli import main

    config = xsum_config(tmp_path, xsum_data, lm_dir, 2, extra_train='amp = "bf16"\neval_max_items = 4')
    config.write_text(config.read_text().replace("eval_every = 0", "eval_every = 1"))
    assert main(["train", "xsum", "--config", str(config), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "xsum: done at step 2" in out and "predictions:" in out
    log = (tmp_path / "xsum-run" / "metrics.csv").read_text().splitlines()
    assert any(",xsum,1,val,F1_MAX," in line for line in log) and any(",xsum,2,val,CIDEr," in line for line in log)
    assert main(["train", "xsum", "--quiet"]) != 0 and "--config" in capsys.readouterr().err
