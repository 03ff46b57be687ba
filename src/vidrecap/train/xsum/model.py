"""VideoXum's joint model (after VTSUM-BLIP): one video encoder, a key-frame head and a text decoder.

Per-frame (1 fps) features → input projection + time embedding → optional **context aggregation**
(each frame mixed with the mean of its ``context_window`` neighbours and of the whole video) → a
**temporal transformer** (TT) → (a) a saliency head, one logit per frame, trained with soft BCE
against the mean of the annotators' ``vsum_onehot``; (b) ``num_queries`` learned queries read the
encoded frames and become the prefix of a causal LM (any local Hugging Face model, as the ReCap model
uses), which is trained on the joined ``tsum`` by teacher forcing. The loss is
``loss_saliency * BCE + loss_text * CE``.

Saved as a directory like the ReCap model: ``config.json``, ``model.safetensors`` and ``lm/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ...errors import InputError
from ..config import check_range
from ..harness.distributed import global_mean
from ..harness.models import (
    greedy_from_prefix,
    load_causal_lm,
    load_config,
    load_saved_lm,
    load_weights,
    prefix_lm_loss,
    save_with_lm,
)
from ..moments.model import sinusoid


@dataclass
class XSumConfig:
    """Architecture, loss weights and text limits (the ``[model]`` section, minus ``lm``)."""

    feature_dim: int = 0
    hidden: int = 128
    heads: int = 4
    temporal_layers: int = 2
    context_aggregation: bool = True
    context_window: int = 5
    num_queries: int = 8
    dropout: float = 0.1
    loss_saliency: float = 1.0
    loss_text: float = 1.0
    max_frames: int = 512
    max_target_tokens: int = 64
    max_new_tokens: int = 64
    # provenance: how feature rows map to 1 fps frames, and which channel they are
    feature_seconds: float = 1.0
    frame_seconds: float = 1.0
    feature_key: str = ""
    encoder: str = ""

    def __post_init__(self):
        for name in ("hidden", "heads", "temporal_layers", "context_window", "num_queries", "max_frames"):
            check_range(name, getattr(self, name), 1)
        for name in ("max_target_tokens", "max_new_tokens"):
            check_range(name, getattr(self, name), 1)
        check_range("dropout", self.dropout, 0.0, 0.9)
        check_range("loss_saliency", self.loss_saliency, 0.0)
        check_range("loss_text", self.loss_text, 0.0)
        if self.hidden % self.heads:
            raise ValueError("hidden': must be a multiple of heads")


@dataclass
class XSumBatch:
    """Padded frames ``(B, T, D)`` (pad True at padding), saliency targets and tokenized summaries."""

    frames: torch.Tensor
    pad: torch.Tensor
    saliency: torch.Tensor | None = None  # (B, T) in [0, 1]
    targets: list[list[int]] | None = None

    def to(self, device: torch.device) -> XSumBatch:
        saliency = self.saliency.to(device) if self.saliency is not None else None
        return XSumBatch(self.frames.to(device), self.pad.to(device), saliency, self.targets)


class ContextAggregation(nn.Module):
    """Each frame with its local context (windowed mean) and the video's global mean, mixed back in."""

    def __init__(self, dim: int, window: int, dropout: float):
        super().__init__()
        self.window = window
        self.mix = nn.Sequential(nn.Linear(3 * dim, dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(dim, dim))
        self.norm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        keep = (~pad).unsqueeze(-1).to(x.dtype)
        kernel = torch.ones(1, 1, self.window, device=x.device, dtype=x.dtype)
        sums = nn.functional.conv1d(
            (x * keep).transpose(1, 2).reshape(-1, 1, x.shape[1]), kernel, padding=self.window // 2
        )
        counts = nn.functional.conv1d(keep.transpose(1, 2), kernel, padding=self.window // 2)
        local = sums.reshape(x.shape[0], x.shape[2], -1)[..., : x.shape[1]] / counts.clamp(min=1)[..., : x.shape[1]]
        global_ = (x * keep).sum(1, keepdim=True) / keep.sum(1, keepdim=True).clamp(min=1)
        features = torch.cat([x, local.transpose(1, 2), global_.expand_as(x)], dim=-1)
        return self.norm(x + self.mix(features))


class XSumModel(nn.Module):
    def __init__(self, config: XSumConfig, lm: nn.Module, tokenizer):
        super().__init__()
        self.config, self.lm, self.tokenizer = config, lm, tokenizer
        d = config.hidden
        self.frame_in = nn.Sequential(
            nn.LayerNorm(config.feature_dim), nn.Linear(config.feature_dim, d), nn.Dropout(config.dropout)
        )
        self.context = (
            ContextAggregation(d, config.context_window, config.dropout) if config.context_aggregation else None
        )
        layer = nn.TransformerEncoderLayer(d, config.heads, 4 * d, config.dropout, batch_first=True, norm_first=True)
        self.temporal = nn.TransformerEncoder(layer, config.temporal_layers, enable_nested_tensor=False)
        self.out_norm = nn.LayerNorm(d)
        self.saliency_head = nn.Linear(d, 1)
        self.queries = nn.Parameter(torch.randn(config.num_queries, d) * 0.02)
        self.query_attn = nn.MultiheadAttention(d, config.heads, dropout=config.dropout, batch_first=True)
        self.query_norm = nn.LayerNorm(d)
        self.to_lm = nn.Linear(d, lm.get_input_embeddings().embedding_dim)
        eos = tokenizer.eos_token_id
        if eos is None:
            raise InputError("the LM's tokenizer has no EOS token")
        self.eos_id = int(eos)
        self.bos_id = int(tokenizer.bos_token_id if tokenizer.bos_token_id is not None else eos)
        self.pad_id = int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos)

    # -- construction and files --------------------------------------------------------------------

    @classmethod
    def from_lm(cls, config: XSumConfig, lm_dir: str | Path, device: str | torch.device = "cpu") -> XSumModel:
        lm, tokenizer = load_causal_lm(lm_dir)
        return cls(config, lm, tokenizer).to(device)

    @classmethod
    def load(cls, directory: str | Path, device: str | torch.device = "cpu") -> XSumModel:
        directory = Path(directory)
        model = cls(load_config(directory / "config.json", XSumConfig), *load_saved_lm(directory))
        model.load_weights(directory)
        return model.to(device).eval()

    def save(self, directory: Path) -> None:
        save_with_lm(self, directory, "xsum", self.config)

    def load_weights(self, directory: Path) -> None:
        load_weights(self, Path(directory) / "model.safetensors")

    def encode_target(self, text: str) -> list[int]:
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return list(ids[: self.config.max_target_tokens]) + [self.eos_id]

    # -- forward -----------------------------------------------------------------------------------

    def encode(self, batch: XSumBatch) -> tuple[torch.Tensor, torch.Tensor]:
        """Encoded frames ``(B, T, d)`` and saliency logits ``(B, T)``."""
        x = self.frame_in(batch.frames)
        x = x + sinusoid(x.shape[1], x.shape[2], x.device)[None]
        if self.context is not None:
            x = self.context(x, batch.pad)
        x = self.out_norm(self.temporal(x, src_key_padding_mask=batch.pad))
        return x, self.saliency_head(x).squeeze(-1)

    def prefix(self, encoded: torch.Tensor, pad: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``[video queries | BOS]`` LM input embeddings and their attention mask."""
        q = self.queries[None].expand(encoded.shape[0], -1, -1)
        q = self.query_norm(q + self.query_attn(q, encoded, encoded, key_padding_mask=pad)[0])
        queries = self.to_lm(q)
        bos = torch.full((encoded.shape[0], 1), self.bos_id, dtype=torch.long, device=encoded.device)
        embeds = torch.cat([queries, self.lm.get_input_embeddings()(bos).to(queries.dtype)], dim=1)
        return embeds, torch.ones(embeds.shape[:2], dtype=torch.long, device=encoded.device)

    def losses(self, batch: XSumBatch) -> dict[str, torch.Tensor]:
        """``saliency`` (masked soft BCE) and ``text`` (caption cross-entropy), unweighted; each a mean
        over the global batch's frames or tokens under DDP."""
        assert batch.saliency is not None and batch.targets is not None
        encoded, logits = self.encode(batch)
        keep = (~batch.pad).float()
        bce = nn.functional.binary_cross_entropy_with_logits(logits.float(), batch.saliency, reduction="none")
        saliency = global_mean((bce * keep).sum(), keep.sum())
        return {"saliency": saliency, "text": self.text_loss(encoded, batch.pad, batch.targets)}

    def loss(self, batch: XSumBatch) -> torch.Tensor:
        parts = self.losses(batch)
        return self.config.loss_saliency * parts["saliency"] + self.config.loss_text * parts["text"]

    def text_loss(self, encoded: torch.Tensor, pad: torch.Tensor, targets: list[list[int]]) -> torch.Tensor:
        return prefix_lm_loss(self.lm, *self.prefix(encoded, pad), targets, self.pad_id)

    @torch.no_grad()
    def predict(self, batch: XSumBatch, max_new_tokens: int | None = None) -> tuple[torch.Tensor, list[str]]:
        """Saliency logits ``(B, T)`` and one greedy summary per row."""
        encoded, logits = self.encode(batch)
        return logits, self.generate(encoded, batch.pad, max_new_tokens)

    def generate(self, encoded: torch.Tensor, pad: torch.Tensor, max_new_tokens: int | None = None) -> list[str]:
        limit = max_new_tokens or self.config.max_new_tokens
        return greedy_from_prefix(self.lm, self.tokenizer, *self.prefix(encoded, pad), self.eos_id, limit)


def frame_rows(rows, n_frames: int, feature_seconds: float, frame_seconds: float = 1.0):
    """Feature rows resampled to ``n_frames`` frames (frame ``f`` takes the row covering its start)."""
    import numpy as np

    index = np.minimum((np.arange(n_frames) * frame_seconds / feature_seconds).astype(int), len(rows) - 1)
    return np.asarray(rows, np.float32)[index]


def make_batch(
    model: XSumModel, frames: list, saliency: list | None = None, texts: list[str] | None = None
) -> XSumBatch:
    """Pad per-video frame rows (numpy ``(T, D)``) into an ``XSumBatch`` on the CPU."""
    import numpy as np

    width = max(f.shape[0] for f in frames)
    x = torch.zeros((len(frames), width, frames[0].shape[1]))
    pad = torch.ones((len(frames), width), dtype=torch.bool)
    target = torch.zeros((len(frames), width)) if saliency is not None else None
    for i, f in enumerate(frames):
        x[i, : f.shape[0]] = torch.from_numpy(np.asarray(f, np.float32))
        pad[i, : f.shape[0]] = False
        if target is not None:
            target[i, : f.shape[0]] = torch.from_numpy(np.asarray(saliency[i], np.float32))
    targets = [model.encode_target(t) for t in texts] if texts is not None else None
    return XSumBatch(x, pad, target, targets)
