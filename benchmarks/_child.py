"""Shared scaffolding of the benchmarks that measure each mode in a fresh process (``speech.py``,
``throughput.py``): the common options, the hidden ``--measure MODE VIDEO`` entry a child runs, the
child's start with an empty stage cache, and the figures it reports (wall, CPU, peak RSS)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

WORKDIR = Path.home() / ".cache" / "vidrecap-bench"


def child_parser(doc: str, minutes: list[float], minutes_type: type = float) -> argparse.ArgumentParser:
    """``--minutes``, ``--workdir`` and the hidden ``--measure`` every such benchmark takes."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--minutes", type=minutes_type, nargs="+", default=minutes)
    ap.add_argument("--workdir", type=Path, default=WORKDIR)
    ap.add_argument("--measure", nargs=2, metavar=("MODE", "VIDEO"), help=argparse.SUPPRESS)
    return ap


def answer_child(args: argparse.Namespace, measure: Callable[[str, str], dict]) -> bool:
    """In a child (``--measure`` given): print its figures as one JSON line and return True; in the
    parent: make the work dir and return False."""
    if not args.measure:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return False
    print(json.dumps(measure(*args.measure)))
    return True


def run_child(script: str, mode: str, video: Path, env: dict[str, str] | None = None) -> dict:
    """``script --measure MODE VIDEO`` in a fresh process with an empty stage cache; its JSON line."""
    with tempfile.TemporaryDirectory() as cache:
        child_env = {**os.environ, "VIDRECAP_CACHE": cache, **(env or {})}
        out = subprocess.run([sys.executable, script, "--measure", mode, str(video)], env=child_env,
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


class Meter:
    """Wall and CPU seconds since it was made, and this process's peak RSS."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu0 = usage.ru_utime + usage.ru_stime

    def figures(self) -> dict[str, float]:
        wall = time.perf_counter() - self.start
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime - self.cpu0,
                "peak_rss_mib": usage.ru_maxrss / 1024}
