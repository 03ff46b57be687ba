"""Temporal spans for the moment head: formats, generalised IoU and Hungarian matching.

Spans are normalised by the video duration: ``(center, width)`` as the model predicts them, or
``(start, end)`` for IoU.
"""

from __future__ import annotations

import numpy as np
import torch


def cw_to_se(spans: torch.Tensor) -> torch.Tensor:
    center, width = spans.unbind(-1)
    return torch.stack([center - width / 2, center + width / 2], dim=-1)


def se_to_cw(spans: torch.Tensor) -> torch.Tensor:
    start, end = spans.unbind(-1)
    return torch.stack([(start + end) / 2, end - start], dim=-1)


def pairwise_giou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Generalised IoU of every ``(start, end)`` in ``a`` (N, 2) with every one in ``b`` (M, 2)."""
    inter = (torch.min(a[:, None, 1], b[None, :, 1]) - torch.max(a[:, None, 0], b[None, :, 0])).clamp(min=0)
    union = (a[:, 1] - a[:, 0])[:, None] + (b[:, 1] - b[:, 0])[None] - inter
    iou = inter / union.clamp(min=1e-6)
    hull = torch.max(a[:, None, 1], b[None, :, 1]) - torch.min(a[:, None, 0], b[None, :, 0])
    return iou - (hull - union) / hull.clamp(min=1e-6)


def match(
    probs_fg: torch.Tensor,
    spans_cw: torch.Tensor,
    targets_se: torch.Tensor,
    cost_class: float,
    cost_l1: float,
    cost_giou: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Hungarian assignment of one video's predictions (Q) to its ground-truth windows (G).

    Cost: ``-cost_class * p(foreground) + cost_l1 * L1(center, width) - cost_giou * gIoU``.
    Returns (prediction indices, target indices).
    """
    from scipy.optimize import linear_sum_assignment

    cost = (
        -cost_class * probs_fg[:, None]
        + cost_l1 * torch.cdist(spans_cw, se_to_cw(targets_se), p=1)
        - cost_giou * pairwise_giou(cw_to_se(spans_cw), targets_se)
    )
    rows, cols = linear_sum_assignment(cost.detach().float().cpu().numpy())
    return rows, cols
