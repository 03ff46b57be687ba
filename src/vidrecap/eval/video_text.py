"""Video–text retrieval metrics: EPIC-KITCHENS-100 MIR, EgoMCQ and plain R@K / median rank.

- **EK100 multi-instance retrieval** (mAP, nDCG) from a ``(videos, texts)`` similarity matrix and the
  challenge's relevancy matrix, following the official evaluation code's formulas exactly:
  *mAP*: items ranked by descending similarity (``argsort`` of the negated row); at every rank ``k``
  whose relevancy is exactly 1, precision is the cumulative **sum of relevancies** up to ``k`` over
  ``k``; AP is the sum of those precisions over the number of items with relevancy 1.
  *nDCG*: ranks from ``argsort`` of the row reversed; the gain ``rel / log2(i + 2)`` is summed over
  the first ``k`` ranks, ``k`` = the row's number of non-zero relevancies; divided by the same sum
  for the ideal order. Both directions are scored (video→text on rows, text→video on columns) and
  averaged, in percent.
- **EgoMCQ**: accuracy of the argmax choice (first maximum on ties) per question type, in percent;
  type 1 is inter-video, type 2 intra-video (EgoVLP's ``egomcq.json``).
- **Retrieval**: the rank of the true item among all candidates, ties broken by averaging
  (``#higher + (#equal - 1) / 2``); R@K = share of queries ranked below K (percent), MedR/MeanR =
  median/mean rank + 1.

Files only: no model code is imported here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError

RECALL_AT = (1, 5, 10)
EGOMCQ_TYPES = {1: "inter_video", 2: "intra_video"}


# -- EPIC-KITCHENS-100 multi-instance retrieval ----------------------------------------------------


def mir_average_precision(similarity: np.ndarray, relevancy: np.ndarray) -> float:
    """Mean over rows of the official EK100 MIR average precision (a fraction, not percent)."""
    order = np.argsort(-similarity, axis=1)
    rows = np.arange(similarity.shape[0])[:, None]
    ranked = relevancy[rows, order]
    hits = np.cumsum(ranked, axis=1)
    hits[ranked != 1] = 0
    precision_sum = np.sum(hits / (np.arange(ranked.shape[1]) + 1), axis=1)
    return float(np.mean(precision_sum / np.sum(ranked == 1, axis=1)))


def _first_k_mask(relevancy: np.ndarray) -> np.ndarray:
    """1 at ranks ``i < k`` where ``k`` is the row's number of non-zero relevancies."""
    return (np.sort(relevancy, axis=1)[:, ::-1] > 0).astype(int)


def _dcg(similarity: np.ndarray, relevancy: np.ndarray, mask: np.ndarray) -> np.ndarray:
    order = np.argsort(similarity, axis=1)[:, ::-1]
    rows = np.arange(similarity.shape[0])[:, None]
    discounts = np.log2(np.arange(similarity.shape[1]) + 2)
    return np.sum(relevancy[rows, order] * mask / discounts, axis=1)


def mir_ndcg(similarity: np.ndarray, relevancy: np.ndarray) -> float:
    """Mean over rows of the official EK100 MIR nDCG (a fraction)."""
    mask = _first_k_mask(relevancy)
    return float(np.mean(_dcg(similarity, relevancy, mask) / _dcg(relevancy, relevancy, mask)))


@dataclass(frozen=True)
class MirResult:
    """EK100 MIR metrics in percent: per direction and their average."""

    map_v2t: float
    map_t2v: float
    ndcg_v2t: float
    ndcg_t2v: float
    num_videos: int
    num_texts: int

    def to_dict(self) -> dict:
        return {
            "mAP": {"V->T": self.map_v2t, "T->V": self.map_t2v, "avg": (self.map_v2t + self.map_t2v) / 2},
            "nDCG": {
                "V->T": self.ndcg_v2t,
                "T->V": self.ndcg_t2v,
                "avg": (self.ndcg_v2t + self.ndcg_t2v) / 2,
            },
            "num_videos": self.num_videos,
            "num_texts": self.num_texts,
        }


def evaluate_ek100_mir(similarity: np.ndarray, relevancy: np.ndarray) -> MirResult:
    """Both directions of EK100 MIR for a ``(videos, texts)`` similarity and relevancy matrix."""
    similarity, relevancy = np.asarray(similarity, np.float64), np.asarray(relevancy, np.float64)
    if similarity.shape != relevancy.shape or similarity.ndim != 2:
        raise InputError(
            f"similarity matrix {similarity.shape} and relevancy matrix {relevancy.shape} "
            "must be 2-D and the same shape (videos, texts)"
        )
    for name, m in (("rows", relevancy), ("columns", relevancy.T)):
        if np.any(np.sum(m == 1, axis=1) == 0):
            raise InputError(f"relevancy matrix: some {name} have no item of relevancy 1 (mAP undefined)")
    return MirResult(
        100 * mir_average_precision(similarity, relevancy),
        100 * mir_average_precision(similarity.T, relevancy.T),
        100 * mir_ndcg(similarity, relevancy),
        100 * mir_ndcg(similarity.T, relevancy.T),
        *similarity.shape,
    )


# -- EgoMCQ ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EgoMcqResult:
    accuracy: dict[str, float]  # inter_video / intra_video, percent
    counts: dict[str, int]

    def to_dict(self) -> dict:
        return {**self.accuracy, "num_questions": self.counts}


def evaluate_egomcq(scores: np.ndarray, answers: np.ndarray, types: np.ndarray) -> EgoMcqResult:
    """Argmax accuracy per question type (``scores``: ``(questions, choices)``)."""
    correct = np.argmax(np.asarray(scores), axis=1) == np.asarray(answers)
    types = np.asarray(types)
    accuracy, counts = {}, {}
    for code in sorted(set(types.tolist())):
        name = EGOMCQ_TYPES.get(int(code), f"type_{code}")
        chosen = types == code
        accuracy[name] = 100.0 * float(np.mean(correct[chosen]))
        counts[name] = int(chosen.sum())
    return EgoMcqResult(accuracy, counts)


# -- plain retrieval -------------------------------------------------------------------------------


def retrieval_ranks(similarity: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """0-based rank of ``truth[i]`` in row ``i`` (descending), ties averaged."""
    similarity = np.asarray(similarity, np.float64)
    target = similarity[np.arange(len(truth)), truth][:, None]
    higher = np.sum(similarity > target, axis=1)
    equal = np.sum(similarity == target, axis=1)
    return higher + (equal - 1) / 2


@dataclass(frozen=True)
class RetrievalResult:
    recall: dict[str, float]  # "R@1" ... in percent
    median_rank: float
    mean_rank: float
    num_queries: int

    def to_dict(self) -> dict:
        return {**self.recall, "MedR": self.median_rank, "MeanR": self.mean_rank, "num_queries": self.num_queries}


def recall_metrics(ranks: np.ndarray, ks: tuple[int, ...] = RECALL_AT) -> RetrievalResult:
    ranks = np.asarray(ranks, np.float64)
    recall = {f"R@{k}": 100.0 * float(np.mean(ranks < k)) for k in ks}
    return RetrievalResult(recall, float(np.median(ranks) + 1), float(np.mean(ranks) + 1), len(ranks))


def evaluate_retrieval(similarity: np.ndarray, truth: np.ndarray) -> dict:
    """Text→video for a ``(texts, videos)`` matrix with the true video per text; video→text too when
    the truth is a permutation (one text per video)."""
    similarity, truth = np.asarray(similarity, np.float64), np.asarray(truth, np.int64)
    n_texts, n_videos = similarity.shape
    if truth.shape != (n_texts,) or truth.min(initial=0) < 0 or truth.max(initial=0) >= n_videos:
        raise InputError(f"ground truth must give one video index in [0, {n_videos}) per text ({n_texts})")
    out = {"T->V": recall_metrics(retrieval_ranks(similarity, truth)).to_dict()}
    if n_texts == n_videos and len(set(truth.tolist())) == n_videos:
        text_of = np.argsort(truth)
        out["V->T"] = recall_metrics(retrieval_ranks(similarity.T, text_of)).to_dict()
    return out


# -- files -----------------------------------------------------------------------------------------


def load_matrix(path: Path, keys: tuple[str, ...] = ()) -> np.ndarray:
    """A 2-D float matrix from ``.npy``, ``.npz`` (first of ``keys`` present, or the only array),
    ``.csv`` or ``.json`` (a list of rows)."""
    path = Path(path)
    try:
        if path.suffix == ".npy":
            matrix = np.load(path, allow_pickle=False)
        elif path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                names = [k for k in keys if k in data.files] or (data.files if len(data.files) == 1 else [])
                if not names:
                    raise InputError(f"{path}: expected one array or one of {', '.join(keys)}")
                matrix = data[names[0]]
        elif path.suffix == ".csv":
            matrix = np.loadtxt(path, delimiter=",", ndmin=2)
        elif path.suffix == ".json":
            matrix = np.asarray(json.loads(path.read_text(encoding="utf-8")), dtype=np.float64)
        else:
            raise InputError(f"{path}: unsupported matrix file (use .npy, .npz, .csv or .json)")
    except InputError:
        raise
    except (ValueError, OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: unreadable matrix ({exc})") from exc
    if matrix.ndim != 2 or matrix.dtype.kind not in "fiub" or not np.isfinite(matrix).all():
        raise InputError(f"{path}: expected a finite 2-D numeric matrix, got shape {matrix.shape}")
    return matrix.astype(np.float64)


def evaluate_ek100_mir_files(pred: Path, gt: Path) -> MirResult:
    return evaluate_ek100_mir(load_matrix(pred, ("sim_mat", "similarity")), load_matrix(gt, ("relevancy",)))


def _read_json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: invalid JSON ({exc})") from exc


def evaluate_egomcq_files(pred: Path, gt: Path) -> EgoMcqResult:
    """``gt``: EgoVLP's ``egomcq.json`` (``{id: {"answer", "types", "choices", ...}}``);
    ``pred``: ``{id: [score per choice]}``."""
    questions, predictions = _read_json(gt), _read_json(pred)
    if not isinstance(questions, dict) or not isinstance(predictions, dict):
        raise InputError(f"{gt} / {pred}: expected JSON objects keyed by question id")
    scores, answers, types = [], [], []
    for qid, q in questions.items():
        if not isinstance(q, dict) or not {"answer", "types", "choices"} <= set(q):
            raise InputError(f"{gt}: field '{qid}': expected answer, types and choices")
        row = predictions.get(qid)
        if row is None:
            raise InputError(f"{pred}: field '{qid}': no scores for this question")
        if not isinstance(row, list) or len(row) != len(q["choices"]):
            raise InputError(f"{pred}: field '{qid}': expected {len(q['choices'])} scores")
        scores.append([float(x) for x in row])
        answers.append(int(q["answer"]))
        types.append(int(q["types"]))
    if not scores:
        raise InputError(f"{gt}: no questions")
    width = max(len(s) for s in scores)
    padded = np.full((len(scores), width), -np.inf)
    for i, s in enumerate(scores):
        padded[i, : len(s)] = s
    return evaluate_egomcq(padded, np.array(answers), np.array(types))


def evaluate_retrieval_files(pred: Path, gt: Path) -> dict:
    """``pred``: ``(texts, videos)`` similarity matrix; ``gt``: JSON list of the true video per text,
    or ``"diagonal"`` in a JSON file for text ``i`` ↔ video ``i``."""
    similarity = load_matrix(pred, ("sim_mat", "similarity"))
    truth = _read_json(gt)
    if truth == "diagonal":
        truth = list(range(similarity.shape[0]))
    if not isinstance(truth, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in truth):
        raise InputError(f"{gt}: expected a JSON list of video indices (one per text) or \"diagonal\"")
    return evaluate_retrieval(similarity, np.array(truth))
