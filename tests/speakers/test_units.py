"""Speaker turns without models: DER, chunking, clustering, Viterbi, labels, names, cache keys."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vidrecap.errors import InputError
from vidrecap.eval.diarization import der, word_accuracy
from vidrecap.evidence.speakers import Chunk, cluster, diarize, label_transcript, plan_chunks, viterbi
from vidrecap.outputs.speakers import checked_names, load_names, renamed, save_names, voiced
from vidrecap.pipeline.options import RunOptions
from vidrecap.results import SpeechSegment, Transcript, Word


def test_der_standard_cases():
    ref = [("A", 0.0, 10.0), ("B", 10.0, 20.0)]
    assert der(ref, [("x", 0.0, 10.0), ("y", 10.0, 20.0)]).der == pytest.approx(0.0, abs=1e-9)
    # everything given to one speaker: half the scored speech is confused; the collar leaves
    # 0.25 s out on each side of every reference boundary (0, 10, 20): 19 s scored
    one = der(ref, [("x", 0.0, 20.0)])
    assert one.confusion == pytest.approx(9.5, abs=0.02) and one.der == pytest.approx(0.5, abs=0.01)
    assert der(ref, []).der == pytest.approx(1.0) and der(ref, []).total == pytest.approx(19.0, abs=0.02)
    fa = der(ref, [("x", 0.0, 10.0), ("y", 10.0, 20.0), ("y", 25.0, 30.0)])
    assert fa.false_alarm == pytest.approx(5.0, abs=0.02)


def test_word_accuracy_maps_labels_one_to_one():
    ref = [("A", 0.0, 5.0), ("B", 5.0, 10.0)]
    words = [("S2", 1, 1.5), ("S2", 2, 2.5), ("S1", 6, 6.5), ("S2", 7, 7.5)]
    assert word_accuracy(ref, words) == pytest.approx(0.75)


def _segment(start: float, words: list[str], step: float = 0.4) -> SpeechSegment:
    ws = [Word(start + i * step, start + i * step + step * 0.8, w) for i, w in enumerate(words)]
    return SpeechSegment(ws[0].start, ws[-1].end, " ".join(words), ws)


def test_chunks_stay_inside_segments_and_sentences_and_cover_every_word():
    t = Transcript("en", [_segment(0.0, ["a"] * 12), _segment(6.0, ["yes"]), _segment(7.0, ["b"] * 5),
                          _segment(10.0, ["Right.", "So", "what", "now?"])])
    chunks = plan_chunks(t)
    assert [(c.first, c.last) for c in chunks if c.segment == 3] == [(0, 1), (1, 4)]
    covered = {(c.segment, w) for c in chunks for w in range(c.first, c.last)}
    assert covered == {(s, w) for s, seg in enumerate(t.segments) for w in range(len(seg.words))}
    assert all(c.seconds <= 2.6 for c in chunks) and all(c.seconds >= 0.3 for c in chunks)
    assert [c.segment for c in chunks] == sorted(c.segment for c in chunks)
    sentence = {c.segment: set() for c in chunks}
    for c in chunks:
        sentence[c.segment].add(c.sentence)
    assert len(sentence[0]) == 1 and len(sentence[3]) == 2 and len(set().union(*sentence.values())) == 5


def test_sentence_voices_pool_a_sentences_chunks():
    from vidrecap.evidence.speakers import sentence_voices

    rng = np.random.default_rng(2)
    a, b = rng.normal(size=16), rng.normal(size=16)
    chunks = [Chunk(0, 0, 1, 0.0, 1.0, 0), Chunk(0, 1, 2, 1.0, 3.0, 0), Chunk(1, 0, 1, 4.0, 5.0, 1)]
    x = np.stack([a, b, b]) / np.linalg.norm(np.stack([a, b, b]), axis=1, keepdims=True)
    voices = sentence_voices(chunks, x, np.arange(3))
    assert voices.shape == (2, 16) and np.allclose(np.linalg.norm(voices, axis=1), 1)
    expected = x[0] + 2 * x[1]  # weighted by duration
    assert np.allclose(voices[0], expected / np.linalg.norm(expected)) and np.allclose(voices[1], x[2])


def test_cluster_counts_separated_voices_and_one_voice():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 64))
    x = np.concatenate([c + 0.35 * rng.normal(size=(30, 64)) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    labels = cluster(x)
    assert len(set(labels)) == 3
    assert all(len(set(labels[i * 30:(i + 1) * 30])) == 1 for i in range(3))
    same = centres[0] + 0.35 * rng.normal(size=(60, 64))
    assert len(set(cluster(same / np.linalg.norm(same, axis=1, keepdims=True)))) == 1
    assert len(set(cluster(x, n_speakers=2))) == 2


def test_viterbi_keeps_a_long_turn_and_a_clear_short_one():
    scores = np.array([[1, 0], [1, 0], [0.45, 0.5], [1, 0], [0, 1], [1, 0]], float)
    path = viterbi(scores, np.full(6, 0.2))
    assert list(path) == [0, 0, 0, 0, 1, 0]


def test_labels_split_a_segment_where_the_speaker_changes():
    seg = _segment(0.0, ["one", "two", "three", "four"])
    t = Transcript("en", [seg])
    chunks = [Chunk(0, 0, 2, 0.0, 0.72), Chunk(0, 2, 4, 0.8, 1.52)]
    out = label_transcript(t, chunks, [0, 1])
    assert [s.speaker for s in out.segments] == ["S1", "S2"]
    assert [w.speaker for w in out.words()] == ["S1", "S1", "S2", "S2"]
    assert out.segments[1].text == "three four"


def test_diarize_names_speakers_by_first_appearance():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=64), rng.normal(size=64)
    x = np.stack([v + 0.2 * rng.normal(size=64) for v in [b, b, a, a, b, a]])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    chunks = [Chunk(i, 0, 1, 2.0 * i, 2.0 * i + 1.5) for i in range(6)]
    assert diarize(chunks, x) == [0, 0, 1, 1, 0, 1]


def test_old_transcripts_load_without_speakers():
    t = Transcript.from_dict({"language": "en", "segments": [
        {"start": 0, "end": 1, "text": "hi", "words": [{"start": 0, "end": 1, "text": "hi", "probability": 1}]}]})
    assert t.segments[0].speaker == "" and t.words()[0].speaker == ""


def test_names_are_checked_saved_atomically_and_applied(tmp_path):
    assert checked_names({"S1": " Maria  <b>"}) == {"S1": "Maria b"}
    with pytest.raises(InputError):
        checked_names({"Bob": "x"})
    with pytest.raises(InputError):
        checked_names({"S1": "x" * 61})
    save_names(tmp_path, {"S1": "Maria", "S2": "Tom"})
    save_names(tmp_path, {"S2": ""})  # an empty name removes it
    assert load_names(tmp_path) == {"S1": "Maria"}
    assert json.loads((tmp_path / "speakers.json").read_text()) == {"S1": "Maria"}
    assert renamed("S1 asks: “why?” S12 and S2 answer", {"S1": "Maria"}) == "Maria asks: “why?” S12 and S2 answer"
    assert voiced("hello", ["S1", "S2"], {"S1": "Maria"}) == "<v Maria, S2>hello"
    (tmp_path / "speakers.json").write_text("not json")
    assert load_names(tmp_path) == {}


def test_speaker_options_are_checked_and_keyed():
    base = RunOptions()
    assert base.stage_key("f", "speakers") != RunOptions(speakers=3).stage_key("f", "speakers")
    assert base.stage_key("f", "speakers") != RunOptions(diarizer="none").stage_key("f", "speakers")
    assert base.stage_key("f", "captions") != RunOptions(speakers=2).stage_key("f", "captions")
    assert base.stage_key("f", "speech") == RunOptions(speakers=2).stage_key("f", "speech")
    assert base.stage_key("f", "embeddings") == RunOptions(speakers=2).stage_key("f", "embeddings")
    with pytest.raises(InputError):
        RunOptions(speakers=0)


def test_one_voice_shows_no_speaker_prefixes():
    from vidrecap.hierarchy.build import _speech_in, clip_evidence
    from vidrecap.hierarchy.grid import build_cells
    from vidrecap.writing.extractive import EvidenceCaptioner

    def labelled(who: list[str]) -> Transcript:
        segs = [_segment(3.0 * i, ["hello", "there", "friend."]) for i in range(len(who))]
        chunks = [Chunk(i, 0, 3, 3.0 * i, 3.0 * i + 1.1) for i in range(len(who))]
        return label_transcript(Transcript("en", segs), chunks, [int(w[1:]) - 1 for w in who])

    one, two = labelled(["S1", "S1", "S1"]), labelled(["S1", "S2", "S1"])
    assert one.speakers() == ["S1"] and not one.turns_shown and two.turns_shown
    for t, shown in ((one, False), (two, True)):
        cells = build_cells(5, 9.0, [], t)
        assert any(c.speakers for c in cells) is shown
        assert any(s.speaker for s in _speech_in(t, 0.0, 9.0)) is shown
        caption = EvidenceCaptioner().caption([clip_evidence(0, cells[:1])])[0]
        assert caption.startswith("S1: ") is shown and caption.startswith("Speech: ") is not shown
