"""Average-precision variants used by the moment and highlight references."""

from __future__ import annotations

import numpy as np


def voc_interpolated_ap(precision: np.ndarray, recall: np.ndarray) -> np.ndarray:
    """VOC-2011 interpolated AP of each row of ``precision`` / ``recall`` (T, P) -> (T,).

    Precision is made monotone (max over higher recalls), then summed over the recall steps, with a
    recall of 0 before the first and 1 after the last detection (MMAction2 / ActivityNet detection).
    """
    rows = precision.shape[0]
    padded_precision = np.hstack([np.zeros((rows, 1)), precision, np.zeros((rows, 1))])
    padded_recall = np.hstack([np.zeros((rows, 1)), recall, np.ones((rows, 1))])
    monotone = np.maximum.accumulate(padded_precision[:, ::-1], axis=1)[:, ::-1]
    steps = padded_recall[:, 1:] - padded_recall[:, :-1]
    return np.sum(steps * monotone[:, 1:], axis=1)


def ranked_ap_over_recall_levels(labels: np.ndarray, scores: np.ndarray) -> float:
    """AP of a binary labelling ranked by ``scores``, the way QVHighlights' ``get_ap`` computes it.

    Tied scores form one threshold. At each threshold that recalls a new positive, take the
    interpolated precision (max precision at that or any lower threshold) and average these values
    (an unweighted mean over distinct recall levels, not an area). All-negative labels give 0 and
    all-positive labels give 1, as in the reference.
    """
    labels = np.asarray(labels, dtype=float)
    if labels.size == 0:
        return 0.0
    if np.all(labels == labels[0]):
        return 0.0 if labels[0] == 0 else 1.0
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    sorted_scores = np.asarray(scores, dtype=float)[order]
    group_ends = np.r_[np.nonzero(np.diff(sorted_scores))[0], sorted_scores.size - 1]
    true_positives = np.cumsum(labels[order])[group_ends]
    precision = true_positives / (group_ends + 1)
    interpolated = np.maximum.accumulate(precision[::-1])[::-1]
    new_recall = np.diff(np.r_[0.0, true_positives]) > 0
    return float(np.mean(interpolated[new_recall]))


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
