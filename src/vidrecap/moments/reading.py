"""Reading a query the way a person means it: does it ask about what is seen, heard, said or written?

``read_query(query, qvec, prototypes)`` gives each of four *intents* a strength in ``[0, 1]``: cue
words ("footage", "close-up", "filmed from above", "night-time", "animated" -> seen; "music", "sound"
-> heard; "slide", "written" -> text; "says", "explains" -> said) plus, more weakly, the query
embedding's similarity to a few prototype sentences per intent. ``QueryReading.weights`` turns them
into the noisy-OR weight of each channel: a query that describes footage lowers the spoken channels
(speech and the spoken/written words) so a spoken word cannot outvote strong visual evidence, and
lifts the channels that show it as far as each is reliable (``MomentIndex.reliability``: a channel
that lights up for unrelated background queries, e.g. one embedded by a weak text tower, is not lifted). A query
with no cue keeps the default weights exactly. Used by moment search, ``ask`` and the library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .scoring import CHANNEL_WEIGHTS, LEXICAL_WEIGHT

INTENTS = ("seen", "heard", "said", "text")
CUES = {
    "seen": r"footage|shots?|close-?ups?|filmed|filming|camera|cameras|scenes?|seen|visible|looks? like|"
            r"animated|animation|cartoons?|aerial|from above|from below|looking (?:up|down|out)|night-?time|"
            r"lit|high-?angle|low-?angle|wide(?: |-)shot|clip of|view of|pans?|panning|zoom(?:s|ing)?|"
            r"silhouettes?|picture of|image of|video of|we see",
    # topic words ("a musical instrument", "a song about rain") are not cues: only hearing itself is
    "heard": r"sounds?|noises?|hear|heard|audio|applause|applauds?|clapping|claps?|laugh(?:s|ing|ter)|"
             r"cheer(?:s|ing)|barking|ringing|(?:background|playing) music|music (?:playing|plays|is playing)",
    "said": r"says?|said|saying|mentions?|mentioned|explains?|explained|talks? about|speaker|narrator|"
            r"recommends?|advice|advises?|tips?|according to|tells?|told|quote",
    "text": r"slides?|titles?|captions?|written|on[ -]screen|text|subtitles?|headings?",
}
_CUE = {k: re.compile(rf"\b(?:{v})\b", re.IGNORECASE) for k, v in CUES.items()}
# words that name the medium, not what it shows: left out when matching what is seen ("footage of a
# cup" is matched as "a cup", so a picture described as "a static camera" does not match "footage")
MEDIUM = re.compile(r"\b(?:footage|shots?|filmed|filming|camera|video|clip|picture|image|we see|seen|shown)"
                    r"(?:\s+of)?\b", re.IGNORECASE)
PROTOTYPES = {
    "seen": ("footage filmed by a camera showing a scene", "a close-up shot of what it looks like"),
    "heard": ("the sound of something you can hear", "music and noises in the audio"),
    "said": ("what the speaker says and explains", "the advice given in the talk"),
    "text": ("the words written on a slide", "the title shown as text on screen"),
}
CUE_STRENGTH = (0.0, 0.7, 1.0)  # strength for 0, 1, 2+ cue words
PROTOTYPE_SHARE = 0.5  # at most this much strength from prototype similarity alone
PROTOTYPE_TEMPERATURE = 0.05
# how far each intent lowers the channels that do not show it (1 = silence them)
DAMPING = {"seen": 0.75, "heard": 0.75, "text": 0.5, "said": 0.0}
LIFT = 0.5  # share of the gap to weight 1 that an intent gives the channels showing it
SPOKEN = {"speech", "lexical"}
SEEN = {"visual", "faces", "picture", "objects"}  # channels that show what is seen
SHOWS = {"seen": SEEN | {"fused"}, "heard": {"sounds", "fused"}, "text": {"on_screen", "lexical", "fused"},
         "said": SPOKEN | {"fused"}}


@dataclass(frozen=True)
class QueryReading:
    """How strongly a query asks about what is seen, heard, said or shown as text (each in [0, 1])."""

    seen: float = 0.0
    heard: float = 0.0
    said: float = 0.0
    text: float = 0.0
    cues: tuple[str, ...] = field(default=(), compare=False)
    content: str = ""  # the query without medium words, for the seen channels ("" = the query itself)

    def strength(self, intent: str) -> float:
        return float(getattr(self, intent))

    @property
    def nonverbal(self) -> float:
        """How much the query asks about what is seen or heard rather than said or written."""
        return max(self.seen, self.heard) * (1.0 - max(self.said, self.text) * 0.5)

    def factor(self, channel: str) -> float:
        """The multiplier of ``channel``'s default weight (1 for a query without cues)."""
        f = 1.0
        for intent in INTENTS:
            s = self.strength(intent)
            if s and channel not in SHOWS[intent]:
                f *= 1.0 - DAMPING[intent] * s * (1.0 - self._shown_too(channel))
        return f

    def _shown_too(self, channel: str) -> float:
        """The strongest intent that ``channel`` shows (so a mixed query keeps both channel kinds)."""
        return max((self.strength(i) for i in INTENTS if channel in SHOWS[i]), default=0.0)

    def weights(self, channels, reliability: dict[str, float] | None = None) -> dict[str, float]:
        """Noisy-OR weight of each channel name (and ``"lexical"``) for this query; a channel is lifted
        only as far as it is ``reliability`` (in [0, 1], measured per index: 1 when not given)."""
        base = {k: CHANNEL_WEIGHTS.get(k, 1.0) for k in channels}
        base["lexical"] = LEXICAL_WEIGHT
        sure = reliability or {}
        return {k: self._lifted(k, w, sure.get(k, 1.0)) * self.factor(k) for k, w in base.items()}

    def _lifted(self, channel: str, weight: float, reliability: float = 1.0) -> float:
        s = self._shown_too(channel)
        return weight + (1.0 - weight) * LIFT * s * reliability


def cue_strengths(query: str) -> tuple[dict[str, float], tuple[str, ...]]:
    found = {k: rx.findall(query) for k, rx in _CUE.items()}
    strengths = {k: CUE_STRENGTH[min(len(v), 2)] for k, v in found.items()}
    return strengths, tuple(w.lower() for v in found.values() for w in v)


def prototype_matrix(encoder: Any) -> np.ndarray:
    """One unit vector per intent: the mean of its prototype sentences' embeddings."""
    rows = []
    for intent in INTENTS:
        v = np.asarray(encoder.embed_text(list(PROTOTYPES[intent])), np.float32).mean(0)
        rows.append(v / max(float(np.linalg.norm(v)), 1e-9))
    return np.stack(rows)


def read_query(query: str, qvec: np.ndarray | None = None, prototypes: np.ndarray | None = None) -> QueryReading:
    """The reading of ``query``: cue words, plus (given its embedding and the prototypes) similarity."""
    strengths, cues = cue_strengths(query)
    if qvec is not None and prototypes is not None and any(strengths.values()):
        cos = prototypes @ (qvec / max(float(np.linalg.norm(qvec)), 1e-9))
        share = np.exp((cos - cos.max()) / PROTOTYPE_TEMPERATURE)
        share /= share.sum()
        for intent, p in zip(INTENTS, share, strict=True):
            strengths[intent] = min(1.0, strengths[intent] + PROTOTYPE_SHARE * max(0.0, float(p) - 0.5))
    return QueryReading(*(round(strengths[i], 4) for i in INTENTS), cues=cues, content=content_of(query))


def content_of(query: str) -> str:
    """``query`` without the words naming the medium (empty when nothing, or nothing else, is left)."""
    stripped = " ".join(MEDIUM.sub(" ", query).split())
    return stripped if stripped != query and len(stripped.split()) >= 2 else ""
