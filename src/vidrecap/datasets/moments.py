"""QVHighlights-style moment annotations (QVHighlights, Charades-STA, TACoS) and submissions.

Ground truth: ``{qid, query, duration, vid, relevant_windows: [[st, ed], ...]}``; QVHighlights adds
``relevant_clip_ids`` (2 s clips, 0-based) and ``saliency_scores`` (one row of 3 annotator scores 0-4
per relevant clip). Submission: ``{qid, query, vid, pred_relevant_windows: [[st, ed, score], ...],
pred_saliency_scores: [one float per 2 s clip]}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ._records import (
    Where,
    bad,
    check_unique,
    id_field,
    number_field,
    number_list,
    number_rows,
    read_jsonl,
    text_field,
    windows_field,
)

QueryId = str | int


@dataclass(frozen=True)
class MomentQuery:
    """One ground-truth query: the windows (seconds) where it happens, and optional clip saliency."""

    qid: QueryId
    query: str
    vid: str
    duration: float
    relevant_windows: list[tuple[float, float]]
    relevant_clip_ids: list[int] = field(default_factory=list)
    saliency_scores: list[list[float]] = field(default_factory=list)
    where: Where | None = field(default=None, compare=False, repr=False)

    @property
    def has_saliency(self) -> bool:
        return bool(self.relevant_clip_ids)


@dataclass(frozen=True)
class MomentPrediction:
    """One submitted query: ranked windows ``(start, end, score)`` in file order, and clip saliency."""

    qid: QueryId
    vid: str
    query: str
    windows: list[tuple[float, float, float]]
    saliency: list[float] | None
    where: Where | None = field(default=None, compare=False, repr=False)


def load_moment_annotations(path: str | Path, require_windows: bool = True) -> list[MomentQuery]:
    """Read a QVHighlights-style ground-truth jsonl (QVHighlights, Charades-STA, TACoS)."""
    queries: list[MomentQuery] = []
    seen: dict[QueryId, int] = {}
    for where, record in read_jsonl(path):
        query = _parse_query(record, where, require_windows)
        check_unique(seen, query.qid, where, "qid")
        queries.append(query)
    return queries


def _parse_query(record: dict, where: Where, require_windows: bool) -> MomentQuery:
    qid = id_field(record, "qid", where)
    where = Where(where.path, where.line, f"qid {qid}")
    duration = number_field(record, "duration", where)
    if duration <= 0:
        raise bad(where, "duration", f"must be positive, got {duration}")
    windows: list = []
    if record.get("relevant_windows") is not None or require_windows:
        windows = windows_field(record, "relevant_windows", where, allow_empty=not require_windows)
    clip_ids, saliency = _parse_saliency(record, where)
    return MomentQuery(
        qid=qid,
        query=text_field(record, "query", where, required=False),
        vid=str(record.get("vid", "")),
        duration=duration,
        relevant_windows=[(w[0], w[1]) for w in windows],
        relevant_clip_ids=clip_ids,
        saliency_scores=saliency,
        where=where,
    )


def _parse_saliency(record: dict, where: Where) -> tuple[list[int], list[list[float]]]:
    if record.get("relevant_clip_ids") is None:
        return [], []
    clip_ids = number_list(record["relevant_clip_ids"], "relevant_clip_ids", where)
    if any(c != int(c) or c < 0 for c in clip_ids):
        raise bad(where, "relevant_clip_ids", "expected non-negative integers")
    if "saliency_scores" not in record or record["saliency_scores"] is None:
        raise bad(where, "saliency_scores", "missing (needed with relevant_clip_ids)")
    scores = number_rows(record["saliency_scores"], "saliency_scores", where)
    if len(scores) != len(clip_ids):
        raise bad(where, "saliency_scores", f"{len(scores)} rows for {len(clip_ids)} relevant_clip_ids")
    return [int(c) for c in clip_ids], scores


def load_moment_predictions(
    path: str | Path, require_windows: bool = True, require_saliency: bool = False
) -> list[MomentPrediction]:
    """Read a submission jsonl (QVHighlights format). Windows keep the file's order."""
    predictions: list[MomentPrediction] = []
    seen: dict[QueryId, int] = {}
    for where, record in read_jsonl(path):
        prediction = _parse_prediction(record, where, require_windows, require_saliency)
        check_unique(seen, prediction.qid, where, "qid")
        predictions.append(prediction)
    return predictions


def _parse_prediction(
    record: dict, where: Where, require_windows: bool, require_saliency: bool
) -> MomentPrediction:
    qid = id_field(record, "qid", where)
    where = Where(where.path, where.line, f"qid {qid}")
    windows: list = []
    if require_windows or record.get("pred_relevant_windows") is not None:
        windows = windows_field(record, "pred_relevant_windows", where, width=3, allow_empty=False)
    saliency = None
    if require_saliency or record.get("pred_saliency_scores") is not None:
        if "pred_saliency_scores" not in record:
            raise bad(where, "pred_saliency_scores", "missing")
        saliency = number_list(
            record["pred_saliency_scores"], "pred_saliency_scores", where, allow_empty=False
        )
    return MomentPrediction(
        qid=qid,
        vid=str(record.get("vid", "")),
        query=str(record.get("query", "")),
        windows=[(w[0], w[1], w[2]) for w in windows],
        saliency=saliency,
        where=where,
    )


def check_same_queries(
    predictions: list[MomentPrediction], ground_truth: list[MomentQuery], pred_path: str | Path
) -> None:
    """The official check that a submission covers exactly the ground-truth qids."""
    gt_ids = {q.qid for q in ground_truth}
    pred_ids = {p.qid for p in predictions}
    for prediction in predictions:
        if prediction.qid not in gt_ids:
            raise InputError(
                f"{prediction.where}: field 'qid': {prediction.qid!r} is not in the ground truth"
            )
    missing = [q for q in ground_truth if q.qid not in pred_ids]
    if missing:
        shown = ", ".join(repr(q.qid) for q in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise InputError(
            f"{pred_path}: field 'qid': {len(missing)} ground-truth qids have no prediction "
            f"(first: {missing[0].where}): {shown}{more}"
        )
