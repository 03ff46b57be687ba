"""The zero-shot ``moments`` backend (``embedded``), registered apart from the pipeline's model
family so that ``vidrecap search`` imports no expert, OCR or speech module."""

from __future__ import annotations

from ..registry import register


@register("moments", "embedded", summary="calibrated dense channels + BM25 over the recap's cells")
class CellMoments:
    """Zero-shot moment retrieval over a recap's saved embeddings (``vidrecap.moments.MomentIndex``)."""

    spec = "embedded"

    def __init__(self, **_):
        pass

    def index(self, recap):
        from .index import MomentIndex

        return MomentIndex.build(recap)
