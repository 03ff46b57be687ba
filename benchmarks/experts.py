"""Footage-only queries and window fit on a described video, before/after each expert.

The video (built by ``tests.media``, ~2.5 min) mixes narrated slides with real footage whose
content is never said or written: cyclists and cars (``bikes``), people walking along a road
(``vtest``), a cartoon rabbit (``bunny``), a close-up of a man on a car phone (``carphone``), a
music interlude (the footage itself is silent), the road footage darkened with point lights (a night
scene) and seen through a crop sliding right (a pan). Each query's ground truth is its part's span. For every
configuration (experts switched off/on) we report, over footage-only and narrated queries:
top-1 IoU with the part, R1@0.5, and the mean length of the top window — with the evidence-bounded
windows (``moments.windows``) and with the previous half-peak growth. Expert costs are measured
per unit of work (ms per audio patch, per frame). Run: ``python benchmarks/experts.py``.
Configurations add one expert at a time: sounds, then faces, then objects (COCO).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.media import Part, build_video  # noqa: E402
from vidrecap.moments import scoring  # noqa: E402
from vidrecap.moments.index import MomentIndex  # noqa: E402
from vidrecap.results import CELL_SECONDS  # noqa: E402

PARTS = [
    Part(16, title="Weekly Kitchen", body="Episode 12",
         say="Welcome back. Today we cook pasta: boil water, add salt and cook the spaghetti for eight minutes."),
    Part(20, footage="bikes"),
    Part(12, title="Traffic Report", say="The city council wants more bus lanes and cheaper tickets next year."),
    Part(24, footage="vtest"),
    Part(10, title="Intermission", sound="music"),
    Part(14, footage="bunny"),
    Part(12, footage="carphone"),
    Part(14, title="Next Week", say="Next week we visit a bakery and learn how bread is made."),
    Part(10, title="Questions"),
    Part(12, footage="vtest", look="night"),
    Part(12, footage="vtest", look="pan"),
]
FOOTAGE_QUERIES = [
    (1, "cyclists riding bicycles past cars on a street"),
    (3, "people walking along a road"),
    (4, "background music playing"),
    (5, "a cartoon animal in a green forest"),
    (5, "a cartoon"),
    (6, "a close-up of a man's face as he talks on the phone in a car"),
    (9, "night-time city lights"),
    (10, "the camera pans across the scene"),
]
NARRATED_QUERIES = [
    (0, "how long to cook spaghetti"),
    (2, "bus lanes and cheaper tickets"),
    (7, "visiting a bakery to learn about bread"),
]
CONFIGS = {"no experts": {"sounds": "none", "faces": "none", "picture": "none", "objects": "none"},
           "+ sounds": {"sounds": "embedded", "faces": "none", "picture": "none", "objects": "none"},
           "+ faces": {"sounds": "embedded", "faces": "embedded", "picture": "none", "objects": "none"},
           "+ picture": {"sounds": "embedded", "faces": "embedded", "picture": "embedded", "objects": "none"},
           "+ objects": {"sounds": "embedded", "faces": "embedded", "picture": "embedded", "objects": "embedded"},
           "+ nanodet": {"sounds": "embedded", "faces": "embedded", "picture": "embedded",
                         "objects": "embedded:nanodet"},
           "+ centernet": {"sounds": "embedded", "faces": "embedded", "picture": "embedded",
                           "objects": "embedded:centernet"}}


def iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def legacy_top(index: MomentIndex, query: str) -> scoring.Window:
    """The top window as the previous release grew it (half the smoothed peak, no evidence bounds)."""
    relevance = index.score(query).relevance
    curve = scoring.smooth(relevance)
    return scoring.grow_windows(curve, relevance, 1, cell=CELL_SECONDS, duration=index.recap.video.duration)[0]


def evaluate(index: MomentIndex, spans, queries, legacy: bool, verbose: bool = False) -> dict[str, float]:
    ious, lengths = [], []
    for part, query in queries:
        top = legacy_top(index, query) if legacy else index.predict(query, top_k=1).top
        ious.append(iou((top.start, top.end), spans[part]))
        lengths.append(top.end - top.start)
        if verbose:
            print(f"    {query[:48]:<48} truth {spans[part][0]:5.0f}-{spans[part][1]:<5.0f} "
                  f"top {top.start:5.0f}-{top.end:<5.0f} score {top.score:.2f} IoU {ious[-1]:.2f}")
    return {"iou": statistics.mean(ious), "r1@0.5": sum(x >= 0.5 for x in ious) / len(ious),
            "len": statistics.mean(lengths)}


def sound_cost(path: Path) -> float:
    """Milliseconds per 0.96 s audio patch: decode, log-mel and YAMNet on one thread."""
    import tempfile

    from vidrecap.evidence.sounds_pass import SoundPass
    from vidrecap.experts.sounds import YamnetSounds

    model = YamnetSounds()
    calls = [0]
    classify = model.classify

    def counting(patches):
        calls[0] += len(patches)
        return classify(patches)

    model.classify = counting
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        SoundPass(model, Path(tmp) / "j.jsonl").run(str(path), 0.0)
        return 1000 * (time.perf_counter() - t) / max(1, calls[0])


def object_cost(spec: str = "embedded:yolo", seconds: float = 8.0) -> tuple[float, float]:
    """Milliseconds per frame of the object expert (letterbox + detector + decode, 1 thread) on
    real footage frames (bikes and vtest, 640×360), median and mean."""
    from tests.media import iter_footage
    from vidrecap.registry import create

    model = create("objects", spec, threads=1)
    images = [f for name in ("bikes", "vtest") for f in list(iter_footage(name, seconds))[::25]]
    model.detect(images[0])  # first call allocates
    times = []
    for image in images:
        t = time.perf_counter()
        model.detect(image)
        times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times), statistics.mean(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/tmp/vidrecap-bench-experts", help="where the video and recaps go")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every query's top window")
    ap.add_argument("--configs", nargs="*", default=list(CONFIGS), choices=list(CONFIGS), metavar="NAME",
                    help=f"configurations to run (default: all of {', '.join(CONFIGS)})")
    args = ap.parse_args()
    import vidrecap

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    video = work / "described.mp4"
    spans = build_video(video, PARTS)
    print(f"video: {spans[-1][1]:.0f} s, {len(PARTS)} parts; {len(FOOTAGE_QUERIES)} footage-only and "
          f"{len(NARRATED_QUERIES)} narrated queries (ground truth: the part's span)")
    print(f"{'configuration':<14} {'windows':<9} {'queries':<9} {'IoU':>5} {'R1@0.5':>7} {'len s':>6}")
    for name in args.configs:
        options = CONFIGS[name]
        t = time.perf_counter()
        recap = vidrecap.recap(video, work / name.replace(" ", "_").replace("+", "p"), segment_seconds=40,
                               quiet=True, **options)
        took = time.perf_counter() - t
        index = MomentIndex.build(recap)
        for legacy in (True, False):
            for label, queries in (("footage", FOOTAGE_QUERIES), ("narrated", NARRATED_QUERIES)):
                m = evaluate(index, spans, queries, legacy, args.verbose)
                print(f"{name:<14} {'half-peak' if legacy else 'evidence':<9} {label:<9} "
                      f"{m['iou']:5.2f} {m['r1@0.5']:7.2f} {m['len']:6.1f}")
        print(f"{name:<14} run {took:.1f} s (cached stages reused after the first configuration)")
    print(f"sound expert: {sound_cost(video):.2f} ms per 0.96 s patch (decode + log-mel + YAMNet, 1 thread)")
    for spec in ("embedded:yolo", "embedded:yolo:320", "embedded:nanodet", "embedded:centernet"):
        median, mean = object_cost(spec)
        print(f"object expert {spec}: {median:.1f} ms per frame median, {mean:.1f} mean (1 thread)")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
