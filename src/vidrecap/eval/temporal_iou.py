"""Temporal IoU between windows ``[start, end]`` in seconds."""

from __future__ import annotations

import numpy as np


def cross_iou(windows_a: np.ndarray, windows_b: np.ndarray) -> np.ndarray:
    """IoU of every window of ``a`` (N, 2) with every window of ``b`` (M, 2): an (N, M) array.

    union = len_a + len_b - intersection, as the official QVHighlights / MMAction2 code computes it;
    a zero union (two empty windows) gives IoU 0.
    """
    length_a = windows_a[:, 1] - windows_a[:, 0]
    length_b = windows_b[:, 1] - windows_b[:, 0]
    left = np.maximum(windows_a[:, None, 0], windows_b[None, :, 0])
    right = np.minimum(windows_a[:, None, 1], windows_b[None, :, 1])
    intersection = np.clip(right - left, 0, None)
    union = length_a[:, None] + length_b[None, :] - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union != 0)


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
