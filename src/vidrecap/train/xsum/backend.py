"""A trained VideoXum model as the ``xsum`` backend: ``vidrecap xsum OUT --model xsum:RUN_DIR``.

``RUN_DIR`` is a run's output directory (``RUN_DIR/xsum/model``) or the exported model itself. The
recap's per-cell embeddings (the channel the model was trained on) are resampled to 1 fps frames
(so a model trained on 1 fps dumps or on 2 s cells reads a recap the same way);
each 2 s clip's relevance is the mean key-frame probability of its frames, the top ``fraction`` of
clips are the video summary and the model's generated text is the text summary. The result has the
schema of the rule-based ``xsum.json`` (``moments.crossmodal.CrossModalSummary``).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import BackendError, InputError
from ...registry import register

CELL_SECONDS = 2.0  # the recap grid, when the recap carries no cells
NEEDS = "torch, transformers; a run directory from `vidrecap train xsum`"


def find_model_dir(target: str | None) -> Path:
    if not target:
        raise BackendError("the xsum backend needs a trained model: xsum:RUN_DIR")
    root = Path(target).expanduser()
    for candidate in (root, root / "xsum" / "model", root / "model"):
        if (candidate / "config.json").exists():
            return candidate
    raise BackendError(f"{root}: no trained xsum model (expected config.json or xsum/model/)")


class XSumBackend:
    """Key clips and a text summary for a recap, from a trained ``XSumModel``."""

    def __init__(self, target: str | None = None, device: str = "cpu", **_: Any):
        from .model import XSumModel

        self.spec = f"xsum:{target}"
        self.device = device or "cpu"
        try:
            self.model = XSumModel.load(find_model_dir(target), self.device)
        except InputError as exc:
            raise BackendError(str(exc)) from exc

    def cell_relevance(self, rows: np.ndarray, duration: float, cell_seconds: float) -> tuple[np.ndarray, str]:
        """Per-row (cell) key-frame probability and the generated summary."""
        import torch

        from .model import frame_rows, make_batch

        config = self.model.config
        n_frames = max(1, int(math.ceil(min(duration, len(rows) * cell_seconds) / config.frame_seconds - 1e-6)))
        frames = frame_rows(rows, n_frames, cell_seconds, config.frame_seconds)
        batch = make_batch(self.model, [frames]).to(torch.device(self.device))
        logits, texts = self.model.predict(batch)
        probs = torch.sigmoid(logits[0].float()).cpu().numpy()
        cell_of_frame = np.minimum(
            (np.arange(n_frames) * config.frame_seconds / cell_seconds).astype(int), len(rows) - 1
        )
        sums = np.bincount(cell_of_frame, weights=probs, minlength=len(rows))
        counts = np.bincount(cell_of_frame, minlength=len(rows))
        return (sums / np.maximum(counts, 1)).astype(np.float32), texts[0]

    def summarize(self, recap, fraction: float):
        """A ``CrossModalSummary`` (key frames not written yet: see ``crossmodal.save_xsum``)."""
        from ...moments.crossmodal import CrossModalSummary, KeyClip, vt_score
        from ...moments.index import default_vid
        from ...moments.loading import query_encoder

        if not 0 < fraction <= 1:
            raise InputError(f"fraction must be in (0, 1], got {fraction}")
        key = self.model.config.feature_key or "fused"
        if key not in recap.embeddings:
            have = ", ".join(sorted(recap.embeddings)) or "none"
            raise BackendError(f"{self.spec}: the recap has no '{key}' embeddings (has {have})")
        rows = np.asarray(recap.embeddings[key], np.float32)
        spans = [(c.start, c.end) for c in recap.cells] if len(recap.cells) == len(rows) else None
        seconds = (spans[0][1] - spans[0][0]) if spans else CELL_SECONDS
        relevance, text = self.cell_relevance(rows, float(recap.video.duration), seconds)
        k = max(1, math.ceil(fraction * len(relevance)))
        chosen = sorted(int(i) for i in np.argsort(-relevance, kind="stable")[:k])
        clips = [
            KeyClip(i, *(spans[i] if spans else (i * seconds, (i + 1) * seconds)), round(float(relevance[i]), 4))
            for i in chosen
        ]
        encoder = query_encoder(recap) if "visual" in recap.embeddings and text else None
        return CrossModalSummary(
            default_vid(recap),
            recap.video.duration,
            text,
            [s for s in re.split(r"(?<=[.!?])\s+", text) if s],
            fraction,
            clips,
            vt_score(recap, encoder, text, chosen) if encoder is not None else None,
            str(recap.options.get("visual_space", "")),
            [round(float(x), 4) for x in relevance],
        )


@register("xsum", "xsum", summary="trained VideoXum key-frame + text model (vidrecap train xsum)", needs=NEEDS)
def _xsum_backend(target: str | None = None, device: str = "cpu", **options: Any) -> XSumBackend:
    return XSumBackend(target, device, **options)
