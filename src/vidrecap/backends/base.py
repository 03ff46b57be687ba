"""The seams between the pipeline and models: one small interface per role.

Images are RGB ``uint8`` arrays of shape ``(H, W, 3)``. Embeddings are ``float32`` rows with unit
L2 norm. Every backend has a ``spec`` string (its registry name and options) that becomes part of
the cache key, so changing a model never reuses stale results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from ..results import SpeechSegment, Tag


@runtime_checkable
class SpeechRecognizer(Protocol):
    spec: str

    def transcribe(self, audio: np.ndarray, offset: float) -> tuple[list[SpeechSegment], str]:
        """Recognise 16 kHz mono float32 ``audio`` starting at ``offset`` s; returns segments, language."""


@runtime_checkable
class TextReader(Protocol):
    spec: str

    def read(self, image: np.ndarray) -> str:
        """Text visible in ``image`` (lines joined by newlines), or ``""``."""


@runtime_checkable
class Tagger(Protocol):
    spec: str
    labels: Sequence[str]

    def tag(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """Class probabilities, shape ``(len(images), len(labels))``."""


@runtime_checkable
class Encoder(Protocol):
    """A joint text(/image) embedding space used for search, saliency and key frames."""

    spec: str
    dim: int

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-norm rows, shape ``(len(texts), dim)``."""

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray | None:
        """Unit-norm rows in the same space, or ``None`` for a text-only encoder."""


@dataclass
class ClipEvidence:
    """What a captioner sees of one clip: sampled frames plus the evidence already extracted."""

    index: int
    start: float
    end: float
    frames: list[np.ndarray] = field(default_factory=list, repr=False)
    speech: str = ""
    on_screen: str = ""
    tags: list[Tag] = field(default_factory=list)
    sounds: list[Tag] = field(default_factory=list)  # sound classes heard, strongest first
    faces: str = ""  # faces seen, in plain words ("a close-up of a smiling face"), or ""
    picture: list[str] = field(default_factory=list)  # picture statistics in words ("a dark scene", ...)
    objects: str = ""  # COCO objects seen, in plain words ("3 people, a bicycle"), or ""
    speakers: list[str] = field(default_factory=list)  # who speaks in the clip ("S1", ...), in order


@runtime_checkable
class Captioner(Protocol):
    spec: str

    def caption(self, clips: Sequence[ClipEvidence]) -> list[str]:
        """One caption per clip (a batch, so backends can batch model calls)."""


@dataclass
class TimedText:
    start: float
    end: float
    text: str
    speaker: str = ""  # speech only: who says it ("S1", ...), "" when unknown


@dataclass
class WriteRequest:
    """The recursive step: the level below plus sparse evidence for one time span.

    ``level`` is ``"segment"`` (children = clip captions) or ``"summary"`` (children = segment
    descriptions). ``speech`` holds the transcript's sentences in the span, ``on_screen`` the
    distinct on-screen texts, ``tags`` the dominant visual labels, ``frames`` a few sparsely sampled
    key frames (may be empty), ``key_phrases`` the span's speech key phrases, best first (may be
    empty), ``slides`` the fraction of the span that shows on-screen text, ``seen`` / ``heard`` what
    the experts saw and heard over the span, in words ("people, 2 cars", "applause").
    """

    level: str
    start: float
    end: float
    children: list[TimedText]
    speech: list[TimedText] = field(default_factory=list)
    on_screen: list[TimedText] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    frames: list[np.ndarray] = field(default_factory=list, repr=False)
    child_titles: list[str] = field(default_factory=list)
    key_phrases: list[str] = field(default_factory=list)
    slides: float = 0.0
    seen: list[str] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)


@dataclass
class Written:
    """What a writer produced; a checked model writer also says who wrote it and how well supported."""

    text: str
    title: str = ""
    writer: str = ""  # spec of the writer that produced it (set by ``backends.checked``)
    faithfulness: float | None = None  # share of content words supported by the evidence
    problems: list[str] = field(default_factory=list)  # what validation repaired or rejected


@runtime_checkable
class Writer(Protocol):
    spec: str

    def write(self, request: WriteRequest) -> Written:
        """A description (segment) or summary (video) of the span, and a short title."""


@runtime_checkable
class MomentPredictor(Protocol):
    def predict(self, query: str, top_k: int = 10, qid: int | str = 0, vid: str | None = None):
        """A ``vidrecap.moments.MomentResult`` for ``query`` (QVHighlights row via ``to_dict()``)."""


@runtime_checkable
class MomentModel(Protocol):
    """The ``moments`` role: indexes one recap, then answers text queries about it."""

    spec: str

    def index(self, recap) -> MomentPredictor:
        """Prepare ``recap`` (a ``Recap``) for queries."""
