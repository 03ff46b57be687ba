"""Original video-summarization releases: TVSum (``ydata-tvsum50.mat``, MATLAB v7.3 = HDF5) and
SumMe (``GT/<video>.mat``, MATLAB v5), plus a jsonl of predicted importance scores.

TVSum: per video ``video`` (YouTube id), ``category`` (two-letter domain), ``title``, ``nframes``,
``length`` (seconds) and ``user_anno`` (per-frame 1-5 importance from 20 users).
SumMe: ``user_score`` (frames x users, > 0 where the user kept the frame), ``nFrames``, ``FPS``.

Prediction jsonl (one video per line): ``{"vid": ..., "scores": [...]}`` with optional
``"positions"`` (first frame of each score; default: scores spread evenly over the frames),
``"clip_seconds"`` (each score covers that many seconds) and ``"change_points"``
(``[[first_frame, last_frame], ...]`` shots, inclusive). ``"pred_saliency_scores"`` (QVHighlights
submission format) is read as ``scores`` of 2 s clips.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from ._records import Where, bad, check_unique, number, number_list, number_rows, read_jsonl
from ._records import field as required_field


@dataclass(frozen=True)
class SummarizationVideo:
    """Ground truth of one video: per-frame user scores (users, frames), frame rate and metadata."""

    video_id: str
    num_frames: int
    fps: float
    user_scores: np.ndarray
    category: str = ""
    title: str = ""

    @property
    def num_users(self) -> int:
        return int(self.user_scores.shape[0])


@dataclass(frozen=True)
class SummaryPrediction:
    vid: str
    scores: list[float]
    positions: list[int] | None = None
    clip_seconds: float | None = None
    change_points: list[tuple[int, int]] | None = None
    where: Where | None = field(default=None, compare=False, repr=False)


def _mat_string(handle, ref) -> str:
    codes = np.array(handle[ref]).ravel()
    return "".join(chr(int(c)) for c in codes)


def _mat_number(handle, ref) -> float:
    return float(np.array(handle[ref]).ravel()[0])


def load_tvsum_mat(path: str | Path) -> list[SummarizationVideo]:
    """Read ``ydata-tvsum50.mat`` (HDF5) with h5py."""
    import h5py

    path = Path(path)
    try:
        handle = h5py.File(path, "r")
    except OSError as exc:
        raise InputError(f"{path}: not a MATLAB v7.3 / HDF5 file ({exc})") from exc
    with handle:
        if "tvsum50" not in handle:
            raise InputError(f"{path}: field 'tvsum50': missing (not the TVSum release)")
        table = handle["tvsum50"]
        for name in ("video", "category", "title", "nframes", "length", "user_anno"):
            if name not in table:
                raise InputError(f"{path}: field 'tvsum50.{name}': missing")
        videos = []
        for i in range(table["video"].shape[0]):
            videos.append(_tvsum_video(handle, table, i, path))
    return videos


def _tvsum_video(handle, table, i: int, path: Path) -> SummarizationVideo:
    video_id = _mat_string(handle, table["video"][i, 0])
    num_frames = int(_mat_number(handle, table["nframes"][i, 0]))
    seconds = _mat_number(handle, table["length"][i, 0])
    user_scores = np.array(handle[table["user_anno"][i, 0]], dtype=float)
    if user_scores.shape[1] != num_frames and user_scores.shape[0] == num_frames:
        user_scores = user_scores.T
    if user_scores.shape[1] != num_frames or seconds <= 0:
        raise InputError(
            f"{path}: field 'tvsum50.user_anno' of video {i + 1} ({video_id}): not {num_frames} frames"
        )
    return SummarizationVideo(
        video_id=video_id,
        num_frames=num_frames,
        fps=num_frames / seconds,
        user_scores=user_scores,
        category=_mat_string(handle, table["category"][i, 0]),
        title=_mat_string(handle, table["title"][i, 0]),
    )


def load_summe_mat(path: str | Path) -> SummarizationVideo:
    """Read one SumMe ground-truth file ``GT/<video>.mat`` (MATLAB v5) with scipy."""
    from scipy.io import loadmat

    path = Path(path)
    try:
        data = loadmat(path)
    except Exception as exc:  # scipy raises several types for a bad file
        raise InputError(f"{path}: not a MATLAB v5 file ({exc})") from exc
    for name in ("user_score", "nFrames", "FPS"):
        if name not in data:
            raise InputError(f"{path}: field '{name}': missing (not a SumMe GT file)")
    user_score = np.asarray(data["user_score"], dtype=float)
    num_frames = int(np.asarray(data["nFrames"]).ravel()[0])
    if user_score.ndim != 2 or user_score.shape[0] != num_frames:
        raise InputError(
            f"{path}: field 'user_score': expected {num_frames} frames x users, got {user_score.shape}"
        )
    return SummarizationVideo(
        video_id=path.stem,
        num_frames=num_frames,
        fps=float(np.asarray(data["FPS"]).ravel()[0]),
        user_scores=user_score.T,
    )


def load_summe_dir(path: str | Path) -> list[SummarizationVideo]:
    """All ``*.mat`` files of a SumMe ``GT`` folder (or one file)."""
    path = Path(path)
    files = sorted(path.glob("*.mat")) if path.is_dir() else [path]
    if not files:
        raise InputError(f"{path}: no .mat files")
    return [load_summe_mat(f) for f in files]


def load_summary_predictions(path: str | Path) -> list[SummaryPrediction]:
    predictions = []
    seen: dict = {}
    for where, record in read_jsonl(path):
        vid = record.get("vid", record.get("video_id", record.get("qid")))
        if not isinstance(vid, str | int) or isinstance(vid, bool):
            raise bad(where, "vid", "missing or not a string")
        vid = str(vid)
        where = Where(where.path, where.line, f"vid {vid}")
        check_unique(seen, vid, where, "vid")
        predictions.append(_parse_summary_prediction(record, vid, where))
    return predictions


def _parse_summary_prediction(record: dict, vid: str, where: Where) -> SummaryPrediction:
    clip_seconds = None
    if "scores" in record:
        scores = number_list(record["scores"], "scores", where, allow_empty=False)
        if record.get("clip_seconds") is not None:
            clip_seconds = number(record["clip_seconds"], "clip_seconds", where)
            if clip_seconds <= 0:
                raise bad(where, "clip_seconds", "must be positive")
    else:
        value = (
            required_field(record, "pred_saliency_scores", where)
            if "pred_saliency_scores" in record
            else None
        )
        if value is None:
            raise bad(where, "scores", "missing (or pred_saliency_scores)")
        scores = number_list(value, "pred_saliency_scores", where, allow_empty=False)
        clip_seconds = 2.0
    positions = None
    if record.get("positions") is not None:
        positions = [int(p) for p in number_list(record["positions"], "positions", where)]
        if len(positions) != len(scores) or positions != sorted(positions) or positions[0] < 0:
            raise bad(where, "positions", "expected one increasing frame index per score")
    change_points = None
    if record.get("change_points") is not None:
        rows = number_rows(record["change_points"], "change_points", where, width=2)
        change_points = [(int(a), int(b)) for a, b in rows]
        if not change_points or any(b < a for a, b in change_points):
            raise bad(where, "change_points", "expected [[first_frame, last_frame], ...] with first <= last")
    return SummaryPrediction(vid, scores, positions, clip_seconds, change_points, where)
