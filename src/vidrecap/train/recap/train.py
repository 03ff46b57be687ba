"""``vidrecap train recap``: curriculum (clip → segment → video) or unified (ReCap-U) training.

Config (TOML)::

    [model]                     # ReCapConfig fields, plus the LM directory
    lm = "models/gpt2"          # any local Hugging Face causal LM + tokenizer
    num_queries = 8
    [model.feature_rows]        # feature rows per sample: dense at clip level, sparse above
    clip = 64
    segment = 32
    video = 32

    [data]
    features = "feats/"         # or a list of directories (concatenated along the feature axis)
    feature_key = "fused"       # npz member (default: fused for `vidrecap features` output)
    [data.train]                # Ego4D-HCap files per level (json or pkl)
    clip = "clips_train.json"
    segment = "segments_train.json"
    video = "videos_train.json"
    [data.val]                  # optional, same keys
    clip = "clips_val.json"

    [train]                     # TrainSettings, plus:
    variant = "curriculum"      # or "unified": one set of weights, batches alternate levels
    stages = ["clip", "segment", "video"]
    out_dir = "runs/recap"
    [train.stage_steps]         # optional per-stage step counts (default: train.steps)
    video = 200
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ...errors import InputError
from ...util.fs import read_toml
from ..config import Section
from ..features import FeatureSource
from ..harness import (
    EXPORT,
    BatchSchedule,
    MetricsLog,
    Trainer,
    TrainReport,
    TrainSettings,
    check_fresh,
    distributed,
    predict_in_batches,
    seed_everything,
    stage_finished,
)
from .hcap import BELOW, LEVELS, HCapSample, build_samples, read_hcap, span_rows
from .model import ReCapConfig, ReCapModel, make_batch

TRAIN_EXTRA = ("variant", "stages", "out_dir", "stage_steps")


@dataclass
class RecapRun:
    """Everything a recap training run needs, parsed and validated."""

    config_path: Path
    lm: Path
    model: ReCapConfig
    settings: TrainSettings
    variant: str
    stages: list[str]
    stage_steps: dict[str, int]
    out_dir: Path
    feature_dirs: list[Path]
    feature_key: str | None
    train_files: dict[str, Path]
    val_files: dict[str, Path] = field(default_factory=dict)


def load_recap_run(path: str | Path) -> RecapRun:
    path = Path(path)
    data = read_toml(path)
    _check_top(path, data)
    model_s, data_s, train_s = (
        Section.of(path, data, name, required=True) for name in ("model", "data", "train")
    )
    lm = model_s.path_value("lm")
    model = Section(path, "model", {k: v for k, v in model_s.values.items() if k != "lm"}).build(
        ReCapConfig, skip=("feature_dim", "encoder", "cell_seconds")
    )
    data_s.check_known({"features", "feature_key", "train", "val"})
    train_files = _level_files(data_s.sub("train"), required=True)
    val_files = _level_files(data_s.sub("val"), required=False)
    settings = train_s.build(TrainSettings, skip=TRAIN_EXTRA)
    variant = train_s.values.get("variant", "curriculum")
    if variant not in ("curriculum", "unified"):
        raise train_s.error("variant", f"expected 'curriculum' or 'unified', got {variant!r}")
    stages = train_s.values.get("stages", [lv for lv in LEVELS if lv in train_files])
    if (
        not isinstance(stages, list)
        or not stages
        or any(s not in LEVELS for s in stages)
        or len(set(stages)) != len(stages)
    ):
        raise train_s.error("stages", f"expected distinct levels from {list(LEVELS)}, got {stages!r}")
    for level in stages:
        if level not in train_files:
            raise data_s.error(f"train.{level}", f"missing (stage {level!r} needs training data)")
    stage_steps = _stage_steps(train_s, stages, settings.steps)
    out_dir = train_s.path_value("out_dir", required=False) or path.parent / "runs" / "recap"
    feature_key = data_s.values.get("feature_key")
    if feature_key is not None and not isinstance(feature_key, str):
        raise data_s.error("feature_key", "expected a string")
    return RecapRun(
        path,
        lm,
        model,
        settings,
        variant,
        list(stages),
        stage_steps,
        out_dir,
        data_s.path_list("features"),
        feature_key,
        train_files,
        val_files,
    )


def _check_top(path: Path, data: dict) -> None:
    Section(path, "", data).check_known({"model", "data", "train"})


def _level_files(section: Section, required: bool) -> dict[str, Path]:
    section.check_known(set(LEVELS))
    files = {lv: section.path_value(lv) for lv in LEVELS if lv in section.values}
    if required and not files:
        raise section.error("clip", "missing (give at least one level's Ego4D-HCap file)")
    return files


def _stage_steps(section: Section, stages: list[str], default: int) -> dict[str, int]:
    table = section.sub("stage_steps")
    table.check_known(set(LEVELS))
    steps = {}
    for level in stages:
        value = table.values.get(level, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise table.error(level, f"expected a positive integer, got {value!r}")
        steps[level] = value
    return steps


# -- data ------------------------------------------------------------------------------------------


def load_split(files: dict[str, Path], levels: list[str]) -> dict[str, list[HCapSample]]:
    """Samples per level; each level's context comes from the file of the level below, if given."""
    items = {lv: read_hcap(p) for lv, p in files.items()}
    for level, level_items in items.items():
        if any(i.level != level for i in level_items):
            raise InputError(f"{files[level]}: holds {level_items[0].level}-level items, not {level}")
    return {lv: build_samples(items[lv], items.get(BELOW.get(lv, ""), [])) for lv in levels if lv in items}


class CaptionTask:
    """Training batches, loss and caption-metric evaluation for some levels of the hierarchy."""

    def __init__(
        self,
        model: ReCapModel,
        features: FeatureSource,
        train: dict[str, list[HCapSample]],
        val: dict[str, list[HCapSample]],
        levels: list[str],
        settings: TrainSettings,
    ):
        self.model, self.features, self.train, self.val, self.settings = model, features, train, val, settings
        self.levels = levels
        self.schedule = BatchSchedule(
            {lv: len(train[lv]) for lv in levels}, levels, settings.batch_size, settings.seed
        )
        self.device = next(model.parameters()).device

    def rows(self, sample: HCapSample) -> np.ndarray:
        cfg = self.model.config
        return span_rows(
            self.features.load(sample.vid),
            sample.start,
            sample.end,
            cfg.cell_seconds,
            cfg.feature_rows[sample.level],
        )

    def batch_of(self, samples: list[HCapSample], with_targets: bool = True):
        batch = make_batch(
            self.model,
            [self.rows(s) for s in samples],
            [s.level for s in samples],
            [s.previous for s in samples],
            [s.target for s in samples] if with_targets else None,
        )
        return batch.to(self.device)

    def micro_batch(self, k: int):
        level, indices = self.schedule.local(k)
        return self.batch_of([self.train[level][i] for i in indices])

    def loss(self, model: ReCapModel, batch) -> torch.Tensor:
        return model.loss(batch)

    def predict(self, samples: list[HCapSample]) -> dict[str, str]:
        texts = predict_in_batches(
            samples, self.settings.batch_size, lambda chunk: self.model.generate(self.batch_of(chunk, False))
        )
        return {s.id: text for s, text in zip(samples, texts, strict=True)}

    def evaluate(self, model: ReCapModel) -> dict[str, float]:
        metrics: dict[str, float] = {}
        for level in self.levels:
            samples = self.val.get(level, [])[: self.settings.eval_max_items]
            if samples:
                predictions = self.predict(samples)
                references = {s.id: s.references for s in samples}
                scores = distributed.on_main(caption_scores, predictions, references)
                metrics.update({f"{level}/{k}": v for k, v in scores.items()})
        return metrics


def caption_scores(predictions: dict[str, str], references: dict[str, list[str]]) -> dict[str, float]:
    """BLEU-4, ROUGE-L and CIDEr from the evaluation suite, plus exact-match accuracy."""
    exact = float(
        np.mean(
            [
                predictions[k].strip().lower() in [r.strip().lower() for r in references[k]]
                for k in predictions
            ]
        )
    )
    try:
        from ...eval.captions import evaluate_captions
    except ImportError:
        return {"exact": exact}
    scores = evaluate_captions(predictions, references, meteor=False, tokenizer="python")  # no JVM per check
    return {"Bleu_4": scores.bleu[3], "ROUGE_L": scores.rouge_l, "CIDEr": scores.cider, "exact": exact}


# -- the run ---------------------------------------------------------------------------------------


@dataclass
class StageReport(TrainReport):
    name: str


def train_recap(
    run: RecapRun,
    resume: bool = False,
    quiet: bool = False,
    stop_after: int | None = None,
    on_stage_start: Callable[[str, ReCapModel], None] | None = None,
) -> list[StageReport]:
    """Train every stage (skipping finished ones when resuming); each starts from its predecessor."""
    check_fresh(run.out_dir, resume)
    torch.set_num_threads(run.settings.num_threads)
    device = distributed.setup(run.settings.device, run.settings.batch_size)
    features = FeatureSource.open(run.feature_dirs, run.feature_key)
    train = load_split(run.train_files, run.stages)
    val = load_split(run.val_files, run.stages) if run.val_files else {}
    model_config = _model_config(run, features, train)
    plan = [(lv, [lv]) for lv in run.stages] if run.variant == "curriculum" else [("unified", run.stages)]
    log, reports, previous = MetricsLog(run.out_dir / "metrics.csv"), [], None
    for index, (name, levels) in enumerate(plan):
        settings = _stage_settings(run, name)
        stage_dir = run.out_dir / name
        if resume and stage_finished(stage_dir, settings.steps):
            previous = stage_dir / EXPORT
            continue
        seed_everything(run.settings.seed + index)
        model = (
            ReCapModel.from_lm(model_config, run.lm, device)
            if previous is None
            else ReCapModel.load(previous, device)
        )
        if on_stage_start:
            on_stage_start(name, model)
        task = CaptionTask(model, features, train, val, levels, settings)
        result = Trainer(model, task, settings, stage_dir, name, log, quiet).fit(resume, stop_after)
        reports.append(StageReport.of(result, stage_dir / EXPORT, name=name))
        if not result.finished:
            break
        previous = stage_dir / EXPORT
    return reports


def _stage_settings(run: RecapRun, name: str) -> TrainSettings:
    from dataclasses import replace

    steps = run.stage_steps.get(name, run.settings.steps) if name != "unified" else run.settings.steps
    return replace(run.settings, steps=steps)


def _model_config(run: RecapRun, features: FeatureSource, train: dict[str, list[HCapSample]]) -> ReCapConfig:
    from dataclasses import replace

    first = next(s for samples in train.values() for s in samples)
    key = run.feature_key or (features.dirs[0].key or "features")
    return replace(
        run.model,
        feature_dim=features.dim(first.vid),
        encoder=features.encoder or "embedded",
        cell_seconds=features.cell_seconds,
        feature_key=key,
    )
