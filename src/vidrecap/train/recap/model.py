"""The recursive ReCap captioner: Q-Former-style video queries + a causal LM that writes the caption.

Input of the LM (prefix conditioning): ``[query tokens | previous-level text | BOS] → caption EOS``.
The query tokens are ``num_queries`` learned vectors that cross-attend to the span's feature rows
(dense at clip level, sparse above) and are projected into the LM's embedding space; a level
embedding tells the shared weights which level they write (ReCap-U). Only the caption is scored.

Saved as a directory: ``config.json`` (``ReCapConfig``), ``model.safetensors`` (all weights, LM
included, shared tensors stored once) and ``lm/`` (the LM's config and tokenizer, no weights).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..errors import InputError
from .config import check_range
from .hcap import LEVELS

IGNORE = -100


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


def prefix_lm_loss(lm, prefix: torch.Tensor, prefix_mask: torch.Tensor, targets: list[list[int]],
                   pad_id: int) -> torch.Tensor:
    """Mean teacher-forced cross-entropy of ``targets`` (token lists) after a soft ``prefix`` of
    embeddings; the prefix's last position (BOS) predicts the first target token."""
    device = prefix.device
    width = max(len(t) for t in targets)
    ids = torch.full((len(targets), width), pad_id, dtype=torch.long)
    labels = torch.full_like(ids, IGNORE)
    for row, target in enumerate(targets):
        ids[row, : len(target)] = torch.tensor(target)
        labels[row, : len(target)] = torch.tensor(target)
    ids, labels = ids.to(device), labels.to(device)
    embeds = torch.cat([prefix, lm.get_input_embeddings()(ids).to(prefix.dtype)], dim=1)
    mask = torch.cat([prefix_mask, (labels != IGNORE).long()], dim=1)
    hidden = lm.base_model(inputs_embeds=embeds, attention_mask=mask, position_ids=positions(mask)).last_hidden_state
    start = prefix.shape[1] - 1
    logits = lm.get_output_embeddings()(hidden[:, start : start + width])
    return nn.functional.cross_entropy(
        logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=IGNORE
    )


def greedy_from_prefix(lm, tokenizer, embeds: torch.Tensor, mask: torch.Tensor, eos_id: int,
                       limit: int) -> list[str]:
    """Greedy decoding after a soft prefix with the LM's key/value cache; one text per row."""
    pos = positions(mask)
    out = lm(inputs_embeds=embeds, attention_mask=mask, position_ids=pos, use_cache=True)
    rows = embeds.shape[0]
    done = torch.zeros(rows, dtype=torch.bool, device=embeds.device)
    tokens: list[torch.Tensor] = []
    next_pos = pos[:, -1:] + 1
    for _ in range(limit):
        token = out.logits[:, -1].argmax(-1)
        token = torch.where(done, torch.full_like(token, eos_id), token)
        tokens.append(token)
        done |= token == eos_id
        if bool(done.all()):
            break
        mask = torch.cat([mask, torch.ones((rows, 1), dtype=mask.dtype, device=mask.device)], dim=1)
        out = lm(input_ids=token[:, None], attention_mask=mask, position_ids=next_pos,
                 past_key_values=out.past_key_values, use_cache=True)
        next_pos = next_pos + 1
    ids = torch.stack(tokens, dim=1).tolist()
    return [tokenizer.decode(cut_at(row, eos_id), skip_special_tokens=True).strip() for row in ids]


def quiet_transformers() -> None:
    import transformers

    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()


def positions(mask: torch.Tensor) -> torch.Tensor:
    """Position ids that skip padding (so a left-padded row sees the same positions as unpadded)."""
    return (mask.long().cumsum(-1) - 1).clamp(min=0)


def cut_at(ids: list[int], eos: int) -> list[int]:
    return ids[: ids.index(eos)] if eos in ids else ids


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


def load_config(path: Path, cls):
    """A dataclass config from JSON, with ``InputError`` naming the file and field."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: not found (is this a checkpoint directory?)") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: invalid JSON ({exc})") from exc
    data.pop("kind", None)
    known = set(cls.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"{path}: field '{unknown[0]}': unknown")
    try:
        return cls(**data)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{path}: field '{exc}") from exc


def load_weights(module: nn.Module, path: Path) -> None:
    from safetensors.torch import load_model

    if not path.exists():
        raise InputError(f"{path}: weights not found")
    try:
        missing, unexpected = load_model(module, str(path), strict=False)
    except Exception as exc:  # safetensors raises several types for bad files and shapes
        raise InputError(f"{path}: cannot load weights ({str(exc).splitlines()[0]})") from exc
    if missing or unexpected:
        name = (list(missing) + list(unexpected))[0]
        raise InputError(f"{path}: field '{name}': {'missing' if name in missing else 'unexpected'} weight")


def load_causal_lm(lm_dir: str | Path):
    """``(lm, tokenizer)``: a pretrained causal LM and its tokenizer from a local directory."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet_transformers()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(lm_dir), local_files_only=True)
        lm = AutoModelForCausalLM.from_pretrained(str(lm_dir), local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{lm_dir}: cannot load a causal LM and tokenizer ({str(exc).splitlines()[0]})") from exc
    return lm, tokenizer


def load_saved_lm(directory: Path):
    """``(lm, tokenizer)`` of a saved model: the LM built from ``directory/lm``'s config (weights load later)."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    quiet_transformers()
    try:
        lm_config = AutoConfig.from_pretrained(str(directory / "lm"), local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(str(directory / "lm"), local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{directory / 'lm'}: cannot load the LM config/tokenizer ({exc})") from exc
    return AutoModelForCausalLM.from_config(lm_config), tokenizer


def save_with_lm(model: nn.Module, directory: Path, kind: str, config) -> None:
    """``config.json`` (with ``kind``), the LM's config and tokenizer in ``lm/``, and ``model.safetensors``."""
    from safetensors.torch import save_model

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps({"kind": kind, **asdict(config)}, indent=1))
    model.lm.config.save_pretrained(str(directory / "lm"))
    model.tokenizer.save_pretrained(str(directory / "lm"))
    save_model(model, str(directory / "model.safetensors"))
