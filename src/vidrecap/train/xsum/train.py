"""``vidrecap train xsum``: VideoXum's joint key-frame + text-summary model on VideoXum annotations.

Config (TOML)::

    [model]                          # XSumConfig fields (sizes, loss weights, text limits)
    lm = "models/gpt2"               # any local causal LM directory (weights and tokenizer)
    hidden = 256
    context_aggregation = true
    loss_saliency = 1.0
    loss_text = 1.0

    [data]
    features = "feats/"              # `vidrecap features` output or external dumps ({video_id}.npz/.npy)
    feature_key = "fused"            # npz member (optional)
    feature_seconds = 2.0            # seconds per feature row (default: meta.json's cell_seconds, else 1)
    train = "train_videoxum.json"    # VideoXum json lists
    val = "val_videoxum.json"

    [train]                          # TrainSettings, plus out_dir
    out_dir = "runs/xsum"

Writes ``out_dir/xsum/{checkpoint,model}``, ``out_dir/metrics.csv`` and, after training,
``out_dir/predictions_val.jsonl`` (``vidrecap eval videoxum`` format) + ``out_dir/eval_val.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from ...errors import InputError
from ...util.fs import read_toml
from ..config import Section
from ..features import FeatureSource
from ..harness import (
    BatchSchedule,
    MetricsLog,
    Trainer,
    TrainReport,
    TrainSettings,
    check_fresh,
    distributed,
    predict_in_batches,
    seed_everything,
)
from .model import XSumConfig, XSumModel, frame_rows, make_batch

STAGE = "xsum"


@dataclass
class XSumRun:
    config_path: Path
    model: XSumConfig
    lm: Path
    settings: TrainSettings
    out_dir: Path
    feature_dirs: list[Path]
    feature_key: str | None
    feature_seconds: float | None
    train_file: Path
    val_file: Path | None


def load_xsum_run(path: str | Path) -> XSumRun:
    path = Path(path)
    data = read_toml(path)
    Section(path, "", data).check_known({"model", "data", "train"})
    model_s, data_s, train_s = (Section.of(path, data, n, required=True) for n in ("model", "data", "train"))
    lm = model_s.path_value("lm")
    model = Section(path, "model", {k: v for k, v in model_s.values.items() if k != "lm"}).build(
        XSumConfig, skip=("feature_dim", "feature_seconds", "frame_seconds", "feature_key", "encoder")
    )
    data_s.check_known({"features", "feature_key", "feature_seconds", "train", "val"})
    seconds = data_s.values.get("feature_seconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0):
        raise data_s.error("feature_seconds", f"expected a positive number, got {seconds!r}")
    key = data_s.values.get("feature_key")
    if key is not None and (not isinstance(key, str) or not key):
        raise data_s.error("feature_key", "expected a non-empty string")
    return XSumRun(
        path,
        model,
        lm,
        train_s.build(TrainSettings, skip=("out_dir",)),
        train_s.path_value("out_dir", required=False) or path.parent / "runs" / STAGE,
        data_s.path_list("features"),
        key,
        float(seconds) if seconds is not None else None,
        data_s.path_value("train"),
        data_s.path_value("val", required=False),
    )


# -- data ------------------------------------------------------------------------------------------


@dataclass
class XSumSample:
    """One video: frame rows at 1 fps, the mean annotator key-frame score, the joined summary."""

    video_id: str
    frames: np.ndarray  # (T, D)
    saliency: np.ndarray  # (T,) in [0, 1]
    text: str


def load_xsum_samples(path: Path, features: FeatureSource, feature_seconds: float, max_frames: int) -> list[XSumSample]:
    from ...datasets.videoxum import load_videoxum

    samples = []
    for video in load_videoxum(path):
        n = min(video.num_frames, max_frames)
        rows = frame_rows(features.load(video.video_id), n, feature_seconds)
        samples.append(XSumSample(video.video_id, rows, video.vsum_onehot[:, :n].mean(0), video.text_summary))
    return samples


class XSumTask:
    def __init__(self, model: XSumModel, train: list[XSumSample], val: list[XSumSample], val_file, settings):
        self.model, self.train, self.val, self.val_file, self.settings = model, train, val, val_file, settings
        self.schedule = BatchSchedule({STAGE: len(train)}, [STAGE], settings.batch_size, settings.seed)
        self.device = next(model.parameters()).device

    def micro_batch(self, k: int):
        _, indices = self.schedule.local(k)
        chosen = [self.train[i] for i in indices]
        batch = make_batch(
            self.model, [s.frames for s in chosen], [s.saliency for s in chosen], [s.text for s in chosen]
        )
        return batch.to(self.device)

    def loss(self, model: XSumModel, batch) -> torch.Tensor:
        return model.loss(batch)

    def evaluate(self, model: XSumModel) -> dict[str, float]:
        if not self.val:
            return {}
        rows = predict_samples(model, self.val[: self.settings.eval_max_items], self.settings.batch_size)
        return distributed.on_main(lambda: videoxum_scores(rows, self.val_file))


@torch.no_grad()
def predict_samples(model: XSumModel, samples: list[XSumSample], batch_size: int = 8) -> list[dict]:
    """``vidrecap eval videoxum`` prediction rows: per-frame saliency and the generated summary."""
    device = next(model.parameters()).device

    def rows(chunk: list[XSumSample]) -> list[dict]:
        logits, texts = model.predict(make_batch(model, [s.frames for s in chunk]).to(device))
        scores = [torch.sigmoid(logits[i, : len(s.frames)].float()) for i, s in enumerate(chunk)]
        return [
            {"video_id": s.video_id, "saliency": [round(float(x), 4) for x in sc], "summary": text}
            for s, sc, text in zip(chunk, scores, texts, strict=True)
        ]

    return predict_in_batches(samples, batch_size, rows)


def videoxum_scores(rows: list[dict], gt_file: Path | None, meteor: bool | None = False) -> dict[str, float]:
    """The suite's VideoXum metrics for ``rows`` (ground truth cut to their videos); numbers only."""
    from ...datasets.videoxum import VideoXumPrediction, load_videoxum
    from ...eval.videoxum import evaluate_videoxum

    ids = {r["video_id"] for r in rows}
    videos = [v for v in load_videoxum(gt_file) if v.video_id in ids]
    predictions = [VideoXumPrediction(r["video_id"], r["saliency"], r["summary"]) for r in rows]
    result = evaluate_videoxum(predictions, videos, meteor=meteor).to_dict()
    return {k: float(v) for k, v in result.items() if isinstance(v, int | float) and k != "num_videos"}


# -- the run ---------------------------------------------------------------------------------------


@dataclass
class XSumReport(TrainReport):
    predictions: Path | None


def train_xsum(run: XSumRun, resume: bool = False, quiet: bool = False, stop_after: int | None = None) -> XSumReport:
    check_fresh(run.out_dir, resume)
    torch.set_num_threads(run.settings.num_threads)
    device = distributed.setup(run.settings.device, run.settings.batch_size)
    features = FeatureSource.open(run.feature_dirs, run.feature_key)
    seconds = run.feature_seconds or (features.cell_seconds if features.dirs[0].meta else 1.0)
    train = load_xsum_samples(run.train_file, features, seconds, run.model.max_frames)
    val = load_xsum_samples(run.val_file, features, seconds, run.model.max_frames) if run.val_file else []
    dim = train[0].frames.shape[1]
    for s in train + val:
        if s.frames.shape[1] != dim:
            raise InputError(
                f"{run.feature_dirs[0]}: field '{s.video_id}': feature dim {s.frames.shape[1]}, expected {dim}"
            )
    config = replace(
        run.model,
        feature_dim=dim,
        feature_seconds=seconds,
        feature_key=run.feature_key or features.dirs[0].key or "",
        encoder=features.encoder,
    )
    seed_everything(run.settings.seed)
    model = XSumModel.from_lm(config, run.lm, device)
    task = XSumTask(model, train, val, run.val_file, run.settings)
    log = MetricsLog(run.out_dir / "metrics.csv")
    result = Trainer(model, task, run.settings, run.out_dir / STAGE, STAGE, log, quiet).fit(resume, stop_after)
    predictions = None
    if result.finished and val:
        predictions = run.out_dir / "predictions_val.jsonl"
        model.eval()
        rows = predict_samples(model, val, run.settings.batch_size)
        if distributed.is_main():
            predictions.write_text("".join(json.dumps(r) + "\n" for r in rows))
            (run.out_dir / "eval_val.json").write_text(json.dumps(videoxum_scores(rows, run.val_file), indent=1))
        distributed.barrier()
    return XSumReport.of(result, run.out_dir / STAGE / "model", predictions=predictions)
