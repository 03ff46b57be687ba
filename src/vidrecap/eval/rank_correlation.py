"""Kendall's tau-b and Spearman's rho of one score sequence against many, equal to scipy's bit for bit.

Kendall's tau-b only depends on pair counts (concordant, discordant, tied). When both sequences take
few distinct values (TVSum annotators score 1-5; predictions are constant over clips), the counts come
from a contingency table of value pairs instead of a sort per sequence, and the final division is the
one ``scipy.stats.kendalltau`` does. Spearman's rho is scipy's: Pearson correlation of average ranks,
with every sequence ranked once.
"""

from __future__ import annotations

import numpy as np

MAX_TABLE_CELLS = 4_000_000


def kendall_tau_b(scores: np.ndarray, others: np.ndarray) -> np.ndarray:
    """(U,) Kendall's tau-b of ``scores`` (n,) with each row of ``others`` (U, n); NaN where undefined."""
    scores, others = np.asarray(scores, dtype=float), np.asarray(others, dtype=float)
    score_values, score_codes = np.unique(scores, return_inverse=True)
    other_values, other_codes = np.unique(others, return_inverse=True)
    table_shape = (len(others), len(score_values), len(other_values))
    if np.isnan(scores).any() or np.isnan(others).any() or np.prod(table_shape) > MAX_TABLE_CELLS:
        return _scipy_kendall_tau_b(scores, others)
    cell = (np.arange(len(others))[:, None] * len(score_values) + score_codes) * len(other_values)
    cell += other_codes.reshape(others.shape)
    table = np.bincount(cell.ravel(), minlength=int(np.prod(table_shape))).reshape(table_shape)
    return _tau_b_from_tables(table.astype(np.int64))


def _pairs(counts: np.ndarray) -> np.ndarray:
    return counts * (counts - 1) // 2


def _tau_b_from_tables(table: np.ndarray) -> np.ndarray:
    """tau-b from (U, X, Y) counts of (score value, other value) pairs, values in ascending order."""
    total = _pairs(table.sum(axis=(1, 2)))
    score_ties = _pairs(table.sum(axis=2)).sum(axis=1)
    other_ties = _pairs(table.sum(axis=1)).sum(axis=1)
    joint_ties = _pairs(table).sum(axis=(1, 2))
    # discordant: a pair of cells where one has the larger score value and the smaller other value
    larger_score = np.cumsum(table[:, ::-1], axis=1)[:, ::-1] - table
    larger_score_smaller_other = np.cumsum(larger_score, axis=2) - larger_score
    discordant = (table * larger_score_smaller_other).sum(axis=(1, 2))
    concordant_minus_discordant = total - score_ties - other_ties + joint_ties - 2 * discordant
    undefined = (score_ties == total) | (other_ties == total)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = concordant_minus_discordant / np.sqrt(total - score_ties) / np.sqrt(total - other_ties)
    return np.where(undefined, np.nan, np.clip(tau, -1.0, 1.0))


def _scipy_kendall_tau_b(scores: np.ndarray, others: np.ndarray) -> np.ndarray:
    from scipy.stats import kendalltau

    return np.array([kendalltau(scores, other)[0] for other in others], dtype=float)


def spearman_rho(scores: np.ndarray, others: np.ndarray) -> np.ndarray:
    """(U,) Spearman's rho of ``scores`` (n,) with each row of ``others`` (U, n); NaN where undefined."""
    scores, others = np.asarray(scores, dtype=float), np.asarray(others, dtype=float)
    rhos = np.full(len(others), np.nan)
    if scores.size <= 1 or _is_constant_or_nan(scores):
        return rhos
    score_ranks = average_ranks(scores)
    other_ranks = average_ranks(others)
    for i, other in enumerate(others):
        if not _is_constant_or_nan(other):
            rhos[i] = np.corrcoef(np.column_stack((score_ranks, other_ranks[i])), rowvar=False)[1, 0]
    return rhos


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks along the last axis, ties sharing their mean rank (``scipy.stats.rankdata``)."""
    order = np.argsort(values, axis=-1, kind="stable")
    ordered = np.take_along_axis(values, order, axis=-1)
    positions = np.broadcast_to(np.arange(values.shape[-1]), values.shape)
    starts_run = np.ones(values.shape, dtype=bool)
    starts_run[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    ends_run = np.ones(values.shape, dtype=bool)
    ends_run[..., :-1] = starts_run[..., 1:]
    run_start = np.maximum.accumulate(np.where(starts_run, positions, 0), axis=-1)
    run_end = np.minimum.accumulate(np.where(ends_run, positions, values.shape[-1])[..., ::-1], axis=-1)[..., ::-1]
    ranks = np.empty(values.shape)
    np.put_along_axis(ranks, order, (run_start + run_end) / 2 + 1, axis=-1)
    return ranks


def _is_constant_or_nan(values: np.ndarray) -> bool:
    return bool(np.all(values == values[0]) or np.isnan(values).any())
