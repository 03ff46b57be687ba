"""Names spelled as shown: entity accuracy of the transcript with and without on-screen hotwords.

.venv/bin/python benchmarks/names_as_shown.py [--videos 3] [--out DIR]

Builds videos (tests/media.py) whose slides show invented names (teams, people, places, products)
while espeak-ng narration says them, runs the real pipeline (embedded Whisper base, embedded OCR)
with ``hotwords`` off and on, and reports per video and overall the share of name words spelled
in the transcript exactly as shown (case-insensitive whole words), within the slide's time span.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.media import Part, build_video  # noqa: E402
from vidrecap import recap  # noqa: E402

VIDEOS = [
    [("City Rovers", "Today City Rovers play against Harlow Wanderers at Bramley Park.", "Harlow Wanderers"),
     ("Ingrid Solberg", "Our guide Ingrid Solberg shows the Kessler valve and the Norrland pump.", "Kessler valve"),
     ("Amara Okafor", "Professor Amara Okafor explains the Tessaract protocol for Zentrix servers.", "Zentrix")],
    [("Velloria Bakery", "At Velloria Bakery, chef Tomasz Brzezinski bakes rye bread every morning.", "Tomasz"),
     ("Lake Orrin", "The ferry Aurelia crosses Lake Orrin twice a day from Dunmere harbour.", "Aurelia Dunmere"),
     ("Pellham Institute", "Researchers at the Pellham Institute test the Quorvex battery.", "Quorvex")],
    [("Marisol Quintero", "Marisol Quintero coaches the Redbank Falcons on Saturdays.", "Redbank Falcons"),
     ("Castellane Bridge", "The Castellane Bridge was built by engineer Hektor Vasari in 1921.", "Hektor Vasari"),
     ("Brightwater Mill", "Brightwater Mill grinds spelt and barley for the Osterby market.", "Osterby")],
    [("Kaito Nakamura", "Kaito Nakamura repairs the Falkner engine in the Westholm workshop.", "Westholm"),
     ("Sunderberg Choir", "The Sunderberg Choir sings with soloist Elodie Marchetti tonight.", "Elodie Marchetti"),
     ("Ravenscar Trail", "Hikers follow the Ravenscar Trail to the Glenmoor lighthouse.", "Glenmoor")],
]
SECONDS = 14.0


def names(title: str, body: str) -> list[str]:
    return re.findall(r"[A-Z][a-z]+|\d{3,}", f"{title} {body}")


def build(root: Path, k: int) -> tuple[Path, list[tuple[float, float, list[str]]]]:
    parts = [Part(SECONDS, title=title, body=body, say=said, say_at=1.0) for title, said, body in VIDEOS[k]]
    path = root / f"names{k}.mp4"
    spans = build_video(path, parts)
    return path, [(a, b, names(t, body)) for (a, b), (t, _, body) in zip(spans, VIDEOS[k], strict=True)]


def accuracy(transcript, expected) -> tuple[int, int]:
    hit = total = 0
    for start, end, words in expected:
        said = " ".join(s.text for s in transcript.segments if start <= (s.start + s.end) / 2 < end)
        heard = set(re.findall(r"[a-z0-9]+", said.lower()))
        hit += sum(w.lower() in heard for w in words)
        total += len(words)
    return hit, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--videos", type=int, default=3)
    args = parser.parse_args()
    light = dict(faces="none", objects="none", picture="none", sounds="none")
    totals = {False: [0, 0], True: [0, 0]}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(min(args.videos, len(VIDEOS))):
            video, expected = build(Path(tmp), k)
            row = [f"video {k}"]
            for on in (False, True):
                started = time.perf_counter()
                result = recap(video, hotwords=on, **light)
                hit, total = accuracy(result.transcript, expected)
                totals[on][0] += hit
                totals[on][1] += total
                row.append(f"hotwords {'on ' if on else 'off'} {hit}/{total} ({time.perf_counter() - started:.0f} s)")
                print(f"  {'on ' if on else 'off'}: {result.transcript.text[:200]!r}", flush=True)
            print("  ".join(row), flush=True)
    for on in (False, True):
        hit, total = totals[on]
        print(f"entity accuracy, hotwords {'on ' if on else 'off'}: {hit}/{total} = {hit / max(1, total):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
