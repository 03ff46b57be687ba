"""Chapters on generated multi-topic videos: boundary precision/recall, summary coverage, titles.

    python benchmarks/chapters.py [--workdir DIR] [--videos a b c d lecture] [--segmentation content|fixed]
                                  [--segment-seconds S] [--label NAME]

Videos come from ``tests/topics.py``: unrelated espeak-ng narrated topics over slides and real
footage, in several orders (``a``-``c``, ``e``: 8-10 topics, ``e`` in the tests' order; ``d``: all
12), every pause the same length so silence alone never gives a topic change away, and ``lecture``:
one topic for two minutes.
Each is recapped with the default options (the run's cache lives in the work dir, so a second
run only redoes what changed). Printed per video and in total:

- boundary precision / recall: a chapter boundary within ±4 s (±10 s) of a topic change;
- spanning: chapters that run more than 5 s into each of two topics;
- summary coverage: topics named in the summary (any of the topic's keywords);
- titles: chapters whose title names their main topic (slide title or keyword), and titles that
  are comma lists of words; "website" tags written into segment text.

It imports only ``vidrecap.recap``, so the same script measures an older checkout (before):
``PYTHONPATH=/path/to/old/src python benchmarks/chapters.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ORDERS = {"a": [0, 1, 2, 3, 4, 5, 6, 7], "b": [8, 2, 5, 9, 10, 1, 11, 3],
          "c": [4, 10, 7, 0, 9, 6, 1, 8, 2, 11], "d": [5, 11, 1, 7, 3, 9, 0, 10, 2, 8, 4, 6],
          "e": [11, 3, 6, 2, 9, 0, 4, 8]}


def build(name: str, workdir: Path) -> tuple[Path, list[tuple[float, float]], list[int]]:
    from tests.media import build_video
    from tests.topics import LECTURE, fitted, multi_topic_parts

    path, meta = workdir / f"{name}.mp4", workdir / f"{name}.spans.json"
    if not (path.exists() and meta.exists()):
        if name == "lecture":
            parts = fitted(LECTURE)
            spans = [(0.0, sum(p.seconds for p in parts))]
        else:
            parts, spans = multi_topic_parts(ORDERS[name])
        build_video(path, parts)
        meta.write_text(json.dumps(spans))
    return path, [tuple(s) for s in json.loads(meta.read_text())], ORDERS.get(name, [])


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def score(recap, spans, order) -> dict:
    from tests.topics import LECTURE, TOPICS

    segs = recap.segments
    got = [s.start for s in segs[1:]]
    true = [s for s, _ in spans[1:]]
    out = {"chapters": len(segs), "topics": len(spans),
           "shortest_chapter_s": round(min(s.end - s.start for s in segs), 1)}
    for tol in (4, 10):
        out[f"precision@{tol}"] = round(sum(any(abs(g - t) <= tol for t in true) for g in got) / len(got), 3) \
            if got else (1.0 if not true else 0.0)
        out[f"recall@{tol}"] = round(sum(any(abs(g - t) <= tol for g in got) for t in true) / len(true), 3) \
            if true else 1.0
    topics = [TOPICS[i] for i in order]
    spanning, named = 0, 0
    for seg in segs:
        overlaps = [max(0.0, min(seg.end, e) - max(seg.start, s)) for s, e in spans]
        spanning += sorted(overlaps, reverse=True)[1] > 5.0 if len(overlaps) > 1 else 0
        if topics:
            topic = topics[max(range(len(spans)), key=lambda k: overlaps[k])]
            slides = {p.title for p in topic.parts if p.title}
            named += seg.title in slides or bool(words(seg.title) & set(topic.keywords))
        else:
            named += seg.title in {p.title for p in LECTURE if p.title} or "cycling" in seg.title.lower()
    out["spanning"] = spanning
    said = words(recap.summary.text)
    out["summary_coverage"] = round(sum(bool(said & set(t.keywords)) for t in topics) / len(topics), 3) \
        if topics else None
    out["titles_named"] = round(named / len(segs), 3)
    out["titles_word_lists"] = sum("," in s.title for s in segs)
    out["website_tags"] = sum("website" in s.text.lower() for s in segs)
    out["video_title"] = recap.summary.title
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", default=str(Path.home() / ".cache" / "vidrecap-bench-chapters"))
    ap.add_argument("--videos", nargs="+", default=["a", "b", "c", "d", "e", "lecture"])
    ap.add_argument("--segmentation", choices=("content", "fixed"), help="default: the run's default")
    ap.add_argument("--segment-seconds", type=float, help="target chapter length (default: the run's default)")
    ap.add_argument("--label", default="", help="name of the result file's run (e.g. before / after)")
    args = ap.parse_args(argv)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("VIDRECAP_CACHE", str(workdir / "cache"))
    import vidrecap

    options = {"segmentation": args.segmentation} if args.segmentation else {}
    if args.segment_seconds:
        options["segment_seconds"] = args.segment_seconds
    rows = {}
    for name in args.videos:
        path, spans, order = build(name, workdir)
        t0 = time.perf_counter()
        recap = vidrecap.recap(path, workdir / f"{name}.{args.label or 'run'}.recap", **options)
        rows[name] = {**score(recap, spans, order), "seconds": round(time.perf_counter() - t0, 1)}
        print(name, json.dumps(rows[name], ensure_ascii=False), flush=True)
    multi = [r for n, r in rows.items() if n != "lecture"]
    if multi:
        keys = ("precision@4", "recall@4", "precision@10", "recall@10", "summary_coverage", "titles_named")
        mean = {k: round(sum(r[k] for r in multi) / len(multi), 3) for k in keys}
        mean["spanning"] = sum(r["spanning"] for r in multi)
        mean["titles_word_lists"] = sum(r["titles_word_lists"] for r in multi)
        mean["website_tags"] = sum(r["website_tags"] for r in multi)
        print("multi-topic mean", json.dumps(mean))
    return 0


if __name__ == "__main__":
    sys.exit(main())
