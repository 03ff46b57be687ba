"""Held-out check of how queries are read: footage-only search, multiple choice, absent topics.

The video (~4.5 min, built by ``tests.media`` from packaged footage no test uses, see
``queries_data.py``) mixes narrated tips with silent footage whose content is never said. Scored:
moment search (top-1 IoU with the right part, footage-only and narrated queries), ``ask`` on the
narrated questions (found, first citation inside the part), multiple choice by kind (numbers,
warnings, meaning), and questions about absent and half-absent topics (must say "not found" /
"not in this video"). With ``--writer SPEC`` the asks use that answerer, and every answer published as
found is checked for a valid citation (a cited time inside a piece of the evidence it was given, quoting
that piece); ``--server URL`` points the ``openai`` answerer at a llama.cpp / vLLM / Ollama server.

``python benchmarks/queries.py`` scores this tree; ``--before SRC`` also scores another vidrecap
source tree (e.g. ``git archive`` of main) on the same recap and prints both side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import queries_data as data  # noqa: E402

HONEST = ("not found", "not in this video")


def parts():
    """(name, Part) in video order; narrated parts last as long as their speech plus 1.5 s."""
    from tests.media import SR, Part, speech

    out = []
    for name in data.ORDER:
        if name == "intro":
            out.append((name, Part(5, title=data.INTRO[0], say=data.INTRO[1])))
        elif name == "outro":
            out.append((name, Part(5, title="Thank You")))
        elif name in data.NARRATED:
            title, say = data.NARRATED[name]
            seconds = round(speech(say).size / SR + 1.5, 1)
            out.append((name, Part(seconds, title=title, say=say)))
        else:
            clip, seconds, start, look, sound = data.FOOTAGE[name]
            out.append((name, Part(seconds, footage=clip, start=start, look=look, sound=sound)))
    return out


def spans(named) -> dict[str, tuple[float, float]]:
    out, t = {}, 0.0
    for name, part in named:
        out[name] = (t, t + part.seconds)
        t += part.seconds
    return out


def iou(a, b) -> float:
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def build(work: Path, reuse: bool) -> Path:
    from tests.media import build_video

    named = parts()
    video, out = work / "queries.mp4", work / "queries.recap"
    if reuse and (out / "recap.json").is_file():
        return out
    work.mkdir(parents=True, exist_ok=True)
    build_video(video, [p for _, p in named])
    env = dict(os.environ, VIDRECAP_CACHE=str(work / "cache"))
    env["PYTHONPATH"] = str(ROOT / "src")
    proc = subprocess.run([sys.executable, "-m", "vidrecap.cli", "run", str(video), "-o", str(out), "-q"], env=env)
    if proc.returncode:
        sys.exit(f"queries: vidrecap run failed (exit {proc.returncode})")
    return out


def valid_citation(answer) -> bool:
    """Whether some citation of ``answer`` lies inside a piece of its evidence and quotes it."""
    return any(e.start - 1.0 <= c.start <= e.end + 1.0 and c.text == e.text
               for c in answer.citations for e in answer.evidence)


def score(out: Path, writer: str | None, verbose: bool, choices: bool = True) -> dict:
    """Every figure of this benchmark for the vidrecap importable now (printed as JSON)."""
    from vidrecap.moments.index import MomentIndex
    from vidrecap.qa.asker import Asker

    where = spans(parts())
    index = MomentIndex.load(out)
    result: dict = {}
    narrated = [where[n] for n in data.NARRATED]
    for label, queries in (("footage", data.FOOTAGE_QUERIES), ("narrated", data.NARRATED_QUERIES)):
        ious, spoken = [], 0
        for name, q in queries:
            top = index.predict(q, top_k=1).top
            ious.append(iou((top.start, top.end), where[name]))
            spoken += max(iou((top.start, top.end), n) for n in narrated) >= 0.5
            if verbose:
                print(f"  {label:<8} {q[:50]:<50} truth {where[name][0]:5.1f}-{where[name][1]:<5.1f} "
                      f"top {top.start:5.1f}-{top.end:<5.1f} IoU {ious[-1]:.2f}", file=sys.stderr)
        result[label] = {"n": len(ious), "r1_05": sum(x >= 0.5 for x in ious) / len(ious),
                         "miou": sum(ious) / len(ious), "on_narrated": spoken}
    asker = Asker.build(out, writer or "embedded")
    right = unsupported = 0
    backends: dict[str, int] = {}

    def ask(q):
        a = asker.ask(q)
        kind = "not found" if not a.found else "extractive fallback" if "extractive" in a.backend else "published"
        backends[kind] = backends.get(kind, 0) + 1
        return a

    for name, q in data.NARRATED_QUERIES:
        a = ask(q)
        c = a.citations[0] if a.citations else None
        right += bool(a.found and c and iou((c.start, c.end), where[name]) > 0)
        unsupported += bool(a.found and not valid_citation(a))
        if verbose:
            print(f"  ask {q[:50]:<50} -> {a.answer[:90]!r} {a.confidence:.2f}", file=sys.stderr)
    result["ask"] = {"n": len(data.NARRATED_QUERIES), "right": right}
    by_kind: dict[str, list[int]] = {}
    for mc in data.MULTIPLE_CHOICE if choices else []:
        got = asker.choose(mc.question, list(mc.options)).index
        by_kind.setdefault(mc.kind, []).append(int(got == mc.answer))
        if verbose and got != mc.answer:
            print(f"  MC wrong ({mc.kind}) {mc.question} -> {mc.options[got]!r} (not {mc.options[mc.answer]!r})",
                  file=sys.stderr)
    result["mc"] = {k: [sum(v), len(v)] for k, v in by_kind.items()}
    for label, questions in (("absent", data.ABSENT), ("half_absent", data.HALF_ABSENT)):
        honest = 0
        for q in questions:
            a = ask(q)
            ok = (not a.found) or any(h in a.answer.lower() for h in HONEST)
            honest += ok
            unsupported += bool(a.found and not valid_citation(a))
            if verbose and not ok:
                print(f"  {label} answered: {q} -> {a.answer[:100]!r}", file=sys.stderr)
        result[label] = [honest, len(questions)]
    result["found_without_citation"] = unsupported
    result["answers"] = backends
    return result


def score_with(src: str, out: Path, writer: str | None, verbose: bool, choices: bool = True) -> dict:
    """``score`` run by another vidrecap source tree, in a subprocess."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([src, str(ROOT)]))
    cmd = [sys.executable, __file__, "--score-only", str(out)] + (["--writer", writer] if writer else [])
    cmd += [] if choices else ["--no-choices"]
    proc = subprocess.run(cmd + (["-v"] if verbose else []), env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"queries: scoring with {src} failed:\n{proc.stderr[-2000:]}")
    if verbose:
        print(proc.stderr, file=sys.stderr)
    return json.loads(proc.stdout)


def table(columns: dict[str, dict]) -> None:
    names = list(columns)
    print(f"{'':<34}" + "".join(f"{n:>16}" for n in names))

    def row(label, get):
        print(f"{label:<34}" + "".join(f"{get(columns[n]):>16}" for n in names))

    for label in ("footage", "narrated"):
        row(f"{label} R1@0.5 (n={columns[names[0]][label]['n']})", lambda r, k=label: f"{r[k]['r1_05']:.2f}")
        row(f"{label} mean IoU", lambda r, k=label: f"{r[k]['miou']:.2f}")
    row("footage: top window on a narrated part", lambda r: str(r["footage"]["on_narrated"]))
    row("ask, narrated: cites the part", lambda r: f"{r['ask']['right']}/{r['ask']['n']}")
    if columns[names[0]]["mc"]:
        for kind in ("numbers", "warning", "meaning"):
            row(f"multiple choice: {kind}", lambda r, k=kind: f"{r['mc'][k][0]}/{r['mc'][k][1]}")

        def total(r):
            right, n = (sum(v[i] for v in r["mc"].values()) for i in (0, 1))
            return f"{right}/{n} {100 * right / n:.0f}%"

        row("multiple choice: all", total)
    row("absent -> not found", lambda r: f"{r['absent'][0]}/{r['absent'][1]}")
    row("half-absent -> says what is not", lambda r: f"{r['half_absent'][0]}/{r['half_absent'][1]}")
    row("found without a valid citation", lambda r: str(r["found_without_citation"]))
    for kind in ("published", "extractive fallback", "not found"):
        row(f"asks: {kind}", lambda r, k=kind: str(r.get("answers", {}).get(k, 0)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/tmp/vidrecap-bench-queries", help="where the video and the recap go")
    ap.add_argument("--reuse", action="store_true", help="score the existing recap, do not run again")
    ap.add_argument("--before", metavar="SRC", help="also score this vidrecap source tree (its src/ folder)")
    ap.add_argument("--writer", metavar="SPEC", help="answerer for ask/choose (default: embedded)")
    ap.add_argument("--server", metavar="URL", help="OpenAI-compatible server for the openai answerer "
                    "(e.g. http://127.0.0.1:8092/v1; implies --writer openai)")
    ap.add_argument("--no-choices", action="store_true", help="skip multiple choice (slow with a chat model)")
    ap.add_argument("--score-only", metavar="OUTDIR", help=argparse.SUPPRESS)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every query's result")
    args = ap.parse_args()
    if args.server:
        os.environ["VIDRECAP_OPENAI_BASE_URL"] = args.server  # the scoring subprocesses inherit it
        args.writer = args.writer or "openai"
    if args.score_only:
        print(json.dumps(score(Path(args.score_only), args.writer, args.verbose, not args.no_choices)))
        return 0
    out = build(Path(args.work), args.reuse)
    columns = {}
    if args.before:
        columns["before"] = score_with(args.before, out, args.writer, args.verbose, not args.no_choices)
    columns["after"] = score_with(str(ROOT / "src"), out, args.writer, args.verbose, not args.no_choices)
    print(f"held-out video {out}: {len(data.FOOTAGE_QUERIES)} footage-only + {len(data.NARRATED_QUERIES)} "
          f"narrated queries, {len(data.MULTIPLE_CHOICE)} multiple choice, {len(data.ABSENT)} absent + "
          f"{len(data.HALF_ABSENT)} half-absent; answerer {args.writer or 'embedded'}; "
          f"load average {os.getloadavg()[0]:.1f}")
    table(columns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
