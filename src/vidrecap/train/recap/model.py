"""The recursive ReCap captioner: Q-Former-style video queries + a causal LM that writes the caption.

Input of the LM (prefix conditioning): ``[query tokens | previous-level text | BOS] → caption EOS``.
The query tokens are ``num_queries`` learned vectors that cross-attend to the span's feature rows
(dense at clip level, sparse above) and are projected into the LM's embedding space; a level
embedding tells the shared weights which level they write (ReCap-U). Only the caption is scored.

Saved as a directory: ``config.json`` (``ReCapConfig``), ``model.safetensors`` (all weights, LM
included, shared tensors stored once) and ``lm/`` (the LM's config and tokenizer, no weights).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ...errors import InputError
from ..config import check_range
from ..harness.models import (
    greedy_from_prefix,
    load_causal_lm,
    load_config,
    load_saved_lm,
    load_weights,
    prefix_lm_loss,
    save_with_lm,
)
from .hcap import LEVELS


@dataclass
class ReCapConfig:
    """Architecture and text limits (the ``[model]`` section, minus ``lm``)."""

    feature_dim: int = 0
    num_queries: int = 8
    qformer_dim: int = 128
    qformer_layers: int = 2
    qformer_heads: int = 4
    dropout: float = 0.1
    max_feature_rows: int = 256
    max_prev_tokens: int = 96
    max_target_tokens: int = 48
    max_new_tokens: int = 48
    feature_rows: dict[str, int] = field(default_factory=lambda: {"clip": 64, "segment": 32, "video": 32})
    # where the features came from, so a backend can compute the same ones
    feature_key: str = "fused"
    encoder: str = "embedded"
    cell_seconds: float = 2.0

    def __post_init__(self):
        for name in (
            "num_queries",
            "qformer_dim",
            "qformer_layers",
            "qformer_heads",
            "max_feature_rows",
            "max_prev_tokens",
            "max_target_tokens",
            "max_new_tokens",
        ):
            check_range(name, getattr(self, name), 1)
        check_range("dropout", self.dropout, 0.0, 0.9)
        if self.qformer_dim % self.qformer_heads:
            raise ValueError("qformer_dim': must be a multiple of qformer_heads")
        unknown = set(self.feature_rows) - set(LEVELS)
        if unknown:
            raise ValueError(
                f"feature_rows': unknown level {sorted(unknown)[0]!r} (levels: {', '.join(LEVELS)})"
            )
        for level in LEVELS:
            self.feature_rows.setdefault(level, 32)
            check_range(f"feature_rows.{level}", self.feature_rows[level], 1, self.max_feature_rows)


class QFormerLayer(nn.Module):
    """Pre-norm block: queries self-attend, cross-attend to the features, then an MLP."""

    def __init__(self, dim: int, heads: int, dropout: float):
        super().__init__()
        self.norm_self, self.norm_cross, self.norm_mlp = (
            nn.LayerNorm(dim),
            nn.LayerNorm(dim),
            nn.LayerNorm(dim),
        )
        self.self_attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.cross_attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.mlp = nn.Sequential(
            nn.Linear(dim, 4 * dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(4 * dim, dim)
        )
        self.drop = nn.Dropout(dropout)

    def forward(self, queries: torch.Tensor, memory: torch.Tensor, memory_pad: torch.Tensor) -> torch.Tensor:
        h = self.norm_self(queries)
        queries = queries + self.drop(self.self_attn(h, h, h, need_weights=False)[0])
        h = self.norm_cross(queries)
        queries = queries + self.drop(
            self.cross_attn(h, memory, memory, key_padding_mask=memory_pad, need_weights=False)[0]
        )
        return queries + self.drop(self.mlp(self.norm_mlp(queries)))


class QFormer(nn.Module):
    """``num_queries`` learned tokens summarising a variable number of feature rows."""

    def __init__(self, config: ReCapConfig):
        super().__init__()
        dim = config.qformer_dim
        self.queries = nn.Parameter(torch.randn(config.num_queries, dim) * 0.02)
        self.level_embed = nn.Embedding(len(LEVELS), dim)
        self.feature_in = nn.Sequential(nn.LayerNorm(config.feature_dim), nn.Linear(config.feature_dim, dim))
        self.positions = nn.Embedding(config.max_feature_rows, dim)
        self.layers = nn.ModuleList(
            QFormerLayer(dim, config.qformer_heads, config.dropout) for _ in range(config.qformer_layers)
        )
        self.norm_out = nn.LayerNorm(dim)

    def forward(self, features: torch.Tensor, pad: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
        rows = torch.arange(features.shape[1], device=features.device)
        memory = self.feature_in(features) + self.positions(rows)[None]
        queries = self.queries[None] + self.level_embed(levels)[:, None]
        for layer in self.layers:
            queries = layer(queries, memory, pad)
        return self.norm_out(queries)


@dataclass
class CaptionBatch:
    """Padded model inputs: features ``(B, T, D)`` with ``pad`` True at padding, level ids, token ids."""

    features: torch.Tensor
    pad: torch.Tensor
    levels: torch.Tensor
    previous: list[list[int]]
    targets: list[list[int]] | None = None

    def to(self, device: torch.device) -> CaptionBatch:
        return CaptionBatch(
            self.features.to(device), self.pad.to(device), self.levels.to(device), self.previous, self.targets
        )


class ReCapModel(nn.Module):
    """Video queries + previous-level text → caption, with any Hugging Face causal LM."""

    def __init__(self, config: ReCapConfig, lm: nn.Module, tokenizer):
        super().__init__()
        self.config, self.lm, self.tokenizer = config, lm, tokenizer
        self.qformer = QFormer(config)
        self.to_lm = nn.Linear(config.qformer_dim, lm.get_input_embeddings().embedding_dim)
        eos = tokenizer.eos_token_id
        if eos is None:
            raise InputError("the LM's tokenizer has no EOS token")
        self.eos_id = int(eos)
        self.bos_id = int(tokenizer.bos_token_id if tokenizer.bos_token_id is not None else eos)
        self.pad_id = int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos)

    # -- construction and files --------------------------------------------------------------------

    @classmethod
    def from_lm(
        cls, config: ReCapConfig, lm_dir: str | Path, device: str | torch.device = "cpu"
    ) -> ReCapModel:
        """A new model around the pretrained causal LM in ``lm_dir`` (offline)."""
        lm, tokenizer = load_causal_lm(lm_dir)
        return cls(config, lm, tokenizer).to(device)

    @classmethod
    def load(cls, directory: str | Path, device: str | torch.device = "cpu") -> ReCapModel:
        """A saved model (``save``); raises ``InputError`` naming what is missing or wrong."""
        directory = Path(directory)
        model = cls(load_config(directory / "config.json", ReCapConfig), *load_saved_lm(directory))
        model.load_weights(directory)
        return model.to(device).eval()

    def save(self, directory: Path) -> None:
        save_with_lm(self, directory, "recap", self.config)

    def load_weights(self, directory: Path) -> None:
        load_weights(self, Path(directory) / "model.safetensors")

    # -- text helpers ------------------------------------------------------------------------------

    def encode_previous(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        ids = self.tokenizer(" ".join(texts), add_special_tokens=False)["input_ids"]
        return list(ids[: self.config.max_prev_tokens])

    def encode_target(self, text: str) -> list[int]:
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return list(ids[: self.config.max_target_tokens]) + [self.eos_id]

    # -- forward -----------------------------------------------------------------------------------

    def _prefix(self, batch: CaptionBatch) -> tuple[torch.Tensor, torch.Tensor]:
        """``[queries | left-padded previous text + BOS]`` embeddings and attention mask."""
        device = batch.features.device
        queries = self.to_lm(self.qformer(batch.features, batch.pad, batch.levels))
        width = max(len(p) for p in batch.previous) + 1
        ids = torch.full((len(batch.previous), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, previous in enumerate(batch.previous):
            seq = [*previous, self.bos_id]
            ids[row, width - len(seq) :] = torch.tensor(seq)
            mask[row, width - len(seq) :] = 1
        text = self.lm.get_input_embeddings()(ids.to(device))
        embeds = torch.cat([queries.to(text.dtype), text], dim=1)
        full_mask = torch.cat([torch.ones(queries.shape[:2], dtype=torch.long), mask], dim=1).to(device)
        return embeds, full_mask

    def loss(self, batch: CaptionBatch) -> torch.Tensor:
        """Mean cross-entropy of the caption tokens (teacher forcing)."""
        assert batch.targets is not None
        return prefix_lm_loss(self.lm, *self._prefix(batch), batch.targets, self.pad_id)

    @torch.no_grad()
    def generate(self, batch: CaptionBatch, max_new_tokens: int | None = None) -> list[str]:
        """Greedy decoding with the LM's key/value cache; one caption per batch row."""
        limit = max_new_tokens or self.config.max_new_tokens
        return greedy_from_prefix(self.lm, self.tokenizer, *self._prefix(batch), self.eos_id, limit)


def make_batch(
    model: ReCapModel,
    rows: Sequence[np.ndarray],
    levels: Sequence[str],
    previous: Sequence[Sequence[str]],
    targets: Sequence[str] | None = None,
) -> CaptionBatch:
    """Pad feature rows and tokenize texts into a ``CaptionBatch`` (on the CPU)."""
    width = max(r.shape[0] for r in rows)
    dim = rows[0].shape[1]
    features = torch.zeros((len(rows), width, dim), dtype=torch.float32)
    pad = torch.ones((len(rows), width), dtype=torch.bool)
    for i, r in enumerate(rows):
        features[i, : r.shape[0]] = torch.from_numpy(np.asarray(r, np.float32))
        pad[i, : r.shape[0]] = False
    level_ids = torch.tensor([LEVELS.index(lv) for lv in levels], dtype=torch.long)
    prev = [model.encode_previous(p) for p in previous]
    tgt = [model.encode_target(t) for t in targets] if targets is not None else None
    return CaptionBatch(features, pad, level_ids, prev, tgt)


