"""Trained ReCap checkpoints in the pipeline: ``recap:DIR`` as captioner and writer (the ``recap`` moments
backend, ``MomentScorer``, lives in ``train.moments.scorer`` and registers with this module).

``DIR`` is a stage's exported model (``out_dir/{clip,segment,video,unified}/model``) or a directory
holding one per level (``clip/model``, ...; each level then uses its own stage's weights, the last
stage standing in for levels it lacks).

Features: the pipeline hands backends text evidence, not feature rows, so the backend recomputes
the checkpoint's feature channel (``fused`` etc., as in ``evidence.embeddings``) from the evidence
with the encoder the features were made with (``encoder=`` overrides). When ``ClipEvidence`` /
``WriteRequest`` carry a ``features`` array (the proposed contract), those rows are used as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...backends.base import ClipEvidence, TimedText, WriteRequest, Written
from ...errors import BackendError, InputError
from ...registry import register
from ...results import Cell
from ..moments import scorer as _moment_scorer  # noqa: F401  (registers the "recap" moments backend)

NEEDS = "torch, transformers; a model directory from `vidrecap train recap`"
LEVEL_OF_REQUEST = {"segment": "segment", "summary": "video"}
TITLE_WORDS = 8


def find_level_models(target: str | None) -> dict[str, Path]:
    """Exported model directories per level (see module doc)."""
    if not target:
        raise BackendError("the recap backend needs a checkpoint: recap:DIRECTORY")
    root = Path(target).expanduser()
    if (root / "config.json").exists():
        return {"": root}
    found = {
        lv: root / lv / "model"
        for lv in ("clip", "segment", "video", "unified")
        if (root / lv / "model" / "config.json").exists()
    }
    if not found:
        raise BackendError(f"{root}: no trained ReCap model (expected config.json, or clip/model, ...)")
    return found


class ReCapBackend:
    """Shared loading and feature computation for the captioner and the writer."""

    uses_frames = False

    def __init__(
        self,
        target: str | None = None,
        device: str = "cpu",
        encoder: str | None = None,
        batch_size: int = 8,
        **_: Any,
    ):
        self.spec = f"recap:{target}"
        self.paths = find_level_models(target)
        self.device, self.batch_size, self.encoder_spec = device or "cpu", int(batch_size), encoder
        self._models: dict[Path, Any] = {}
        self._encoder = None

    def model_for(self, level: str):
        from .model import ReCapModel

        path = (
            self.paths.get(level)
            or self.paths.get("unified")
            or self.paths.get("")
            or self.paths[list(self.paths)[-1]]
        )
        if path not in self._models:
            try:
                self._models[path] = ReCapModel.load(path, self.device)
            except InputError as exc:
                raise BackendError(str(exc)) from exc
        return self._models[path]

    def encoder(self, model):
        if self._encoder is None:
            from ... import registry

            self._encoder = registry.create(
                "encoder", self.encoder_spec or model.config.encoder or "embedded", device=self.device
            )
        return self._encoder

    def channel(self, model, cells: Sequence[Cell]) -> np.ndarray:
        """The checkpoint's feature channel for ``cells``, computed from their text evidence."""
        from ...evidence.embeddings import cell_embeddings

        key = model.config.feature_key
        channels, _ = cell_embeddings(self.encoder(model), cells)
        if key not in channels:
            raise BackendError(
                f"{self.spec}: trained on external '{key}' features, which the pipeline cannot "
                f"compute (it has {', '.join(sorted(channels))})"
            )
        return channels[key]

    def generate(self, level: str, rows: list[np.ndarray], previous: list[list[str]]) -> list[str]:
        from .hcap import span_rows
        from .model import make_batch

        model = self.model_for(level)
        limit = model.config.feature_rows[level]
        rows = [span_rows(r, 0.0, r.shape[0] * 1.0, 1.0, limit) for r in rows]
        batch = make_batch(model, rows, [level] * len(rows), previous).to(next(model.parameters()).device)
        return model.generate(batch)


@register("captioner", "recap", summary="trained ReCap captioner (vidrecap train recap)", needs=NEEDS)
class ReCapCaptioner(ReCapBackend):
    """Clip captions from the clip-level model."""

    def caption(self, clips: Sequence[ClipEvidence]) -> list[str]:
        out: list[str] = []
        for lo in range(0, len(clips), self.batch_size):
            chunk = clips[lo : lo + self.batch_size]
            rows = [self.clip_rows(c) for c in chunk]
            out.extend(self.generate("clip", rows, [[] for _ in chunk]))
        return out

    def clip_rows(self, clip: ClipEvidence) -> np.ndarray:
        given = getattr(clip, "features", None)
        if given is not None:
            return np.asarray(given, np.float32)
        cell = Cell(
            clip.index,
            clip.start,
            clip.end,
            speech=clip.speech,
            on_screen=clip.on_screen,
            tags=list(clip.tags),
        )
        return self.channel(self.model_for("clip"), [cell])


@register(
    "writer", "recap", summary="trained ReCap segment/summary writer (vidrecap train recap)", needs=NEEDS
)
class ReCapWriter(ReCapBackend):
    """Segment descriptions and the summary from the level below plus sparse features."""

    def write(self, request: WriteRequest) -> Written:
        level = LEVEL_OF_REQUEST.get(request.level)
        if level is None:
            raise BackendError(f"{self.spec}: cannot write level {request.level!r}")
        rows = self.request_rows(request, level)
        text = self.generate(level, [rows], [[c.text for c in request.children]])[0]
        return Written(text=text, title=title_of(text))

    def request_rows(self, request: WriteRequest, level: str) -> np.ndarray:
        given = getattr(request, "features", None)
        if given is not None and len(given):
            return np.asarray(given, np.float32)
        model = self.model_for(level)
        return self.channel(model, request_cells(request, model.config.cell_seconds))


def request_cells(request: WriteRequest, cell_seconds: float) -> list[Cell]:
    """A grid of cells over the request's span, with its speech and on-screen text placed by time."""
    count = max(1, int(np.ceil((request.end - request.start) / cell_seconds - 1e-6)))
    cells = [
        Cell(
            i,
            request.start + i * cell_seconds,
            request.start + (i + 1) * cell_seconds,
            tags=list(request.tags),
        )
        for i in range(count)
    ]
    for timed, name in [(s, "speech") for s in request.speech] + [
        (o, "on_screen") for o in request.on_screen
    ]:
        for cell in _cells_in(cells, timed):
            current = getattr(cell, name)
            if timed.text not in current:
                setattr(cell, name, f"{current} {timed.text}".strip())
    return cells


def _cells_in(cells: list[Cell], timed: TimedText) -> list[Cell]:
    inside = [c for c in cells if c.start < timed.end and c.end > timed.start]
    return inside or [min(cells, key=lambda c: abs(c.start - timed.start))]


def title_of(text: str) -> str:
    first = text.split(". ")[0].strip().rstrip(".")
    words = first.split()
    title = " ".join(words[:TITLE_WORDS]) + (" …" if len(words) > TITLE_WORDS else "")
    return title[:1].upper() + title[1:]
