"""Relevance scoring on the 2 s grid: calibrated dense similarities, fusion, windows and NMS.

Dense calibration is absolute, not per-query: for each channel we measure how a set of generic
*background queries* (about things a video is rarely about) score against this video's cells, a
null distribution with robust centre ``mu`` and spread ``sd``. A query's cosine ``c`` on that channel
becomes ``sigmoid((c - mu - Z * sd) / (S * sd))``: near 0 for chance-level similarity, near 1 for
similarities many spreads above chance. The same query therefore gets the same score in any video
with the same null, and a query about nothing in the video stays low everywhere.

Some cells are *hubs*: their text is close to many queries ("a close-up of a face", "3 people", or any
row a weak text tower embeds near everything). Each row's hubness is its mean cosine to its nearest
background queries (the CSLS correction of cross-lingual retrieval); a query's cosine on that row is
counted relative to it, so a generic row needs a closer query to match than a specific one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

Z, S = 3.5, 1.0  # centre of the logistic (spreads above the null) and its width (spreads)
MIN_SD = 0.03
CHANNEL_WEIGHTS = {"speech": 1.0, "on_screen": 0.9, "visual": 0.8, "sounds": 0.8, "faces": 0.8, "picture": 0.8,
                   "objects": 0.8,
                   "fused": 1.0}
LEXICAL_WEIGHT = 0.8
HUB_SHARE = 0.1  # a row's hubness: its mean cosine to this share of the background queries nearest it
GROW_FRACTION = 0.5  # a window spans the cells whose smoothed score stays >= this share of its peak
SMOOTH_SIGMA = 1.0  # cells

BACKGROUND_QUERIES = (
    "a cat chasing a laser pointer across the floor",
    "the history of the roman empire",
    "how to file your taxes online",
    "people dancing at a wedding reception",
    "a close-up of a snail on a leaf",
    "fixing a leaking bathroom faucet",
    "a knitting tutorial for beginners",
    "a submarine diving under arctic ice",
    "the rules of medieval chess tournaments",
    "a child blowing out birthday candles",
    "comparing interest rates of mortgages",
    "a beekeeper opening a hive",
    "the migration of monarch butterflies",
    "a choir singing in a cathedral",
    "repairing a flat bicycle tyre",
    "a lecture about quantum entanglement",
    "a dentist cleaning teeth",
    "shovelling snow from a driveway",
    "a tour of an ancient egyptian tomb",
    "a recipe for vegan chocolate cake",
    "a horse race at the derby",
    "a robot vacuum cleaning a carpet",
    "an interview about climate policy",
    "a lighthouse during a storm at night",
    "origami instructions for a paper crane",
    "a goalkeeper saving a penalty kick",
    "a haircut at a barber shop",
    "painting a watercolour landscape",
    "feeding ducks at a pond",
    "a stock market crash explained",
    "a hot air balloon festival at sunrise",
    "assembling flat-pack furniture",
)


@dataclass(frozen=True)
class Calibration:
    """Null statistics of one channel: robust centre and spread of background-query cosines."""

    mu: float
    sd: float

    def __call__(self, cos: np.ndarray) -> np.ndarray:
        x = (cos - self.mu - Z * self.sd) / (S * self.sd)
        return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def fit_calibration(matrix: np.ndarray, background: np.ndarray, max_rows: int = 1200,
                    hubs: np.ndarray | None = None) -> Calibration:
    """Robust null stats of ``matrix`` (cells x D, zero rows ignored) against background queries
    (with ``hubs``: of the cosines less each row's hubness)."""
    present = np.abs(matrix).sum(1) > 0
    rows = matrix[present]
    offsets = hubs[present] if hubs is not None else np.zeros(len(rows), np.float32)
    if len(rows) > max_rows:
        pick = np.linspace(0, len(rows) - 1, max_rows).astype(int)
        rows, offsets = rows[pick], offsets[pick]
    if not len(rows):
        return Calibration(0.0, 1.0)
    cos = (rows @ background.T - offsets[:, None]).ravel()
    mu = float(np.median(cos))
    sd = max(MIN_SD, 1.4826 * float(np.median(np.abs(cos - mu))))
    return Calibration(mu, sd)


def hubness(matrix: np.ndarray, background: np.ndarray, share: float = HUB_SHARE) -> np.ndarray:
    """Per row: the mean cosine to its nearest ``share`` of ``background``, centred on the median
    row (zero rows stay 0), so subtracting it keeps a channel's cosines on their usual scale."""
    present = np.abs(matrix).sum(1) > 0
    out = np.zeros(len(matrix), np.float32)
    if not present.any() or not len(background):
        return out
    k = max(1, round(share * len(background)))
    near = np.sort(matrix[present] @ background.T, axis=1)[:, -k:].mean(1)
    out[present] = near - float(np.median(near))
    return out


def reliability(matrix: np.ndarray, background: np.ndarray, calibration: Calibration,
                hubs: np.ndarray | None = None) -> float:
    """1 less the share of background queries (about nothing in the video) that some row of the
    channel scores as a match (>= 0.5): 1 for a channel that only matches what it holds."""
    present = np.abs(matrix).sum(1) > 0
    if not present.any() or not len(background):
        return 1.0
    offsets = hubs[present, None] if hubs is not None else 0.0
    best = calibration(matrix[present] @ background.T - offsets).max(0)
    return round(1.0 - float(np.mean(best >= 0.5)), 4)


def noisy_or(probs: list[tuple[float, np.ndarray]], n: int) -> np.ndarray:
    """``1 - prod(1 - w * p)``: any strong channel suffices, agreeing channels add up."""
    miss = np.ones(n, np.float64)
    for weight, p in probs:
        miss *= 1.0 - weight * p
    return (1.0 - miss).astype(np.float32)


def smooth(x: np.ndarray, sigma: float = SMOOTH_SIGMA) -> np.ndarray:
    """Gaussian smoothing along time (edges reflected)."""
    if sigma <= 0 or len(x) < 2:
        return x.astype(np.float32)
    radius = max(1, int(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    k /= k.sum()
    padded = np.pad(x.astype(np.float64), radius, mode="reflect" if len(x) > radius else "edge")
    return np.convolve(padded, k, mode="valid").astype(np.float32)


class Window(NamedTuple):
    """A predicted moment ``[start, end, score]`` in seconds."""

    start: float
    end: float
    score: float

    def as_list(self) -> list[float]:
        return [self.start, self.end, self.score]


def grow_windows(curve: np.ndarray, scores: np.ndarray, limit: int, fraction: float = GROW_FRACTION,
                 cell: float = 2.0, duration: float | None = None, max_cells: int = 0) -> list[Window]:
    """Windows grown from the highest uncovered peaks of ``curve`` while it stays >= ``fraction``
    of the peak (and, if ``max_cells``, up to that many cells); each window's score blends the max
    and mean of ``scores`` inside it."""
    n = len(curve)
    duration = n * cell if duration is None else duration
    covered = np.zeros(n, bool)
    windows: list[Window] = []
    for peak in np.argsort(-curve, kind="stable"):
        if len(windows) >= limit:
            break
        if covered[peak]:
            continue
        lo, hi = _span(curve, covered, int(peak), fraction * float(curve[peak]), max_cells or len(curve))
        covered[lo:hi] = True
        inside = scores[lo:hi]
        score = 0.5 * float(inside.max()) + 0.5 * float(inside.mean())
        windows.append(Window(round(lo * cell, 3), round(min(hi * cell, duration), 3), round(score, 4)))
    return sorted(windows, key=lambda w: (-w.score, w.start))


def _span(curve: np.ndarray, covered: np.ndarray, peak: int, threshold: float,
          max_cells: int) -> tuple[int, int]:
    """Grow ``[lo, hi)`` around ``peak``, always taking the higher free neighbour first."""
    lo, hi = peak, peak + 1
    while hi - lo < max_cells:
        left = curve[lo - 1] if lo > 0 and not covered[lo - 1] else -np.inf
        right = curve[hi] if hi < len(curve) and not covered[hi] else -np.inf
        if max(left, right) < threshold:
            break
        if left >= right:
            lo -= 1
        else:
            hi += 1
    return lo, hi


def temporal_iou(a: Window, b: Window) -> float:
    inter = max(0.0, min(a.end, b.end) - max(a.start, b.start))
    union = max(a.end, b.end) - min(a.start, b.start)
    return inter / union if union > 0 else 0.0


def nms(windows: list[Window], iou_threshold: float = 0.0) -> list[Window]:
    """Greedy non-maximum suppression: drop a window whose IoU with a better one exceeds the threshold
    (``0`` drops any overlap). Returns windows sorted by score."""
    kept: list[Window] = []
    for w in sorted(windows, key=lambda w: (-w.score, w.start)):
        if all(temporal_iou(w, k) <= iou_threshold for k in kept):
            kept.append(w)
    return kept
