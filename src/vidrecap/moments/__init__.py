"""Moment retrieval, highlights and cross-modal summaries on top of ``vidrecap run`` outputs.

Public API: ``search``/``MomentIndex``/``MomentResult`` (text query -> moments),
``highlights``/``Highlights`` (no query; optional reel) and ``xsum``/``CrossModalSummary``
(VideoXum-style key frames aligned with the text summary). Imports are lazy so that the CLI
starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "search": ".index",
    "MomentIndex": ".index",
    "MomentResult": ".index",
    "Window": ".scoring",
    "nms": ".scoring",
    "highlights": ".highlighting",
    "Highlights": ".highlighting",
    "ReelInfo": ".reel",
    "make_reel": ".reel",
    "xsum": ".crossmodal",
    "CrossModalSummary": ".crossmodal",
    "KeyClip": ".crossmodal",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module, __name__), name)
