"""Every trainer under data parallelism: 2 gloo processes on the CPU against one process.

For each trainer the two ranks train a config (``whole``) and the same config interrupted and resumed
(``split``); the test checks that the run finishes, that rank 0 alone wrote in the run directories,
that the resumed run's weights equal the uninterrupted one's, and that a one-process run with the
same global batch reaches the same quality (gradients are averaged over the shards of one globally
ordered batch, so the runs differ only by float rounding and per-shard loss normalisation).
"""

from __future__ import annotations

import json
import socket

import numpy as np
import pytest
import torch

from .dual_synth import dual_config, write_dual_data
from .synth import moments_config, recap_config
from .xsum_synth import write_videoxum, xsum_config

STOP = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(kind: str, whole, split, tmp_path) -> list[dict]:
    import torch.multiprocessing as mp

    from .ddp_worker import run

    out = tmp_path / "ranks"
    out.mkdir()
    mp.spawn(run, args=(2, free_port(), kind, str(whole), str(split), STOP, str(out)), nprocs=2, join=True)
    return [json.loads((out / f"rank{r}.json").read_text()) for r in range(2)]


def weights(model_dir) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    return load_file(str(model_dir / "model.safetensors"))


def check(kind: str, ranks: list[dict], whole_dir, split_dir, single: dict, close: dict[str, float]):
    zero, one = ranks
    for part in ("whole", "resumed"):
        assert zero[part]["finished"] and zero[part]["world_size"] == 2
    assert not zero["stopped"]["finished"] and zero["stopped"]["step"] == STOP
    assert zero["whole"]["metrics"] == one["whole"]["metrics"]  # scored once on rank 0, then shared
    assert zero["writes"] and not one["writes"], one["writes"][:5]
    a, b = weights(whole_dir), weights(split_dir)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a), "resume differs"
    print(kind, "1 process:", single, "2 processes:", zero["whole"]["metrics"])
    for name, tolerance in close.items():
        got, want = zero["whole"]["metrics"][name], single[name]
        assert abs(got - want) <= tolerance, f"{kind} {name}: 2 processes {got}, 1 process {want}"


def rows_once(metrics_csv) -> None:
    lines = metrics_csv.read_text().splitlines()
    keys = [tuple(line.split(",")[1:5]) for line in lines[1:]]
    assert lines[0].startswith("time,") and len(keys) == len(set(keys)) > 0  # no second writer


def test_moments_ddp(tmp_path, moment_data):
    from vidrecap.train.moments.train import load_moments_run, train_moments

    cfg = {n: moments_config(tmp_path, moment_data, 24, name=n, dropout=0.1) for n in ("one", "whole", "split")}
    single = train_moments(load_moments_run(cfg["one"]), quiet=True)
    ranks = spawn("moments", cfg["whole"], cfg["split"], tmp_path)
    run_dir = tmp_path / "whole-run"
    check("moments", ranks, run_dir / "moments/model", tmp_path / "split-run/moments/model", single.metrics,
          {"MR-full-R1@0.5": 10.0, "HL-min-Fair-mAP": 3.0, "HL-min-VeryGood-mAP": 3.0})
    rows_once(run_dir / "metrics.csv")
    lines = [(tmp_path / d / "predictions_val.jsonl").read_text().splitlines() for d in ("one-run", "whole-run")]
    assert len(lines[0]) == len(lines[1]) == 20  # every val query once, in order
    assert [json.loads(x)["qid"] for x in lines[0]] == [json.loads(x)["qid"] for x in lines[1]]


def test_recap_ddp(tmp_path, hcap, lm_dir):
    from vidrecap.train.recap.train import load_recap_run, train_recap

    names = ("one", "whole", "split")
    cfg = {n: recap_config(tmp_path, hcap, lm_dir, {"clip": 12}, dropout=0.1, name=n) for n in names}
    single = train_recap(load_recap_run(cfg["one"]), quiet=True)[-1]
    ranks = spawn("recap", cfg["whole"], cfg["split"], tmp_path)
    check("recap", ranks, tmp_path / "whole-run/clip/model", tmp_path / "split-run/clip/model", single.metrics,
          {"clip/ROUGE_L": 0.1, "clip/CIDEr": 0.3})
    rows_once(tmp_path / "whole-run/metrics.csv")


def test_xsum_ddp(tmp_path, lm_dir):
    from vidrecap.train.xsum.train import load_xsum_run, train_xsum

    data = write_videoxum(tmp_path / "data", n_train=24, n_val=6)
    # with gradient accumulation (DDP's no_sync on the first micro-batch); the key-frame metrics are compared:
    # the text of a 12-step LM flips with any change (ROUGE-L 0.31 vs 0.54 here), so it is not
    names = ("one", "whole", "split")
    cfg = {n: xsum_config(tmp_path, data, lm_dir, 12, name=n, dropout=0.1, extra_train="grad_accum = 2") for n in names}
    single = train_xsum(load_xsum_run(cfg["one"]), quiet=True)
    ranks = spawn("xsum", cfg["whole"], cfg["split"], tmp_path)
    check("xsum", ranks, tmp_path / "whole-run/xsum/model", tmp_path / "split-run/xsum/model", single.metrics,
          {"F1_MAX": 0.05, "Kendall": 0.05})
    rows_once(tmp_path / "whole-run/metrics.csv")
    lines = [(tmp_path / d / "predictions_val.jsonl").read_text().splitlines() for d in ("one-run", "whole-run")]
    assert len(lines[0]) == len(lines[1]) == 6
    assert [json.loads(x)["video_id"] for x in lines[0]] == [json.loads(x)["video_id"] for x in lines[1]]


def test_dual_ddp(tmp_path):
    from vidrecap.train.dual.train import load_dual_run, train_dual

    from .dual_synth import build_text_model

    data, text_model = write_dual_data(tmp_path / "data"), build_text_model(tmp_path / "bert")
    extra = '\namp = "bf16"\n[densify]\nrephraser = "synonyms"\nrephrase_ratio = 0.5\n'  # AMP, paraphrases
    cfg = {}
    for n in ("one", "whole", "split"):
        (tmp_path / n).mkdir()
        cfg[n] = dual_config(tmp_path / n, data, text_model, 12, extra)
    from vidrecap import registry

    from .dual_synth import SynonymWriter

    registry.register("writer", SynonymWriter.spec)(SynonymWriter)
    single = train_dual(load_dual_run(cfg["one"]), quiet=True)
    ranks = spawn("dual", cfg["whole"], cfg["split"], tmp_path)
    check("dual", ranks, tmp_path / "whole/run/dual/model", tmp_path / "split/run/dual/model", single.metrics,
          {"T->V_R@1": 17.0, "V->T_R@1": 17.0})
    rows_once(tmp_path / "whole/run/metrics.csv")
    assert (tmp_path / "whole/run/val_similarity.npy").exists()


def test_batch_not_divisible_is_one_clear_error(tmp_path, moment_data, monkeypatch):
    from vidrecap.errors import InputError
    from vidrecap.train.harness import distributed

    monkeypatch.setenv("WORLD_SIZE", "3")
    with pytest.raises(InputError, match=r"batch_size: 16 is the global batch and must be divisible by the 3"):
        distributed.setup("cpu", 16)
    assert not torch.distributed.is_initialized()


def test_torchrun_cli_prints_once(tmp_path, moment_data):
    """The real launcher: ``torchrun --nproc_per_node 2 -m vidrecap train moments``."""
    import subprocess
    import sys

    config = moments_config(tmp_path, moment_data, 4, name="cli")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "vidrecap", "train", "moments", "--config", str(config), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("moments: done at step 4") == 1 and "(2 processes)" in done.stdout
    assert done.stdout.count("predictions:") == 1
    state = json.loads((tmp_path / "cli-run/moments/checkpoint/trainer_state.json").read_text())
    assert state["world_size"] == 2 and len(state["rng_ranks"]) == 1
    rows_once(tmp_path / "cli-run/metrics.csv")
