"""Temporal IoU between windows ``[start, end]`` in seconds."""

from __future__ import annotations

import numpy as np


def cross_iou(windows_a: np.ndarray, windows_b: np.ndarray) -> np.ndarray:
    """IoU of every window of ``a`` (..., N, 2) with every window of ``b`` (..., M, 2): (..., N, M).

    Leading dimensions are a batch (one row of windows per query). union = len_a + len_b -
    intersection, as the official QVHighlights / MMAction2 code computes it; a zero union (two empty
    windows) gives IoU 0.
    """
    starts_a, ends_a = windows_a[..., :, None, 0], windows_a[..., :, None, 1]
    starts_b, ends_b = windows_b[..., None, :, 0], windows_b[..., None, :, 1]
    intersection = np.clip(np.minimum(ends_a, ends_b) - np.maximum(starts_a, starts_b), 0, None)
    union = (ends_a - starts_a) + (ends_b - starts_b) - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union != 0)


def padded_windows(windows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Stack (G_i, 2) window arrays into (N, max G_i, 2), zero-padded, and the (N, max G_i) valid mask."""
    counts = np.array([len(w) for w in windows], dtype=int)
    width = int(counts.max(initial=0))
    valid = np.arange(width)[None, :] < counts[:, None]
    stacked = np.zeros((len(windows), width, 2))
    if width:
        stacked[valid] = np.concatenate([np.asarray(w, dtype=float).reshape(-1, 2) for w in windows])
    return stacked, valid


def paired_iou(windows_a: np.ndarray, windows_b: np.ndarray) -> np.ndarray:
    """IoU of ``a[i]`` with ``b[i]``: an (N,) array.

    The union is the hull ``max(end) - min(start)``, as the official R1 code computes it (equal to the
    true union whenever the windows overlap, and the IoU is 0 when they do not).
    """
    intersection = np.maximum(
        0, np.minimum(windows_a[:, 1], windows_b[:, 1]) - np.maximum(windows_a[:, 0], windows_b[:, 0])
    )
    hull = np.maximum(windows_a[:, 1], windows_b[:, 1]) - np.minimum(windows_a[:, 0], windows_b[:, 0])
    return np.divide(intersection, hull, out=np.zeros_like(intersection), where=hull != 0)
