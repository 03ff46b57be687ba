"""METEOR 1.5 through pycocoevalcap's bundled jar (needs ``java`` on PATH and ``pycocoevalcap``).

There is no faithful pure-Python METEOR 1.5 (it needs the jar's paraphrase tables and stemmer), so
the score is either the reference implementation's or missing, never an approximation.
"""

from __future__ import annotations

import importlib.util
import shutil


def meteor_unavailable_reason() -> str | None:
    """None when METEOR can run, else why not (one line)."""
    if shutil.which("java") is None:
        return "METEOR needs Java (apt package default-jre-headless) on PATH"
    if importlib.util.find_spec("pycocoevalcap") is None:
        return "METEOR needs the pycocoevalcap package (pip install pycocoevalcap)"
    return None


def corpus_meteor(candidates: dict, references: dict) -> float:
    """Corpus METEOR of tokenized captions, as COCOEvalCap computes it."""
    from pycocoevalcap.meteor.meteor import Meteor

    scorer = Meteor()  # its own __del__ stops the java process when the scorer is released
    score, _ = scorer.compute_score(references, candidates)
    return float(score)
