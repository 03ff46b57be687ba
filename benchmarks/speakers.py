"""Speakers: diarization error rate and word-level speaker accuracy, before (one anonymous stream)
and after the speakers pass, on generated conversations; cost per hour of speech next to recognition.

    python benchmarks/speakers.py [--pool voices|people] [--workdir DIR] [--seeds 2] [--turns 12]

Conversations (tests/conversations.py): 1, 2, 3 and 4 espeak-ng speakers, turns of one or two
sentences or a short reply, pauses from back-to-back (50 ms) to 1.5 s. ``--pool voices`` (the
first set): six variants at espeak-ng's default pitch (en+m3, en+f2, en-gb-scotland+f4, en+klatt,
en-us+croak, en+m7; rates 150–180 wpm per conversation). ``--pool people``: eight speakers that
each have their own accent/variant, pitch and rate (``PEOPLE``), as different people do. Each file goes
through vidrecap's speech pass (packaged Whisper base) and then the speakers pass (GE2E embeddings,
clustering, Viterbi turns), with the speaker count found automatically and, for reference, given.
The seeds (10, 11, ...) are held out: the constants were chosen on seeds 0–2 of both pools
(reference-timed words, and recognised words for seeds 0–1 of the first), never on these.

DER: md-eval's definition with a 0.25 s collar (``vidrecap.eval.diarization``); hypothesis turns
are the diarized words (runs of one speaker's words, gaps under 0.5 s bridged). Word accuracy:
each recognised word against the reference speaker at its midpoint, best one-to-one mapping.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.conversations import PEOPLE, VOICES, conversation, write_audio  # noqa: E402
from vidrecap.eval.diarization import der, word_accuracy  # noqa: E402
from vidrecap.results import Transcript  # noqa: E402


def word_turns(words, bridge: float = 0.5) -> list[tuple[str, float, float]]:
    """Runs of one speaker's words as turns (gaps under ``bridge`` seconds joined)."""
    turns: list[list] = []
    for who, s, e in words:
        if turns and turns[-1][0] == who and s - turns[-1][2] < bridge:
            turns[-1][2] = max(turns[-1][2], e)
        else:
            turns.append([who, s, e])
    return [tuple(t) for t in turns]


def transcribe(path: Path, cache: Path, asr) -> tuple[Transcript, float | None]:
    """The speech pass's transcript (cached in the work dir) and its CPU seconds (None if cached
    by a run that did not record them)."""
    from dataclasses import asdict

    from vidrecap.evidence.speech import SpeechPass

    if cache.exists():
        d = json.loads(cache.read_text())
        return Transcript.from_dict(d["transcript"]), d.get("cpu")
    t0 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        transcript = SpeechPass(asr, Path(tmp) / "journal.jsonl").run(str(path), 0.0)
    cpu = time.process_time() - t0
    cache.write_text(json.dumps({"transcript": asdict(transcript), "cpu": cpu}))
    return transcript, cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "vidrecap-bench-speakers"))
    ap.add_argument("--seeds", type=int, default=2, help="conversations per voice count (1 for one voice)")
    ap.add_argument("--turns", type=int, default=12)
    ap.add_argument("--pool", choices=("voices", "people"), default="voices")
    args = ap.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)

    from vidrecap import registry
    from vidrecap.backends.voices import VoiceEncoder
    from vidrecap.evidence.speakers import SpeakerPass, diarize, label_transcript, plan_chunks

    asr = None
    encoder = VoiceEncoder()
    rows, asr_total, dia_total, speech_total, asr_speech = [], 0.0, 0.0, 0.0, 0.0
    print(f"{'conversation':34} {'true':>4} {'found':>5} {'DER before':>10} {'DER after':>9} "
          f"{'words before':>12} {'words after':>11} {'(count given)':>13}")
    for n in (1, 2, 3, 4):
        for seed in range(10, 10 + (1 if n == 1 else args.seeds)):
            voices = random.Random(100 * n + seed).sample(VOICES if args.pool == "voices" else PEOPLE, n)
            name = f"{n}v-s{seed}-{'_'.join(getattr(v, 'name', v).replace('+', '') for v in voices)}"
            audio_path = work / f"{name}.wav"
            audio, ref = conversation(voices, args.turns, seed)
            if not audio_path.exists():
                write_audio(audio_path, audio)
            if asr is None and not (work / f"{name}.json").exists():
                asr = registry.create("asr", "embedded", device="cpu", threads=2)
            transcript, asr_s = transcribe(audio_path, work / f"{name}.json", asr)
            t0 = time.process_time()
            labelled = SpeakerPass(encoder).run(str(audio_path), transcript)
            dia_s = time.process_time() - t0
            chunks = plan_chunks(transcript)
            given = label_transcript(transcript, chunks, diarize(chunks, SpeakerPass(encoder).embed(
                str(audio_path), chunks), n))
            reference = [(f"R{t.speaker}", t.start, t.end) for t in ref]
            words = [(w.speaker, w.start, w.end) for w in labelled.words()]
            before = [("S1", w.start, w.end) for w in labelled.words()]
            found = len({w[0] for w in words})
            row = dict(name=name, true=n, found=found,
                       der_before=der(reference, word_turns(before)).der,
                       der_after=der(reference, word_turns(words)).der,
                       acc_before=word_accuracy(reference, before), acc_after=word_accuracy(reference, words),
                       acc_given=word_accuracy(reference, [(w.speaker, w.start, w.end) for w in given.words()]))
            rows.append(row)
            speech = sum(t.end - t.start for t in ref)
            dia_total, speech_total = dia_total + dia_s, speech_total + speech
            if asr_s is not None:
                asr_total, asr_speech = asr_total + asr_s, asr_speech + speech
            print(f"{name[:34]:34} {n:4d} {found:5d} {row['der_before']:10.1%} {row['der_after']:9.1%} "
                  f"{row['acc_before']:12.1%} {row['acc_after']:11.1%} {row['acc_given']:13.1%}", flush=True)
    multi = [r for r in rows if r["true"] > 1]
    mean = lambda key, rs: sum(r[key] for r in rs) / len(rs)  # noqa: E731
    print(f"\nmulti-voice ({len(multi)} conversations): DER {mean('der_before', multi):.1%} -> "
          f"{mean('der_after', multi):.1%}; word accuracy {mean('acc_before', multi):.1%} -> "
          f"{mean('acc_after', multi):.1%} ({mean('acc_given', multi):.1%} with the count given); "
          f"right speaker count {sum(r['true'] == 1 for r in rows)}/{len(rows)} (one stream) -> "
          f"{sum(r['found'] == r['true'] for r in rows)}/{len(rows)}")
    asr_cost = f"{asr_total / asr_speech * 3600:.0f} s" if asr_speech else "not timed (transcripts cached)"
    print(f"CPU seconds per hour of speech (process time, all threads; decoding included): speakers pass "
          f"{dia_total / speech_total * 3600:.0f} s, recognition {asr_cost}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
