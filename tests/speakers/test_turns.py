"""Speaker turns on real outputs: generated 2- and 3-voice conversations (espeak-ng), the packaged
Whisper and the packaged GE2E voice encoder. Asserts the speaker count and word-level speaker
accuracy (not exact words), and where the speakers show: voice tags, captions, names, search."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conversations import conversation, write_audio
from vidrecap.eval.diarization import word_accuracy
from vidrecap.results import Transcript


def _reference(ref):
    return [(f"R{t.speaker}", t.start, t.end) for t in ref]


def _words(transcript: Transcript):
    return [(w.speaker, w.start, w.end) for w in transcript.words()]


@pytest.fixture(scope="module")
def three_voices(tmp_path_factory):
    from vidrecap.pipeline.run import run_recap

    audio, ref = conversation(["en+m3", "en+f2", "en+klatt"], turns=9, seed=5, min_turns=2)
    root = tmp_path_factory.mktemp("talk3")
    path = write_audio(root / "talk.m4a", audio)
    out = root / "out"
    recap = run_recap(path, out, sounds="none")
    return recap, ref, out


def test_three_voices_found_and_words_attributed(three_voices):
    recap, ref, _ = three_voices
    speakers = {w.speaker for w in recap.transcript.words()}
    assert speakers == {"S1", "S2", "S3"}
    assert word_accuracy(_reference(ref), _words(recap.transcript)) >= 0.9
    assert all(s.speaker and all(w.speaker == s.speaker for w in s.words) for s in recap.transcript.segments)


def test_speakers_show_in_files_captions_and_search(three_voices):
    from vidrecap.outputs.speakers import save_names

    recap, _, out = three_voices
    srt = (out / "transcript.srt").read_text()
    assert "<v S1>" in srt and "<v S2>" in srt
    assert "<v S" in (out / "clips.vtt").read_text()
    assert any(c.text.startswith(("S1", "S2", "S3")) for c in recap.clips)  # "S2: “...”"
    saved = json.loads((out / "recap.json").read_text())
    assert saved["transcript"]["segments"][0]["speaker"] and saved["cells"][1]["speakers"] is not None

    save_names(out, {"S2": "Maria"}, recap)
    assert "<v Maria>" in (out / "transcript.srt").read_text()
    assert "Maria" in (out / "clips.vtt").read_text()
    said = " ".join(s.text for s in recap.transcript.segments if s.speaker == "S2").split()
    query = " ".join(said[:4])
    run = subprocess.run([sys.executable, "-m", "vidrecap", "search", str(out), query, "--speaker", "maria",
                          "--json"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    windows = json.loads(run.stdout)["pred_relevant_windows"]
    turns = [(s.start, s.end) for s in recap.transcript.segments if s.speaker == "S2"]
    assert windows and all(any(a < e + 2 and b > s - 2 for s, e in turns) for a, b, _ in windows)
    bad = subprocess.run([sys.executable, "-m", "vidrecap", "search", str(out), query, "--speaker", "Nobody"],
                         capture_output=True, text=True, timeout=600)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "known: S1, S2 (Maria), S3" in bad.stderr


def test_cached_speakers_stage_is_reused(three_voices):
    from vidrecap.pipeline.run import run_recap
    from vidrecap.util.fs import cache_root

    recap, _, out = three_voices
    assert len(list((cache_root() / recap.video.fingerprint).glob("speakers-*.json"))) == 1
    again = run_recap(recap.video.path, None, sounds="none")
    assert [s.speaker for s in again.transcript.segments] == [s.speaker for s in recap.transcript.segments]


def test_two_voices_with_the_speech_pass(tmp_path):
    from vidrecap import registry
    from vidrecap.backends.voices import VoiceEncoder
    from vidrecap.evidence.speakers import SpeakerPass
    from vidrecap.evidence.speech import SpeechPass

    audio, ref = conversation(["en-us+croak", "en-gb-scotland+f4"], turns=8, seed=7, min_turns=2)
    path = write_audio(tmp_path / "two.wav", audio)
    asr = registry.create("asr", "embedded", device="cpu", threads=2)
    transcript = SpeechPass(asr, tmp_path / "journal.jsonl").run(str(path), 0.0)
    encoder = VoiceEncoder()
    found = SpeakerPass(encoder).run(str(path), transcript)
    assert {w.speaker for w in found.words()} == {"S1", "S2"}
    assert word_accuracy(_reference(ref), _words(found)) >= 0.9
    one = SpeakerPass(encoder).run(str(path), transcript, n_speakers=1)
    assert {w.speaker for w in one.words()} == {"S1"}


def test_page_colours_turns_and_renames_speakers(three_voices):
    from fastapi.testclient import TestClient

    from vidrecap.serve import ServeConfig, create_app
    from vidrecap.serve.library import recap_id

    recap, _, out = three_voices
    rid = recap_id(out)
    with TestClient(create_app(ServeConfig([out.parent], trusted_hosts=["testserver"]))) as client:
        html = client.get(f"/recaps/{rid}").text
        assert 'id="turns"' in html and 'class="turn spk-1"' in html and 'id="speakers-form"' in html
        clips = client.get(f"/api/recaps/{rid}/clips").json()["clips"]
        assert any(c["speakers"] for c in clips)
        api = f"/api/recaps/{rid}/speakers"
        assert client.post(api, content='{"S1": "Ann"}', headers={"Content-Type": "text/plain"}).status_code == 415
        assert client.post(api, json={"Bob": "x"}).status_code == 400
        assert client.post(api, json={"S3": "Li <Wei>"}).json()["names"]["S3"] == "Li Wei"
        assert "<v Li Wei>" in (out / "transcript.srt").read_text()
        assert 'value="Li Wei"' in client.get(f"/recaps/{rid}").text
        named = client.get(f"/api/recaps/{rid}/clips").json()["clips"]
        assert any("Li Wei" in c["names"] for c in named)
