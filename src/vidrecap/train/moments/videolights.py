"""VideoLights' additions to the Moment-DETR head (Paul et al., arXiv 2412.01558), each a config switch.

Numbered as the paper's contributions (i)–(v), with its module names:

- ``conv_projection`` ((i), FRA): clip and query features enter through a linear projection plus two
  1-D convolutions over time (over tokens for the query), so each clip sees its neighbours.
- ``feature_refinement`` ((i), FRA): every clip reads the query tokens it matches and is refined with
  them; the clip–sentence similarity profile is trained against the saliency labels (the video–text
  **alignment loss**, ``loss_align``).
- ``cross_modal_fusion`` ((ii), Bi-CMF): query tokens attend to the clips, then clips attend to those
  video-aware tokens, giving query-aware clips before the joint encoder.
- ``joint_feedback`` ((iii), Uni-JFM): the saliency branch feeds moment retrieval one way: clip memory
  for the span decoder is gated by the (detached) saliency, and the top span's soft clip mask is pulled
  towards the saliency profile (``loss_feedback``); nothing flows back into the saliency head.
- ``hard_pairs`` ((iv)): adaptive hard positive / hard negative losses on clip saliency, weighted by
  each clip's current error and ramped up over training (``loss_hard``, ``hard_ramp``).
- ``stream_fusion`` ((v)): several feature streams (our cell embeddings, SlowFast, CLIP, BLIP-2 dumps)
  are projected separately and mixed by a learned per-clip gate instead of one projection of their
  concatenation. Pretraining on synthetic (query, window) pairs is in ``pretrain_pairs``.
"""

from __future__ import annotations

import torch
from torch import nn

from ..harness.distributed import terms_mean

SWITCHES = (
    "conv_projection",
    "feature_refinement",
    "cross_modal_fusion",
    "joint_feedback",
    "hard_pairs",
    "stream_fusion",
)
PRESETS: dict[str, dict[str, bool]] = {
    "moment_detr": dict.fromkeys(SWITCHES, False),
    "videolights": dict.fromkeys(SWITCHES, True),
}


def masked_mean(x: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
    """Mean over the sequence axis of ``x`` (B, L, D), ignoring positions where ``pad`` is True."""
    keep = (~pad).unsqueeze(-1).to(x.dtype)
    return (x * keep).sum(1) / keep.sum(1).clamp(min=1.0)


class LinearProjection(nn.Module):
    """Moment-DETR's input projection: LayerNorm, Linear, Dropout."""

    def __init__(self, dim_in: int, dim_out: int, dropout: float):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(dim_in), nn.Linear(dim_in, dim_out), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class ConvProjection(nn.Module):
    """A linear projection plus two 1-D convolutions over the sequence as a residual (local context).

    Padding is zeroed before each convolution so that it cannot leak into real rows.
    """

    def __init__(self, dim_in: int, dim_out: int, dropout: float, kernel: int = 3):
        super().__init__()
        self.norm_in = nn.LayerNorm(dim_in)
        self.linear = nn.Linear(dim_in, dim_out)
        self.conv1 = nn.Conv1d(dim_out, dim_out, kernel, padding=kernel // 2)
        self.conv2 = nn.Conv1d(dim_out, dim_out, kernel, padding=kernel // 2)
        self.norm_out = nn.LayerNorm(dim_out)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        keep = (~pad).unsqueeze(-1).to(x.dtype)
        h = self.linear(self.norm_in(x)) * keep
        local = self.dropout(torch.relu(self.conv1(h.transpose(1, 2)))).transpose(1, 2) * keep
        local = self.conv2(local.transpose(1, 2)).transpose(1, 2)
        return self.dropout(self.norm_out(h + local))


def make_projection(dim_in: int, dim_out: int, dropout: float, conv: bool, kernel: int) -> nn.Module:
    return ConvProjection(dim_in, dim_out, dropout, kernel) if conv else LinearProjection(dim_in, dim_out, dropout)


class StreamFusion(nn.Module):
    """Each stream (a slice of the concatenated input) projected on its own, mixed by a per-clip gate."""

    def __init__(self, dims: list[int], dim_out: int, dropout: float, conv: bool, kernel: int):
        super().__init__()
        self.dims = list(dims)
        self.streams = nn.ModuleList(make_projection(d, dim_out, dropout, conv, kernel) for d in dims)
        self.gate = nn.Linear(len(dims) * dim_out, len(dims))

    def forward(self, x: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        parts = torch.split(x, self.dims, dim=-1)
        projected = [proj(part, pad) for proj, part in zip(self.streams, parts, strict=True)]
        weights = self.gate(torch.cat(projected, dim=-1)).softmax(-1)  # (B, T, S)
        return (torch.stack(projected, dim=-1) * weights.unsqueeze(-2)).sum(-1)


class FeatureRefinement(nn.Module):
    """Clips refined by the query tokens they match (token attention + clip–sentence similarity)."""

    def __init__(self, dim: int, dropout: float):
        super().__init__()
        self.mix = nn.Sequential(nn.Linear(4 * dim, dim), nn.ReLU(), nn.Dropout(dropout), nn.Linear(dim, dim))
        self.norm = nn.LayerNorm(dim)
        self.scale = dim**-0.5

    def forward(
        self, clips: torch.Tensor, tokens: torch.Tensor, text_pad: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Refined clips, and the clip–sentence cosine similarity ``(B, T)`` the alignment loss trains."""
        scores = torch.einsum("btd,bld->btl", clips, tokens) * self.scale
        scores = scores.masked_fill(text_pad[:, None, :], float("-inf"))
        context = scores.softmax(-1) @ tokens  # (B, T, D)
        sentence = masked_mean(tokens, text_pad)
        similarity = nn.functional.cosine_similarity(clips, sentence[:, None, :], dim=-1)
        features = torch.cat([clips, context, clips * context, clips * similarity.unsqueeze(-1)], dim=-1)
        return self.norm(clips + self.mix(features)), similarity


class BiCrossModalFusion(nn.Module):
    """Clip→query then query→clip cross-attention: query-aware clips (and video-aware tokens)."""

    def __init__(self, dim: int, heads: int, dropout: float):
        super().__init__()
        self.text_norm, self.clip_norm, self.ffn_norm = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.text_reads_clips = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.clips_read_text = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.ffn = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(4 * dim, dim))
        self.dropout = nn.Dropout(dropout)

    def forward(
        self, clips: torch.Tensor, video_pad: torch.Tensor, tokens: torch.Tensor, text_pad: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        c = self.clip_norm(clips)
        t = self.text_norm(tokens)
        tokens = tokens + self.dropout(self.text_reads_clips(t, c, c, key_padding_mask=video_pad)[0])
        t = self.text_norm(tokens)
        clips = clips + self.dropout(self.clips_read_text(c, t, t, key_padding_mask=text_pad)[0])
        clips = clips + self.dropout(self.ffn(self.ffn_norm(clips)))
        return clips, tokens


class SaliencyFeedback(nn.Module):
    """Uni-directional feedback: clip memory for the span decoder gated by the detached saliency."""

    def __init__(self, dim: int):
        super().__init__()
        self.proj = nn.Linear(dim, dim)

    def forward(self, clips: torch.Tensor, saliency: torch.Tensor) -> torch.Tensor:
        return clips + self.proj(clips) * torch.sigmoid(saliency.detach()).unsqueeze(-1)


# -- losses ----------------------------------------------------------------------------------------


def _profile_cosine(profile: torch.Tensor, target: torch.Tensor) -> torch.Tensor | None:
    """``1 - cos`` between a score profile (shifted to start at 0) and a non-negative target profile."""
    if target.numel() < 2 or float(target.max()) <= 0:
        return None
    shifted = profile - profile.min().detach()
    return 1 - nn.functional.cosine_similarity(shifted, target, dim=0, eps=1e-6)


def alignment_loss(similarity: torch.Tensor, saliency: list[torch.Tensor], video_pad: torch.Tensor) -> torch.Tensor:
    """Video–text alignment: the clip–sentence similarity profile should follow the saliency labels."""
    terms = []
    for b, target in enumerate(saliency):
        n = int((~video_pad[b]).sum())
        term = _profile_cosine(similarity[b, :n].float(), target[:n].float())
        if term is not None:
            terms.append(term)
    return terms_mean(terms, similarity)


def soft_span_mask(spans: torch.Tensor, length: int, sharpness: float = 0.5) -> torch.Tensor:
    """A differentiable clip mask ``(B, T)`` for spans ``(B, 2)`` (center, width, normalised)."""
    centers = (torch.arange(length, device=spans.device, dtype=spans.dtype) + 0.5) / length
    start = spans[:, :1] - spans[:, 1:] / 2
    end = spans[:, :1] + spans[:, 1:] / 2
    tau = sharpness / length
    return torch.sigmoid((centers[None] - start) / tau) * torch.sigmoid((end - centers[None]) / tau)


def feedback_loss(
    logits: torch.Tensor, spans: torch.Tensor, saliency: torch.Tensor, video_pad: torch.Tensor
) -> torch.Tensor:
    """The top-scoring span's clip mask should correlate with the (detached) saliency profile."""
    best = logits.float().softmax(-1)[..., 0].argmax(-1)
    top = spans[torch.arange(spans.shape[0], device=spans.device), best].float()
    terms = []
    for b in range(spans.shape[0]):
        n = int((~video_pad[b]).sum())
        mask = soft_span_mask(top[b : b + 1], n)[0]
        scores = saliency[b, :n].detach().float()
        term = _profile_cosine(mask, (scores - scores.mean()).clamp(min=0))  # clips above the video's mean
        if term is not None:
            terms.append(term)
    return terms_mean(terms, spans)


def hard_pair_loss(
    scores: torch.Tensor, saliency: list[torch.Tensor], video_pad: torch.Tensor, progress: float, ramp: float
) -> torch.Tensor:
    """Adaptive hard positives (relevant clips scored low) and hard negatives (others scored high).

    Scores and labels are compared on ``[0, 1]`` (sigmoid, label / max label); each clip's squared error
    is weighted by its own (detached) error, so the hardest clips dominate, and the whole term grows
    from 1x to ``1 + ramp`` over training.
    """
    terms = []
    for b, target in enumerate(saliency):
        n = int((~video_pad[b]).sum())
        t = target[:n].float()
        if float(t.max()) <= 0:
            continue
        s, g = torch.sigmoid(scores[b, :n].float()), t / t.max()
        error = g - s
        pos, neg = t > 0, t <= 0
        weight = 1 + error.detach().abs()
        if pos.any():
            terms.append((weight[pos] * error[pos].clamp(min=0) ** 2).mean())
        if neg.any():
            terms.append((weight[neg] * error[neg].clamp(max=0) ** 2).mean())
    return (1 + ramp * progress) * terms_mean(terms, scores)
