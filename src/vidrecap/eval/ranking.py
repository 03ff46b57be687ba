"""Average-precision variants used by the moment and highlight references."""

from __future__ import annotations

import numpy as np


def voc_interpolated_ap(precision: np.ndarray, recall: np.ndarray) -> np.ndarray:
    """VOC-2011 interpolated AP of each row of ``precision`` / ``recall`` (T, P) -> (T,).

    Precision is made monotone (max over higher recalls), then summed over the recall steps, with a
    recall of 0 before the first and 1 after the last detection (MMAction2 / ActivityNet detection).
    """
    rows = precision.shape[0]
    zeros = np.zeros((rows, 1))
    padded_precision = np.concatenate([zeros, precision, zeros], axis=1)
    padded_recall = np.concatenate([zeros, recall, zeros + 1.0], axis=1)
    monotone = np.maximum.accumulate(padded_precision[:, ::-1], axis=1)[:, ::-1]
    steps = padded_recall[:, 1:] - padded_recall[:, :-1]
    areas = steps * monotone[:, 1:]
    total = np.zeros(rows)
    for column in areas.T:  # left to right, as the reference adds up its (few) nonzero recall steps
        total += column
    return total


def ranked_ap_over_recall_levels(labels: np.ndarray, scores: np.ndarray) -> float:
    """AP of a binary labelling ranked by ``scores``, the way QVHighlights' ``get_ap`` computes it.

    Tied scores form one threshold. At each threshold that recalls a new positive, take the
    interpolated precision (max precision at that or any lower threshold) and average these values
    (an unweighted mean over distinct recall levels, not an area). All-negative labels give 0 and
    all-positive labels give 1, as in the reference.
    """
    labels = np.asarray(labels, dtype=float)
    return float(ranked_ap_columns(labels.reshape(-1, 1), scores)[0])


def ranked_ap_columns(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """``ranked_ap_over_recall_levels`` of each column of ``labels`` (n, k) under one ranking: (k,)."""
    labels = np.asarray(labels, dtype=float)
    scores = np.asarray(scores, dtype=float)
    return ranked_ap_batch(labels[None], scores[None])[0]


def ranked_ap_batch(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """``ranked_ap_columns`` of many rankings of the same length: labels (q, n, k), scores (q, n) -> (q, k)."""
    num_rankings, num_items, num_columns = labels.shape
    result = np.zeros((num_rankings, num_columns))
    if num_items == 0:
        return result
    order = np.argsort(-scores, axis=1, kind="stable")
    sorted_scores = np.take_along_axis(scores, order, axis=1)
    true_positives = np.cumsum(np.take_along_axis(labels, order[:, :, None], axis=1), axis=1)
    group_ends = np.ones((num_rankings, num_items, 1), dtype=bool)  # last item of a run of tied scores
    group_ends[:, :-1, 0] = sorted_scores[:, 1:] != sorted_scores[:, :-1]
    precision = np.where(group_ends, true_positives / np.arange(1, num_items + 1)[:, None], 0.0)
    interpolated = np.maximum.accumulate(precision[:, ::-1], axis=1)[:, ::-1]
    recalled_so_far = np.maximum.accumulate(np.where(group_ends, true_positives, 0.0), axis=1)
    recalled_before = np.zeros_like(recalled_so_far)
    recalled_before[:, 1:] = recalled_so_far[:, :-1]
    new_recall = group_ends & (true_positives > recalled_before)
    counts = new_recall.sum(axis=1)
    sums = np.where(new_recall, interpolated, 0.0).sum(axis=1)
    np.divide(sums, counts, out=result, where=counts > 0)
    uniform = np.all(labels == labels[:, :1], axis=1)
    result[uniform] = (labels[:, 0][uniform] != 0).astype(float)
    return result


def top_k_trapezoid_ap(labels_in_rank_order: list[float] | np.ndarray, k: int | None) -> float:
    """AP of the first ``k`` ranked items (all when ``k`` is None), as UMT / Lighthouse compute it.

    Recall is relative to the positives *within the first k*; precision is integrated with the
    trapezoid rule starting from (recall 0, precision 1). No positive in the first k gives 0.
    """
    labels = list(labels_in_rank_order)[:k] if k is not None else list(labels_in_rank_order)
    positives = sum(labels)
    if positives == 0:
        return 0.0
    hits = 0.0
    ap = recall = 0.0
    precision = 1.0
    for rank, label in enumerate(labels, start=1):
        hits += label
        new_recall = hits / positives
        new_precision = hits / rank
        ap += (new_recall - recall) * (precision + new_precision) / 2
        recall, precision = new_recall, new_precision
    return ap
