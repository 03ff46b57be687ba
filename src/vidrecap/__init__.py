"""vidrecap: read, search and evaluate videos of any length, offline on a CPU.

    import vidrecap
    r = vidrecap.recap("talk.mp4", "talk.recap")        # clip captions, segments, summary
    vidrecap.search(r, "where do they cook pasta?")      # QVHighlights-format moments
    vidrecap.highlights(r); vidrecap.xsum(r)             # highlights, cross-modal summary
    r = vidrecap.load("talk.recap")

Names are imported on first use, so ``import vidrecap.eval`` loads no pipeline or model code.
"""

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "recap": ".api", "load": ".api",
    "search": ".moments", "highlights": ".moments", "xsum": ".moments", "make_reel": ".moments",
    "MomentIndex": ".moments", "MomentResult": ".moments", "Window": ".moments", "Highlights": ".moments",
    "CrossModalSummary": ".moments",
    "ask": ".qa", "Asker": ".qa", "Answer": ".qa",
    "Recap": ".results", "Caption": ".results", "Cell": ".results", "Transcript": ".results",
    "SpeechSegment": ".results", "Word": ".results", "VideoInfo": ".results",
    "VidrecapError": ".errors", "InputError": ".errors", "BackendError": ".errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vidrecap' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value
