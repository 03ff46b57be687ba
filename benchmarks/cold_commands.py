"""Cold-process latency of the query commands: ``search OUT``, ``ask OUT``, ``search LIBRARY``, ``--version``.

Each command runs as a fresh process ``--runs`` times (median reported) for every source tree given
(``--src`` this checkout, ``--before`` another checkout's ``src``), interleaved so both see the
same machine load. Besides wall time it prints the process's CPU seconds (user + sys, steadier than
wall on a shared machine), peak RSS, how many modules it imported and whether torch was among them.
Run: ``python benchmarks/cold_commands.py --out OUT [--library ROOT] [--before /other/src]``;
without ``--out`` it builds the README sample video and recaps it first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def commands(out: Path, library: Path) -> dict[str, list[str]]:
    return {
        "search OUT": ["search", str(out), "a man rides a bike in traffic"],
        "ask OUT": ["ask", str(out), "what is cooked for dinner?"],
        "search LIBRARY": ["search", str(library), "a man rides a bike in traffic"],
        "version": ["--version"],
    }


def child_env(src: Path) -> dict[str, str]:
    """The environment of a measured process: ``src`` on the path, and bytecode written and read as
    an installed package's is (a shell with PYTHONDONTWRITEBYTECODE would otherwise measure the
    compilation of every module, each time)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_once(src: Path, argv: list[str], importtime: bool = False) -> dict[str, float]:
    """One cold process: wall seconds, CPU seconds, peak RSS (MiB); imports when ``importtime``."""
    env = child_env(src)
    flags = ["-X", "importtime"] if importtime else []
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *flags, "-m", "vidrecap.cli", *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed under {src}:\n{stderr.decode()[-2000:]}")
    row = {"wall": wall}
    if importtime:
        names = [line.rsplit("|", 1)[-1].strip() for line in stderr.decode().splitlines()
                 if line.startswith("import time:") and "|" in line]
        row.update(imports=len(names), torch=float("torch" in names))
    del stdout
    return row


def measure(src: Path, argv: list[str]) -> dict[str, float]:
    """Wall time plus the child's CPU time and peak RSS (from ``resource`` deltas of our children)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    row = run_once(src, argv)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    row["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    row["rss"] = after.ru_maxrss / 1024  # max over our children: run in a fresh process (``_isolated``)
    return row


def prepare(out: Path | None, library: Path | None, src: Path) -> tuple[Path, Path]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    if out is None:
        work = Path(tempfile.mkdtemp(prefix="vidrecap-cold-"))
        video, out = work / "sample.mp4", work / "out"
        subprocess.run([sys.executable, "-m", "tests.media", "sample", str(video)], check=True, env=env,
                       cwd=HERE.parent)
        subprocess.run([sys.executable, "-m", "vidrecap.cli", "run", str(video), "-o", str(out)], check=True,
                       env=env)
    if library is None:
        library = out.parent / "library"
        subprocess.run([sys.executable, "-m", "vidrecap.cli", "library", "add", str(library), str(out), "-q"],
                       check=True, env=env)
    return out, library


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="a `vidrecap run` output directory (default: recap the sample)")
    ap.add_argument("--library", type=Path, help="a library ROOT holding it (default: made next to --out)")
    ap.add_argument("--src", type=Path, default=HERE.parent / "src", help="the sources measured as 'after'")
    ap.add_argument("--before", type=Path, help="another checkout's src/ measured as 'before'")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", nargs="+", metavar="COMMAND", help="measure only these (e.g. 'ask OUT')")
    args = ap.parse_args()
    out, library = prepare(args.out, args.library, args.src)
    trees = {"after": args.src.resolve()}
    if args.before:
        trees = {"before": args.before.resolve(), **trees}
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; medians of {args.runs} "
          f"cold processes (interleaved)")
    print(f"{'command':<16} {'tree':<7} {'wall s':>7} {'CPU s':>6} {'RSS MiB':>8} {'imports':>8} torch")
    for name, argv in commands(out, library).items():
        if args.only and name not in args.only:
            continue
        for src in trees.values():
            run_once(src, argv)  # warm the page cache and write bytecode: "cold" means a new process
        rows: dict[str, list[dict[str, float]]] = {t: [] for t in trees}
        for _ in range(args.runs):
            for tree, src in trees.items():
                rows[tree].append(_isolated(src, argv))
        for tree, src in trees.items():
            probe = run_once(src, argv, importtime=True)
            med = {k: statistics.median(r[k] for r in rows[tree]) for k in ("wall", "cpu", "rss")}
            print(f"{name:<16} {tree:<7} {med['wall']:7.2f} {med['cpu']:6.2f} {med['rss']:8.0f} "
                  f"{probe['imports']:8.0f} {'yes' if probe['torch'] else 'no'}")
    print(f"load average {os.getloadavg()[0]:.1f} at end")


def _isolated(src: Path, argv: list[str]) -> dict[str, float]:
    """``measure`` in a throwaway child, so each row's peak RSS is that process's own."""
    code = ("import json,sys; sys.path.insert(0, sys.argv[1]); import cold_commands as c; "
            "print(json.dumps(c.measure(c.Path(sys.argv[2]), sys.argv[3:])))")
    res = subprocess.run([sys.executable, "-c", code, str(HERE), str(src), *argv], capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(res.stderr[-2000:])
    import json

    return json.loads(res.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
