"""The library over real recaps: cross-video search, remove, re-index, missing recaps, resume, CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vidrecap.cli import main
from vidrecap.library import RecapLibrary
from vidrecap.outputs.store import load_recap, save_recap
from vidrecap.pipeline.batch import run_batch

from .conftest import FACTS


@pytest.fixture
def library(library_batch, tmp_path):
    """A private copy of the batch's ROOT (recaps and library), so tests can change it."""
    root = tmp_path / "root"
    shutil.copytree(library_batch[0], root)
    with RecapLibrary.open(root) as lib:
        yield lib


def test_batch_fills_library_and_records_the_corrupt_file(library_batch):
    root, report = library_batch
    by_name = {i.video.rsplit("/", 1)[-1]: i for i in report.items}
    assert not by_name["corrupt.mp4"].ok and by_name["corrupt.mp4"].error
    assert all(i.ok and i.library == "added" for n, i in by_name.items() if n != "corrupt.mp4")
    with RecapLibrary.open(root) as lib:
        entries = lib.entries()
    assert sorted(e.vid for e in entries) == ["bakery", "final", "garden", "harbour", "volcano"]
    assert all(e.status == "ok" and e.cells >= 4 for e in entries)
    assert any(e.directory.endswith("chess/final.mp4.recap") for e in entries)


@pytest.mark.parametrize("query,vid", sorted(FACTS.items()))
def test_a_fact_finds_its_video_first(library_batch, query, vid):
    with RecapLibrary.open(library_batch[0]) as lib:
        result = lib.search(query, top_k=5)
    assert result.hits[0].vid == vid, [(h.vid, h.score) for h in result.hits]
    top = result.hits[0]
    assert 0.0 <= top.end - top.start <= 12.0 and top.score > 0.5
    others = [h.score for h in result.hits if h.vid != vid]
    assert all(s < top.score for s in others)
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


def test_hits_say_what_is_said_and_shown(library_batch):
    with RecapLibrary.open(library_batch[0]) as lib:
        top = lib.search("lighthouse built in 1872", top_k=3).hits[0]
        assert top.vid == "harbour"
        assert "1872" in top.shown or "lighthouse" in top.said.lower()
        assert top.video_path.endswith("harbour.mp4")


def test_removing_a_recap_removes_its_hits(library):
    query = "lava flowing into the sea"
    assert library.search(query).hits[0].vid == "volcano"
    volcano = next(e.directory for e in library.entries() if e.vid == "volcano")
    assert library.remove([volcano]) == ["volcano.mp4.recap"]
    hits = library.search(query, top_k=10).hits
    assert hits and all(h.vid != "volcano" for h in hits)
    assert sorted(e.vid for e in library.entries()) == ["bakery", "final", "garden", "harbour"]


def test_changed_recap_is_reindexed(library):
    garden = next(e.directory for e in library.entries() if e.vid == "garden")
    recap = load_recap(__import__("pathlib").Path(garden))
    recap.cells[-1].on_screen = "Zucchini harvest festival"
    save_recap(recap, Path(garden))
    assert [e.status for e in library.entries() if e.vid == "garden"] == ["changed"]
    outcomes = library.add([library.root])
    assert {o.directory: o.status for o in outcomes}["garden.mp4.recap"] == "updated"
    assert sum(o.status == "unchanged" for o in outcomes) == 4
    top = library.search("zucchini harvest festival").hits[0]
    assert top.vid == "garden" and "Zucchini" in top.shown


def test_missing_recap_is_reported_not_fatal(library):
    bakery = next(e.directory for e in library.entries() if e.vid == "bakery")
    shutil.rmtree(bakery)
    assert [e.status for e in library.entries() if e.vid == "bakery"] == ["missing"]
    result = library.search("how long to knead sourdough bread", top_k=5)
    assert bakery in result.missing and all(h.vid != "bakery" for h in result.hits)
    assert library.search("the grandmaster wins at chess").hits[0].vid == "final"


def test_cli_library_and_search(library, capsys):
    root = str(library.root)
    assert main(["search", root, "the grandmaster wins at chess", "--top-k", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["hits"][0]["vid"] == "final" and len(out["hits"]) <= 3
    assert main(["search", root, "watering tomato plants"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[2].split()[1] == "garden"
    assert main(["library", "list", root, "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(listed) == 5 and {e["status"] for e in listed} == {"ok"}
    harbour = next(e["directory"] for e in listed if e["vid"] == "harbour")
    assert main(["library", "remove", root, harbour]) == 0
    assert main(["library", "add", root, harbour, str(library.root / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert "nowhere: not added: no such directory" in err and "Traceback" not in err
    assert main(["library", "list", root, "--json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 5


def test_cli_bad_input_is_one_line(tmp_path, capsys):
    assert main(["library", "list", str(tmp_path)]) == 2
    assert main(["search", str(tmp_path), "anything"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2


def test_rerun_skips_finished_videos(library_batch, video_folder, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(library_batch[0], root)
    report = run_batch(video_folder, root, segment_seconds=24)
    done = [i for i in report.items if i.ok]
    assert len(done) == 5 and all(i.skipped and i.seconds == 0 for i in done)
    assert [i.ok for i in report.items if i.video.endswith("corrupt.mp4")] == [False]


def test_ray_batch_fills_the_library(video_folder, tmp_path):
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        report = run_batch(video_folder, tmp_path / "ray-root", use_ray=True, cpus_per_video=1,
                           segment_seconds=24)
    finally:
        ray.shutdown()
    assert sorted(i.ok for i in report.items) == [False, True, True, True, True, True]
    with RecapLibrary.open(tmp_path / "ray-root") as lib:
        assert len(lib.entries()) == 5
        assert lib.search("lava flowing into the sea").hits[0].vid == "volcano"
