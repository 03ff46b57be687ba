"""Stage cache keys: what re-runs when an option or a model changes."""

from __future__ import annotations

import os

from vidrecap.pipeline.options import RunOptions


def test_a_model_retrained_into_the_same_directory_is_not_served_from_cache(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "model.safetensors").write_bytes(b"first")
    opts = RunOptions(encoder=f"dual:{run}")
    before = opts.stage_key("f", "embeddings")
    assert opts.stage_key("f", "embeddings") == before  # stable while nothing changes
    assert opts.stage_key("f", "speech") == RunOptions().stage_key("f", "speech")  # only stages it feeds
    (run / "model.safetensors").write_bytes(b"second, retrained")
    os.utime(run / "model.safetensors", ns=(1, 1))
    assert opts.stage_key("f", "embeddings") != before
