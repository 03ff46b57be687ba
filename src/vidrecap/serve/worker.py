"""``python -m vidrecap.serve.worker VIDEO OUT [--options JSON]``: recap one upload.

Prints one JSON line per progress step (``{"stage", "done", "total"}``) on stdout for the server.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

MIN_STEP = 0.01  # report at most every 1 % of a stage


def json_progress():
    """A progress listener printing one JSON line per step of at least ``MIN_STEP`` of a stage."""
    last: dict[str, float] = {}

    def report(stage: str, done: float, total: float) -> None:
        if total <= 0 or done >= total or done - last.get(stage, -1.0) >= MIN_STEP * total:
            last[stage] = done
            print(json.dumps({"stage": stage, "done": done, "total": total}), flush=True)

    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vidrecap.serve.worker")
    parser.add_argument("video")
    parser.add_argument("out")
    parser.add_argument("--options", default="{}", help="JSON object of vidrecap.recap options")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from ..api import recap

    try:
        recap(args.video, args.out, quiet=True, on_progress=json_progress(), **json.loads(args.options))
    except Exception as exc:
        print(f"{exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
