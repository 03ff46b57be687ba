"""Load and validate a saved recap for search, and create the query encoder that matches it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, VidrecapError
from ..outputs.store import load_recap
from ..results import SCHEMA_VERSION, Recap

CHANNELS = ("speech", "on_screen", "visual", "sounds", "faces", "picture", "objects")
MAX_QUERY_CHARS = 1000

_ENCODERS: dict[str, Any] = {}


def resolve_recap(recap_or_dir: Recap | str | Path) -> Recap:
    """A validated ``Recap``: given as an object or loaded from a ``vidrecap run`` output directory."""
    recap = recap_or_dir if isinstance(recap_or_dir, Recap) else _load(recap_or_dir)
    check_schema(recap.schema_version)
    if not recap.cells:
        raise InputError("the recap has no cells (empty video?): nothing to search")
    return recap


def _load(directory: str | Path) -> Recap:
    path = Path(directory)
    if not path.exists():
        raise InputError(f"output directory not found: {path}")
    if not path.is_dir():
        raise InputError(f"not a directory (expected a `vidrecap run` output directory): {path}")
    try:
        recap = load_recap(path)
    except VidrecapError:
        raise
    except ModuleNotFoundError as exc:
        raise VidrecapError(f"this vidrecap cannot read saved recaps yet ({exc.name} is missing)") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} is not a readable vidrecap output directory: {exc}") from exc
    recap.directory = recap.directory or str(path)
    return recap


def check_schema(version: object) -> None:
    """Accept the same major schema version as this package; anything else is a clear error."""
    major = str(SCHEMA_VERSION).split(".")[0]
    if not isinstance(version, str) or version.split(".")[0] != major:
        raise InputError(f"recap schema_version {version!r} is not supported (this vidrecap reads "
                         f"{major}.x); run `vidrecap run` again with this version")


def check_query(query: object) -> str:
    """The query, stripped of control characters; empty or very long queries are input errors."""
    if not isinstance(query, str):
        raise InputError(f"a query must be text, got {type(query).__name__}")
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in query).split())
    if not text:
        raise InputError("the query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise InputError(f"the query is too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
    return text


def query_encoder(recap: Recap) -> Any:
    """The encoder that made the recap's embeddings (cached per spec, so it loads once)."""
    return encoder_for_spec(str(recap.options.get("encoder") or "embedded"))


def encoder_for_spec(spec: str) -> Any:
    """The text encoder named ``spec``, created once per process."""
    if spec not in _ENCODERS:
        from .. import registry

        _ENCODERS[spec] = registry.create("encoder", spec)
    return _ENCODERS[spec]


def channel_matrices(recap: Recap, dim: int | None) -> dict[str, np.ndarray]:
    """The per-cell embedding channels to score, validated against the cells and the encoder."""
    n = len(recap.cells)
    found = {k: v for k, v in recap.embeddings.items() if k in CHANNELS}
    if not found and "fused" in recap.embeddings:
        found = {"fused": recap.embeddings["fused"]}
    out = {}
    for name, m in found.items():
        m = np.asarray(m, dtype=np.float32)
        if m.ndim != 2 or m.shape[0] != n:
            raise InputError(f"embeddings[{name!r}] has shape {m.shape}, expected ({n}, D)")
        if dim is not None and m.shape[1] != dim:
            raise InputError(f"embeddings[{name!r}] are {m.shape[1]}-d but the encoder "
                             f"{recap.options.get('encoder')!r} makes {dim}-d vectors")
        out[name] = np.nan_to_num(m)
    return out


def cell_texts(recap: Recap) -> dict[str, list[str]]:
    """Texts to embed when a recap carries no embeddings: speech (±1 cell), on-screen text, tags."""
    cells = recap.cells
    speech = [" ".join(c.speech for c in cells[max(0, i - 1):i + 2]).strip() for i in range(len(cells))]
    tags = [", ".join(t.label for t in c.tags[:5]) for c in cells]
    return {"speech": speech, "on_screen": [c.on_screen for c in cells], "visual": tags}


def embed_cells(recap: Recap, encoder: Any) -> dict[str, np.ndarray]:
    """Fallback channels from the cells' texts (unique texts embedded once; empty -> zero rows)."""
    out = {}
    for name, texts in cell_texts(recap).items():
        uniq = sorted({t for t in texts if t.strip()})
        if not uniq:
            continue
        rows = dict(zip(uniq, encoder.embed_text(uniq), strict=True))
        zero = np.zeros(encoder.dim, np.float32)
        out[name] = np.stack([rows.get(t, zero) for t in texts]).astype(np.float32)
    return out
