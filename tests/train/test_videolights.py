"""VideoLights components: each switch changes the model, the preset learns better, pretrain → fine-tune."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from .synth import CONCEPTS, DIM, concept_vectors, moments_config

STEPS = 120


def tiny_batch(seed: int = 0):
    from vidrecap.train.moments.model import MomentInputs, MomentTargets

    g = torch.Generator().manual_seed(seed)
    video_pad = torch.zeros(2, 10, dtype=torch.bool)
    video_pad[0, 8:] = True
    text_pad = torch.zeros(2, 4, dtype=torch.bool)
    text_pad[1, 3:] = True
    inputs = MomentInputs(torch.randn(2, 10, 12, generator=g), video_pad, torch.randn(2, 4, 8, generator=g), text_pad)
    saliency = torch.tensor([0, 0, 1, 3, 2, 0, 0, 0, 0, 0.0])
    targets = MomentTargets([torch.tensor([[0.2, 0.5]])] * 2, [saliency, saliency], 0.5)
    return inputs, targets


def build(**switches):
    from vidrecap.train.moments.model import MomentConfig, MomentHead

    torch.manual_seed(0)
    config = MomentConfig.from_preset(
        "moment_detr", video_dim=12, text_dim=8, hidden=32, heads=4, stream_dims=[4, 8], **switches
    )
    return MomentHead(config)


EXTRA_LOSS = {"feature_refinement": "align", "joint_feedback": "feedback", "hard_pairs": "hard"}
NEW_MODULE = {
    "conv_projection": "text_in.conv1",
    "feature_refinement": "refinement.",
    "cross_modal_fusion": "fusion.",
    "joint_feedback": "feedback.",
    "stream_fusion": "video_in.gate",
}


@pytest.mark.parametrize("switch", sorted(set(EXTRA_LOSS) | set(NEW_MODULE)))
def test_each_switch_changes_the_model(switch):
    from vidrecap.train.moments.model import moment_loss

    inputs, targets = tiny_batch()
    base, model = build(), build(**{switch: True})
    base_out, out = base(inputs), model(inputs)
    assert out.spans.shape == base_out.spans.shape == (2, 10, 2)
    assert out.saliency.shape == (2, 10)
    loss, parts = moment_loss(model.config, out, targets, inputs.video_pad)
    _, base_parts = moment_loss(base.config, base_out, targets, inputs.video_pad)
    assert set(base_parts) == {"l1", "giou", "class", "hinge", "rank"}
    if switch in EXTRA_LOSS:
        assert set(parts) == set(base_parts) | {EXTRA_LOSS[switch]} and parts[EXTRA_LOSS[switch]] > 0
    loss.backward()
    if switch in NEW_MODULE:
        prefix = NEW_MODULE[switch]
        assert not any(n.startswith(prefix) for n, _ in base.named_parameters())
        grads = [p.grad for n, p in model.named_parameters() if n.startswith(prefix)]
        assert grads and all(g is not None and torch.isfinite(g).all() for g in grads)
        assert any(float(g.abs().sum()) > 0 for g in grads)


def test_feedback_is_uni_directional():
    """The feedback loss moves the span branch, never the saliency head."""
    from vidrecap.train.moments.videolights import feedback_loss

    inputs, _ = tiny_batch()
    model = build(joint_feedback=True)
    out = model(inputs)
    feedback_loss(out.logits, out.spans, out.saliency, inputs.video_pad).backward()
    assert model.saliency_head.weight.grad is None or float(model.saliency_head.weight.grad.abs().sum()) == 0
    assert float(model.span_head[0].weight.grad.abs().sum()) > 0


def test_hard_pair_loss_targets_the_hard_clips_and_ramps():
    from vidrecap.train.moments.videolights import hard_pair_loss

    target = [torch.tensor([0, 0, 3, 3.0])]
    pad = torch.zeros(1, 4, dtype=torch.bool)
    good = torch.tensor([[-6.0, -6.0, 6.0, 6.0]])
    hard_negative = torch.tensor([[6.0, -6.0, 6.0, 6.0]])
    hard_positive = torch.tensor([[-6.0, -6.0, -6.0, 6.0]])
    base = float(hard_pair_loss(good, target, pad, 0.0, 1.0))
    assert float(hard_pair_loss(hard_negative, target, pad, 0.0, 1.0)) > base + 0.3
    assert float(hard_pair_loss(hard_positive, target, pad, 0.0, 1.0)) > base + 0.3
    late = float(hard_pair_loss(hard_positive, target, pad, 1.0, 1.0))
    assert late == pytest.approx(2 * float(hard_pair_loss(hard_positive, target, pad, 0.0, 1.0)))


def test_preset_in_the_config(tmp_path, moment_data):
    from vidrecap.errors import InputError
    from vidrecap.train.moments.train import load_moments_run

    path = moments_config(tmp_path, moment_data, 2)
    text = path.read_text()
    path.write_text(text.replace("[model]\n", '[model]\npreset = "videolights"\nhard_pairs = false\n'))
    model = load_moments_run(path).model
    assert model.preset == "videolights" and model.feature_refinement and model.cross_modal_fusion
    assert not model.hard_pairs
    assert not load_moments_run(moments_config(tmp_path, moment_data, 2, name="plain")).model.conv_projection
    path.write_text(text.replace("[model]\n", '[model]\npreset = "detr"\n'))
    with pytest.raises(InputError, match="model.preset"):
        load_moments_run(path)


@pytest.fixture(scope="module")
def preset_runs(tmp_path_factory, moment_data):
    from vidrecap.train.moments.train import load_moments_run, train_moments

    root = tmp_path_factory.mktemp("presets")
    reports = {}
    for preset in ("moment_detr", "videolights"):
        path = moments_config(root, moment_data, STEPS, name=preset)
        path.write_text(path.read_text().replace("[model]\n", f'[model]\npreset = "{preset}"\n'))
        reports[preset] = train_moments(load_moments_run(path), quiet=True)
    return reports


def test_videolights_preset_beats_moment_detr_at_equal_steps(preset_runs):
    detr, lights = preset_runs["moment_detr"].metrics, preset_runs["videolights"].metrics
    assert lights["MR-full-R1@0.5"] >= detr["MR-full-R1@0.5"] + 10, (lights, detr)
    assert lights["MR-full-mAP"] > detr["MR-full-mAP"], (lights, detr)
    assert lights["HL-min-Fair-mAP"] >= 90 and lights["HL-min-Fair-Hit1"] >= 90


def test_resume_is_bitwise_identical_with_every_component(tmp_path, moment_data):
    from safetensors.torch import load_file

    from vidrecap.train.moments.train import load_moments_run, train_moments

    runs = {}
    for name in ("whole", "parts"):
        path = moments_config(tmp_path, moment_data, 6, name=name, dropout=0.1)
        path.write_text(path.read_text().replace("[model]\n", '[model]\npreset = "videolights"\n'))
        runs[name] = load_moments_run(path)
    train_moments(runs["whole"], quiet=True)
    assert not train_moments(runs["parts"], quiet=True, stop_after=3).finished
    assert train_moments(runs["parts"], quiet=True, resume=True).finished
    a, b = (load_file(str(r.out_dir / "moments" / "model" / "model.safetensors")) for r in runs.values())
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# -- pretraining on pairs from recaps --------------------------------------------------------------


def synthetic_recap(vid: str, rng: np.random.Generator, n_cells: int = 30):
    """A recap whose clip captions name the concept shown in their cells (others: a neutral caption)."""
    from vidrecap.results import Caption, Recap, Transcript, VideoInfo

    vectors, names = concept_vectors(), list(CONCEPTS)
    rows = rng.normal(scale=0.3, size=(n_cells, DIM)).astype(np.float32)
    start = int(rng.integers(2, n_cells - 10))
    length = int(rng.integers(3, 8))
    name = names[int(rng.integers(len(names)))]
    rows[start : start + length] = vectors[name] + rng.normal(scale=0.1, size=(length, DIM))
    spans = [
        (0, start, "an empty street"),
        (start, start + length, CONCEPTS[name]),
        (start + length, n_cells, "a quiet room"),
    ]
    clips = [Caption("clip", i, 2.0 * a, 2.0 * b, text) for i, (a, b, text) in enumerate(spans)]
    info = VideoInfo(f"/videos/{vid}.mp4", vid, 2.0 * n_cells, 0, True, False)
    summary = Caption("summary", 0, 0.0, 2.0 * n_cells, CONCEPTS[name])
    return Recap(info, {"encoder": "synthconcepts"}, clips, [], summary, Transcript(), [], {"fused": rows})


def test_pretrain_pairs_then_fine_tune_starts_from_the_weights(tmp_path, moment_data, capsys):
    from safetensors.torch import load_file

    from vidrecap.cli import main
    from vidrecap.errors import InputError
    from vidrecap.outputs.store import save_recap
    from vidrecap.train.moments.pretrain_pairs import write_pretrain_set
    from vidrecap.train.moments.train import load_moments_run, train_moments

    rng = np.random.default_rng(5)
    recaps = [synthetic_recap(f"r{i:02d}", rng) for i in range(12)]
    made = write_pretrain_set(recaps, tmp_path / "pairs", val_every=4)
    rows = [json.loads(line) for line in made.train.read_text().splitlines()]
    assert made.pairs == 36 and len(rows) == 27
    assert "an empty street" in {r["query"] for r in rows}
    assert all(0 <= r["relevant_windows"][0][0] < r["relevant_windows"][0][1] <= r["duration"] for r in rows)

    save_recap(recaps[0], tmp_path / "out0")
    assert main(["train", "pairs", "--recaps", str(tmp_path / "out0"), "--out", str(tmp_path / "cli")]) == 0
    assert "pairs: 3" in capsys.readouterr().out

    pre = tmp_path / "pre.toml"
    pre.write_text(
        moments_config(tmp_path, moment_data, 8, name="pretrain")
        .read_text()
        .replace("[model]\n", '[model]\npreset = "videolights"\n')
        .replace(f'features = "{moment_data.features}"', f'features = "{made.features}"')
        .replace(f'text_features = "{moment_data.text}"', 'text_encoder = "synthconcepts"')
        .replace(f'train = "{moment_data.train}"', f'train = "{made.train}"')
        .replace(f'val = "{moment_data.val}"', f'val = "{made.val}"')
    )
    pretrained = train_moments(load_moments_run(pre), quiet=True)
    assert pretrained.finished and np.isfinite(pretrained.loss)

    fine = moments_config(tmp_path, moment_data, 4, name="fine")
    fine.write_text(
        fine.read_text().replace("[model]\n", '[model]\npreset = "videolights"\n')
        + f'init_from = "{pretrained.model_dir}"\n'
    )
    run = load_moments_run(fine)
    assert run.init_from == pretrained.model_dir
    assert not train_moments(run, quiet=True, stop_after=0).finished
    start = load_file(str(run.out_dir / "moments" / "checkpoint" / "model" / "model.safetensors"))
    source = load_file(str(pretrained.model_dir / "model.safetensors"))
    assert all(torch.equal(start[k], source[k]) for k in source)
    assert train_moments(run, quiet=True, resume=True).finished

    other = moments_config(tmp_path, moment_data, 2, name="mismatch")
    other.write_text(other.read_text() + f'init_from = "{pretrained.model_dir}"\n')
    with pytest.raises(InputError, match="init_from|weight"):
        train_moments(load_moments_run(other), quiet=True)


def test_highlight_and_retrieval_benchmarks(tmp_path, moment_data):
    """TVSum-format labels train the saliency head; Charades-format files use the retrieval evaluator."""
    from vidrecap.train.moments.train import load_moments_run, train_moments

    files = []
    (tmp_path / "text").mkdir()
    for split in ("train", "val"):
        rows = [json.loads(x) for x in getattr(moment_data, split).read_text().splitlines()][::2]
        out = []
        for r in rows:  # one title per video: the first query's token features stand in for it
            labels = [[1.0, 1.0, 1.0] for _ in range(30)]
            for c in r["relevant_clip_ids"]:
                labels[c] = [5.0, 4.0, 5.0]
            domain = "VT" if r["qid"] % 4 else "GA"
            out.append(
                {
                    "qid": r["vid"],
                    "vid": r["vid"],
                    "query": r["query"],
                    "duration": 60,
                    "domain": domain,
                    "label": labels,
                }
            )
            np.savez(tmp_path / "text" / f"qid{r['vid']}.npz", **np.load(moment_data.text / f"qid{r['qid']}.npz"))
        files.append(tmp_path / f"tvsum_{split}.jsonl")
        files[-1].write_text("".join(json.dumps(x) + "\n" for x in out))
    config = moments_config(tmp_path, moment_data, 30, name="tvsum")
    config.write_text(
        config.read_text()
        .replace(f'text_features = "{moment_data.text}"', f'text_features = "{tmp_path / "text"}"\nbenchmark = "tvsum"')
        .replace(f'train = "{moment_data.train}"', f'train = "{files[0]}"')
        .replace(f'val = "{moment_data.val}"', f'val = "{files[1]}"')
    )
    report = train_moments(load_moments_run(config), quiet=True)
    assert set(report.metrics) == {"HL-mAP"} and report.metrics["HL-mAP"] > 50

    charades = moments_config(tmp_path, moment_data, 2, name="charades")
    charades.write_text(charades.read_text().replace('val = "', 'benchmark = "charades"\nval = "'))
    metrics = train_moments(load_moments_run(charades), quiet=True).metrics
    assert {"R1@0.5", "R1@0.7", "mIoU", "mAP"} <= set(metrics)


CONFIGS = ("qvhighlights", "qvhighlights_finetune", "charades_sta", "tacos", "tvsum", "pretrain")


@pytest.mark.parametrize("name", CONFIGS)
def test_shipped_configs_parse_and_their_annotations_load(name):
    from pathlib import Path

    from vidrecap.train.moments.bench import load_annotations
    from vidrecap.train.moments.train import load_moments_run

    root = Path(__file__).resolve().parents[2]
    run = load_moments_run(root / "configs" / "moments" / f"{name}.toml")
    assert run.model.preset == "videolights" and run.model.feature_refinement
    if name == "tvsum":
        assert run.benchmark == "tvsum" and not run.model.joint_feedback
    shared = root.parent / "shared" / "data"
    if name != "pretrain" and shared.exists():  # the shared benchmark annotations, where present
        assert run.train_file.resolve().is_relative_to(shared.resolve())
        assert len(load_annotations(run.benchmark, run.train_file)) > 30


def test_videolights_head_loads_through_the_one_moments_backend(preset_runs, moment_data):
    from vidrecap import registry

    report = preset_runs["videolights"]
    scorer = registry.create("moments", f"recap:{report.model_dir}")
    assert scorer.config.preset == "videolights" and scorer.config.cross_modal_fusion
    video = np.load(moment_data.features / "mval000.npy")
    query = np.load(moment_data.text / "qid120.npz")["last_hidden_state"]
    row = scorer.predict(video, query, duration=60.0, qid=120, vid="mval000")
    expected = next(r for r in map(json.loads, report.predictions.read_text().splitlines()) if r["qid"] == 120)
    assert row["pred_relevant_windows"] == expected["pred_relevant_windows"]
    assert row["pred_saliency_scores"] == expected["pred_saliency_scores"]


def test_stream_fusion_reads_one_stream_per_feature_directory(tmp_path, moment_data):
    from vidrecap.train.moments.model import MomentHead
    from vidrecap.train.moments.train import load_moments_run, train_moments

    path = moments_config(tmp_path, moment_data, 2, name="streams")
    path.write_text(
        path.read_text()
        .replace("[model]\n", '[model]\npreset = "videolights"\n')
        .replace(
            f'features = "{moment_data.features}"', f'features = ["{moment_data.features}", "{moment_data.features}"]'
        )
    )
    report = train_moments(load_moments_run(path), quiet=True)
    model = MomentHead.load(report.model_dir)
    assert model.config.stream_dims == [DIM, DIM] and model.config.video_dim == 2 * DIM
    assert len(model.video_in.streams) == 2
