"""Moment/highlight training samples: features + query token features + targets, and their batches."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..features import FeatureDir, FeatureSource
from .model import MomentInputs, MomentTargets


@dataclass
class MomentSample:
    """One query with its inputs and targets (windows normalised by duration, saliency per clip)."""

    qid: str | int
    vid: str
    query: str
    duration: float
    video: np.ndarray
    text: np.ndarray
    windows: np.ndarray  # (G, 2) in [0, 1]
    saliency: np.ndarray  # (T,)


class QueryText:
    """Query token features: files per qid, or the query text embedded by an encoder backend."""

    def __init__(self, run):  # a MomentsRun
        self.files = (
            FeatureDir.open(run.text_dir, run.text_key, run.text_pattern.replace("{qid}", "{vid}"))
            if run.text_dir is not None
            else None
        )
        self.encoder_spec = run.text_encoder
        self._encoder = None

    def features(self, qid, query: str) -> np.ndarray:
        if self.files is not None:
            return self.files.load(str(qid))
        if self._encoder is None:
            from ... import registry

            self._encoder = registry.create("encoder", self.encoder_spec)
        return np.asarray(self._encoder.embed_text([query]), np.float32)


def clip_saliency(query, n_clips: int, clip_seconds: float) -> np.ndarray:
    """Mean annotator score per clip when given, else 1 inside the relevant windows."""
    target = np.zeros(n_clips, np.float32)
    if query.relevant_clip_ids:
        for clip, scores in zip(query.relevant_clip_ids, query.saliency_scores, strict=True):
            if clip < n_clips:
                target[clip] = float(np.mean(scores))
        return target
    centers = (np.arange(n_clips) + 0.5) * clip_seconds
    for start, end in query.relevant_windows:
        target[(centers >= start) & (centers < end)] = 1.0
    return target


def load_samples(path: Path, features: FeatureSource, text: QueryText) -> list[MomentSample]:
    from ...datasets.moments import load_moment_annotations

    samples = []
    clip_s = features.cell_seconds
    for query in load_moment_annotations(path):
        video = features.load(query.vid)
        n_clips = min(video.shape[0], max(1, int(np.ceil(query.duration / clip_s - 1e-6))))
        windows = np.clip(
            np.asarray(query.relevant_windows, np.float32).reshape(-1, 2) / query.duration, 0, 1
        )
        windows = windows[windows[:, 1] > windows[:, 0]]
        samples.append(
            MomentSample(
                query.qid,
                query.vid,
                query.query,
                query.duration,
                video[:n_clips],
                text.features(query.qid, query.query),
                windows,
                clip_saliency(query, n_clips, clip_s),
            )
        )
    return samples


def collate(samples: list[MomentSample]) -> tuple[MomentInputs, MomentTargets]:
    def pad(arrays):
        width = max(a.shape[0] for a in arrays)
        out = torch.zeros((len(arrays), width, arrays[0].shape[1]))
        mask = torch.ones((len(arrays), width), dtype=torch.bool)
        for i, a in enumerate(arrays):
            out[i, : a.shape[0]] = torch.from_numpy(a)
            mask[i, : a.shape[0]] = False
        return out, mask

    video, video_pad = pad([s.video for s in samples])
    text, text_pad = pad([s.text for s in samples])
    targets = MomentTargets(
        [torch.from_numpy(s.windows) for s in samples], [torch.from_numpy(s.saliency) for s in samples]
    )
    return MomentInputs(video, video_pad, text, text_pad), targets
