"""The joint moment/highlight head (Moment-DETR / VideoLights family).

Video clip features and query token features are projected to one width, tagged by type, and
encoded together by a transformer (so every clip sees the query). The encoded clips give per-clip
saliency; a transformer decoder with ``num_moment_queries`` learned queries reads the encoding and
predicts a set of spans ``(center, width)`` (normalised by the duration) with a foreground score.
VideoLights' components (``videolights.py``) are switches of the same head: the ``moment_detr``
preset has them all off, the ``videolights`` preset all on.

Training losses: Hungarian matching (``spans.match``), then L1 + gIoU on matched spans, foreground
/ background cross-entropy (background down-weighted by ``eos_coef``), and for saliency a margin
hinge over positive/negative clip pairs plus a rank-contrastive loss over the saliency levels.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from ..config import check_range
from ..harness.distributed import global_mean, terms_mean
from ..harness.models import load_config, load_weights
from .spans import cw_to_se, match, pairwise_giou
from .videolights import (
    PRESETS,
    BiCrossModalFusion,
    FeatureRefinement,
    SaliencyFeedback,
    StreamFusion,
    alignment_loss,
    feedback_loss,
    hard_pair_loss,
    make_projection,
)


@dataclass
class MomentConfig:
    """Architecture and loss weights (the ``[model]`` section)."""

    video_dim: int = 0
    text_dim: int = 0
    hidden: int = 128
    heads: int = 4
    encoder_layers: int = 2
    decoder_layers: int = 2
    num_moment_queries: int = 10
    dropout: float = 0.1
    loss_l1: float = 10.0
    loss_giou: float = 1.0
    loss_class: float = 4.0
    loss_saliency: float = 1.0
    loss_rank: float = 1.0
    eos_coef: float = 0.1
    saliency_margin: float = 0.2
    rank_temperature: float = 0.5
    # provenance, so that a scorer can compute the same inputs
    clip_seconds: float = 2.0
    feature_key: str = "fused"
    encoder: str = ""
    text_source: str = "files"  # "files" (token features on disk) or "encoder" (query embedded by `encoder`)
    # VideoLights components (see videolights.py); `preset` names the defaults they started from
    preset: str = "moment_detr"
    conv_projection: bool = False
    conv_kernel: int = 3
    feature_refinement: bool = False
    loss_align: float = 1.0
    cross_modal_fusion: bool = False
    fusion_layers: int = 1
    joint_feedback: bool = False
    loss_feedback: float = 1.0
    hard_pairs: bool = False
    loss_hard: float = 1.0
    hard_ramp: float = 1.0
    stream_fusion: bool = False
    stream_dims: list[int] = field(default_factory=list)  # feature width of each stream, from the data

    @classmethod
    def from_preset(cls, preset: str, **values) -> MomentConfig:
        """The preset's switches, overridden by ``values``."""
        if preset not in PRESETS:
            raise ValueError(f"preset': expected one of {', '.join(PRESETS)}, got {preset!r}")
        return cls(**{**PRESETS[preset], "preset": preset, **values})

    def __post_init__(self):
        if self.preset not in PRESETS:
            raise ValueError(f"preset': expected one of {', '.join(PRESETS)}, got {self.preset!r}")
        check_range("conv_kernel", self.conv_kernel, 1)
        check_range("fusion_layers", self.fusion_layers, 1)
        if self.conv_kernel % 2 == 0:
            raise ValueError(f"conv_kernel': must be odd, got {self.conv_kernel}")
        if self.stream_dims and self.video_dim and sum(self.stream_dims) != self.video_dim:
            raise ValueError(f"stream_dims': {self.stream_dims} do not add up to video_dim {self.video_dim}")
        for name in ("hidden", "heads", "encoder_layers", "decoder_layers", "num_moment_queries"):
            check_range(name, getattr(self, name), 1)
        check_range("dropout", self.dropout, 0.0, 0.9)
        check_range("eos_coef", self.eos_coef, 0.0, 1.0)
        if self.hidden % self.heads:
            raise ValueError("hidden': must be a multiple of heads")
        if self.text_source not in ("files", "encoder"):
            raise ValueError(f"text_source': expected 'files' or 'encoder', got {self.text_source!r}")


@dataclass
class MomentInputs:
    """A padded batch: video ``(B, T, Dv)``, text ``(B, L, Dt)``, pads True at padding."""

    video: torch.Tensor
    video_pad: torch.Tensor
    text: torch.Tensor
    text_pad: torch.Tensor

    def to(self, device: torch.device) -> MomentInputs:
        return MomentInputs(
            self.video.to(device), self.video_pad.to(device), self.text.to(device), self.text_pad.to(device)
        )


@dataclass
class MomentTargets:
    """Per video: ground-truth windows ``(G, 2)`` normalised start/end, and clip saliency ``(T,)``."""

    windows: list[torch.Tensor]
    saliency: list[torch.Tensor]
    progress: float = 0.0  # fraction of training done (the hard-pair losses ramp with it)


@dataclass
class MomentOutput:
    logits: torch.Tensor  # (B, Q, 2): foreground, background
    spans: torch.Tensor  # (B, Q, 2): center, width in [0, 1]
    saliency: torch.Tensor  # (B, T)
    similarity: torch.Tensor | None = None  # (B, T) clip–sentence similarity (feature refinement)


def sinusoid(length: int, dim: int, device: torch.device) -> torch.Tensor:
    position = torch.arange(length, device=device, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim, device=device)
    table[:, 0::2] = torch.sin(position * freq)
    table[:, 1::2] = torch.cos(position * freq[: dim // 2])
    return table


class MomentHead(nn.Module):
    def __init__(self, config: MomentConfig):
        super().__init__()
        self.config = config
        d, c = config.hidden, config
        if c.stream_fusion and len(c.stream_dims) > 1:
            self.video_in = StreamFusion(c.stream_dims, d, c.dropout, c.conv_projection, c.conv_kernel)
        else:
            self.video_in = make_projection(c.video_dim, d, c.dropout, c.conv_projection, c.conv_kernel)
        self.text_in = make_projection(c.text_dim, d, c.dropout, c.conv_projection, c.conv_kernel)
        self.refinement = FeatureRefinement(d, c.dropout) if c.feature_refinement else None
        self.fusion = (
            nn.ModuleList(BiCrossModalFusion(d, c.heads, c.dropout) for _ in range(c.fusion_layers))
            if c.cross_modal_fusion
            else None
        )
        self.token_type = nn.Embedding(2, d)
        layer = nn.TransformerEncoderLayer(d, c.heads, 4 * d, c.dropout, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, c.encoder_layers, enable_nested_tensor=False)
        self.moment_queries = nn.Embedding(c.num_moment_queries, d)
        dec = nn.TransformerDecoderLayer(d, c.heads, 4 * d, c.dropout, batch_first=True, norm_first=True)
        self.decoder = nn.TransformerDecoder(dec, c.decoder_layers, norm=nn.LayerNorm(d))
        self.class_head = nn.Linear(d, 2)
        self.span_head = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 2))
        self.saliency_head = nn.Linear(d, 1)
        self.saliency_norm = nn.LayerNorm(d)
        self.feedback = SaliencyFeedback(d) if c.joint_feedback else None

    def forward(self, inputs: MomentInputs) -> MomentOutput:
        video = self.video_in(inputs.video, inputs.video_pad)
        text = self.text_in(inputs.text, inputs.text_pad)
        similarity = None
        if self.refinement is not None:
            video, similarity = self.refinement(video, text, inputs.text_pad)
        if self.fusion is not None:
            for block in self.fusion:
                video, text = block(video, inputs.video_pad, text, inputs.text_pad)
        length = video.shape[1]
        pos = sinusoid(length, video.shape[-1], video.device)[None]
        video = video + pos + self.token_type.weight[0]
        text = text + self.token_type.weight[1]
        memory_pad = torch.cat([inputs.video_pad, inputs.text_pad], dim=1)
        memory = self.encoder(torch.cat([video, text], dim=1), src_key_padding_mask=memory_pad)
        clips = memory[:, :length]
        saliency = self.saliency_head(self.saliency_norm(clips)).squeeze(-1)
        if self.feedback is not None:
            memory = torch.cat([self.feedback(clips, saliency), memory[:, length:]], dim=1)
        queries = self.moment_queries.weight[None].expand(video.shape[0], -1, -1)
        decoded = self.decoder(
            queries,
            memory + torch.cat([pos.expand(video.shape[0], -1, -1), torch.zeros_like(text)], dim=1),
            memory_key_padding_mask=memory_pad,
        )
        return MomentOutput(self.class_head(decoded), self.span_head(decoded).sigmoid(), saliency, similarity)

    # -- files -------------------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        from safetensors.torch import save_model

        directory.mkdir(parents=True, exist_ok=True)
        (directory / "config.json").write_text(
            json.dumps({"kind": "moments", **asdict(self.config)}, indent=1)
        )
        save_model(self, str(directory / "model.safetensors"))

    def load_weights(self, directory: Path) -> None:
        load_weights(self, Path(directory) / "model.safetensors")

    @classmethod
    def load(cls, directory: str | Path, device: str | torch.device = "cpu") -> MomentHead:
        directory = Path(directory)
        model = cls(load_config(directory / "config.json", MomentConfig))
        model.load_weights(directory)
        return model.to(device).eval()


# -- losses ----------------------------------------------------------------------------------------


def moment_loss(
    config: MomentConfig, out: MomentOutput, targets: MomentTargets, video_pad: torch.Tensor
) -> tuple[torch.Tensor, dict[str, float]]:
    """Weighted sum of the span, class and saliency losses; also returns each part. Each part is a mean
    over the global batch's terms under DDP (``terms_mean``)."""
    probs = out.logits.softmax(-1)[..., 0]
    class_target = torch.ones(
        out.logits.shape[:2], dtype=torch.long, device=out.logits.device
    )  # 1 = background
    l1_terms, giou_terms = [], []
    for b, windows in enumerate(targets.windows):
        if windows.numel() == 0:
            continue
        rows, cols = match(
            probs[b], out.spans[b], windows, config.loss_class, config.loss_l1, config.loss_giou
        )
        rows_t, cols_t = (
            torch.as_tensor(rows, device=windows.device),
            torch.as_tensor(cols, device=windows.device),
        )
        class_target[b, rows_t] = 0
        matched, gt = out.spans[b, rows_t], windows[cols_t]
        gt_cw = torch.stack([(gt[:, 0] + gt[:, 1]) / 2, gt[:, 1] - gt[:, 0]], dim=-1)
        l1_terms.append((matched - gt_cw).abs().sum(-1))
        giou_terms.append(1 - torch.diagonal(pairwise_giou(cw_to_se(matched), gt)))
    l1, giou = terms_mean(l1_terms, out.spans), terms_mean(giou_terms, out.spans)
    weight = torch.tensor([1.0, config.eos_coef], device=out.logits.device)
    classes = class_target.reshape(-1)
    weighted = nn.functional.cross_entropy(out.logits.float().reshape(-1, 2), classes, weight=weight, reduction="sum")
    cls = global_mean(weighted, weight[classes].sum())  # the weighted mean over the global batch
    hinge, rank = saliency_losses(config, out.saliency.float(), targets.saliency, video_pad)
    terms = {
        "l1": (config.loss_l1, l1),
        "giou": (config.loss_giou, giou),
        "class": (config.loss_class, cls),
        "hinge": (config.loss_saliency, hinge),
        "rank": (config.loss_rank, rank),
    }
    if out.similarity is not None:
        terms["align"] = (config.loss_align, alignment_loss(out.similarity, targets.saliency, video_pad))
    if config.joint_feedback:
        terms["feedback"] = (config.loss_feedback, feedback_loss(out.logits, out.spans, out.saliency, video_pad))
    if config.hard_pairs:
        hard = hard_pair_loss(out.saliency, targets.saliency, video_pad, targets.progress, config.hard_ramp)
        terms["hard"] = (config.loss_hard, hard)
    total = sum(weight * value for weight, value in terms.values())
    return total, {name: float(value.detach()) for name, (_, value) in terms.items()}


def saliency_losses(
    config: MomentConfig, scores: torch.Tensor, saliency: list[torch.Tensor], video_pad: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Margin hinge over all (positive, negative) clip pairs, and rank-contrastive over levels."""
    hinges, ranks = [], []
    for b, target in enumerate(saliency):
        valid = ~video_pad[b]
        s, t = scores[b][valid], target[: int(valid.sum())]
        pos, neg = t > 0, t <= 0
        if pos.any() and neg.any():
            gap = config.saliency_margin - s[pos][:, None] + s[neg][None, :]
            hinges.append(gap.clamp(min=0).mean())
        logits = s / config.rank_temperature
        for level in torch.unique(t[pos]):
            above, below = t >= level, t < level
            if below.any():
                ranks.append(nn.functional.softplus(torch.logsumexp(logits[below], 0) - logits[above]).mean())
    return terms_mean(hinges, scores), terms_mean(ranks, scores)


def decode_windows(out: MomentOutput, row: int, duration: float, top_k: int = 10) -> list[list[float]]:
    """``[[start, end, score], ...]`` in seconds, best foreground score first."""
    probs = out.logits[row].float().softmax(-1)[:, 0]
    spans = cw_to_se(out.spans[row].float()).clamp(0, 1) * duration
    order = torch.argsort(probs, descending=True)[:top_k]
    windows = []
    for q in order.tolist():
        start, end = spans[q].tolist()
        if end - start > 1e-3:
            windows.append([round(start, 2), round(end, 2), round(float(probs[q]), 4)])
    return windows or [[0.0, round(duration, 2), 0.0]]
