"""The LaViLa-style video–text dual encoder.

- **Video tower**: a window's feature rows (per-2 s-cell features, e.g. ``vidrecap features``'
  ``visual`` channel or external per-frame features) are normalised, projected to ``hidden``, given
  a learned position per row, mixed by a small pre-LN transformer (``video_layers``; 0 = none) and
  pooled by attention with one learned query.
- **Text tower**: a Hugging Face encoder (BERT/MiniLM class, e.g. sentence-transformers'
  all-MiniLM-L6-v2) loaded from a local directory, mean-pooled over tokens; frozen or fine-tuned.
- Both are projected to ``embed_dim`` and L2-normalised; training uses the symmetric InfoNCE loss
  with a learnable temperature (CLIP's ``logit_scale``, clamped at 100).
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ...errors import InputError
from ..config import check_range
from ..harness.models import load_config, load_weights, quiet_transformers

MAX_LOGIT_SCALE = math.log(100.0)
FROZEN_CACHE_SIZE = 100_000  # pooled text states kept (~150 MB at width 384)


@dataclass
class DualConfig:
    """Architecture (the ``[model]`` section); ``video_dim`` and provenance are filled in by training."""

    video_dim: int = 0
    hidden: int = 256
    embed_dim: int = 256
    video_layers: int = 1
    heads: int = 4
    num_rows: int = 4  # feature rows per window (evenly sampled; padded when fewer)
    dropout: float = 0.1
    freeze_text: bool = True
    max_text_tokens: int = 64
    init_temperature: float = 0.07
    # provenance, so that the encoder backend computes the same inputs
    cell_seconds: float = 2.0
    feature_key: str = "visual"
    base_encoder: str = "embedded"
    window_cells: int = 2

    def __post_init__(self):
        for name in ("hidden", "embed_dim", "heads", "num_rows", "max_text_tokens", "window_cells"):
            check_range(name, getattr(self, name), 1)
        check_range("video_layers", self.video_layers, 0)
        check_range("dropout", self.dropout, 0.0, 0.9)
        check_range("init_temperature", self.init_temperature, 0.001, 1.0)
        if self.hidden % self.heads:
            raise ValueError("hidden': must be a multiple of heads")


class VideoTower(nn.Module):
    """``(B, R, D)`` feature rows + padding mask → ``(B, hidden)``."""

    def __init__(self, config: DualConfig):
        super().__init__()
        d = config.hidden
        self.inp = nn.Sequential(nn.LayerNorm(config.video_dim), nn.Linear(config.video_dim, d))
        self.position = nn.Embedding(config.num_rows, d)
        self.drop = nn.Dropout(config.dropout)
        self.encoder = None
        if config.video_layers:
            layer = nn.TransformerEncoderLayer(
                d, config.heads, 4 * d, config.dropout, batch_first=True, norm_first=True
            )
            self.encoder = nn.TransformerEncoder(layer, config.video_layers, enable_nested_tensor=False)
        self.pool_key = nn.Linear(d, d)
        self.pool_query = nn.Parameter(torch.zeros(d))
        self.norm = nn.LayerNorm(d)

    def forward(self, rows: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        x = self.inp(rows) + self.position.weight[: rows.shape[1]]
        x = self.drop(x)
        if self.encoder is not None:
            x = self.encoder(x, src_key_padding_mask=pad)
        scores = (torch.tanh(self.pool_key(x)) * self.pool_query).sum(-1)
        weights = torch.softmax(scores.masked_fill(pad, float("-inf")), dim=1)
        return self.norm((weights.unsqueeze(-1) * x).sum(1))


class DualEncoder(nn.Module):
    def __init__(self, config: DualConfig, text_model: nn.Module, tokenizer):
        super().__init__()
        self.config, self.tokenizer = config, tokenizer
        self.video = VideoTower(config)
        self.text = text_model
        text_width = int(text_model.config.hidden_size)
        self.video_proj = nn.Linear(config.hidden, config.embed_dim, bias=False)
        self.text_proj = nn.Linear(text_width, config.embed_dim, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1.0 / config.init_temperature)))
        self._frozen_cache: OrderedDict[str, torch.Tensor] = OrderedDict()  # LRU, FROZEN_CACHE_SIZE texts
        if config.freeze_text:
            self.text.requires_grad_(False)

    def train(self, mode: bool = True) -> DualEncoder:
        super().train(mode)
        if self.config.freeze_text:
            self.text.eval()  # a frozen tower is a fixed function: no dropout
        return self

    # -- construction and files --------------------------------------------------------------------

    @classmethod
    def from_text_model(
        cls, config: DualConfig, text_dir: str | Path, device: str | torch.device = "cpu"
    ) -> DualEncoder:
        """A new dual encoder around the pretrained text encoder in ``text_dir`` (offline)."""
        from transformers import AutoModel, AutoTokenizer

        quiet_transformers()
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(text_dir), local_files_only=True)
            text = AutoModel.from_pretrained(str(text_dir), local_files_only=True)
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(
                f"{text_dir}: cannot load a text encoder and tokenizer ({str(exc).splitlines()[0]})"
            ) from exc
        return cls(config, text, tokenizer).to(device)

    @classmethod
    def load(cls, directory: str | Path, device: str | torch.device = "cpu") -> DualEncoder:
        """A saved model (``save``); raises ``InputError`` naming what is missing or wrong."""
        from transformers import AutoConfig, AutoModel, AutoTokenizer

        directory = Path(directory)
        quiet_transformers()
        config = load_config(directory / "config.json", DualConfig)
        try:
            text_config = AutoConfig.from_pretrained(str(directory / "text"), local_files_only=True)
            tokenizer = AutoTokenizer.from_pretrained(str(directory / "text"), local_files_only=True)
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(f"{directory / 'text'}: cannot load the text config/tokenizer ({exc})") from exc
        model = cls(config, AutoModel.from_config(text_config), tokenizer)
        model.load_weights(directory)
        return model.to(device).eval()

    def save(self, directory: Path) -> None:
        from safetensors.torch import save_model

        directory.mkdir(parents=True, exist_ok=True)
        (directory / "config.json").write_text(json.dumps({"kind": "dual", **asdict(self.config)}, indent=1))
        self.text.config.save_pretrained(str(directory / "text"))
        self.tokenizer.save_pretrained(str(directory / "text"))
        save_model(self, str(directory / "model.safetensors"))

    def load_weights(self, directory: Path) -> None:
        load_weights(self, Path(directory) / "model.safetensors")

    # -- forward -----------------------------------------------------------------------------------

    def embed_video(self, rows: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.video_proj(self.video(rows, pad)).float(), dim=-1)

    def tokenize(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        device = self.logit_scale.device
        batch = self.tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=self.config.max_text_tokens,
            return_tensors="pt",
        )
        return {k: v.to(device) for k, v in batch.items() if k in ("input_ids", "attention_mask")}

    def pool_text(self, texts: Sequence[str]) -> torch.Tensor:
        """Mean-pooled token states of the text tower, ``(len(texts), text width)``."""
        tokens = self.tokenize(texts)
        hidden = self.text(**tokens).last_hidden_state
        mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def embed_text(self, texts: Sequence[str]) -> torch.Tensor:
        if self.config.freeze_text and self.training:  # during training, each text's frozen output once
            cache = self._frozen_cache
            missing = sorted({t for t in texts if t not in cache})
            if missing:
                with torch.no_grad():
                    cache.update(zip(missing, self.pool_text(missing).float(), strict=True))
            pooled = torch.stack([cache[t] for t in texts])
            for t in texts:
                cache.move_to_end(t)
            while len(cache) > FROZEN_CACHE_SIZE:
                cache.popitem(last=False)
        else:
            pooled = self.pool_text(texts)
        return F.normalize(self.text_proj(pooled).float(), dim=-1)

    def scale(self) -> torch.Tensor:
        return self.logit_scale.clamp(max=MAX_LOGIT_SCALE).exp()


def info_nce(video: torch.Tensor, text: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE over a batch of matching (video, text) pairs (row ``i`` ↔ row ``i``)."""
    logits = scale * video @ text.t()
    target = torch.arange(len(video), device=video.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2
