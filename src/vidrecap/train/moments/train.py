"""``vidrecap train moments``: the moment/highlight head on QVHighlights-format data.

Config (TOML)::

    [model]                          # MomentConfig fields (sizes, loss weights, VideoLights switches)
    preset = "videolights"           # or "moment_detr" (default): switch defaults, keys below override
    hidden = 128
    num_moment_queries = 10

    [data]
    features = "feats/"              # clip features, {vid}.npz / {vid}.npy (or a list, concatenated)
    feature_key = "fused"            # npz member (optional)
    text_features = "txt_clip/"      # query token features, one file per query ...
    text_pattern = "qid{qid}"        #   ... named like this (QVHighlights: qid{qid}.npz)
    text_key = "last_hidden_state"   #   ... npz member
    # text_encoder = "embedded"      # ... or embed the query text with this encoder backend instead
    train = "highlight_train.jsonl"  # QVHighlights-format annotations
    val = "highlight_val.jsonl"
    benchmark = "qvhighlights"       # evaluator: qvhighlights | charades | tacos | tvsum | youtube

    [train]                          # TrainSettings, plus out_dir and init_from
    out_dir = "runs/moments"
    # init_from = "runs/pretrain/moments/model"   # start from these weights (pretrain -> fine-tune)

Writes ``out_dir/moments/{checkpoint,model}``, ``out_dir/metrics.csv`` and, after training,
``out_dir/predictions_val.jsonl`` (QVHighlights submission format) + ``out_dir/eval_val.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

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
from .bench import BENCHMARKS, benchmark_scores, load_benchmark_samples
from .data import MomentSample, QueryText, collate
from .model import MomentConfig, MomentHead, MomentTargets, decode_windows, moment_loss

STAGE = "moments"


@dataclass
class MomentsRun:
    config_path: Path
    model: MomentConfig
    settings: TrainSettings
    out_dir: Path
    feature_dirs: list[Path]
    feature_key: str | None
    text_dir: Path | None
    text_pattern: str
    text_key: str | None
    text_encoder: str | None
    train_file: Path
    val_file: Path | None
    benchmark: str = "qvhighlights"
    init_from: Path | None = None


def load_moments_run(path: str | Path) -> MomentsRun:
    path = Path(path)
    data = read_toml(path)
    Section(path, "", data).check_known({"model", "data", "train"})
    model_s, data_s, train_s = (
        Section.of(path, data, n, required=n != "model") for n in ("model", "data", "train")
    )
    model = _model_section(model_s).build(
        MomentConfig,
        skip=("video_dim", "text_dim", "clip_seconds", "feature_key", "encoder", "text_source", "stream_dims"),
    )
    data_s.check_known(
        {
            "features",
            "feature_key",
            "text_features",
            "text_pattern",
            "text_key",
            "text_encoder",
            "train",
            "val",
            "benchmark",
        }
    )
    settings = train_s.build(TrainSettings, skip=("out_dir", "init_from"))
    benchmark = _optional_str(data_s, "benchmark") or "qvhighlights"
    if benchmark not in BENCHMARKS:
        raise data_s.error("benchmark", f"expected one of {', '.join(BENCHMARKS)}, got {benchmark!r}")
    text_dir = data_s.path_value("text_features", required=False)
    text_encoder = _optional_str(data_s, "text_encoder")
    if (text_dir is None) == (text_encoder is None):
        raise data_s.error("text_features", "give exactly one of text_features (a directory) or text_encoder")
    pattern = _optional_str(data_s, "text_pattern") or "qid{qid}"
    if "{qid}" not in pattern:
        raise data_s.error("text_pattern", f"must contain {{qid}}, got {pattern!r}")
    return MomentsRun(
        path,
        model,
        settings,
        train_s.path_value("out_dir", required=False) or path.parent / "runs" / STAGE,
        data_s.path_list("features"),
        _optional_str(data_s, "feature_key"),
        text_dir,
        pattern,
        _optional_str(data_s, "text_key"),
        text_encoder,
        data_s.path_value("train"),
        data_s.path_value("val", required=False),
        benchmark,
        train_s.path_value("init_from", required=False),
    )


def _model_section(section: Section) -> Section:
    """``[model]`` with its preset's switches filled in under the keys given explicitly."""
    from .videolights import PRESETS

    preset = section.values.get("preset", "moment_detr")
    if preset not in PRESETS:
        raise section.error("preset", f"expected one of {', '.join(PRESETS)}, got {preset!r}")
    return Section(section.path, section.name, {**PRESETS[preset], **section.values})


def _optional_str(section: Section, key: str) -> str | None:
    value = section.values.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise section.error(key, "expected a non-empty string")
    return value


# -- data ------------------------------------------------------------------------------------------


class MomentTask:
    def __init__(
        self,
        model: MomentHead,
        train: list[MomentSample],
        val: list[MomentSample],
        val_file: Path | None,
        settings: TrainSettings,
        benchmark: str = "qvhighlights",
    ):
        self.model, self.train, self.val, self.val_file, self.settings = model, train, val, val_file, settings
        self.benchmark = benchmark
        self.schedule = BatchSchedule({STAGE: len(train)}, [STAGE], settings.batch_size, settings.seed)
        self.device = next(model.parameters()).device

    def micro_batch(self, k: int):
        _, indices = self.schedule.local(k)
        inputs, targets = collate([self.train[i] for i in indices])
        total = self.settings.steps * self.settings.grad_accum
        targets = MomentTargets(
            [w.to(self.device) for w in targets.windows],
            [s.to(self.device) for s in targets.saliency],
            min(1.0, k / total),
        )
        return inputs.to(self.device), targets

    def loss(self, model: MomentHead, batch) -> torch.Tensor:
        inputs, targets = batch
        return moment_loss(model.config, model(inputs), targets, inputs.video_pad)[0]

    def predict(self, samples: list[MomentSample]) -> list[dict]:
        return predict_samples(self.model, samples, self.settings.batch_size)

    def evaluate(self, model: MomentHead) -> dict[str, float]:
        if not self.val:
            return {}
        rows = self.predict(self.val[: self.settings.eval_max_items])
        return distributed.on_main(lambda: benchmark_scores(self.benchmark, rows, self.val_file))


@torch.no_grad()
def predict_samples(model: MomentHead, samples: list[MomentSample], batch_size: int = 16) -> list[dict]:
    """QVHighlights submission rows for ``samples``."""
    device = next(model.parameters()).device

    def rows(chunk: list[MomentSample]) -> list[dict]:
        out = model(collate(chunk)[0].to(device))
        return [
            {
                "qid": s.qid,
                "query": s.query,
                "vid": s.vid,
                "pred_relevant_windows": decode_windows(out, i, s.duration),
                "pred_saliency_scores": [round(float(x), 4) for x in out.saliency[i, : len(s.saliency)]],
            }
            for i, s in enumerate(chunk)
        ]

    return predict_in_batches(samples, batch_size, rows)


# -- the run ---------------------------------------------------------------------------------------


@dataclass
class MomentsReport(TrainReport):
    predictions: Path | None


def train_moments(
    run: MomentsRun, resume: bool = False, quiet: bool = False, stop_after: int | None = None
) -> MomentsReport:
    check_fresh(run.out_dir, resume)
    torch.set_num_threads(run.settings.num_threads)
    device = distributed.setup(run.settings.device, run.settings.batch_size)
    features = FeatureSource.open(run.feature_dirs, run.feature_key)
    text = QueryText(run)
    train = load_benchmark_samples(run.benchmark, run.train_file, features, text)
    val = load_benchmark_samples(run.benchmark, run.val_file, features, text) if run.val_file else []
    config = replace(
        run.model,
        video_dim=train[0].video.shape[1],
        text_dim=train[0].text.shape[1],
        clip_seconds=features.cell_seconds,
        feature_key=run.feature_key or features.dirs[0].key or "",
        encoder=run.text_encoder or features.encoder,
        text_source="encoder" if run.text_encoder else "files",
        stream_dims=stream_dims(features, train[0].vid) if run.model.stream_fusion else [],
    )
    _check_dims(train + val, config, run)
    seed_everything(run.settings.seed)
    model = MomentHead(config).to(device)
    if run.init_from is not None and not (resume and (run.out_dir / STAGE).exists()):
        init_weights(model, run.init_from)
    task = MomentTask(model, train, val, run.val_file, run.settings, run.benchmark)
    log = MetricsLog(run.out_dir / "metrics.csv")
    result = Trainer(model, task, run.settings, run.out_dir / STAGE, STAGE, log, quiet).fit(
        resume, stop_after
    )
    predictions = None
    if result.finished and val:
        predictions = run.out_dir / "predictions_val.jsonl"
        model.eval()
        rows = task.predict(val)
        if distributed.is_main():
            predictions.write_text("".join(json.dumps(r) + "\n" for r in rows))
            (run.out_dir / "eval_val.json").write_text(
                json.dumps(benchmark_scores(run.benchmark, rows, run.val_file), indent=1)
            )
        distributed.barrier()
    return MomentsReport.of(result, run.out_dir / STAGE / "model", predictions=predictions)


def stream_dims(features: FeatureSource, vid: str) -> list[int]:
    """The width of each feature directory's rows (the streams that ``stream_fusion`` mixes)."""
    return [int(d.load(vid).shape[1]) for d in features.dirs]


def init_weights(model: MomentHead, directory: Path) -> None:
    """Start from another run's exported weights (pretraining → fine-tuning); shapes must agree."""
    from ..harness.models import load_config

    source = load_config(Path(directory) / "config.json", MomentConfig)
    for name in ("video_dim", "text_dim", "hidden", "stream_dims"):
        if getattr(source, name) != getattr(model.config, name):
            raise InputError(
                f"{directory}: field '{name}': {getattr(source, name)} in the checkpoint, "
                f"{getattr(model.config, name)} in this run (init_from needs the same features and sizes)"
            )
    model.load_weights(Path(directory))


def _check_dims(samples: list[MomentSample], config: MomentConfig, run: MomentsRun) -> None:
    for s in samples:
        if s.video.shape[1] != config.video_dim:
            raise InputError(
                f"{run.feature_dirs[0]}: field '{s.vid}': feature dim {s.video.shape[1]}, "
                f"expected {config.video_dim} like the first video"
            )
        if s.text.shape[1] != config.text_dim:
            raise InputError(
                f"{run.text_dir or run.text_encoder}: field '{s.qid}': text feature dim "
                f"{s.text.shape[1]}, expected {config.text_dim}"
            )
