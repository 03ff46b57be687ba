"""Speech: word error rate and time of the speech pass and of the whole run, against a plain
faster-whisper transcription of the same narrated file with the same model and settings.

    python benchmarks/speech.py [--minutes 20] [--workdir DIR] [--repeat 2]

The video is generated once per length (cached in the work dir): slides, espeak-ng narration
whose voice changes every section, pauses from a fraction of a second to 25 s, and a quiet music
bed (a synthetic chord progression) under every other section. The script it was made from is
the WER reference. Each measurement runs in a fresh process with an empty stage cache:

- plain:  faster-whisper ``model.transcribe(file)``, the packaged Whisper base, int8, 2 threads,
          greedy, word timestamps, no conditioning on previous text (the speech pass's settings)
- speech: vidrecap's speech pass alone (VAD, speech-only windows, word mapping)
- full:   ``vidrecap run`` (visual ∥ speech, captions, segments, outputs)

Targets (issue #11): speech <= plain; full <= 1.2 x plain; peak RSS flat in length.
"""

from __future__ import annotations

import re
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _child import Meter, answer_child, child_parser, run_child  # noqa: E402

SENTENCES = [
    "Riding a bicycle to work is cheaper than driving and often faster in heavy traffic.",
    "Pedestrians cross the square while shop keepers open their doors for the day.",
    "Boil plenty of salted water, add the spaghetti and stir it for about eight minutes.",
    "Turning down the heating by one degree saves about six percent of the energy bill.",
    "The city council plans new bike lanes along the river before the end of next year.",
    "Most visitors arrive by train and walk to the old market in less than ten minutes.",
    "Fresh basil, garlic and olive oil make a simple sauce that everyone seems to enjoy.",
    "Insulating the roof is usually the first and most effective step for an old house.",
    "Electric bikes help older riders climb hills without arriving at the office exhausted.",
    "On weekends the street becomes a market with fruit, bread, flowers and street music.",
    "Heat pumps move warmth from the outside air into the house, even in cold weather.",
    "The museum opens at nine and the guided tour starts from the main hall at ten.",
]
VOICES = ["en-gb", "en-us+f3", "en-gb-scotland"]
PAUSES = [0.4, 1.5, 0.8, 3.0, 0.5, 8.0, 0.6, 2.0, 25.0, 0.7]  # seconds after each sentence, cycled
SECTION_SECONDS = 60.0
FPS, W, H, SR = 10, 480, 270, 16000


def music_bed(seconds: float, start: float) -> np.ndarray:
    """A quiet chord progression (about -26 dBFS): a music bed under the narration."""
    t = start + np.arange(int(seconds * SR)) / SR
    chords = [(220.0, 277.2, 329.6), (196.0, 246.9, 293.7), (174.6, 220.0, 261.6), (196.0, 246.9, 311.1)]
    idx = (t // 2.0).astype(int) % len(chords)
    out = np.zeros_like(t)
    for k in range(3):
        freqs = np.array([c[k] for c in chords])[idx]
        out += np.sin(2 * np.pi * freqs * t)
    return (0.05 / 3 * out).astype(np.float32)


def narration(minutes: float) -> tuple[np.ndarray, list[str]]:
    """The soundtrack and the script's words."""
    from tests.media import speech

    total = int(minutes * 60 * SR)
    audio = np.zeros(total, np.float32)
    words: list[str] = []
    pos, i, cache = 0, 0, {}
    while True:
        section = int(pos / SR // SECTION_SECONDS)
        voice = VOICES[section % len(VOICES)]
        key = (i % len(SENTENCES), voice)
        if key not in cache:
            cache[key] = speech(SENTENCES[key[0]], voice=voice) * 0.8
        clip = cache[key]
        if pos + clip.size > total:
            break
        audio[pos:pos + clip.size] = clip
        words += SENTENCES[key[0]].split()
        pos += clip.size + int(PAUSES[i % len(PAUSES)] * SR)
        i += 1
    for s in range(int(np.ceil(total / SR / SECTION_SECONDS))):
        if s % 2:
            lo, hi = int(s * SECTION_SECONDS * SR), min(total, int((s + 1) * SECTION_SECONDS * SR))
            audio[lo:hi] += music_bed((hi - lo) / SR, lo / SR)
    return audio, words


def build(path: Path, minutes: float) -> None:
    import av

    from tests.media import _write_audio, slide

    audio, words = narration(minutes)
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=FPS, options={"preset": "ultrafast", "crf": "30"})
        vs.width, vs.height, vs.pix_fmt = W, H, "yuv420p"
        a_s = out.add_stream("aac", rate=SR, layout="mono")
        n_frames = int(minutes * 60 * FPS)
        for f in range(n_frames):
            section = int(f / FPS // SECTION_SECONDS)
            if f % int(SECTION_SECONDS * FPS) == 0:
                image = slide(f"Section {section + 1}", SENTENCES[section % len(SENTENCES)][:40], size=(W, H))
            vf = av.VideoFrame.from_ndarray(image, format="rgb24")
            vf.pts, vf.time_base = f, Fraction(1, FPS)
            for pkt in vs.encode(vf):
                out.mux(pkt)
        for pkt in vs.encode(None):
            out.mux(pkt)
        _write_audio(out, a_s, audio, 0)
        for pkt in a_s.encode(None):
            out.mux(pkt)
    path.with_suffix(".txt").write_text(" ".join(words))


def normalise(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def wer(reference: list[str], hypothesis: list[str]) -> float:
    """Word error rate: (substitutions + deletions + insertions) / reference words."""
    prev = list(range(len(hypothesis) + 1))
    for i, r in enumerate(reference, 1):
        cur = [i] + [0] * len(hypothesis)
        for j, h in enumerate(hypothesis, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / max(1, len(reference))


def measure(mode: str, video: str) -> dict:
    """Run in a fresh process: plain / speech / full."""
    from vidrecap.media.probe import probe

    info = probe(video)
    meter = Meter()
    if mode == "plain":
        from faster_whisper import WhisperModel

        from vidrecap.backends.embedded import whisper_base_dir

        model = WhisperModel(str(whisper_base_dir()), device="cpu", compute_type="int8", cpu_threads=2)
        segments, _ = model.transcribe(video, beam_size=1, word_timestamps=True, temperature=[0.0],
                                       condition_on_previous_text=False)
        text = " ".join(s.text for s in segments)
    elif mode == "speech":
        from vidrecap import registry
        from vidrecap.evidence.speech import SpeechPass

        asr = registry.create("asr", "embedded", threads=2)
        with tempfile.TemporaryDirectory() as tmp:
            text = SpeechPass(asr, Path(tmp) / "j.jsonl").run(video, info.duration).text
    else:
        import vidrecap

        with tempfile.TemporaryDirectory() as tmp:
            text = vidrecap.recap(video, Path(tmp) / "out").transcript.text
    figures = meter.figures()
    reference = normalise(Path(video).with_suffix(".txt").read_text())
    return {"mode": mode, "duration": info.duration, **figures, "wer": wer(reference, normalise(text))}


def main() -> int:
    ap = child_parser(__doc__, [20])
    ap.add_argument("--repeat", type=int, default=1, help="measure each length this many times")
    ap.add_argument("--modes", nargs="+", default=["plain", "speech", "full"])
    args = ap.parse_args()
    if answer_child(args, measure):
        return 0
    print(f"{'video':>7} {'mode':>7} {'wall s':>7} {'x real':>7} {'CPU s':>7} {'RSS MiB':>8} {'WER':>6} "
          f"{'wall/plain':>10} {'CPU/plain':>9}")
    for minutes in args.minutes:
        video = args.workdir / f"narrated{minutes:g}.mp4"
        if not video.exists():
            tmp = video.with_name(f".{video.name}")
            build(tmp, minutes)
            tmp.with_suffix(".txt").replace(video.with_suffix(".txt"))
            tmp.replace(video)
        for _ in range(args.repeat):
            plain = None
            for mode in args.modes:
                r = run_child(__file__, mode, video)
                plain = r if mode == "plain" else plain
                ratios = (f"{r['wall'] / plain['wall']:>10.2f} {r['cpu'] / plain['cpu']:>9.2f}" if plain
                          else f"{'-':>10} {'-':>9}")
                print(f"{minutes:>5g}mn {mode:>7} {r['wall']:>7.1f} {r['duration'] / r['wall']:>7.1f} "
                      f"{r['cpu']:>7.1f} {r['peak_rss_mib']:>8.0f} {r['wer']:>6.3f} {ratios}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
