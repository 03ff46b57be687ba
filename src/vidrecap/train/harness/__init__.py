"""The harness every trainer runs on: the loop (``loop``), checkpoint files (``checkpoints``), the
metrics log (``log``), deterministic batches and prediction in batches (``batches``), shared model
files and causal-LM pieces (``models``)."""

from .batches import BatchSchedule, predict_in_batches
from .checkpoints import CHECKPOINT, EXPORT, check_fresh, checkpoint_dir, stage_finished
from .log import MetricsLog
from .loop import (
    FitResult,
    Trainer,
    TrainReport,
    TrainSettings,
    autocast,
    make_optimizer,
    pick_device,
    seed_everything,
)

__all__ = [
    "CHECKPOINT",
    "EXPORT",
    "BatchSchedule",
    "FitResult",
    "MetricsLog",
    "TrainReport",
    "TrainSettings",
    "Trainer",
    "autocast",
    "check_fresh",
    "checkpoint_dir",
    "make_optimizer",
    "pick_device",
    "predict_in_batches",
    "seed_everything",
    "stage_finished",
]
