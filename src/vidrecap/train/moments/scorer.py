"""A trained moment/highlight head for search: ``MomentScorer`` and the ``recap:DIR`` moments backend."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import BackendError, InputError
from ...registry import register

NEEDS = "torch, transformers; a model directory from `vidrecap train recap`"


class MomentScorer:
    """A trained moment/highlight head as a scorer: features (+ query) → QVHighlights submission row.

    >>> scorer = MomentScorer.load("runs/moments/moments/model")
    >>> row = scorer.predict_recap(vidrecap.load("out/talk"), "a man rides a bike")
    >>> row["pred_relevant_windows"][0], row["pred_saliency_scores"][:5]
    """

    def __init__(self, model, device: str = "cpu", encoder: str | None = None):
        self.model, self.device, self.encoder_spec = model, device, encoder
        self._encoder = None
        self.spec = "moments"

    @classmethod
    def load(cls, directory: str | Path, device: str = "cpu", encoder: str | None = None) -> MomentScorer:
        from .model import MomentHead

        try:
            model = MomentHead.load(directory, device)
        except InputError as exc:
            raise BackendError(str(exc)) from exc
        scorer = cls(model, device, encoder)
        scorer.spec = f"moments:{directory}"
        return scorer

    @property
    def config(self):
        return self.model.config

    def query_features(self, query: str | np.ndarray) -> np.ndarray:
        if not isinstance(query, str):
            return np.atleast_2d(np.asarray(query, np.float32))
        if self.config.text_source != "encoder" and self.encoder_spec is None:
            raise BackendError(
                "this moment head was trained on query token files; pass query features, "
                "not text (or train with text_encoder)"
            )
        if self._encoder is None:
            from ... import registry

            self._encoder = registry.create(
                "encoder", self.encoder_spec or self.config.encoder, device=self.device
            )
        return np.asarray(self._encoder.embed_text([query]), np.float32)

    def predict(
        self,
        video: np.ndarray,
        query: str | np.ndarray,
        duration: float | None = None,
        top_k: int = 10,
        qid: int | str = 0,
        vid: str = "",
        query_text: str = "",
    ) -> dict:
        """One submission row: ``pred_relevant_windows`` ``[[start, end, score], ...]`` (seconds, best
        first) and ``pred_saliency_scores`` (one per clip of ``video``)."""
        import torch

        from .model import MomentInputs, decode_windows

        video = np.asarray(video, np.float32)
        text = self.query_features(query)
        duration = float(duration or video.shape[0] * self.config.clip_seconds)
        inputs = MomentInputs(
            torch.from_numpy(video)[None],
            torch.zeros((1, video.shape[0]), dtype=torch.bool),
            torch.from_numpy(text)[None],
            torch.zeros((1, text.shape[0]), dtype=torch.bool),
        )
        with torch.no_grad():
            out = self.model(inputs.to(torch.device(self.device)))
        return {
            "qid": qid,
            "query": query_text or (query if isinstance(query, str) else ""),
            "vid": vid,
            "pred_relevant_windows": decode_windows(out, 0, duration, top_k),
            "pred_saliency_scores": [round(float(x), 4) for x in out.saliency[0]],
        }

    def predict_recap(self, recap, query: str | np.ndarray, top_k: int = 10, qid: int | str = 0) -> dict:
        """Score a ``Recap`` (its saved per-cell embeddings) against ``query``."""
        key = self.config.feature_key or "fused"
        if key not in recap.embeddings:
            raise BackendError(
                f"the recap has no '{key}' embeddings (has {', '.join(sorted(recap.embeddings))})"
            )
        vid = Path(recap.video.path).stem
        return self.predict(recap.embeddings[key], query, recap.video.duration, top_k, qid, vid)

    def index(self, recap) -> RecapMoments:
        """The ``moments`` role's seam: this head bound to one recap (``vidrecap search --model``)."""
        return RecapMoments(self, recap)


@dataclass
class RecapMoments:
    """A trained moment head answering queries about one recap, as ``MomentResult``s."""

    scorer: MomentScorer
    recap: Any

    def predict(self, query: str | np.ndarray, top_k: int = 10, qid: int | str = 0, vid: str | None = None):
        """``query`` is text (heads trained with a text encoder) or precomputed query features."""
        from ...moments.index import MomentResult
        from ...moments.scoring import Window

        row = self.scorer.predict_recap(self.recap, query, top_k, qid)
        windows = [Window(float(a), float(b), float(c)) for a, b, c in row["pred_relevant_windows"]]
        text = query if isinstance(query, str) else ""
        return MomentResult(qid, text, vid or row["vid"], windows, row["pred_saliency_scores"])


@register("moments", "recap", summary="trained moment/highlight head (vidrecap train moments)", needs=NEEDS)
def _moment_scorer(target: str | None = None, device: str = "cpu", encoder: str | None = None, **_: Any):
    if not target:
        raise BackendError("the moment scorer needs a model directory: recap:DIRECTORY")
    return MomentScorer.load(target, device or "cpu", encoder)
