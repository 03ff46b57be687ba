"""The dual encoder: learnable synthetic narrations, resume, rephraser mixing, the encoder backend."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vidrecap.cli import main
from vidrecap.errors import InputError

from .dual_synth import ACTIVITIES, SynonymWriter, build_text_model, dual_config, write_dual_data

STEPS = 60


@pytest.fixture(scope="module")
def dual_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("dual-data")
    from vidrecap import registry

    registry.register("writer", SynonymWriter.spec)(SynonymWriter)
    return root, write_dual_data(root), build_text_model(root / "bert")


@pytest.fixture(scope="module")
def dual_run(dual_data, tmp_path_factory):
    from vidrecap.train.dual.train import load_dual_run, train_dual

    _, data, text_model = dual_data
    root = tmp_path_factory.mktemp("dual-run")
    run = load_dual_run(dual_config(root, data, text_model, STEPS))
    return run, train_dual(run, quiet=True)


def test_retrieval_rises_well_above_chance(dual_run):
    run, report = dual_run
    chance = 100.0 / len(ACTIVITIES)
    assert report.finished and report.counts["val"] == len(ACTIVITIES)
    assert report.metrics["T->V_R@1"] >= 3 * chance, report.metrics
    assert report.metrics["V->T_R@1"] >= 3 * chance, report.metrics
    saved = json.loads((run.out_dir / "eval_val.json").read_text())
    assert saved["T->V_R@1"] == report.metrics["T->V_R@1"]
    assert "val" in (run.out_dir / "metrics.csv").read_text()


def test_saved_val_similarity_rescores_identically_with_vidrecap_eval(dual_run, capsys):
    run, report = dual_run
    args = ["eval", "retrieval", "--pred", str(run.out_dir / "val_similarity.npy"),
            "--gt", str(run.out_dir / "val_truth.json"), "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["T->V"]["R@1"] == report.metrics["T->V_R@1"]
    assert out["V->T"]["MedR"] == report.metrics["V->T_MedR"]


def test_untrained_model_is_near_chance(dual_run):
    import torch

    from vidrecap.train.dual.data import WindowFeatures, load_split
    from vidrecap.train.dual.model import DualEncoder
    from vidrecap.train.dual.predict import retrieval_scores

    run, _ = dual_run
    trained = DualEncoder.load(run.out_dir / "dual" / "model")
    val, _ = load_split(run.val, WindowFeatures(run.feature_dirs, run.feature_key, 2), run)
    torch.manual_seed(1)
    fresh = DualEncoder.from_text_model(trained.config, run.text_model).eval()
    assert retrieval_scores(fresh, val)["T->V_R@1"] < retrieval_scores(trained, val)["T->V_R@1"]


def test_resume_is_bit_identical_with_rephraser(dual_data, tmp_path):
    from safetensors.numpy import load_file

    from vidrecap.train.dual.train import load_dual_run, train_dual

    _, data, text_model = dual_data
    extra = '\n[densify]\nrephraser = "synonyms"\nrephrase_ratio = 0.5\n'
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    whole = load_dual_run(dual_config(tmp_path / "a", data, text_model, 24, extra))
    split = load_dual_run(dual_config(tmp_path / "b", data, text_model, 24, extra))
    report = train_dual(whole, quiet=True)
    assert report.counts["paraphrased"] > 0
    first = train_dual(split, quiet=True, stop_after=15)
    assert not first.finished and first.step == 15
    with pytest.raises(InputError, match="--resume"):
        train_dual(split, quiet=True)
    assert train_dual(split, resume=True, quiet=True).finished
    a = load_file(str(whole.out_dir / "dual" / "model" / "model.safetensors"))
    b = load_file(str(split.out_dir / "dual" / "model" / "model.safetensors"))
    assert sorted(a) == sorted(b)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    lines = [json.loads(line) for line in (split.out_dir / "densified.jsonl").read_text().splitlines()]
    paraphrases = {e["text"]: e["paraphrase"] for e in lines if "text" in e}
    assert paraphrases["cuts an onion"] == "chops an onion" and paraphrases["pets the dog"] == ""
    assert len(paraphrases) == sum(1 for e in lines if "text" in e)  # the resumed run rephrased nothing again


def test_mixed_batches_use_paraphrases_deterministically(dual_data, tmp_path):
    from vidrecap.train.dual.data import Pair
    from vidrecap.train.dual.model import DualConfig
    from vidrecap.train.dual.narrations import Narration
    from vidrecap.train.dual.train import DensifySettings, DualTask
    from vidrecap.train.harness import TrainSettings

    rows = np.zeros((2, 4), np.float32)
    train = [Pair(rows, Narration("v", 0, 4, f"text {i}", paraphrases=[f"para {i}"])) for i in range(8)]
    pseudo = [Pair(rows, Narration("v", 4, 8, "pseudo", "narrator"))]

    class Model:
        config = DualConfig(video_dim=4, num_rows=2)

        def parameters(self):
            import torch

            yield torch.zeros(1)

    task = DualTask(Model(), train, pseudo, [], TrainSettings(batch_size=4, seed=1),
                    DensifySettings(narrator_ratio=0.25, rephrase_ratio=0.5))
    texts = [t for k in range(20) for _, t in task.items(k)]
    assert texts == [t for k in range(20) for _, t in task.items(k)]
    assert texts.count("pseudo") == 20  # one narrator item in each batch of 4
    rephrased = sum(t.startswith("para") for t in texts) / 60
    assert 0.3 < rephrased < 0.7


def test_dual_encoder_backend_embeds_text_and_feature_rows(dual_run):
    from vidrecap import registry

    run, _ = dual_run
    encoder = registry.create("encoder", f"dual:{run.out_dir}")
    assert encoder.dim == 32 and encoder.embed_images([]) is None
    text = encoder.embed_text(["cuts an onion", "rides a bike"])
    assert text.shape == (2, 32) and np.allclose(np.linalg.norm(text, axis=1), 1, atol=1e-5)
    features = np.load(run.feature_dirs[0] / "val00.npz")["visual"]
    cells = encoder.embed_feature_rows(features)
    assert cells.shape == (features.shape[0], 32)
    # val00 shows onion, door, dog for two cells each: each sentence finds its own cells
    sims = encoder.embed_text(["slices the onion", "pushes the door open", "pets the dog"]) @ cells.T
    assert [int(np.argmax(s)) // 2 for s in sims] == [0, 1, 2]


def test_cli_errors_are_one_line(dual_data, tmp_path, capsys):
    _, data, text_model = dual_data
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[data]\nfeatures = "{data["features"]}"\n[model]\nembed_dim = 0\n')
    assert main(["train", "dual", "--config", str(bad), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "model.embed_dim" in err
    bad.write_text(f'[data]\nnarrations = "{tmp_path / "none.json"}"\nfeatures = "{data["features"]}"\n')
    assert main(["train", "dual", "--config", str(bad), "--quiet"]) == 2
    assert "narration file not found" in capsys.readouterr().err


def test_cli_trains_in_bf16_and_reports(dual_data, tmp_path, capsys):
    _, data, text_model = dual_data
    config = dual_config(tmp_path, data, text_model, 4, extra='amp = "bf16"')
    assert main(["train", "dual", "--config", str(config), "--quiet", "--rephraser", "synonyms"]) == 0
    out = capsys.readouterr().out
    assert "dual: done at step 4" in out and "paraphrased" in out


def test_frozen_text_tower_is_cached_without_dropout(dual_data):
    import torch

    from vidrecap.train.dual import model as dual_model
    from vidrecap.train.dual.model import DualConfig, DualEncoder

    _, _, text_model = dual_data
    model = DualEncoder.from_text_model(DualConfig(video_dim=4, embed_dim=8, freeze_text=True), text_model)
    texts = ["cuts an onion", "opens the door", "cuts an onion"]
    model.train()
    assert not model.text.training and not any(p.requires_grad for p in model.text.parameters())
    cached = model.embed_text(texts)
    assert list(model._frozen_cache) == ["opens the door", "cuts an onion"]  # least recently used first
    model.eval()
    with torch.no_grad():
        assert torch.allclose(cached.detach(), model.embed_text(texts), atol=1e-6)
    old, dual_model.FROZEN_CACHE_SIZE = dual_model.FROZEN_CACHE_SIZE, 1
    try:
        model.train()
        model.embed_text(["pets the dog", "rides a bike"])
        assert list(model._frozen_cache) == ["rides a bike"]
    finally:
        dual_model.FROZEN_CACHE_SIZE = old


def test_benchmark_predictions_score_with_vidrecap_eval(dual_data, dual_run, tmp_path, capsys):
    from dataclasses import replace

    from vidrecap.train.dual.data import WindowFeatures
    from vidrecap.train.dual.model import DualEncoder
    from vidrecap.train.dual.predict import write_benchmark_predictions

    from .dual_synth import write_benchmark_files

    root, data, _ = dual_data
    run, _ = dual_run
    files = write_benchmark_files(tmp_path, data)
    run = replace(run, out_dir=tmp_path, benchmarks={k: files[k] for k in ("ek100_test", "ek100_sentences", "egomcq")})
    model = DualEncoder.load(dual_run[0].out_dir / "dual" / "model")
    written = write_benchmark_predictions(model, WindowFeatures(run.feature_dirs, run.feature_key, 2), run)
    assert [p.name for p in written] == ["ek100_similarity.npy", "egomcq_scores.json"]
    assert np.load(written[0]).shape == (len(ACTIVITIES), len(ACTIVITIES))
    assert main(["eval", "ek100-mir", "--pred", str(written[0]), "--gt", str(files["relevancy"]), "--json"]) == 0
    mir = json.loads(capsys.readouterr().out)
    assert mir["mAP"]["avg"] > 80 and mir["nDCG"]["avg"] > 80, mir
    assert main(["eval", "egomcq", "--pred", str(written[1]), "--gt", str(files["egomcq"]), "--json"]) == 0
    mcq = json.loads(capsys.readouterr().out)
    assert mcq["inter_video"] == 100.0 and mcq["intra_video"] == 100.0, mcq


def test_benchmark_keys_in_the_config(dual_data, tmp_path):
    from vidrecap.train.dual.train import load_dual_run

    _, data, text_model = dual_data
    config = dual_config(tmp_path, data, text_model, 1)
    text = config.read_text().replace("[train]", f'ek100_test = "{data["val"]}"\n\n[train]')
    config.write_text(text)
    with pytest.raises(InputError, match="give both ek100_test and ek100_sentences"):
        load_dual_run(config)
    config.write_text(text.replace("[train]", f'ek100_sentences = "{data["val"]}"\negomcq = "q.json"\n[train]'))
    assert sorted(load_dual_run(config).benchmarks) == ["egomcq", "ek100_sentences", "ek100_test"]
