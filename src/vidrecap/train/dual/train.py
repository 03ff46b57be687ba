"""``vidrecap train dual``: the LaViLa-style video–text dual encoder on narrations.

Config (TOML)::

    [model]                         # DualConfig fields, plus the text tower's directory
    text_model = "models/minilm"    # local HF encoder + tokenizer (default: the packaged all-MiniLM-L6-v2)
    embed_dim = 256
    freeze_text = true

    [data]
    features = "feats/"             # per-cell features for narration files (`vidrecap features` layout)
    feature_key = "visual"          # npz member / recap embedding channel
    narrations = "narration.json"   # Ego4D-style (json / jsonl / csv), a path or a list
    ek100 = "EPIC_100_retrieval_train.csv"
    recaps = "library/"             # folder of `vidrecap run` outputs: weak narrations (+ their features)
    val_narrations = "..."          # the same three keys with val_ for the validation set
    ek100_test = "EPIC_100_retrieval_test.csv"            # after training: ek100_similarity.npy ...
    ek100_sentences = "EPIC_100_retrieval_test_sentence.csv"
    egomcq = "egomcq.json"          # ... and egomcq_scores.json, for `vidrecap eval`
    narration_window = 4.0          # seconds around a point timestamp
    window_cells = 2                # recaps: cells per window

    [densify]                       # LaViLa's narrator and rephraser
    narrator = "embedded"           # captioner backend for unlabelled recap windows ("" = off)
    rephraser = "embedded"          # writer backend paraphrasing narrations ("" = off)
    narrator_ratio = 0.25           # share of each batch drawn from narrator pseudo-captions
    rephrase_ratio = 0.5            # chance that a narration is replaced by one of its paraphrases

    [train]                         # TrainSettings, plus out_dir

Writes ``out_dir/dual/{checkpoint,model}``, ``out_dir/metrics.csv``, ``out_dir/densified.jsonl``
(narrator / rephraser outputs, journaled: reused on resume) and ``out_dir/eval_val.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from ...errors import InputError
from ...util.fs import atomic_write_json, read_toml
from ..config import Section, check_range
from ..harness import (
    BatchSchedule,
    MetricsLog,
    Trainer,
    TrainReport,
    TrainSettings,
    check_fresh,
    distributed,
    seed_everything,
)
from .data import Pair, WindowFeatures, collate_rows, load_split
from .densify import densify
from .model import DualConfig, DualEncoder, info_nce
from .narrations import (
    RecapWindows,
)
from .predict import retrieval_scores, write_benchmark_predictions, write_val_predictions

STAGE = "dual"
DATA_KEYS = ("narrations", "ek100", "recaps")
BENCHMARK_KEYS = ("ek100_test", "ek100_sentences", "egomcq")


@dataclass
class DensifySettings:
    narrator: str = ""
    rephraser: str = ""
    narrator_ratio: float = 0.25
    rephrase_ratio: float = 0.5

    def __post_init__(self):
        check_range("narrator_ratio", self.narrator_ratio, 0.0, 1.0)
        check_range("rephrase_ratio", self.rephrase_ratio, 0.0, 1.0)


@dataclass
class DataSpec:
    """Where one split's narrations come from."""

    narrations: list[Path] = field(default_factory=list)
    ek100: list[Path] = field(default_factory=list)
    recaps: list[Path] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.narrations or self.ek100 or self.recaps)


@dataclass
class DualRun:
    config_path: Path
    model: DualConfig
    text_model: Path
    settings: TrainSettings
    densify: DensifySettings
    out_dir: Path
    feature_dirs: list[Path]
    feature_key: str
    narration_window: float
    train: DataSpec
    val: DataSpec
    benchmarks: dict[str, Path] = field(default_factory=dict)  # ek100_test, ek100_sentences, egomcq


def default_text_model() -> Path:
    from ...backends.embedded import minilm_dir

    return minilm_dir()


def load_dual_run(path: str | Path) -> DualRun:
    path = Path(path)
    data = read_toml(path)
    Section(path, "", data).check_known({"model", "data", "train", "densify"})
    model_s, data_s, train_s, densify_s = (
        Section.of(path, data, n, required=n == "data") for n in ("model", "data", "train", "densify")
    )
    model = model_s.build(
        DualConfig,
        skip=("video_dim", "cell_seconds", "feature_key", "base_encoder", "text_model"),
    )
    keys = {"features", "feature_key", "narration_window", "window_cells", *BENCHMARK_KEYS}
    keys |= set(DATA_KEYS) | {f"val_{k}" for k in DATA_KEYS}
    data_s.check_known(keys)
    train = DataSpec(*(data_s.path_list(k, required=False) for k in DATA_KEYS))
    val = DataSpec(*(data_s.path_list(f"val_{k}", required=False) for k in DATA_KEYS))
    if train.empty():
        raise data_s.error("narrations", "give at least one of narrations, ek100 or recaps")
    if (train.narrations or train.ek100 or val.narrations or val.ek100) and "features" not in data_s.values:
        raise data_s.error("features", "missing (narration files need per-cell feature files)")
    feature_key = data_s.values.get("feature_key", "visual")
    if not isinstance(feature_key, str) or not feature_key:
        raise data_s.error("feature_key", "expected a non-empty string")
    window = data_s.values.get("narration_window", 4.0)
    if isinstance(window, bool) or not isinstance(window, int | float) or window <= 0:
        raise data_s.error("narration_window", f"expected a positive number of seconds, got {window!r}")
    benchmarks = {k: p for k in BENCHMARK_KEYS if (p := data_s.path_value(k, required=False)) is not None}
    if ("ek100_test" in benchmarks) != ("ek100_sentences" in benchmarks):
        raise data_s.error("ek100_sentences", "give both ek100_test and ek100_sentences (or neither)")
    if benchmarks and "features" not in data_s.values:
        raise data_s.error("features", "missing (benchmark clips need per-cell feature files)")
    cells = data_s.values.get("window_cells", model.window_cells)
    if isinstance(cells, bool) or not isinstance(cells, int) or cells < 1:
        raise data_s.error("window_cells", f"expected a positive integer, got {cells!r}")
    return DualRun(
        path,
        replace(model, window_cells=cells),
        model_s.path_value("text_model", required=False) or default_text_model(),
        train_s.build(TrainSettings, skip=("out_dir",)),
        densify_s.build(DensifySettings),
        train_s.path_value("out_dir", required=False) or path.parent / "runs" / STAGE,
        data_s.path_list("features", required=False),
        feature_key,
        float(window),
        train,
        val,
        benchmarks,
    )


# -- the task --------------------------------------------------------------------------------------


class DualTask:
    """Mixed batches of narrations, paraphrases and narrator pseudo-captions; retrieval evaluation."""

    def __init__(self, model: DualEncoder, train: list[Pair], pseudo: list[Pair], val: list[Pair],
                 settings: TrainSettings, densify: DensifySettings):
        self.model, self.train, self.pseudo, self.val = model, train, pseudo, val
        self.settings, self.densify = settings, densify
        n_pseudo = round(settings.batch_size * densify.narrator_ratio) if pseudo else 0
        self.n_pseudo = min(n_pseudo, settings.batch_size - 1)
        self.schedule = BatchSchedule({STAGE: len(train)}, [STAGE], settings.batch_size - self.n_pseudo,
                                      settings.seed)
        self.device = next(model.parameters()).device

    def items(self, k: int) -> list[tuple[np.ndarray, str]]:
        """Micro-batch ``k``: a pure function of ``k`` and the seed."""
        rng = np.random.default_rng([self.settings.seed, k, 7])
        _, indices = self.schedule.at(k)  # the global batch (sharded in micro_batch)
        out = []
        for i in indices:
            n = self.train[i].narration
            text = n.text
            if n.paraphrases and rng.random() < self.densify.rephrase_ratio:
                text = n.paraphrases[int(rng.integers(len(n.paraphrases)))]
            out.append((self.train[i].rows, text))
        if self.n_pseudo:
            for j in rng.choice(len(self.pseudo), size=self.n_pseudo, replace=len(self.pseudo) < self.n_pseudo):
                out.append((self.pseudo[j].rows, self.pseudo[j].narration.text))
        return out

    def micro_batch(self, k: int):
        items = distributed.shard(self.items(k))
        rows, pad = collate_rows([r for r, _ in items], self.model.config.num_rows)
        return rows.to(self.device), pad.to(self.device), [t for _, t in items]

    def loss(self, model: DualEncoder, batch) -> torch.Tensor:
        rows, pad, texts = batch
        video, text = model.embed_video(rows, pad), model.embed_text(texts)
        return info_nce(distributed.gather_rows(video), distributed.gather_rows(text), model.scale())

    def evaluate(self, model: DualEncoder) -> dict[str, float]:
        if not self.val:
            return {}
        return retrieval_scores(model, self.val[: self.settings.eval_max_items], self.settings.batch_size)


# -- the run ---------------------------------------------------------------------------------------


@dataclass
class DualReport(TrainReport):
    counts: dict[str, int]


def train_dual(run: DualRun, resume: bool = False, quiet: bool = False, stop_after: int | None = None) -> DualReport:
    check_fresh(run.out_dir, resume)
    torch.set_num_threads(run.settings.num_threads)
    device = distributed.setup(run.settings.device, run.settings.batch_size)
    features = WindowFeatures(run.feature_dirs, run.feature_key, run.model.num_rows)
    train, recaps = load_split(run.train, features, run)
    val, _ = load_split(run.val, features, run)
    if not train:
        raise InputError(f"{run.config_path}: no training narration has features (check data.features and the "
                         "video ids)")
    pseudo = densify(run, train, recaps, features, quiet)
    base = (features.files.encoder if features.files else "") or _recap_encoder(recaps) or "embedded"
    config = replace(
        run.model,
        video_dim=int(train[0].rows.shape[1]),
        cell_seconds=features.cell_seconds,
        feature_key=run.feature_key,
        base_encoder=base,
    )
    for p in train + val + pseudo:
        if p.rows.shape[1] != config.video_dim:
            raise InputError(f"video {p.narration.vid!r}: feature dim {p.rows.shape[1]}, expected {config.video_dim}")
    seed_everything(run.settings.seed)
    model = DualEncoder.from_text_model(config, run.text_model, device)
    task = DualTask(model, train, pseudo, val, run.settings, run.densify)
    log = MetricsLog(run.out_dir / "metrics.csv")
    result = Trainer(model, task, run.settings, run.out_dir / STAGE, STAGE, log, quiet).fit(resume, stop_after)
    if result.finished and val:
        write_val_predictions(model, val[: run.settings.eval_max_items], run.out_dir, run.settings.batch_size)
        if distributed.is_main():
            atomic_write_json(run.out_dir / "eval_val.json", result.metrics)
    if result.finished:
        write_benchmark_predictions(model, features, run)
    counts = {
        "train": len(train),
        "paraphrased": sum(1 for p in train if p.narration.paraphrases),
        "narrator": len(pseudo),
        "val": len(val),
    }
    return DualReport.of(result, run.out_dir / STAGE / "model", counts=counts)


def _recap_encoder(recaps: list[RecapWindows]) -> str:
    from ...outputs.store import load_recap

    return str(load_recap(recaps[0].directory).options.get("encoder") or "") if recaps else ""


def train_dual_command(args, override, report) -> int:
    """``vidrecap train dual``: ``--narrator`` / ``--rephraser`` override the ``[densify]`` backends."""
    run = override(load_dual_run(args.config), args, Path)
    if args.narrator is not None or args.rephraser is not None:
        densify_settings = replace(
            run.densify,
            narrator=run.densify.narrator if args.narrator is None else args.narrator,
            rephraser=run.densify.rephraser if args.rephraser is None else args.rephraser,
        )
        run = replace(run, densify=densify_settings)
    r = train_dual(run, resume=args.resume, quiet=args.quiet, stop_after=args.stop_after)
    report(STAGE, r.step, r.finished, r.loss, r.metrics, r.samples_per_second, r.model_dir, r.world_size)
    if distributed.is_main():
        print("pairs: " + ", ".join(f"{k} {v}" for k, v in r.counts.items()))
    return 0
