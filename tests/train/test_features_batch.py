"""`vidrecap features DIR`: every video under a directory, on a real local Ray cluster, resumable."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.media import Part, build_video
from vidrecap.cli import main
from vidrecap.train.features import FeatureSource, read_meta


@pytest.fixture(scope="module")
def video_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("videos")
    build_video(root / "one.mp4", [Part(6, title="Gardening Basics", say="Water the tomatoes every evening.")])
    (root / "nested").mkdir()
    build_video(root / "nested" / "two.mp4", [Part(6, footage="bikes", say="A cyclist rides through town.")])
    (root / "broken.mkv").write_bytes(b"\x1a\x45\xdf\xa3" + b"\x00" * 3000)
    return root


def test_ray_features_record_the_failure_do_the_rest_and_resume(video_dir, tmp_path, capsys):
    ray = pytest.importorskip("ray")
    out = tmp_path / "feats"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        rc = main(["features", str(video_dir), "-o", str(out), "--ray", "--cpus-per-video", "1"])
    finally:
        ray.shutdown()
    err = capsys.readouterr().err
    assert rc == 1 and "features for 2 of 3 files" in err and "broken.mkv" in err and "Traceback" not in err
    index = json.loads((out / "index.json").read_text())
    assert index["videos"] == 3 and index["failed"] == 1
    assert [i["vid"] for i in index["items"] if not i["ok"]] == ["broken"] and index["items"][0]["error"]
    meta = read_meta(out)
    assert set(meta.videos) == {"one", "nested__two"}
    source = FeatureSource.open([out], "fused")
    for vid, cells in meta.videos.items():
        rows = source.load(vid)
        assert rows.shape == (cells, meta.dim) and cells >= 3 and np.isfinite(rows).all()
    stamps = {vid: (out / f"{vid}.npz").stat().st_mtime_ns for vid in meta.videos}

    rc = main(["features", str(video_dir), "-o", str(out), "--quiet"])  # resume, here: only the failure is retried
    assert rc == 1
    again = json.loads((out / "index.json").read_text())
    assert sorted((i["vid"], i["skipped"]) for i in again["items"]) == [
        ("broken", False), ("nested__two", True), ("one", True)]
    assert stamps == {vid: (out / f"{vid}.npz").stat().st_mtime_ns for vid in meta.videos}


def test_ray_needs_a_directory(tmp_path, capsys):
    (tmp_path / "a.mp4").write_bytes(b"")
    assert main(["features", str(tmp_path / "a.mp4"), "-o", str(tmp_path / "f"), "--ray"]) != 0
    err = capsys.readouterr().err
    assert "--ray needs a directory of videos" in err and "Traceback" not in err
