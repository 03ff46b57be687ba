"""Moment retrieval: a Lighthouse-like index (build or load, then ``predict(query)``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..results import CELL_SECONDS, Recap
from . import scoring
from .lexical import LexicalIndex, cell_documents
from .loading import background_embeddings, channel_matrices, check_query, embed_cells, query_encoder, resolve_recap
from .reading import SEEN, QueryReading, prototype_matrix, read_query
from .scoring import Calibration, Window
from .windows import FRACTION, bounded_windows, evidence_bounds, pooled_by_unit

QueryId = int | str


@dataclass
class MomentResult:
    """Predicted moments for one query, in the QVHighlights submission layout.

    ``windows`` are ``[start, end, score]`` (seconds), best first, non-overlapping; ``saliency`` has one
    score in ``[0, 1]`` per 2 s clip of the video. Scores are absolute: comparable across queries.
    """

    qid: QueryId
    query: str
    vid: str
    windows: list[Window]
    saliency: list[float]

    @property
    def top(self) -> Window:
        return self.windows[0]

    def to_dict(self) -> dict[str, Any]:
        """Exactly one QVHighlights submission row."""
        return {
            "qid": self.qid,
            "query": self.query,
            "vid": self.vid,
            "pred_relevant_windows": [w.as_list() for w in self.windows],
            "pred_saliency_scores": list(self.saliency),
        }


@dataclass
class ChannelScores:
    """Per-cell evidence behind one prediction (for inspection and tuning)."""

    dense: dict[str, np.ndarray]
    lexical: np.ndarray
    relevance: np.ndarray
    reading: QueryReading = field(default_factory=QueryReading)


@dataclass
class MomentIndex:
    """Scores text queries against a recap's 2 s cells: dense channels + BM25, calibrated.

    ``MomentIndex.load(outdir)`` (or ``MomentIndex.build(recap)``) then ``predict(query)``.
    """

    recap: Recap
    encoder: Any = field(repr=False)
    channels: dict[str, np.ndarray] = field(repr=False)
    calibrations: dict[str, Calibration]
    lexical: LexicalIndex = field(repr=False)
    vid: str = ""
    _present: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # rows with content
    _bounds: np.ndarray | None = field(default=None, repr=False)  # evidence units (shots, slides)
    _prototypes: np.ndarray | None = field(default=None, repr=False)  # query-reading intents, embedded once
    hubs: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # per-row hubness (scoring.hubness)
    cell_calibrations: dict[str, Calibration] = field(default_factory=dict, repr=False)  # null less hubness
    reliability: dict[str, float] = field(default_factory=dict)  # per channel (scoring.reliability)

    def __post_init__(self) -> None:
        self._present = {k: np.abs(m).sum(1) > 0 for k, m in self.channels.items()}
        self._bounds = evidence_bounds(self.recap.cells)

    @classmethod
    def load(cls, directory: str | Path, encoder: Any = None) -> MomentIndex:
        """Index a saved ``vidrecap run`` output directory."""
        return cls.build(resolve_recap(directory), encoder)

    @classmethod
    def build(cls, recap: Recap | str | Path, encoder: Any = None) -> MomentIndex:
        """Index a ``Recap`` (or a directory): validate embeddings, fit the null calibration, BM25."""
        recap = resolve_recap(recap)
        encoder = encoder if encoder is not None else query_encoder(recap)
        channels = channel_matrices(recap, getattr(encoder, "dim", None)) or embed_cells(recap, encoder)
        if "visual" in channels and recap.options.get("visual_space") != "video":  # a video tower pools itself
            channels["visual"] = pooled_by_unit(channels["visual"], evidence_bounds(recap.cells))
        background = background_embeddings(encoder)
        calibrations = {k: scoring.fit_calibration(m, background) for k, m in channels.items()}
        hubs = {k: scoring.hubness(m, background) for k, m in channels.items()}
        cell_calibrations = {k: scoring.fit_calibration(m, background, hubs=hubs[k]) for k, m in channels.items()}
        reliability = {k: scoring.reliability(m, background, cell_calibrations[k], hubs[k])
                       for k, m in channels.items()}
        docs = cell_documents([c.speech for c in recap.cells], [c.on_screen for c in recap.cells])
        return cls(recap, encoder, channels, calibrations, LexicalIndex.build(docs), default_vid(recap),
                   hubs=hubs, cell_calibrations=cell_calibrations, reliability=reliability)

    @property
    def n_cells(self) -> int:
        return len(self.recap.cells)

    def read(self, query: str, qvec: np.ndarray | None = None) -> QueryReading:
        """What ``query`` asks about (seen / heard / said / text), see ``moments.reading``."""
        if self._prototypes is None:
            self._prototypes = prototype_matrix(self.encoder)
        return read_query(query, qvec, self._prototypes)

    def score(self, query: str) -> ChannelScores:
        """Calibrated per-cell relevance of ``query`` in ``[0, 1]`` and the evidence behind it; each
        channel weighs as much as the query asks about it (``moments.reading``)."""
        query = check_query(query)
        q = self.encoder.embed_text([query])[0]
        reading = self.read(query, q)
        weights = reading.weights(self.channels, self.reliability)
        seen_q = self.encoder.embed_text([reading.content])[0] if reading.content and reading.seen else q
        dense = {k: self._calibrated(k, m @ (seen_q if k in SEEN else q)) * self._present[k]
                 for k, m in self.channels.items()}
        lexical = self.lexical.coverage(query)
        parts = [(weights[k], p) for k, p in dense.items()]
        parts.append((weights["lexical"], lexical))
        return ChannelScores(dense, lexical, scoring.noisy_or(parts, self.n_cells), reading)

    def _calibrated(self, channel: str, cos: np.ndarray) -> np.ndarray:
        """A channel's cell cosines counted relative to each row's hubness, against its null."""
        if channel in self.cell_calibrations:
            return self.cell_calibrations[channel](cos - self.hubs[channel])
        return self.calibrations[channel](cos)

    def predict(self, query: str, top_k: int = 10, qid: QueryId = 0, vid: str | None = None) -> MomentResult:
        """The ``top_k`` best non-overlapping windows and the per-clip saliency for ``query``."""
        query = check_query(query)
        scored = self.score(query)
        relevance = scored.relevance
        curve = scoring.smooth(relevance)
        # what a shot shows is seen across the shot: a query about footage takes its whole unit
        fraction = FRACTION * (1.0 - scored.reading.seen)
        windows = bounded_windows(curve, relevance, self._bounds, max(1, int(top_k)), cell=CELL_SECONDS,
                                  duration=self.recap.video.duration or None, fraction=fraction)
        windows = scoring.nms(windows, 0.0)[: max(1, int(top_k))]
        saliency = np.round(relevance.astype(np.float64), 4).tolist()
        return MomentResult(qid, query, vid or self.vid, windows, saliency)


def default_vid(recap: Recap) -> str:
    """The video id used in submissions: the source file's stem, else its fingerprint."""
    return Path(recap.video.path).stem if recap.video.path else recap.video.fingerprint


def search(recap_or_dir: Recap | str | Path, query: str, top_k: int = 10) -> MomentResult:
    """Find the moments of a recapped video that match ``query`` (one-shot; build a
    ``MomentIndex`` to run many queries)."""
    return MomentIndex.build(recap_or_dir).predict(query, top_k=top_k)
