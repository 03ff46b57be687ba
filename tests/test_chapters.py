"""Chapters on generated multi-topic videos: boundaries follow the topics, titles name them, the
summary covers them all, a single-topic video is not shattered, and players read embedded chapters.

The videos are built from ``tests/topics.py`` (espeak-ng narration over slides and real footage);
each topic's true span is known. Whisper's transcript of TTS varies between machines, so names
are checked against a few keywords per topic and titles by majority.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import vidrecap
from tests.media import build_video
from tests.topics import LECTURE, TOPICS, fitted, multi_topic_parts
from vidrecap.cli import main
from vidrecap.media.remux import read_chapters

ORDER = [11, 3, 6, 2, 9, 0, 4, 8]  # 8 topics: slides and footage, four of them without any slide
TOLERANCE = 10.0  # seconds between a topic change and the nearest chapter boundary
SPILL = 5.0  # seconds a chapter may run into a neighbouring topic (clips are 4 s)


@pytest.fixture(scope="session")
def topics_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("media") / "topics.mp4"
    parts, spans = multi_topic_parts(ORDER)
    build_video(path, parts)
    return path, spans


@pytest.fixture(scope="session")
def topics_recap(topics_video, tmp_path_factory):
    return vidrecap.recap(topics_video[0], tmp_path_factory.mktemp("out") / "topics")


@pytest.fixture(scope="session")
def lecture_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("media") / "lecture.mp4"
    parts = fitted(LECTURE)
    spans = build_video(path, parts)
    return path, [s for (s, _), p in zip(spans, parts, strict=True) if p.title and s > 0]


@pytest.fixture(scope="session")
def lecture_sections(lecture_video):
    return lecture_video[1]


@pytest.fixture(scope="session")
def lecture_recap(lecture_video, tmp_path_factory):
    return vidrecap.recap(lecture_video[0], tmp_path_factory.mktemp("out") / "lecture")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def test_every_topic_change_is_a_chapter_boundary(topics_recap, topics_video):
    _, spans = topics_video
    boundaries = [s.start for s in topics_recap.segments[1:]]
    for start, _ in spans[1:]:
        nearest = min(boundaries, key=lambda b: abs(b - start), default=None)
        assert nearest is not None and abs(nearest - start) <= TOLERANCE, (start, boundaries)
    assert topics_recap.options["segmentation"] == "content"


def test_no_chapter_spans_two_topics(topics_recap, topics_video):
    _, spans = topics_video
    for seg in topics_recap.segments:
        overlaps = sorted((max(0.0, min(seg.end, e) - max(seg.start, s)) for s, e in spans), reverse=True)
        assert overlaps[1] <= SPILL, (seg.start, seg.end, seg.title, overlaps[:2])


def test_summary_names_every_topic(topics_recap):
    said = _words(topics_recap.summary.text)
    for i in ORDER:
        assert said & set(TOPICS[i].keywords), (TOPICS[i].name, topics_recap.summary.text)


def test_titles_name_their_chapter(topics_recap, topics_video):
    _, spans = topics_video
    named = 0
    for seg in topics_recap.segments:
        assert "," not in seg.title, seg.title  # a phrase or a slide title, not a list of words
        assert 0 < len(seg.title.split()) <= 6, seg.title
        topic = TOPICS[ORDER[max(range(len(spans)), key=lambda k: min(seg.end, spans[k][1]) - max(seg.start,
                                                                                             spans[k][0]))]]
        slide_titles = {p.title for p in topic.parts if p.title}
        named += seg.title in slide_titles or bool(_words(seg.title) & set(topic.keywords))
    assert named >= 0.75 * len(topics_recap.segments), [s.title for s in topics_recap.segments]


def test_video_title_fits_the_whole_video(topics_recap):
    first = topics_recap.segments[0].title
    assert topics_recap.summary.title and topics_recap.summary.title != first
    assert "more" in topics_recap.summary.title or len(_words(topics_recap.summary.title)) >= 3


def test_slides_are_not_called_websites(topics_recap):
    texts = [s.text for s in topics_recap.segments] + [c.text for c in topics_recap.clips]
    assert not any("website" in t.lower() for t in texts)
    slide_only = [s for s in topics_recap.segments if "slides" in s.text]
    assert slide_only, "a chapter shown on slides says so"


def test_chapter_files(topics_recap):
    out = Path(topics_recap.directory)
    lines = (out / "chapters.txt").read_text().splitlines()
    assert len(lines) == len(topics_recap.segments) and lines[0].startswith("0:00 ")
    for line, seg in zip(lines, topics_recap.segments, strict=True):
        stamp, title = line.split(" ", 1)
        minutes, seconds = stamp.split(":")
        assert int(minutes) * 60 + int(seconds) == int(seg.start) and title == seg.title
    vtt = (out / "chapters.vtt").read_text()
    assert vtt.startswith("WEBVTT") and vtt.count(" --> ") == len(lines) + sum(len(s.sections)
                                                                               for s in topics_recap.segments)
    md = (out / "summary.md").read_text()
    assert "## Chapters" in md and "\n".join(lines) in md


def test_single_topic_lecture_is_not_shattered(lecture_recap, lecture_sections):
    """One topic, narrated for two minutes: chapters of 60 s or more, unless a new section slide
    (a content change) starts one; drifting speech alone never cuts it."""
    segs = lecture_recap.segments
    for seg in segs:
        if seg.end - seg.start < 60:
            assert any(abs(seg.start - t) <= 4 or abs(seg.end - t) <= 4 for t in lecture_sections), seg
    for seg in segs[1:]:
        assert any(abs(seg.start - t) <= 4 for t in lecture_sections), (seg.start, lecture_sections)
    assert len(segs) <= len(lecture_sections) + 1
    assert "cycling" in lecture_recap.summary.title.lower()


def test_fixed_mode_keeps_the_recap_setting(topics_video, topics_recap, tmp_path):
    fixed = vidrecap.recap(topics_video[0], tmp_path / "fixed", segmentation="fixed", segment_seconds=60)
    assert fixed.options["segmentation"] == "fixed"
    lengths = [s.end - s.start for s in fixed.segments]
    assert all(30 <= x <= 90 for x in lengths[:-1]), lengths
    assert fixed.transcript.text == topics_recap.transcript.text  # only the segments stage ran again


def test_embedded_chapters_read_back(topics_recap, topics_video, tmp_path, capsys):
    for name in ("copy.mp4", "copy.mkv"):
        target = tmp_path / name
        assert main(["chapters", topics_recap.directory, "--embed", str(topics_video[0]), "-o", str(target)]) == 0
        got = read_chapters(target)
        assert [t for _, _, t in got] == [s.title for s in topics_recap.segments]
        for (start, end, _), seg in zip(got, topics_recap.segments, strict=True):
            assert start == pytest.approx(seg.start, abs=0.01) and end == pytest.approx(seg.end, abs=0.01)
    # a separate process, as a player would open it
    probe = subprocess.run([sys.executable, "-c", "import av,sys; c=av.open(sys.argv[1]); print(len(c.chapters()))",
                            str(tmp_path / "copy.mp4")], capture_output=True, text=True, check=True)
    assert int(probe.stdout) == len(topics_recap.segments)


def test_chapters_command_errors(topics_recap, talk_video, tmp_path, capsys):
    out = topics_recap.directory
    assert main(["chapters", out]) == 0
    assert capsys.readouterr().out.startswith("0:00 ")
    cases = [
        ["chapters", out, "--embed", str(talk_video[0])],  # no -o
        ["chapters", out, "-o", str(tmp_path / "x.mp4")],  # no --embed
        ["chapters", out, "--embed", str(talk_video[0]), "-o", str(tmp_path / "x.mp4")],  # another video
        ["chapters", out, "--embed", str(tmp_path / "missing.mp4"), "-o", str(tmp_path / "x.mp4")],
        ["chapters", str(tmp_path / "nothing-here")],
    ]
    for argv in cases:
        assert main(argv) != 0, argv
        err = capsys.readouterr().err.strip()
        assert err.startswith("vidrecap: error:") and "\n" not in err and "Traceback" not in err, (argv, err)
    assert not (tmp_path / "x.mp4").exists()
