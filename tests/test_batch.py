"""Batch mode: a directory of videos, locally and through a real local Ray cluster."""

from __future__ import annotations

import json

import pytest

from tests.media import Part, build_video
from vidrecap.cli import main
from vidrecap.pipeline.batch import run_batch


@pytest.fixture(scope="module")
def video_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("videos")
    build_video(root / "one.mp4", [Part(6, title="Gardening Basics", say="Water the tomatoes every evening.")])
    (root / "nested").mkdir()
    build_video(root / "nested" / "two.mp4", [Part(6, footage="bikes", say="A cyclist rides through town.")])
    (root / "broken.mkv").write_bytes(b"\x1a\x45\xdf\xa3" + b"\x00" * 3000)
    (root / "notes.txt").write_text("not a video")
    (root / ".hidden.mp4").write_bytes(b"")
    return root


def test_local_batch_records_failures_and_goes_on(video_dir, tmp_path, capsys):
    rc = main(["run", str(video_dir), "-o", str(tmp_path / "out"), "-q"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "recapped 2 of 3 files" in err and "broken.mkv" in err and "Traceback" not in err
    index = json.loads((tmp_path / "out" / "index.json").read_text())
    assert index["videos"] == 3 and index["failed"] == 1
    assert (tmp_path / "out" / "one.mp4.recap" / "recap.json").exists()
    two = json.loads((tmp_path / "out" / "nested" / "two.mp4.recap" / "recap.json").read_text())
    assert "cyclist" in " ".join(s["text"] for s in two["transcript"]["segments"]).lower()


def test_ray_batch(video_dir, tmp_path):
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        report = run_batch(video_dir, tmp_path / "out", use_ray=True, cpus_per_video=1)
    finally:
        ray.shutdown()
    assert sorted(i.ok for i in report.items) == [False, True, True]
    ok = [i for i in report.items if i.ok]
    assert all((tmp_path / "out").joinpath(*i.out_dir.split("/")[-1:]).name.endswith(".recap") for i in ok)
    one = json.loads((tmp_path / "out" / "one.mp4.recap" / "recap.json").read_text())
    assert one["segments"][0]["title"] == "Gardening Basics"


def test_empty_directory(tmp_path, capsys):
    rc = main(["run", str(tmp_path), "-o", str(tmp_path / "out"), "-q"])
    assert rc == 2 and "no video or audio files found" in capsys.readouterr().err
