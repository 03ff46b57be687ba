"""Feature files: the `vidrecap features` layout and validating loaders."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vidrecap.errors import InputError
from vidrecap.outputs.store import save_recap
from vidrecap.train.features import FeatureDir, FeatureSource, load_feature_file, read_meta


def saved_recap(directory, n_cells=5, dim=8):
    from vidrecap.results import Caption, Cell, Recap, Transcript, VideoInfo

    rng = np.random.default_rng(0)
    info = VideoInfo(str(directory / "talk.mp4"), "f" * 16, 2.0 * n_cells, 1, True, False)
    cells = [Cell(i, 2.0 * i, 2.0 * i + 2) for i in range(n_cells)]
    clip = Caption("clip", 0, 0.0, 2.0 * n_cells, "a clip")
    embeddings = {
        k: rng.normal(size=(n_cells, dim)).astype(np.float32) for k in ("visual", "speech", "fused")
    }
    recap = Recap(
        info,
        {"encoder": "embedded", "visual_space": "labels"},
        [clip],
        [clip],
        Caption("summary", 0, 0.0, 2.0 * n_cells, "s"),
        Transcript(),
        cells,
        embeddings,
    )
    save_recap(recap, directory / "recap")
    return directory / "recap", embeddings


def test_features_command_writes_the_documented_layout(tmp_path, capsys):
    from vidrecap.cli import main

    recap_dir, embeddings = saved_recap(tmp_path)
    out = tmp_path / "feats"
    assert main(["features", str(recap_dir), "-o", str(out), "--vid", "talk", "--quiet"]) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["encoder"] == "embedded" and meta["dim"] == 8 and meta["cell_seconds"] == 2.0
    assert meta["channels"] == ["fused", "speech", "visual"] and meta["videos"] == {"talk": 5}
    source = FeatureSource.open([out])
    assert source.dirs[0].key == "fused" and source.encoder == "embedded"
    np.testing.assert_array_equal(source.load("talk"), embeddings["fused"])
    with np.load(out / "talk.npz") as data:
        np.testing.assert_array_equal(data["visual"], embeddings["visual"])


def test_external_layouts_and_concatenation(tmp_path):
    a, b = tmp_path / "slowfast", tmp_path / "clip"
    a.mkdir(), b.mkdir()
    np.savez(a / "v1.npz", features=np.ones((6, 4), np.float32))
    np.save(b / "v1.npy", np.zeros((5, 3), np.float16))
    merged = FeatureSource.open([a, b]).load("v1")
    assert merged.shape == (5, 7) and merged.dtype == np.float32
    np.savez(a / "qid7.npz", last_hidden_state=np.ones((3, 4), np.float32))
    assert FeatureDir.open(a, "last_hidden_state", "qid{vid}").load("7").shape == (3, 4)


@pytest.mark.parametrize(
    ("array", "key", "message"),
    [
        (np.ones((4, 3), np.int64), "features", "field 'features': expected float features"),
        (np.ones((2, 3, 4), np.float32), "features", "expected a 2-D"),
        (np.array([[1.0, np.nan]], np.float32), "features", "NaN"),
        (np.ones((0, 3), np.float32), "features", "empty array"),
        (np.ones((4, 3), np.float32), "other", "field 'other': missing"),
    ],
)
def test_malformed_feature_files_name_file_and_field(tmp_path, array, key, message):
    path = tmp_path / "v.npz"
    np.savez(path, features=array) if key != "other" else np.savez(path, features=array)
    with pytest.raises(InputError, match=message) as err:
        load_feature_file(path, key)
    assert str(path) in str(err.value)


def test_dim_mismatch_missing_file_and_bad_meta(tmp_path):
    np.save(tmp_path / "v.npy", np.ones((3, 5), np.float32))
    with pytest.raises(InputError, match="expected feature dim 4, got 5"):
        load_feature_file(tmp_path / "v.npy", dim=4)
    with pytest.raises(InputError, match="no features for 'nope'"):
        FeatureDir.open(tmp_path).load("nope")
    (tmp_path / "meta.json").write_text(json.dumps({"encoder": "x", "dim": "8", "cell_seconds": 2}))
    with pytest.raises(InputError, match="meta.json: field 'dim'"):
        read_meta(tmp_path)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="junk.npz: unreadable"):
        load_feature_file(tmp_path / "junk.npz")
