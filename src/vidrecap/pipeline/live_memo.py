"""What a followed stream's rounds reuse: each model call's answer, keyed by its whole input.

A round re-runs the whole-video stages (embeddings, captions, chapters, speakers) over every
cell, but through these memos only inputs that changed since the last round reach a model: a
text's embedding, a clip's caption (keyed by all its evidence), a chapter's description (keyed by
its whole write request) and a voice chunk's embedding (keyed by its span in the recording, which
only grows). The answers are the model's own for the same input, so the final round equals a
normal run. The summary is rewritten at most every ``summary_every`` seconds (and in the final
round); between refreshes the last one stays, spanning the chapters there are.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .options import RunOptions
from .run import Backends


def _key(item: Any, frames: Sequence[np.ndarray] = ()) -> str:
    """A digest of a dataclass input: its repr (frames are left out of it) and its frames' bytes."""
    h = hashlib.sha256(repr(item).encode())
    for f in frames:
        h.update(np.ascontiguousarray(f).tobytes())
    return h.hexdigest()


class _Proxy:
    """Forwards every attribute the memo does not override to the wrapped backend."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)


class MemoEncoder(_Proxy):
    def __init__(self, inner):
        super().__init__(inner)
        self._texts: dict[str, np.ndarray] = {}
        self._images: dict[str, np.ndarray] = {}

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        new = sorted({t for t in texts if t not in self._texts})
        if new:
            self._texts.update(zip(new, self._inner.embed_text(new), strict=True))
        return np.stack([self._texts[t] for t in texts]) if texts else self._inner.embed_text(texts)

    def embed_images(self, images: Sequence[np.ndarray]):
        keys = [_key("", [im]) for im in images]
        todo = [i for i, k in enumerate(keys) if k not in self._images]
        if todo:
            out = self._inner.embed_images([images[i] for i in todo])
            if out is None:
                return None
            self._images.update((keys[i], row) for i, row in zip(todo, out, strict=True))
        return np.stack([self._images[k] for k in keys]) if keys else self._inner.embed_images(images)


class MemoCaptioner(_Proxy):
    def __init__(self, inner):
        super().__init__(inner)
        self._seen: dict[str, str] = {}

    def caption(self, clips) -> list[str]:
        keys = [_key(c, c.frames) for c in clips]
        todo = [i for i, k in enumerate(keys) if k not in self._seen]
        if todo:
            self._seen.update(zip([keys[i] for i in todo], self._inner.caption([clips[i] for i in todo]),
                                  strict=True))
        return [self._seen[k] for k in keys]


class MemoWriter(_Proxy):
    def __init__(self, inner):
        super().__init__(inner)
        self._seen: dict[str, Any] = {}

    def write(self, request):
        key = _key(request, request.frames)
        if key not in self._seen:
            self._seen[key] = self._inner.write(request)
        return self._seen[key]


MEMOS = {"encoder": MemoEncoder, "captioner": MemoCaptioner, "writer": MemoWriter}


class MemoBackends(Backends):
    """``Backends`` whose encoder, captioner and writer answer repeated inputs from memory, with a
    voice-chunk memo for the speakers stage and the summary's refresh cadence."""

    def __init__(self, options: RunOptions, summary_every: float = 60.0):
        super().__init__(options)
        self.voices: dict[tuple[float, float], np.ndarray] | None = {}  # None: embed every chunk anew
        self.summary_every = summary_every
        self.stale_summary = None  # run_recap keeps this summary (re-spanned) instead of writing one
        self._summary_at = -float("inf")
        self._wrapped: dict[str, object] = {}

    def get(self, role: str):
        if role not in MEMOS:
            return super().get(role)
        if role not in self._wrapped:
            self._wrapped[role] = MEMOS[role](super().get(role))
        return self._wrapped[role]

    def before_round(self, last_summary, final: bool) -> None:
        """Keep ``last_summary`` this round unless a refresh is due (always in the final round)."""
        due = final or last_summary is None or time.monotonic() - self._summary_at >= self.summary_every
        self.stale_summary = None if due else last_summary
        if due:
            self._summary_at = time.monotonic()
