"""Narration readers: Ego4D narration.json and flat records, EK100 CSVs, weak narrations; clear errors."""

from __future__ import annotations

import json

import pytest

from vidrecap.errors import InputError
from vidrecap.results import Cell
from vidrecap.train.dual.narrations import load_ego4d_narrations, load_ek100_narrations, window_text


def test_ego4d_narration_json_centres_a_window_on_timestamps(tmp_path):
    path = tmp_path / "narration.json"
    path.write_text(json.dumps({"v1": {"narration_pass_1": {"narrations": [
        {"timestamp_sec": 1.0, "narration_text": "#C C opens the fridge"},
        {"timestamp_sec": 9.0, "narration_text": "#O a man X waves"},
    ]}, "narration_pass_2": {"narrations": [{"timestamp_sec": 5.0, "narration_text": "#C C drinks"}]}}}))
    out = load_ego4d_narrations(path, window=4.0)
    assert [(n.vid, n.start, n.end, n.text) for n in out] == [
        ("v1", 0.0, 3.0, "opens the fridge"), ("v1", 7.0, 11.0, "a man X waves"), ("v1", 3.0, 7.0, "drinks")]


def test_flat_records_in_jsonl_and_csv(tmp_path):
    (tmp_path / "n.jsonl").write_text('{"video": "a", "start": 1, "end": 3, "text": "cuts bread"}\n')
    (tmp_path / "n.csv").write_text("vid,timestamp,narration\nb,4,pours milk\n")
    assert load_ego4d_narrations(tmp_path / "n.jsonl")[0].end == 3.0
    assert load_ego4d_narrations(tmp_path / "n.csv", window=2)[0].start == 3.0


@pytest.mark.parametrize(("content", "pattern"), [
    ('{"video": "a", "text": "x"}\n', r"n\.jsonl:1: field 'timestamp'"),
    ('{"video": "a", "start": 5, "end": 1, "text": "x"}\n', r"n\.jsonl:1: field 'end': 1\.0 is before"),
    ('{"text": "x", "timestamp": 1}\n', r"n\.jsonl:1: field 'video': missing"),
    ('{"video": "a", "timestamp": 1\n', r"n\.jsonl:1: invalid JSON"),
])
def test_bad_narration_records_name_line_and_field(tmp_path, content, pattern):
    (tmp_path / "n.jsonl").write_text(content)
    with pytest.raises(InputError, match=pattern):
        load_ego4d_narrations(tmp_path / "n.jsonl")


def test_ek100_csv(tmp_path):
    path = tmp_path / "EPIC_100_retrieval_test.csv"
    path.write_text("narration_id,video_id,start_timestamp,stop_timestamp,narration\n"
                    "P01_11_0,P01_11,00:00:01.50,00:01:02.00,open door\n")
    (n,) = load_ek100_narrations(path)
    assert (n.vid, n.start, n.end, n.text) == ("P01_11", 1.5, 62.0, "open door")
    path.write_text("narration_id,video_id,start_timestamp,stop_timestamp,narration\nx,v,1.5,2,open\n")
    with pytest.raises(InputError, match=r":2: field 'start_timestamp': expected HH:MM:SS"):
        load_ek100_narrations(path)
    path.write_text("video_id,narration\nv,open\n")
    with pytest.raises(InputError, match="field 'start_timestamp': missing column"):
        load_ek100_narrations(path)


def test_weak_narration_joins_speech_and_new_on_screen_text():
    cells = [Cell(0, 0, 2, speech="Boil the water", on_screen="Cooking Pasta"),
             Cell(1, 2, 4, speech="and add salt.", on_screen="Cooking  Pasta")]
    assert window_text(cells) == "Boil the water and add salt. Cooking Pasta"
    assert window_text([Cell(0, 0, 2)]) == ""


def test_narrations_without_features_are_skipped_and_none_at_all_is_an_error(tmp_path, capsys):
    import numpy as np

    from vidrecap.cli import main

    feats = tmp_path / "feats"
    feats.mkdir()
    np.savez(feats / "a.npz", visual=np.ones((4, 8), np.float32))
    (tmp_path / "n.jsonl").write_text('{"video": "zz", "start": 0, "end": 4, "text": "cuts bread"}\n')
    (tmp_path / "dual.toml").write_text(f'[data]\nfeatures = "{feats}"\nnarrations = "{tmp_path / "n.jsonl"}"\n')
    assert main(["train", "dual", "--config", str(tmp_path / "dual.toml"), "--quiet"]) == 2
    assert "no training narration has features" in capsys.readouterr().err
