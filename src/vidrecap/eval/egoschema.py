"""EgoSchema multiple-choice accuracy: the share of ground-truth questions answered correctly.

As the benchmark's own scoring, every question in the ground truth counts: a question without a
prediction is wrong. Predictions for questions outside the ground truth are ignored (and counted).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from ..datasets.egoschema import load_answers
from ..errors import InputError


@dataclass(frozen=True)
class ChoiceAccuracy:
    accuracy: float
    correct: int
    questions: int
    missing: int  # ground-truth questions without a prediction
    extra: int  # predictions for questions not in the ground truth

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate_choices(predictions: dict[str, int], answers: dict[str, int]) -> ChoiceAccuracy:
    if not answers:
        raise InputError("the ground truth has no questions")
    correct = sum(1 for q, a in answers.items() if predictions.get(q) == a)
    missing = sum(1 for q in answers if q not in predictions)
    extra = sum(1 for q in predictions if q not in answers)
    return ChoiceAccuracy(round(correct / len(answers), 6), correct, len(answers), missing, extra)


def evaluate_egoschema_files(pred: str | Path, gt: str | Path) -> ChoiceAccuracy:
    return evaluate_choices(load_answers(pred), load_answers(gt))
