"""Dual-encoder data: feature rows of a time window and (window rows, narration) pairs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ...errors import InputError
from ..features import FeatureSource
from .narrations import (
    Narration,
    RecapWindows,
    load_ego4d_narrations,
    load_ek100_narrations,
    load_recap_windows,
    recap_directories,
)


class WindowFeatures:
    """Feature rows of a time window, from feature files or from recaps' own embeddings."""

    def __init__(self, feature_dirs: list[Path], feature_key: str, num_rows: int):
        self.files = FeatureSource.open(feature_dirs, feature_key) if feature_dirs else None
        self.recaps: dict[str, np.ndarray] = {}
        self.num_rows = num_rows

    @property
    def cell_seconds(self) -> float:
        return self.files.cell_seconds if self.files else 2.0

    def rows(self, vid: str) -> np.ndarray:
        if vid in self.recaps:
            return self.recaps[vid]
        if self.files is None:
            raise InputError(f"no features for video {vid!r} (set data.features)")
        return self.files.load(vid)

    def has(self, vid: str) -> bool:
        if vid in self.recaps:
            return True
        if self.files is None:
            return False
        stems = [d.directory / d.pattern.format(vid=vid) for d in self.files.dirs]
        return all(stem.with_name(stem.name + ".npz").exists() or stem.with_name(stem.name + ".npy").exists()
                   for stem in stems)

    def window(self, vid: str, start: float, end: float) -> np.ndarray | None:
        """Up to ``num_rows`` evenly spaced rows covering ``[start, end)``; None when outside the video."""
        rows = self.rows(vid)
        cs = self.cell_seconds
        lo = int(np.floor(start / cs + 1e-6))
        hi = max(lo + 1, int(np.ceil(end / cs - 1e-6)))
        chunk = rows[lo : min(hi, rows.shape[0])]
        if chunk.shape[0] == 0:
            return None
        if chunk.shape[0] > self.num_rows:
            chunk = chunk[np.linspace(0, chunk.shape[0] - 1, self.num_rows).round().astype(int)]
        return chunk


@dataclass
class Pair:
    rows: np.ndarray
    narration: Narration


def load_split(spec, features: WindowFeatures, run) -> tuple[list[Pair], list[RecapWindows]]:
    """The split's (window rows, narration) pairs; narrations of videos without features are skipped."""
    narrations: list[Narration] = []
    for path in spec.narrations:
        narrations += load_ego4d_narrations(path, run.narration_window)
    for path in spec.ek100:
        narrations += load_ek100_narrations(path)
    recaps = [
        load_recap_windows(d, run.feature_key, run.model.window_cells)
        for folder in spec.recaps
        for d in recap_directories(folder)
    ]
    for r in recaps:
        features.recaps[r.vid] = r.features
        narrations += r.labelled
    pairs = []
    for n in narrations:
        rows = features.window(n.vid, n.start, n.end) if features.has(n.vid) else None
        if rows is not None:
            pairs.append(Pair(rows, n))
    return pairs, recaps


def collate_rows(arrays: list[np.ndarray], num_rows: int) -> tuple[torch.Tensor, torch.Tensor]:
    out = torch.zeros((len(arrays), num_rows, arrays[0].shape[1]))
    pad = torch.ones((len(arrays), num_rows), dtype=torch.bool)
    for i, a in enumerate(arrays):
        out[i, : a.shape[0]] = torch.from_numpy(a)
        pad[i, : a.shape[0]] = False
    return out, pad
