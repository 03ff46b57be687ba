"""What a person reads on long talks: chapters, titles and the summary of generated 15-minute videos.

    python benchmarks/reading.py [--workdir DIR] [--videos 1 2 3 4 5] [--label before|after] [--build-only]

Each video (``benchmarks/reading_topics.py``, ``talk(seed)``) is 14 topics of about 70 s from a
pool of 16, in a seeded order, with its own espeak-ng voice and rate and reshuffled sentences:
most topics show two or three slides (some with names: "City Rovers", "Jonas Weber"), some none.
Built once into the work dir with ``tests/media.py``; each run's recap is cached there too (a
second run only redoes what changed). Printed per video and as a table:

- boundary F1 (±10 s): chapter starts against topic changes;
- repeated titles: chapter titles that occur more than once (case-insensitive);
- foreign title words: title words that the video never says or shows (ASR fragments);
- cut sentences: summary sentences that do not end in . ! or ?, hold "..." or "…", or quote the
  speech (a sentence, a "Title: point" or a "(point)") and stop where the transcript goes on;
- topics named: topics whose keyword the summary holds; words / budget (80 + 7 per minute).

It imports only ``vidrecap.recap``, so the same script measures an older checkout:
``PYTHONPATH=/path/to/old/src python benchmarks/reading.py --label before``.
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

from benchmarks.reading_topics import TOPICS, talk, words  # noqa: E402
from benchmarks.reading_topics_b import TOPICS_B, talk_b  # noqa: E402

POOL_B = 6  # videos from this seed on draw from the second pool (written after the code was done)

GAP = 1.5  # seconds of silence after every section's narration
MINUTES = 15  # no video shorter


def _seconds(topics, voice: str, speed: int) -> float:
    from tests.media import SR, speech

    return sum(0.5 + speech(" ".join(s.say), speed, voice).size / SR + GAP for t in topics for s in t.sections)


def build(seed: int, workdir: Path) -> tuple[Path, dict]:
    """The video of ``talk(seed)`` and its truth: topic spans, names, keywords and every word in it."""
    from tests.media import SR, Part, build_video, speech

    path, meta = workdir / f"talk{seed}.mp4", workdir / f"talk{seed}.truth.json"
    if path.exists() and meta.exists():
        return path, json.loads(meta.read_text())
    voice, speed, topics = talk_b(seed) if seed >= POOL_B else talk(seed)
    pool = TOPICS_B if seed >= POOL_B else TOPICS
    spare = [x for x in pool if x.name not in {t.name for t in topics}]
    parts, spans, t, vocab = [], [], 0.0, set()
    while spare and _seconds(topics, voice, speed) < MINUTES * 60:  # a fast voice: one more topic
        topics.append(spare.pop(0))
    for topic in topics:
        start = t
        for s in topic.sections:
            say = " ".join(s.say)
            seconds = round(0.5 + speech(say, speed, voice).size / SR + GAP, 1)
            parts.append(Part(seconds, None if s.slide else s.footage, s.slide, s.body, say,
                              voice=voice, speed=speed, layout=s.layout))
            vocab |= set(words(f"{say} {s.slide} {s.body}"))
            t += seconds
        spans.append((start, t))
    tmp = path.with_suffix(f".{os.getpid()}.part.mp4")  # two builders never share a file
    build_video(tmp, parts)
    tmp.replace(path)
    truth = {"voice": voice, "speed": speed, "spans": spans, "names": [x.name for x in topics],
             "keywords": [list(x.keywords) for x in topics], "vocab": sorted(vocab)}
    meta.write_text(json.dumps(truth))
    return path, truth


def f1(got: list[float], true: list[float], tol: float) -> float:
    p = sum(any(abs(g - x) <= tol for x in true) for g in got) / len(got) if got else 0.0
    r = sum(any(abs(g - x) <= tol for g in got) for x in true) / len(true) if true else 1.0
    return round(2 * p * r / (p + r), 3) if p + r else 0.0


LINK = re.compile(r"\[(\d+:)?\d+:\d\d\](\([^)]*\))?")


def sentences(text: str) -> list[str]:
    """The summary's sentences, its [m:ss] links and Markdown markers removed."""
    out = []
    for line in text.splitlines():
        line = LINK.sub("", line).strip(" -*#\t")
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", line) if s.strip()]
    return out


def cut(sentence: str) -> bool:
    return not re.search(r"[.!?][\"')]?$", sentence) or "..." in sentence or "…" in sentence \
        or sentence.count("(") != sentence.count(")")


def ends(recap) -> tuple[str, set[str]]:
    """The transcript as one lower-case string with its sentence ends kept, and every on-screen line."""
    said = " ".join(s.text for s in recap.transcript.segments).lower()
    shown = {" ".join(words(ln)) for c in recap.cells for ln in c.on_screen.splitlines() if ln.strip()}
    return said, shown


def quoted_cut(piece: str, said: str, shown: set[str]) -> bool:
    """A piece of the summary quoted from the speech whose quote stops where the speech goes on
    ("...a beautiful guitar with high" when it said "with high strings.")."""
    tail = words(piece)[-3:]
    if len(tail) < 3 or any(line.endswith(" ".join(tail)) for line in shown):
        return False
    pattern = r"\b" + r"\W+".join(map(re.escape, tail)) + r"\b"
    found = [m.end() for m in re.finditer(pattern, said)]
    return bool(found) and not any(re.match(r"[\"')]?[.!?]", said[e:e + 2]) for e in found)


def score(recap, truth: dict) -> dict:
    segs, spans = recap.segments, truth["spans"]
    titles = [s.title.strip().lower() for s in segs]
    vocab = set(truth["vocab"])
    template = {"topics", "part"}  # the video title's "N topics: A, B and C"; "Part N" of an untitled chapter
    foreign = sorted({w for s in segs for w in words(s.title) if w not in vocab}
                     | {w for w in words(recap.summary.title) if w not in vocab | template})
    summary = recap.summary.text
    said = set(words(summary))
    minutes = spans[-1][1] / 60
    sents = sentences(summary)
    said_text, shown = ends(recap)
    quotes = [q for x in sents for q in re.findall(r"\(([^)]*)\)", x)] + [x.split(": ", 1)[-1] for x in sents]
    return {
        "minutes": round(minutes, 1), "topics": len(spans), "chapters": len(segs),
        "f1@10": f1([s.start for s in segs[1:]], [a for a, _ in spans[1:]], 10.0),
        "shortest_chapter_s": round(min(s.end - s.start for s in segs), 1),
        "repeated_titles": len(titles) - len(set(titles)),
        "foreign_title_words": foreign,
        "cut_sentences": [s for s in sents if cut(s)] + [q for q in quotes if quoted_cut(q, said_text, shown)],
        "topics_named": sum(bool(said & set(k)) for k in truth["keywords"]),
        "summary_words": len(words(LINK.sub("", summary))), "budget": round(80 + 7 * minutes),
        "sections": sum(len(getattr(s, "sections", None) or []) for s in segs),
        "video_title": recap.summary.title,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", default=str(Path.home() / ".cache" / "vidrecap-bench-reading"))
    ap.add_argument("--videos", nargs="+", type=int, default=[1, 2, 3, 4, 5])
    ap.add_argument("--label", default="run", help="name of this run's recaps (e.g. before / after)")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--light", action="store_true",
                    help="faces, objects, picture and sounds off (chapters, titles and the summary of these talks"
                         " never need them; a run takes a third of the time); give it to both runs compared")
    ap.add_argument("--table", nargs="+", metavar="LABEL", help="print the saved results of these runs, one table")
    args = ap.parse_args(argv)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if args.table:
        table({label: json.loads((workdir / f"reading.{label}.json").read_text()) for label in args.table})
        return 0
    os.environ.setdefault("VIDRECAP_CACHE", str(workdir / "cache"))
    saved = workdir / f"reading.{args.label}.json"
    rows = json.loads(saved.read_text()) if saved.exists() else {}
    for seed in args.videos:
        path, truth = build(seed, workdir)
        if args.build_only:
            print(path, round(truth["spans"][-1][1]), "s", flush=True)
            continue
        import vidrecap

        t0 = time.perf_counter()
        light = dict(faces="none", objects="none", picture="none", sounds="none") if args.light else {}
        recap = vidrecap.recap(path, workdir / f"talk{seed}.{args.label}.recap", **light)
        rows[str(seed)] = {**score(recap, truth), "seconds": round(time.perf_counter() - t0, 1), "light": args.light}
        print(seed, json.dumps(rows[str(seed)], ensure_ascii=False), flush=True)
        latest = json.loads(saved.read_text()) if saved.exists() else {}  # runs of other videos may share it
        saved.write_text(json.dumps({**latest, **rows}, ensure_ascii=False, indent=1))
    if rows:
        table({args.label: rows})
    return 0


def table(runs: dict[str, dict]) -> None:
    """One row per run and video, then each run's totals."""
    print("\n| run | video | min | chapters / topics | F1 ±10 s | shortest | repeated titles | foreign title words"
          " | cut sentences | topics named | words / budget |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, rows in runs.items():
        for seed, r in sorted(rows.items()):
            print(f"| {label} | talk{seed} | {r['minutes']} | {r['chapters']} / {r['topics']} | {r['f1@10']} | "
                  f"{r['shortest_chapter_s']} s | {r['repeated_titles']} | {len(r['foreign_title_words'])} | "
                  f"{len(r['cut_sentences'])} | {r['topics_named']} / {r['topics']} | "
                  f"{r['summary_words']} / {r['budget']} |")
    for label, rows in runs.items():
        rs = list(rows.values())
        print(f"| **{label}, all {len(rs)}** | | | {sum(r['chapters'] for r in rs)} / {sum(r['topics'] for r in rs)} | "
              f"{sum(r['f1@10'] for r in rs) / len(rs):.3f} (min {min(r['f1@10'] for r in rs)}) | "
              f"{min(r['shortest_chapter_s'] for r in rs)} s | {sum(r['repeated_titles'] for r in rs)} | "
              f"{sum(len(r['foreign_title_words']) for r in rs)} | {sum(len(r['cut_sentences']) for r in rs)} | "
              f"{sum(r['topics_named'] for r in rs)} / {sum(r['topics'] for r in rs)} | "
              f"{sum(r['summary_words'] <= r['budget'] for r in rs)} of {len(rs)} within |")


if __name__ == "__main__":
    sys.exit(main())
