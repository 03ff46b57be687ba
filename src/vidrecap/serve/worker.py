"""``python -m vidrecap.serve.worker VIDEO OUT [--options JSON]``: recap one upload.

Prints one JSON line per progress step (``{"stage", "done", "total"}``) on stdout for the server.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from ..util.progress import StageProgress

MIN_STEP = 0.01  # report at most every 1 % of a stage


class ReportingProgress(StageProgress):
    """Quiet stage progress that prints JSON lines instead of drawing bars."""

    def __init__(self, quiet: bool = True):
        super().__init__(True)

    def stage(self, name: str, total: float):
        inner = super().stage(name, total)
        last = [-1.0]

        def update(done: float) -> None:
            inner(done)
            if total <= 0 or done >= total or done - last[0] >= MIN_STEP * total:
                last[0] = done
                print(json.dumps({"stage": name, "done": done, "total": total}), flush=True)

        return update


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vidrecap.serve.worker")
    parser.add_argument("video")
    parser.add_argument("out")
    parser.add_argument("--options", default="{}", help="JSON object of vidrecap.recap options")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from ..pipeline import run as pipeline_run

    pipeline_run.StageProgress = ReportingProgress  # this process only
    from ..api import recap

    try:
        recap(args.video, args.out, quiet=True, **json.loads(args.options))
    except Exception as exc:
        print(f"{exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
