"""Throughput of `vidrecap run` on generated speech-heavy 10- and 60-minute videos.

Prints, per length: wall time, real-time factor, peak RSS of the full run, and the same video's
decode-only (sampled-frame decoding) and ASR-only (speech pass alone) times. Targets on 2 cores:
memory flat in length and < 2 GiB; total <= 1.3 x (decode-only + ASR-only); >= 10x real time.

    python benchmarks/throughput.py [--minutes 10 60] [--workdir DIR]
    VIDRECAP_BENCH_OPTIONS='{"sounds": "none", "faces": "none"}' python benchmarks/throughput.py

Videos are built once from a unique 5-minute block (real footage + continuous espeak narration +
slides) repeated by remuxing, and cached in the work dir. Each measurement runs in a fresh
process with an empty model cache for the stage measured, so peak RSS is its own.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _child import Meter, answer_child, child_parser  # noqa: E402
from _child import run_child as run_child_process  # noqa: E402

TOPICS = [
    ("Cycling in the City", "bikes"), ("Street Life", "vtest"), ("Animation", "bunny"),
    ("Cooking Pasta", None), ("Saving Energy", None),
]
NARRATION = [
    "Riding a bicycle to work is cheaper than driving and often faster in heavy traffic.",
    "Pedestrians cross the square while shop keepers open their doors for the day.",
    "A large rabbit wakes up in the forest and stretches in the warm morning sun.",
    "Boil plenty of salted water, add the spaghetti and stir it for about eight minutes.",
    "Turning down the heating by one degree saves about six percent of the energy bill.",
    "The city council plans new bike lanes along the river before the end of next year.",
    "Most visitors arrive by train and walk to the old market in less than ten minutes.",
    "Animators draw thousands of frames, and each second of film needs twenty four of them.",
    "Fresh basil, garlic and olive oil make a simple sauce that everyone seems to enjoy.",
    "Insulating the roof is usually the first and most effective step for an old house.",
    "Electric bikes help older riders climb hills without arriving at the office exhausted.",
    "On weekends the street becomes a market with fruit, bread, flowers and street music.",
    "The short film was made by volunteers using only free and open source software tools.",
    "Taste the pasta a minute before the time on the packet says it should be ready.",
    "Heat pumps move warmth from the outside air into the house, even in cold weather.",
]


def build_block(path: Path) -> None:
    from tests.media import Part, build_video

    parts = []
    for i in range(15):  # 15 × 20 s = 5 minutes; ~16 s of distinct speech in each part
        title, clip = TOPICS[i % len(TOPICS)]
        say = " ".join(NARRATION[(i + k) % len(NARRATION)] for k in range(3))
        parts.append(Part(20, footage=clip, title=title, body=f"Section {i + 1}", say=say, say_at=0.3))
    build_video(path, parts)


def repeat_remux(block: Path, out_path: Path, times: int) -> None:
    """Concatenate ``times`` copies of ``block`` by copying packets with shifted timestamps."""
    import av

    with av.open(str(block)) as probe:  # the block's true end: the last packet of any stream
        span = max(float((p.pts + (p.duration or 0)) * p.time_base) for p in probe.demux() if p.pts is not None)
    span = -(-span * 25 // 1) / 25 + 0.04  # whole frames, with a frame of margin so dts stay increasing
    with av.open(str(out_path), "w") as out:
        streams = {}
        with av.open(str(block)) as inp:
            for s in inp.streams:
                streams[s.index] = out.add_stream_from_template(s)
        for k in range(times):
            with av.open(str(block)) as inp:
                for pkt in inp.demux():
                    if pkt.dts is None:
                        continue
                    shift = int(round(k * span / pkt.time_base))
                    pkt.pts, pkt.dts = pkt.pts + shift, pkt.dts + shift
                    pkt.stream = streams[pkt.stream.index]
                    out.mux(pkt)


def video_of(minutes: int, workdir: Path) -> Path:
    block = workdir / "block5.mp4"
    if not block.exists():
        build_block(block)
    path = workdir / f"talk{minutes}.mp4"
    if not path.exists():
        tmp = path.with_suffix(".tmp.mp4")
        repeat_remux(block, tmp, max(1, minutes // 5))
        tmp.replace(path)
    return path


def measure(mode: str, video: str) -> dict:
    """Run in a fresh process: one of decode / asr / full."""
    from vidrecap.media.probe import probe

    info = probe(video)
    meter = Meter()
    if mode == "decode":
        from vidrecap.media.frames import iter_sampled_frames

        n = sum(1 for _ in iter_sampled_frames(video))
        extra = {"frames": n}
    elif mode == "asr":
        from vidrecap import registry
        from vidrecap.evidence.speech import SpeechPass

        asr = registry.create("asr", "embedded", threads=int(os.environ.get("ASR_THREADS", "2")))
        with tempfile.TemporaryDirectory() as tmp:
            transcript = SpeechPass(asr, Path(tmp) / "j.jsonl").run(video, info.duration)
        extra = {"words": len(transcript.words())}
    else:
        import vidrecap

        options = json.loads(os.environ.get("VIDRECAP_BENCH_OPTIONS", "{}"))  # e.g. experts off
        with tempfile.TemporaryDirectory() as tmp:
            r = vidrecap.recap(video, Path(tmp) / "out", **options)
        extra = {"segments": len(r.segments), "words": len(r.transcript.words())}
    return {"mode": mode, "duration": info.duration, **meter.figures(), **extra}


def run_child(mode: str, video: Path) -> dict:
    # the joined Whisper model is reused so that no measurement pays the one-time join
    models = os.environ.get("VIDRECAP_MODEL_CACHE", str(Path.home() / ".cache/vidrecap/models"))
    return run_child_process(__file__, mode, video, {"VIDRECAP_MODEL_CACHE": models})


def main() -> int:
    args = child_parser(__doc__, [10, 60], int).parse_args()
    if answer_child(args, measure):
        return 0
    print(f"{'video':>8} {'wall s':>8} {'x real':>7} {'RSS MiB':>8} {'decode s':>9} {'asr s':>7} "
          f"{'ratio':>6}  (ratio = wall / (decode + asr), target <= 1.3)")
    for minutes in args.minutes:
        video = video_of(minutes, args.workdir)
        decode, asr, full = (run_child(m, video) for m in ("decode", "asr", "full"))
        ratio = full["wall"] / (decode["wall"] + asr["wall"])
        print(f"{minutes:>6}mn {full['wall']:>8.1f} {full['duration'] / full['wall']:>7.1f} "
              f"{full['peak_rss_mib']:>8.0f} {decode['wall']:>9.1f} {asr['wall']:>7.1f} {ratio:>6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
