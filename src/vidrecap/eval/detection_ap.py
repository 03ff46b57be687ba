"""Per-query detection AP of ranked windows, many queries at once (ActivityNet / moment_detr matching).

Queries are batched by their (predicted windows, ground-truth windows) counts, so that every array row
has exactly the length the per-query reference sees: numpy's sort order for tied IoUs and every sum
come out the same as query by query.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .ranking import voc_interpolated_ap
from .temporal_iou import cross_iou


def query_average_precisions(
    ranked_windows: list[np.ndarray], gt_windows: list[np.ndarray], thresholds: np.ndarray
) -> np.ndarray:
    """(N, T) AP at each IoU threshold of query i's windows (P_i, 2), best first, against its GT (G_i, 2)."""
    result = np.zeros((len(ranked_windows), len(thresholds)))
    for rows in _rows_by_shape(ranked_windows, gt_windows):
        predicted = np.stack([ranked_windows[i] for i in rows])
        truth = np.stack([gt_windows[i] for i in rows])
        result[rows] = _same_shape_average_precisions(predicted, truth, thresholds)
    return result


def _rows_by_shape(ranked_windows: list[np.ndarray], gt_windows: list[np.ndarray]) -> list[list[int]]:
    rows: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (predicted, truth) in enumerate(zip(ranked_windows, gt_windows, strict=True)):
        rows[len(predicted), len(truth)].append(i)
    return list(rows.values())


def _same_shape_average_precisions(predicted: np.ndarray, truth: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """(n, T) AP of n queries with (n, P, 2) ranked windows and (n, G, 2) ground-truth windows."""
    num_queries, num_preds, num_gts = predicted.shape[0], predicted.shape[1], truth.shape[1]
    if num_preds == 0 or num_gts == 0:
        return np.zeros((num_queries, len(thresholds)))
    true_positive = greedy_matches(cross_iou(predicted, truth), thresholds)
    hits = np.cumsum(true_positive, axis=2).reshape(-1, num_preds)
    precision = hits / np.arange(1, num_preds + 1)
    return voc_interpolated_ap(precision, hits / num_gts).reshape(num_queries, len(thresholds))


def greedy_matches(ious: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """(n, T, P) 0/1 from (n, P, G) IoUs: does prediction p (score order) take a free GT at threshold t.

    Each prediction tries GT windows from the highest IoU down (ties in numpy's ``argsort()[::-1]``
    order, as the reference) and takes the first one not yet taken with IoU >= threshold.
    """
    num_queries, num_preds, num_gts = ious.shape
    gt_by_rank = np.argsort(ious, axis=2)[:, :, ::-1]
    ranked_ious = np.take_along_axis(ious, gt_by_rank, axis=2)
    taken = np.zeros((num_queries, len(thresholds), num_gts), dtype=bool)
    matches = np.zeros((num_queries, len(thresholds), num_preds))
    queries = np.arange(num_queries)[:, None]
    threshold_ids = np.arange(len(thresholds))[None, :]
    for p in range(num_preds):
        order = np.broadcast_to(gt_by_rank[:, None, p], taken.shape)
        free = ~np.take_along_axis(taken, order, axis=2)
        candidates = free & (ranked_ious[:, None, p] >= thresholds[None, :, None])
        first = np.argmax(candidates, axis=2)
        found = candidates.any(axis=2)
        chosen_gt = np.take_along_axis(gt_by_rank[:, p], first, axis=1)
        taken[queries, threshold_ids, chosen_gt] |= found
        matches[:, :, p] = found
    return matches
