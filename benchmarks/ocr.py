"""Scene text: Tesseract vs RapidOCR (PP-OCRv6 small) on slides and on signs over real footage.

Slides are drawn like ``tests.media`` slides; signs are white-on-green street signs pasted onto
frames of ``bikes.mp4`` and ``vtest.avi``. We report the share of the ground-truth words recovered
(lower case, alphanumeric) and the milliseconds per frame (one thread each).
Run: ``python benchmarks/ocr.py``.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.media import iter_footage, sign, slide  # noqa: E402
from vidrecap import registry  # noqa: E402

SLIDES = [("Cycling in the City", "Part one: commuting by bike"), ("Cooking Pasta", "Boil water, add salt"),
          ("Quarterly Results 2024", "Revenue grew by 12 percent"), ("Volcano Safety", "Stay behind the line"),
          ("Questions?", "Write to the team by Friday"), ("Chapter 7", "Neural networks in practice")]
SIGNS = ["Main Street", "Exit 12 North", "City Hall", "Bus Stop", "Park Avenue", "No Parking",
         "Hotel Central", "Airport 5 km", "Museum", "Pharmacy", "Station Road", "Open 24 Hours"]
READERS = {"tesseract": ("tesseract", {}), "rapidocr 736": ("rapidocr", {"side": 736}),
           "rapidocr 480": ("rapidocr", {"side": 480}), "rapidocr 360": ("rapidocr", {"side": 360})}


def cases() -> dict[str, list[tuple[np.ndarray, str]]]:
    frames = list(iter_footage("bikes", 3))[::6] + list(iter_footage("vtest", 3))[::6]
    signs = [(sign(f, t, 40 + 37 * i % 300, 30 + 23 * i % 200, 18 + 2 * (i % 5)), t)
             for i, (f, t) in enumerate(zip(frames, SIGNS, strict=False))]
    return {"slides": [(slide(t, b), f"{t} {b}") for t, b in SLIDES], "signs": signs}


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def main() -> int:
    data = cases()
    print(f"{'reader':<14} {'kind':<7} {'words':>7} {'recall':>7} {'ms/frame':>9}")
    for name, (spec, options) in READERS.items():
        reader = registry.create("ocr", spec, **options)
        reader.read(data["slides"][0][0])  # warm-up (model load, first-call allocations)
        for kind, items in data.items():
            got = total = 0
            times = []
            for image, truth in items:
                t = time.perf_counter()
                out = reader.read(image)
                times.append(time.perf_counter() - t)
                got += len(words(truth) & words(out))
                total += len(words(truth))
            print(f"{name:<14} {kind:<7} {got:>3}/{total:<3} {got / total:7.2f} {1000 * statistics.median(times):9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
