"""A trained dual encoder as the ``encoder`` backend ``dual:RUN_DIR``.

Text goes through the text tower. A video's cells go through the video tower: the checkpoint's
input channel (``visual`` by default) is recomputed from the cells' evidence with the base encoder
recorded at training time, and each cell is embedded from the window of ``window_cells`` cells
around it. ``evidence.embeddings.cell_embeddings`` uses ``embed_cells`` for the visual channel, so
``vidrecap run --encoder dual:RUN_DIR`` puts speech, on-screen text and pictures in the trained space,
and search, highlights and the library embed queries with the same model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...errors import InputError
from ...registry import register


def resolve_model_dir(target: str | Path) -> Path:
    """``RUN_DIR`` (``RUN_DIR/dual/model``) or an exported model directory itself."""
    path = Path(target).expanduser()
    for candidate in (path, path / "dual" / "model", path / "model"):
        if (candidate / "config.json").exists() and (candidate / "model.safetensors").exists():
            return candidate
    raise InputError(f"{path}: no trained dual encoder here (expected RUN_DIR/dual/model or a model directory)")


@register("encoder", "dual", summary="trained video–text dual encoder (vidrecap train dual)",
          needs="torch, transformers")
class DualTextVideoEncoder:
    uses_cells = True

    def __init__(self, target: str | None = None, device: str = "cpu", batch_size: int = 64,
                 base: str | None = None, **_):
        from .model import DualEncoder

        if not target:
            raise InputError("the dual encoder needs a run directory: --encoder dual:RUN_DIR")
        self.model_dir = resolve_model_dir(target)
        self.model = DualEncoder.load(self.model_dir, device)
        self.config = self.model.config
        self.dim = self.config.embed_dim
        self.batch_size = batch_size
        self.base_spec = base or self.config.base_encoder or "embedded"
        if self.base_spec.startswith("dual"):
            raise InputError(f"{self.model_dir}: base encoder {self.base_spec!r} cannot itself be a dual encoder")
        self._base = None
        self.spec = f"dual:{self.model_dir}"

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        out = []
        with torch.no_grad():
            for lo in range(0, len(texts), self.batch_size):
                out.append(self.model.embed_text(list(texts[lo:lo + self.batch_size])).cpu().numpy())
        return np.concatenate(out).astype(np.float32) if out else np.zeros((0, self.dim), np.float32)

    def embed_images(self, images) -> None:
        return None

    def base_encoder(self):
        if self._base is None:
            from ... import registry

            self._base = registry.create("encoder", self.base_spec)
        return self._base

    def cell_features(self, cells) -> np.ndarray:
        """The checkpoint's input channel for ``cells``, recomputed with the base encoder."""
        from ...evidence.embeddings import cell_embeddings

        channels, _ = cell_embeddings(self.base_encoder(), cells)
        key = self.config.feature_key
        if key not in channels:
            raise InputError(f"{self.model_dir}: channel {key!r} cannot be computed from a recap's cells")
        return channels[key]

    def embed_cells(self, cells) -> np.ndarray:
        """One video-tower embedding per cell (its surrounding window of cells)."""
        return self.embed_feature_rows(self.cell_features(cells))

    def embed_feature_rows(self, rows: np.ndarray) -> np.ndarray:
        import torch

        from .data import collate_rows

        n, w = rows.shape[0], self.config.window_cells
        windows = []
        for i in range(n):
            lo = min(max(0, i - w // 2), max(0, n - w))
            chunk = rows[lo:lo + w]
            if chunk.shape[0] > self.config.num_rows:
                chunk = chunk[np.linspace(0, chunk.shape[0] - 1, self.config.num_rows).round().astype(int)]
            windows.append(np.asarray(chunk, np.float32))
        out = []
        device = self.model.logit_scale.device
        with torch.no_grad():
            for lo in range(0, n, self.batch_size):
                x, pad = collate_rows(windows[lo:lo + self.batch_size], self.config.num_rows)
                out.append(self.model.embed_video(x.to(device), pad.to(device)).cpu().numpy())
        return np.concatenate(out).astype(np.float32) if out else np.zeros((0, self.dim), np.float32)
