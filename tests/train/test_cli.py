"""`vidrecap train` from the command line: a run, resume guard, and config/data errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vidrecap.cli import main

from .synth import moments_config, recap_config


def run_cli(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_train_recap_then_resume_guard(tmp_path, hcap, lm_dir, capsys):
    config = recap_config(tmp_path, hcap, lm_dir, {"clip": 4, "segment": 3})
    code, out, _ = run_cli(
        ["train", "recap", "--config", str(config), "--quiet", "--stop-after", "2"], capsys
    )
    assert code == 0 and "clip: stopped at step 2" in out
    code, _, err = run_cli(["train", "recap", "--config", str(config), "--quiet"], capsys)
    assert code == 2 and "--resume" in err
    code, out, _ = run_cli(["train", "recap", "--config", str(config), "--quiet", "--resume"], capsys)
    assert code == 0 and "clip: done at step 4" in out and "segment: done at step 3" in out
    assert (tmp_path / "recap-run" / "segment" / "model" / "model.safetensors").exists()
    header = (tmp_path / "recap-run" / "metrics.csv").read_text().splitlines()[0]
    assert header == "time,stage,step,split,metric,value"


def test_train_moments_cli(tmp_path, moment_data, capsys):
    config = moments_config(tmp_path, moment_data, 3)
    code, out, _ = run_cli(["train", "moments", "--config", str(config), "--quiet"], capsys)
    assert code == 0 and "moments: done at step 3" in out and "predictions:" in out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("batch_size = 12", 'batch_size = "big"'),
            "field 'train.batch_size': expected an integer",
        ),
        (
            lambda t: t.replace("seed = 0", "seed = 0\nlearning_rate = 1"),
            "field 'train.learning_rate': unknown key",
        ),
        (lambda t: t.replace("num_queries = 4", "num_queries = 0"), "field 'model.num_queries': must be"),
        (lambda t: t.replace('variant = "curriculum"', 'variant = "fast"'), "field 'train.variant'"),
        (lambda t: t.replace("[data]", "[dataz]"), "field 'dataz': unknown key"),
        (lambda t: t + "oops = [", "invalid TOML"),
    ],
)
def test_bad_recap_configs(tmp_path, hcap, lm_dir, capsys, edit, message):
    config = recap_config(tmp_path, hcap, lm_dir, {"clip": 2})
    config.write_text(edit(config.read_text()))
    code, _, err = run_cli(["train", "recap", "--config", str(config)], capsys)
    assert code == 2 and message in err and str(config) in err


def test_bad_data_files_are_named(tmp_path, hcap, lm_dir, moment_data, capsys):
    bad_clips = tmp_path / "clips.json"
    bad_clips.write_text(json.dumps([["v", 0, "late", "a caption"]]))
    config = recap_config(tmp_path, hcap, lm_dir, {"clip": 2})
    config.write_text(config.read_text().replace(str(hcap.train["clip"]), str(bad_clips)))
    code, _, err = run_cli(["train", "recap", "--config", str(config)], capsys)
    assert code == 2 and str(bad_clips) in err and "end_sec" in err

    text = tmp_path / "text"
    text.mkdir()
    for path in moment_data.text.iterdir():
        (text / path.name).write_bytes(path.read_bytes())
    np.savez(text / "qid0.npz", hidden=np.ones((2, 16), np.float32))
    config = moments_config(tmp_path, moment_data, 2)
    config.write_text(
        config.read_text()
        .replace(str(moment_data.text), str(text))
        .replace("[data]", '[data]\ntext_key = "last_hidden_state"')
    )
    code, _, err = run_cli(["train", "moments", "--config", str(config)], capsys)
    assert code == 2 and "qid0.npz" in err and "hidden" in err
