"""The speech pass finds every sentence, whatever the silences around it, at the right times,
and a pass interrupted after any window resumes to the same transcript."""

from __future__ import annotations

import re
from dataclasses import asdict
from fractions import Fraction

import numpy as np
import pytest

from tests.media import SR, speech
from vidrecap import registry
from vidrecap.evidence import speech as speech_mod
from vidrecap.evidence.speech import SpeechPass

# (sentence, seconds of silence before it); the last one ends exactly at the end of the file
SCRIPT = [
    ("Good morning and welcome to the river museum.", 0.0),
    ("The first room shows old wooden boats.", 20.0),
    ("Please do not touch the paintings.", 45.0),
    ("The cafe on the second floor serves hot soup.", 8.0),  # between two long pauses, one window
    ("Thank you for visiting and goodbye.", 8.0),
]


def _trimmed(text: str) -> np.ndarray:
    voice = speech(text)
    loud = np.flatnonzero(np.abs(voice) > 0.02)
    return voice[loud[0]:loud[-1] + 1]


def _write_m4a(path, audio: np.ndarray) -> None:
    import av

    with av.open(str(path), "w") as out:
        s = out.add_stream("aac", rate=SR, layout="mono")
        for i in range(0, audio.size, 1024):
            f = av.AudioFrame.from_ndarray(audio[i:i + 1024].reshape(1, -1).copy(), format="flt", layout="mono")
            f.sample_rate, f.pts, f.time_base = SR, i, Fraction(1, SR)
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)


@pytest.fixture(scope="module")
def pauses_file(tmp_path_factory):
    """An audio file following SCRIPT; returns its path and each sentence's (start, end)."""
    parts, placed, t = [], [], 0.0
    for text, silence in SCRIPT:
        voice = _trimmed(text)
        parts += [np.zeros(int(silence * SR), np.float32), voice * 0.9]
        t += silence
        placed.append((t, t + voice.size / SR))
        t += voice.size / SR
    path = tmp_path_factory.mktemp("speech") / "pauses.m4a"
    _write_m4a(path, np.concatenate(parts))
    return path, placed, t


@pytest.fixture(scope="module")
def asr():
    return registry.create("asr", "embedded")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def _run(asr, path, journal, duration):
    asr.language = None  # as a freshly loaded recogniser
    return SpeechPass(asr, journal).run(str(path), duration)


def test_every_sentence_at_its_place(pauses_file, asr, tmp_path, monkeypatch):
    path, placed, duration = pauses_file
    decoded, real = [0.0], asr.transcribe

    def counted(audio, offset):
        decoded[0] += audio.size / SR
        return real(audio, offset)

    monkeypatch.setattr(asr, "transcribe", counted)
    transcript = _run(asr, path, tmp_path / "journal.jsonl", duration)
    spoken = sum(end - start for start, end in placed)
    assert decoded[0] <= 2 * spoken < duration / 3  # silences are not decoded
    words = transcript.words()
    assert [w.start for w in words] == sorted(w.start for w in words)
    for (text, _), (start, end) in zip(SCRIPT, placed, strict=True):
        mine = [w for w in words if start - 1.0 <= (w.start + w.end) / 2 <= end + 1.0]
        heard = _words(" ".join(w.text for w in mine))
        overlap = len(heard & _words(text)) / len(_words(text))
        assert overlap >= 0.6, (text, heard)
        assert abs(mine[0].start - start) <= 0.5, (text, mine[0].start, start)
        assert abs(mine[-1].end - end) <= 0.5, (text, mine[-1].end, end)
    assert len(words) <= sum(len(t.split()) for t, _ in SCRIPT) + 4  # nothing heard in the silences


class _Killed(Exception):
    pass


def _dying_after(asr, calls: int):
    real, count = asr.transcribe, [0]

    def transcribe(audio, offset):
        if count[0] == calls:
            raise _Killed
        count[0] += 1
        return real(audio, offset)

    return transcribe


def test_interrupted_pass_resumes_to_the_same_transcript(pauses_file, asr, tmp_path, monkeypatch):
    monkeypatch.setattr(speech_mod, "WINDOW_SECONDS", 7.0)  # several windows on this short file
    path, _, duration = pauses_file
    full = _run(asr, path, tmp_path / "full.jsonl", duration)
    journal = tmp_path / "full.jsonl"
    n_windows = sum(1 for line in journal.read_text().splitlines() if '"final"' not in line)
    assert n_windows >= 3
    for kill_after in sorted({1, n_windows - 1}):  # after the first window, before the last
        resumed_journal = tmp_path / f"killed-{kill_after}.jsonl"
        monkeypatch.setattr(asr, "transcribe", _dying_after(asr, kill_after))
        with pytest.raises(_Killed):
            _run(asr, path, resumed_journal, duration)
        monkeypatch.undo()
        monkeypatch.setattr(speech_mod, "WINDOW_SECONDS", 7.0)
        resumed = _run(asr, path, resumed_journal, duration)
        assert asdict(resumed) == asdict(full), kill_after


def test_windows_hold_speech_only():
    rate = speech_mod.SAMPLE_RATE
    regions = [speech_mod.SpeechRegion(s, s + n, np.ones(int(n * rate), np.float32))
               for s, n in ((0.0, 2.0), (30.0, 10.0), (100.0, 18.0), (500.0, 3.0))]
    windows = list(speech_mod.plan_windows(iter(regions)))
    assert [[r.start for r in w.regions] for w, _ in windows] == [[0.0, 30.0], [100.0, 500.0]]
    assert [nxt for _, nxt in windows] == [100.0, None]
    window = windows[1][0]
    assert window.audio().size == int((18.0 + speech_mod.SPLICE_GAP + 3.0) * rate)
    # spliced time 18.3 s + 1 s lies 1 s into the second region, at 501 s of the file
    assert window.to_file_time(18.0 + speech_mod.SPLICE_GAP + 1.0, window.region_of(19.2, 19.4)) == 501.0


def test_any_whisper_model_loads_by_name_or_directory(tmp_path):
    from vidrecap.backends.embedded import whisper_base_dir
    from vidrecap.errors import BackendError
    from vidrecap.pipeline.options import RunOptions

    base = whisper_base_dir()
    assert "whisper-base" in registry.create("asr", "whisper:base").spec
    local = registry.create("asr", f"whisper:{base}")
    segments, _ = local.transcribe(_trimmed("The library opens at nine."), 0.0)
    assert "library" in _words(" ".join(s.text for s in segments))
    assert RunOptions(asr=str(base)).asr == f"whisper:{base}"  # --asr /path/to/ct2-dir
    opts = RunOptions()
    assert opts.stage_key("f", "speech") != RunOptions(translate=True).stage_key("f", "speech")
    assert opts.stage_key("f", "visual") == RunOptions(translate=True).stage_key("f", "visual")
    with pytest.raises(BackendError, match="no model.bin"):
        registry.create("asr", f"whisper:{tmp_path}")


def test_named_model_missing_offline_is_one_clear_line(pauses_file, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1",
           "VIDRECAP_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-m", "vidrecap.cli", "run", str(pauses_file[0]), "-q",
                           "--asr", "whisper:large-v3", "-o", str(tmp_path / "out")],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "large-v3" in lines[0] and "Traceback" not in proc.stderr, proc.stderr


def test_translate_writes_english(tmp_path):
    import subprocess

    wav = tmp_path / "fr.wav"
    subprocess.run(["espeak-ng", "-v", "fr", "-w", str(wav),
                    "Bonjour. Je m'appelle Marie et j'habite à Paris. Aujourd'hui il fait très beau."], check=True)
    import av

    with av.open(str(wav)) as c:
        res = av.AudioResampler(format="flt", layout="mono", rate=SR)
        audio = np.concatenate([o.to_ndarray().reshape(-1) for f in c.decode(audio=0) for o in res.resample(f)])
    french = {"je", "appelle", "bonjour", "habite", "il", "fait", "beau", "aujourd"}
    heard = _words(" ".join(s.text for s in registry.create("asr", "whisper").transcribe(audio, 0.0)[0]))
    asr = registry.create("asr", "whisper", translate=True)
    english = _words(" ".join(s.text for s in asr.transcribe(audio, 0.0)[0]))
    assert heard & french and asr.spec.endswith(":translate")
    assert english and not english & french, english

