"""Fast checks of the chapter pieces on small made-up inputs (the real-video checks are in test_chapters.py)."""

from __future__ import annotations

import numpy as np

from vidrecap.hierarchy.segmentation import segment_clips
from vidrecap.outputs.chapters import Chapter, chapters_webvtt, youtube_list
from vidrecap.results import Cell, SpeechSegment, Transcript, Word
from vidrecap.text.keyphrases import candidate_phrases


def _video(topic_seconds: list[int], seed: int = 0):
    """Cells whose speech embedding is one random direction per topic (plus noise), a sentence every 4 s."""
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(len(topic_seconds), 64))
    rows, segments, t = [], [], 0.0
    for k, seconds in enumerate(topic_seconds):
        for _ in range(seconds // 2):
            rows.append(directions[k] + 0.8 * rng.normal(size=64))
        for s in range(0, seconds, 4):
            start = t + s + 0.3
            segments.append(SpeechSegment(start, start + 3.2, "words", [Word(start, start + 3.2, "words")]))
        t += seconds
    speech = np.asarray(rows, np.float32)
    speech /= np.linalg.norm(speech, axis=1, keepdims=True)
    cells = [Cell(i, 2.0 * i, 2.0 * i + 2) for i in range(len(rows))]
    clips = [(4.0 * i, 4.0 * i + 4) for i in range(len(rows) // 2)]
    return clips, Transcript("en", segments), cells, {"speech": speech}


def _starts(clips, ranges):
    return [clips[a][0] for a, _ in ranges]


def test_topic_changes_become_boundaries():
    for seed in range(3):
        clips, transcript, cells, emb = _video([24, 32, 20, 28, 24], seed)
        got = _starts(clips, segment_clips(clips, transcript, cells, 180, "content", emb))
        assert got == [0, 24, 56, 76, 104], (seed, got)


def test_one_topic_is_one_chapter_and_long_ones_are_split_near_the_target():
    clips, transcript, cells, emb = _video([160])
    assert segment_clips(clips, transcript, cells, 180, "content", emb) == [(0, len(clips))]
    clips, transcript, cells, emb = _video([1200])
    lengths = [clips[b - 1][1] - clips[a][0] for a, b in segment_clips(clips, transcript, cells, 180, "content", emb)]
    assert sum(lengths) == 1200 and all(90 <= x <= 270 for x in lengths), lengths


def test_fixed_mode_ignores_content():
    clips, transcript, cells, emb = _video([24, 32, 20, 28, 24, 40, 36])
    ranges = segment_clips(clips, transcript, cells, 60, "fixed", emb)
    lengths = [clips[b - 1][1] - clips[a][0] for a, b in ranges]
    assert all(30 <= x <= 90 for x in lengths[:-1]) and sum(lengths) == 204, lengths


def test_candidate_phrases_are_noun_like():
    found = candidate_phrases("Pedestrians walk across the square, carrying shopping bags. Boil the water slowly.")
    assert {"pedestrians", "square", "shopping bags"} <= set(found)
    assert not {"walk across", "carrying", "boil", "slowly", "across"} & set(found)


def test_youtube_list_and_webvtt_chapters():
    chapters = [Chapter(0.4, 75, "Intro"), Chapter(75, 3725, "Main part"), Chapter(3725, 3800, "End")]
    assert youtube_list(chapters) == "0:00:00 Intro\n0:01:15 Main part\n1:02:05 End\n"
    assert youtube_list(chapters[:2]) == "0:00 Intro\n1:15 Main part\n"
    vtt = chapters_webvtt(chapters)
    assert vtt.startswith("WEBVTT") and "00:01:15.000 --> 01:02:05.000\nMain part" in vtt
