"""A new user's check of the experts on footage the tests never use, against a written ground truth.

The video (~3 min, built by ``tests.media``) mixes narrated slides on four topics with real clips
from Debian packages that no test uses: night-time skyscrapers filmed from below (kivy's
``cityCC0.mpg``), an animated dinner scene with two faces in close-up (opencv-doc's
``Megamind.avi``) under a music bed, a hand holding a yellow box over a white table (``box.mp4``),
a hand holding a black cup against a white wall (``cup.mp4``), a green tree through a window
(``tree.avi``), a silent pause slide and an applauding audience. ``PARTS`` says what is where.

It runs ``vidrecap run`` with default settings (wall time and peak RSS of the run), then scores:
every expert claim in ``recap.json`` (sounds, faces, picture, objects: true / false / missed per
cell against the part's truth), moment search (top-1 IoU with the right part, footage-only and
narrated queries), ``vidrecap ask`` (answer cites a time in the right part; questions about what is
not in the video should say so), highlights and chapters. Run: ``python benchmarks/unseen.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.media import Part, build_video, footage  # noqa: E402

MUSIC = ("Music", "Musical instrument", "Plucked string instrument", "Guitar", "Piano", "Keyboard (musical)",
         "Harp", "Mandolin", "Banjo", "Zither", "Sitar", "Ukulele", "Marimba, xylophone", "Glockenspiel",
         "Vibraphone", "Harpsichord", "Electronic music", "Music box", "Bell", "Chime", "Wind chime",
         "Tubular bells", "Synthesizer", "Steelpan", "Electric piano", "Tuning fork", "Jingle bell",
         "Independent music", "Classical music", "New-age music", "Ambient music", "Scary music",
         "Background music", "Sad music", "Happy music", "Tender music", "Lullaby", "Christmas music",
         "Video game music", "Theme music", "Music of Asia", "Dong, bong", "Change ringing (campanology)")
APPLAUSE = ("Applause", "Clapping", "Cheering", "Crowd", "Hands", "Finger snapping", "Chatter",
            "Hubbub, speech noise, speech babble", "Slap, smack")
SPEECH = ("Speech", "Narration, monologue", "Male speech, man speaking", "Female speech, woman speaking",
          "Conversation", "Speech synthesizer", "Child speech, kid speaking")
SILENCE = ("Silence",)


@dataclass
class Truth:
    """What a part really holds, as a careful viewer would describe it."""

    what: str
    sounds: tuple[str, ...] = SILENCE  # labels that are true here (any of them)
    sound_expected: bool = True  # a cell here must carry one of ``sounds``
    faces: bool = False  # a face is visible
    expressions: tuple[str, ...] = ()  # expressions that are right for the faces shown
    objects_ok: tuple[str, ...] = ()  # COCO classes that are really there
    objects_expected: tuple[str, ...] = ()  # those a cell here must name
    light_ok: tuple[str, ...] = ("",)  # "", "dark", "night": the claims that are right
    colours_ok: tuple[str, ...] = ()  # named colours that are right
    camera_ok: tuple[str, ...] = ("static",)  # camera claims that are right
    queries: list[str] = field(default_factory=list)  # footage-only or narrated queries answered here


PARTS: list[tuple[Part, Truth]] = [
    (Part(16, title="Evening Lecture Series", body="Cities, bread and gardens",
          say="Good evening and welcome. Today we discuss how big buildings save energy, how to bake "
              "sourdough bread, and how to grow tomatoes on a balcony."),
     Truth("title slide, narrated introduction", sounds=SPEECH)),
    (Part(16, footage="city"),
     Truth("night-time glass skyscrapers lit from inside, filmed looking up, slow drift; silent",
           light_ok=("night", "dark"), colours_ok=("blue", "green", "purple"),
           camera_ok=("static", "pans left", "pans right", "tilts up", "tilts down", "zooms in", "zooms out"),
           queries=["tall office towers lit up at night", "looking up at skyscrapers against the night sky"])),
    (Part(16, title="Saving Energy",
          say="Buildings use a third of a city's electricity. Smart meters and better insulation "
              "can cut that bill by half."),
     Truth("slide, narrated: energy use of buildings", sounds=SPEECH,
           queries=["smart meters and insulation cut the electricity bill"])),
    (Part(22, footage="megamind", sound="music"),
     Truth("animated film: a woman with a wine glass and a man with glasses talk at a candle-lit dinner table "
           "(close-ups, a diner in the background); music bed",
           sounds=MUSIC, faces=True, expressions=("happy", "neutral"),
           objects_ok=("person", "wine glass", "cup", "dining table", "chair", "bottle"),
           objects_expected=("person",), light_ok=("", "dark"), colours_ok=("brown", "red", "orange", "purple"),
           queries=["a cartoon couple having dinner by candlelight", "a woman holding a glass of wine",
                    "close-up of a man with glasses talking", "music playing"])),
    (Part(16, title="Sourdough Bread",
          say="A sourdough starter needs flour and water every day. Let the dough rise overnight, "
              "then bake it at two hundred and thirty degrees."),
     Truth("slide, narrated: baking bread", sounds=SPEECH,
           queries=["how long should the dough rise"])),
    (Part(16, footage="box"),
     Truth("a hand moves a yellow patterned box above a white tablecloth, a blue pen on the table; fixed camera; "
           "silent", objects_ok=("person", "book", "dining table"), colours_ok=("yellow", "orange", "brown"),
           queries=["a hand holding a yellow box over a table"])),
    (Part(16, footage="cup"),
     Truth("a hand holds and tilts a black cup against a plain white wall; fixed camera; silent",
           objects_ok=("person", "cup", "bottle", "vase"), objects_expected=("cup",),
           queries=["someone holding a black cup"])),
    (Part(16, title="Balcony Tomatoes",
          say="Tomatoes need six hours of sun and deep pots. Water them in the morning and feed them "
              "every two weeks."),
     Truth("slide, narrated: growing tomatoes", sounds=SPEECH,
           queries=["when to water tomato plants"])),
    (Part(14, footage="tree"),
     Truth("a leafy green tree seen through a window on a bright overcast day; a hand enters at the end; silent",
           objects_ok=("person",), colours_ok=("green",),
           queries=["green leaves of a tree", "a tree seen through a window"])),
    (Part(10, title="Break"),
     Truth("a pause slide, complete silence", queries=["a silent pause"])),
    (Part(10, title="Thank You", say="Thank you all for coming. See you next week."),
     Truth("closing slide, narrated thanks", sounds=SPEECH,
           queries=["thanking the audience for coming"])),
    (Part(12, title="Thank You", sound="applause"),
     Truth("closing slide; an audience applauds", sounds=APPLAUSE,
           queries=["the audience applauds"])),
]
NARRATED = {2, 4, 7, 10}  # parts whose queries are answered by what is said
# The narration never names what the footage shows, so footage-only queries must be found by what is seen/heard.
NOT_IN_VIDEO = ["when does a dog bark?", "when is a car driving on a highway?", "when does it snow?"]
ASK = [(11, "when does the audience applaud?"), (3, "when is music playing?"),
       (1, "when do we see skyscrapers at night?"), (3, "who is holding a glass of wine?"),
       (6, "when does someone hold a cup?"), (8, "when is a tree shown?")]
EXPERTS = ("sounds", "faces", "expression", "objects", "light", "colours", "camera", "text")
EXPRESSION_NAMED = 0.4  # clip captions name an expression from this probability (docs/experts.md)


def spans_of(parts: list[Part]) -> list[tuple[float, float]]:
    out, t = [], 0.0
    for part in parts:
        out.append((t, t + part.seconds))
        t += part.seconds
    return out


def speech_spans(parts: list[Part], spans) -> list[tuple[float, float] | None]:
    """Where each part's narration really is (espeak-ng's own length)."""
    from tests.media import SR, speech

    return [(s + p.say_at, min(e, s + p.say_at + speech(p.say).size / SR)) if p.say else None
            for p, (s, e) in zip(parts, spans, strict=True)]


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    union = max(a[1], b[1]) - min(a[0], b[0])
    return overlap(a, b) / union if union > 0 else 0.0


@dataclass
class Tally:
    true: int = 0
    false: int = 0
    missed: int = 0
    false_claims: list[str] = field(default_factory=list)

    def claim(self, ok: bool, what: str) -> None:
        if ok:
            self.true += 1
        else:
            self.false += 1
            self.false_claims.append(what)


def sound_truth(cell: dict, part: Part, spoken: tuple[float, float] | None) -> tuple[set[str], set[str]]:
    """(labels that are right in the cell, labels of which one must be named)."""
    span = (cell["start"], cell["end"])
    talk = overlap(span, spoken) if spoken else 0.0
    bed = set(MUSIC if part.sound == "music" else APPLAUSE if part.sound == "applause" else ())
    ok = bed | (set(SPEECH) if talk > 0 else set()) | (set(SILENCE) if talk < 2.0 and not bed else set())
    must = set(SPEECH) if talk >= 2.0 else bed if bed and talk == 0 else set(SILENCE) if talk == 0 else set()
    return ok, must


def score_cells(cells: list[dict], spans, spoken) -> dict[str, Tally]:
    tallies = {name: Tally() for name in EXPERTS}
    for cell in cells:
        mid = (cell["start"] + cell["end"]) / 2
        i = next(k for k, (s, e) in enumerate(spans) if s <= mid < e)
        part, truth, at = PARTS[i][0], PARTS[i][1], f"{clock(cell['start'])} (part {i}: {PARTS[i][1].what[:50]})"
        ok, must = sound_truth(cell, part, spoken[i])
        heard = [s["label"] for s in cell.get("sounds") or []]
        for label in heard:
            tallies["sounds"].claim(label in ok, f"{at}: heard {label!r}")
        tallies["sounds"].missed += bool(must) and not must & set(heard)
        faces = cell.get("faces")
        if faces:
            tallies["faces"].claim(truth.faces, f"{at}: {faces['count']} face(s), {faces['shot']}")
        tallies["faces"].missed += truth.faces and not faces
        named = [e["label"] for e in (faces or {}).get("expression", [])[:1] if e["score"] >= EXPRESSION_NAMED]
        for label in named:
            tallies["expression"].claim(label in truth.expressions, f"{at}: expression {label!r}")
        text = cell.get("on_screen", "").strip()
        slide_words = set(f"{part.title} {part.body}".lower().split())
        if text:
            tallies["text"].claim(bool(slide_words & set(text.lower().split())), f"{at}: on screen {text!r}")
        tallies["text"].missed += bool(slide_words) and not text
        seen = [o["label"] for o in cell.get("objects") or []]
        for label in seen:
            tallies["objects"].claim(label in truth.objects_ok, f"{at}: seen {label!r}")
        tallies["objects"].missed += sum(label not in seen for label in truth.objects_expected)
        pic = cell.get("picture") or {}
        if pic.get("light"):
            tallies["light"].claim(pic["light"] in truth.light_ok, f"{at}: {pic['light']!r}")
        tallies["light"].missed += "" not in truth.light_ok and not pic.get("light")
        for colour in pic.get("colours") or []:
            tallies["colours"].claim(colour["label"] in truth.colours_ok, f"{at}: colour {colour['label']!r}")
        tallies["colours"].missed += bool(truth.colours_ok) and not pic.get("light") and not pic.get("colours")
        if pic.get("camera"):
            tallies["camera"].claim(pic["camera"] in truth.camera_ok, f"{at}: camera {pic['camera']!r}")
    return tallies


def clock(t: float) -> str:
    return f"{int(t // 60)}:{t % 60:04.1f}"


def run_recap(video: Path, out: Path, cache: Path) -> tuple[float, float]:
    """``vidrecap run`` with default settings in a fresh cache: (wall seconds, peak RSS MiB)."""
    import shutil

    for d in (out, cache):
        shutil.rmtree(d, ignore_errors=True)
    env = dict(os.environ, VIDRECAP_CACHE=str(cache))
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "vidrecap.cli", "run", str(video), "-o", str(out), "-q"], env=env)
    wall = time.perf_counter() - t
    if proc.returncode:
        sys.exit(f"unseen: vidrecap run failed (exit {proc.returncode})")
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def queries(recap, spans) -> tuple[list[float], list[float]]:
    from vidrecap.moments.index import MomentIndex

    index = MomentIndex.build(recap)
    footage_ious, narrated_ious = [], []
    print("\nmoment search, top-1 window (truth = the part's span):")
    for i, (_, truth) in enumerate(PARTS):
        for q in truth.queries:
            top = index.predict(q, top_k=1).top
            x = iou((top.start, top.end), spans[i])
            (narrated_ious if i in NARRATED else footage_ious).append(x)
            kind = "narrated" if i in NARRATED else "footage"
            print(f"  {kind:<8} {q[:52]:<52} truth {spans[i][0]:4.0f}-{spans[i][1]:<4.0f} "
                  f"top {top.start:4.0f}-{top.end:<4.0f} score {top.score:.2f} IoU {x:.2f}")
    return footage_ious, narrated_ious


def ask(out: Path, spans) -> tuple[int, int]:
    from vidrecap.qa.asker import Asker

    asker = Asker.build(out)
    right_seen = right_absent = 0
    print("\nvidrecap ask (right: found, first citation inside the part; absent: 'not found'):")
    for i, q in ASK:
        a = asker.ask(q)
        c = a.citations[0] if a.citations else None
        ok = bool(a.found and c and overlap((c.start, c.end), spans[i]) > 0)
        right_seen += ok
        print(f"  {'RIGHT' if ok else 'WRONG'}  {q} (part {spans[i][0]:.0f}-{spans[i][1]:.0f} s) -> "
              f"{a.answer[:110]!r} conf {a.confidence:.2f}")
    for q in NOT_IN_VIDEO:
        a = asker.ask(q)
        right_absent += not a.found
        print(f"  {'RIGHT' if not a.found else 'WRONG'}  {q} (not in the video) -> {a.answer[:110]!r} "
              f"conf {a.confidence:.2f}")
    return right_seen, right_absent


def part_of(t: float, spans) -> int:
    return next((k for k, (s, e) in enumerate(spans) if s <= t < e), len(spans) - 1)


def highlights_and_chapters(recap, spans) -> None:
    from vidrecap.moments.highlighting import highlights

    result = highlights(recap, top_k=5)
    print("\nhighlights, top 5 (part under each window's middle):")
    for w in result.windows:
        k = part_of((w.start + w.end) / 2, spans)
        print(f"  {clock(w.start)}-{clock(w.end)} score {w.score:.2f}  part {k}: {PARTS[k][1].what[:60]}")
    ranks = {}
    for rank, w in enumerate(result.windows_all, 1):
        ranks.setdefault(part_of((w.start + w.end) / 2, spans), rank)
    listed = ", ".join(f"part {k}: {ranks.get(k, '-')}" for k, (p, _) in enumerate(PARTS)
                       if p.footage or p.sound or not p.say)
    print(f"  rank of each non-narrated part's best window (of {len(result.windows_all)}): {listed}")
    bounds = [s for s, _ in spans[1:]]
    print("\nchapters (start-end, title; distance of the end to the nearest part boundary):")
    for seg in recap.segments:
        d = min(abs(seg.end - b) for b in bounds) if seg.end < spans[-1][1] - 1 else 0.0
        print(f"  {clock(seg.start)}-{clock(seg.end)} {seg.title[:50]!r} ({d:.0f} s)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/tmp/vidrecap-bench-unseen", help="where the video and the recap go")
    ap.add_argument("--reuse", action="store_true", help="score the existing recap, do not run again")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the clip captions of the footage parts")
    args = ap.parse_args()
    for name in sorted({p.footage for p, _ in PARTS if p.footage}):
        try:
            found = footage(name).is_file()
        except (subprocess.CalledProcessError, OSError, StopIteration) as exc:
            found = False
            print(f"unseen: {exc}", file=sys.stderr)
        if not found:
            print(f"unseen: footage {name!r} unavailable (apt-get download + dpkg -x of its Debian package failed)",
                  file=sys.stderr)
            return 2
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    video, out = work / "unseen.mp4", work / "unseen.recap"
    parts = [p for p, _ in PARTS]
    spans = spans_of(parts)
    if not (args.reuse and (out / "recap.json").is_file()):
        build_video(video, parts)
        wall, rss = run_recap(video, out, work / "cache")
        print(f"video {spans[-1][1]:.0f} s, {len(parts)} parts; vidrecap run (defaults, fresh cache): "
              f"wall {wall:.1f} s ({spans[-1][1] / wall:.2f}x real time), peak RSS {rss:.0f} MiB; "
              f"load average {os.getloadavg()[0]:.1f} (other work shares the cores)")
    import vidrecap

    recap = vidrecap.load(out)
    raw = json.loads((out / "recap.json").read_text())
    tallies = score_cells(raw["cells"], spans, speech_spans(parts, spans))
    print(f"\nexpert claims per 2 s cell ({len(raw['cells'])} cells): true / false / missed, precision, recall")
    for name, t in tallies.items():
        p = t.true / (t.true + t.false) if t.true + t.false else float("nan")
        r = t.true / (t.true + t.missed) if t.true + t.missed else float("nan")
        print(f"  {name:<8} {t.true:4d} {t.false:4d} {t.missed:4d}   P {p:.2f}  R {r:.2f}")
    for name, t in tallies.items():
        for what in t.false_claims:
            print(f"  false {name}: {what}")
    if args.verbose:
        for clip in recap.clips:
            k = part_of((clip.start + clip.end) / 2, spans)
            if parts[k].footage or parts[k].sound:
                print(f"  clip {clock(clip.start)} part {k}: {clip.text[:150]}")
    footage_ious, narrated_ious = queries(recap, spans)
    for label, xs in (("footage-only", footage_ious), ("narrated", narrated_ious)):
        print(f"  {label}: {len(xs)} queries, mean IoU {statistics.mean(xs):.2f}, "
              f"R1@0.5 {sum(x >= 0.5 for x in xs) / len(xs):.2f}, R1@0.3 {sum(x >= 0.3 for x in xs) / len(xs):.2f}")
    seen, absent = ask(out, spans)
    print(f"  ask: {seen}/{len(ASK)} seen/heard questions right, {absent}/{len(NOT_IN_VIDEO)} absent ones "
          "answered 'not found'")
    highlights_and_chapters(recap, spans)
    return 0


if __name__ == "__main__":
    sys.exit(main())
