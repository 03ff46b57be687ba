"""The public API in one screen.

>>> import vidrecap
>>> r = vidrecap.recap("talk.mp4", "out/")        # clip captions, segments, summary
>>> r.summary.text
>>> r = vidrecap.load("out/")                      # later, from the directory alone
"""

from __future__ import annotations

from pathlib import Path

from .outputs.store import load_recap
from .pipeline.run import run_recap
from .results import Recap


def recap(path: str | Path, out_dir: str | Path | None = None, *, quiet: bool = True,
          profile: str | None = None, config: str | Path | None = None, on_progress=None, **options) -> Recap:
    """Recap a video of any length.

    ``profile``/``config`` choose backends (docs/backends.md); other options: see
    ``vidrecap.pipeline.options.RunOptions`` (e.g. ``writer="hf:/models/llm"``, ``segment_seconds=120``).
    ``on_progress(stage, done, total)`` follows the stages (visual, speech, captions, segments).
    """
    return run_recap(path, out_dir, quiet=quiet, profile=profile, config=config, on_progress=on_progress,
                     **options)


def load(directory: str | Path) -> Recap:
    """Load a recap saved by ``recap(..., out_dir)`` / ``vidrecap run``."""
    return load_recap(Path(directory))
