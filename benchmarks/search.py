"""Query latency of moment search on an indexed 60-minute video, and the cost of building the index.

The recap is synthetic (1800 cells of 2 s) but embedded for real: transcript-like speech drawn
from 20 topic vocabularies (one per 3-minute segment), slides every few cells, ImageNet-label
visuals through the label bridge, all with all-MiniLM-L6-v2. Run: ``python benchmarks/search.py``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np

from vidrecap import registry
from vidrecap.moments import MomentIndex
from vidrecap.results import CELL_SECONDS, Caption, Cell, Recap, Tag, Transcript, VideoInfo

TOPICS = {
    "cooking": "dough oven flour tomato cheese bake knead recipe kitchen pan garlic",
    "volcano": "lava crater eruption ash magma summit steam rock geology island",
    "piano": "keys chords scale melody fingers practice rhythm song tempo notes",
    "cars": "engine turbo horsepower brakes tyres track speed fuel gearbox race",
    "space": "rocket orbit astronaut planet launch moon gravity satellite station mars",
    "garden": "soil seeds tomatoes compost watering roses pruning weeds spring harvest",
    "finance": "stocks bonds interest inflation budget savings market portfolio risk dividend",
    "football": "goal striker penalty referee pitch defender corner league match coach",
    "medicine": "patient doctor symptoms vaccine heart blood surgery nurse hospital dose",
    "coding": "python function variable loop compiler bug server database deploy commit",
    "ocean": "whale coral reef waves tide shark diver plankton current sailing",
    "history": "empire castle king battle medieval treaty revolution dynasty museum war",
    "birds": "feathers nest eagle migration beak parrot wings owl song flock",
    "chemistry": "molecule acid reaction atom bond solution electron catalyst lab flask",
    "travel": "airport passport luggage hotel train map tourist beach flight city",
    "fitness": "workout squat muscles running stretch cardio weights protein gym yoga",
    "weather": "storm rain forecast clouds thunder snow humidity wind temperature hurricane",
    "photography": "camera lens aperture exposure portrait tripod light shutter focus zoom",
    "coffee": "espresso beans grinder milk roast barista crema brew latte cup",
    "dogs": "puppy leash bark training retriever walk treat collar fetch vet",
}
LABELS = {"cooking": "pizza", "volcano": "volcano", "piano": "grand piano", "cars": "sports car",
          "space": "space shuttle", "garden": "pot", "finance": "cash machine", "football": "soccer ball",
          "medicine": "stethoscope", "coding": "laptop computer", "ocean": "coral reef", "history": "castle",
          "birds": "bald eagle", "chemistry": "beaker", "travel": "airliner", "fitness": "dumbbell",
          "weather": "umbrella", "photography": "reflex camera", "coffee": "espresso",
          "dogs": "Golden Retriever"}
FILLER = "so we and then this is the you can see here now it really very just like look at".split()


def synthetic_recap(encoder, n_cells: int = 1800, seed: int = 0) -> Recap:
    rng = random.Random(seed)
    names = list(TOPICS)
    per = n_cells // len(names)
    cells = []
    for i in range(n_cells):
        topic = names[min(i // per, len(names) - 1)]
        words = [rng.choice(TOPICS[topic].split()) if rng.random() < 0.45 else rng.choice(FILLER)
                 for _ in range(rng.randint(3, 7))]
        slide = f"{topic.title()}: {' '.join(TOPICS[topic].split()[:3])}" if (i % per) < per // 3 else ""
        cells.append(Cell(i, i * CELL_SECONDS, (i + 1) * CELL_SECONDS, " ".join(words), slide,
                          [Tag(LABELS[topic], 0.6)]))
    emb = _embed(encoder, cells)
    duration = n_cells * CELL_SECONDS
    info = VideoInfo("bench60.mp4", "bench", duration, 0, True, True, 640, 360, 25.0)
    segs = [Caption("segment", k, k * per * 2.0, (k + 1) * per * 2.0, f"A part about {t}.")
            for k, t in enumerate(names)]
    summary = Caption("summary", 0, 0.0, duration, "An hour on " + ", ".join(names) + ".")
    return Recap(info, {"encoder": "embedded", "visual_space": "labels"}, [], segs, summary, Transcript(),
                 cells, emb)


def _unique_embed(encoder, texts: list[str]) -> np.ndarray:
    uniq = sorted({t for t in texts if t})
    table = dict(zip(uniq, encoder.embed_text(uniq), strict=True))
    zero = np.zeros(encoder.dim, np.float32)
    return np.stack([table.get(t, zero) for t in texts]).astype(np.float32)


def _embed(encoder, cells: list[Cell]) -> dict[str, np.ndarray]:
    n = len(cells)
    speech = [" ".join(c.speech for c in cells[max(0, i - 1):i + 2]) for i in range(n)]
    emb = {"speech": _unique_embed(encoder, speech),
           "on_screen": _unique_embed(encoder, [c.on_screen for c in cells]),
           "visual": _unique_embed(encoder, [c.tags[0].label for c in cells])}
    fused = emb["speech"] + emb["on_screen"] + 0.8 * emb["visual"]
    emb["fused"] = (fused / np.linalg.norm(fused, axis=1, keepdims=True)).astype(np.float32)
    return emb


def queries(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        topic = rng.choice(list(TOPICS))
        out.append(f"someone talks about {' and '.join(rng.sample(TOPICS[topic].split(), 2))}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1800, help="2 s cells (1800 = 60 minutes)")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    t0 = time.perf_counter()
    encoder = registry.create("encoder", "embedded")
    t_model = time.perf_counter() - t0
    t0 = time.perf_counter()
    recap = synthetic_recap(encoder, args.cells)
    t_embed = time.perf_counter() - t0
    builds = []
    for _ in range(3):
        t0 = time.perf_counter()
        index = MomentIndex.build(recap, encoder)
        builds.append(time.perf_counter() - t0)
    index.predict("warm up")  # first call pays torch's lazy initialisation

    print(f"video: {args.cells} cells = {args.cells * CELL_SECONDS / 60:.0f} min; encoder load "
          f"{t_model:.1f} s; embedding the synthetic recap {t_embed:.1f} s (pipeline cost, not search)")
    print(f"index build (validation, null calibration, BM25): median {statistics.median(builds) * 1000:.0f} ms")
    qs = queries(args.queries)
    encoder_only = _Remembering(encoder)
    for n in (1, 10, args.queries):
        total, scoring = [], []
        for q in qs[:n]:
            index.encoder = encoder
            t0 = time.perf_counter()
            index.predict(q)
            total.append(time.perf_counter() - t0)
            index.encoder = encoder_only.remember(q)
            t0 = time.perf_counter()
            index.predict(q)
            scoring.append(time.perf_counter() - t0)
        total_ms, scoring_ms = np.array(total) * 1000, np.array(scoring) * 1000
        print(f"{n:>4} queries: predict p50 {np.percentile(total_ms, 50):5.1f} ms, p95 "
              f"{np.percentile(total_ms, 95):5.1f} ms; of which scoring (no query embedding) p50 "
              f"{np.percentile(scoring_ms, 50):4.1f} ms, p95 {np.percentile(scoring_ms, 95):4.1f} ms")


class _Remembering:
    """Serves a precomputed query embedding, to time scoring without the encoder."""

    def __init__(self, encoder):
        self.encoder, self.dim, self.vec = encoder, encoder.dim, None

    def remember(self, query: str) -> _Remembering:
        self.vec = self.encoder.embed_text([query])
        return self

    def embed_text(self, texts):
        return self.vec

if __name__ == "__main__":
    main()
