"""Model files and the causal-LM pieces the ReCap and VideoXum models share.

``load_config`` / ``load_weights`` read a saved model (config JSON + safetensors) with errors that
name the file and field; ``prefix_lm_loss`` / ``greedy_from_prefix`` train and decode a causal LM
after a soft prefix of embeddings.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import torch
from torch import nn

from ...errors import InputError
from .distributed import global_mean

IGNORE = -100


def prefix_lm_loss(lm, prefix: torch.Tensor, prefix_mask: torch.Tensor, targets: list[list[int]],
                   pad_id: int) -> torch.Tensor:
    """Mean teacher-forced cross-entropy of ``targets`` (token lists) after a soft ``prefix`` of
    embeddings; the prefix's last position (BOS) predicts the first target token. Under DDP the mean
    is over the global batch's tokens (``global_mean``)."""
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
    total = nn.functional.cross_entropy(
        logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=IGNORE, reduction="sum"
    )
    return global_mean(total, (labels != IGNORE).sum())


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
