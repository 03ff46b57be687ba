"""Latency of an answer (`vidrecap ask`, embedded extractive) on an indexed 60-minute video.

Uses the synthetic hour of ``benchmarks/search.py`` (1800 cells, 20 topics, slides, label visuals,
all-MiniLM-L6-v2), plus a transcript (one sentence per 6 s) and 4 s clip captions, so the
hierarchy is summary -> 20 segments -> 900 clips -> 600 sentences + slides. Run:
``python benchmarks/ask.py``. Times include embedding the question and the opened sentences.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np
from search import TOPICS, synthetic_recap  # benchmarks/search.py

from vidrecap import registry
from vidrecap.qa import Asker
from vidrecap.results import CELL_SECONDS, Caption, SpeechSegment, Transcript


def with_transcript_and_clips(recap):
    cells = recap.cells
    sentences = [SpeechSegment(cells[i].start, cells[min(i + 2, len(cells) - 1)].end,
                               " ".join(c.speech for c in cells[i:i + 3]).capitalize() + ".")
                 for i in range(0, len(cells), 3)]
    clips = [Caption("clip", k, i * CELL_SECONDS, min(len(cells), i + 2) * CELL_SECONDS,
                     " ".join(c.speech for c in cells[i:i + 2])) for k, i in enumerate(range(0, len(cells), 2))]
    recap.transcript = Transcript("en", sentences)
    recap.clips = clips
    return recap


def questions(n: int, seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    return [f"what did they say about the {' and the '.join(rng.sample(TOPICS[rng.choice(list(TOPICS))].split(), 2))}?"
            for _ in range(n)]


def timed(fn, items) -> np.ndarray:
    out = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t0)
    return np.array(out) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1800, help="2 s cells (1800 = 60 minutes)")
    parser.add_argument("--questions", type=int, default=60)
    args = parser.parse_args()

    encoder = registry.create("encoder", "embedded")
    recap = with_transcript_and_clips(synthetic_recap(encoder, args.cells))
    t0 = time.perf_counter()
    asker = Asker.build(recap, encoder=encoder)
    build = time.perf_counter() - t0
    print(f"video: {args.cells * CELL_SECONDS / 60:.0f} min, {len(recap.segments)} segments, {len(recap.clips)} "
          f"clips, {len(asker.finder.units)} evidence units; Asker.build (index + units) {build * 1000:.0f} ms")
    qs = questions(2 * args.questions)
    first = timed(asker.ask, qs[:args.questions])  # cold: sentences embedded as segments are opened
    fresh = timed(asker.ask, qs[args.questions:])  # new questions, most opened sentences already embedded
    again = timed(asker.ask, qs[args.questions:])  # the same questions again: nothing to embed
    found = sum(asker.ask(q).found for q in qs)
    missing = timed(asker.ask, ["who won the basketball final?", "what is the capital of australia?"] * 5)
    choice = timed(lambda q: asker.choose(q, ["pizza", "lava", "piano", "rocket", "stocks"]), questions(20, 3))
    for name, ms in (("cold", first), ("new question (warm)", fresh), ("repeated question", again),
                     ("not in the video", missing),
                     ("multiple choice (5 options)", choice)):
        print(f"{name:>28}: p50 {np.percentile(ms, 50):6.1f} ms, p95 {np.percentile(ms, 95):6.1f} ms "
              f"(n={len(ms)})")
    print(f"answered (found) {found}/{len(qs)}; embedded sentences cached: {len(asker.finder._vectors)}; "
          f"median opened clips {statistics.median(len(asker.finder.find(q).clips) for q in qs[:10])}")


if __name__ == "__main__":
    main()
