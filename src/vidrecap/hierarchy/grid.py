"""Align every signal to the 2-second grid once."""

from __future__ import annotations

from collections.abc import Sequence

from ..evidence.faces_pass import confirm_expressions
from ..evidence.objects_pass import steady_objects
from ..evidence.sounds_pass import CellSounds
from ..evidence.visual import CellVisual
from ..results import CELL_SECONDS, Cell, FaceEvidence, PictureEvidence, SeenObject, Tag, Transcript, Word


def words_by_cell(transcript: Transcript, n_cells: int) -> list[list[Word]]:
    """Each word goes to the cell holding its midpoint."""
    out: list[list[Word]] = [[] for _ in range(n_cells)]
    for seg in transcript.segments:
        words = seg.words or [Word(seg.start, seg.end, seg.text, speaker=seg.speaker)]
        for w in words:
            i = min(n_cells - 1, max(0, int(((w.start + w.end) / 2) // CELL_SECONDS)))
            out[i].append(w)
    return out


def build_cells(n_cells: int, duration: float, visuals: Sequence[CellVisual], transcript: Transcript,
                frames_prefix: str = "frames/", sounds: Sequence[CellSounds] = ()) -> list[Cell]:
    by_index = {v.cell: v for v in visuals}
    heard = {s.cell: s.sounds for s in sounds}
    words = words_by_cell(transcript, n_cells)
    several = transcript.turns_shown  # one voice: cells name no speaker
    cells, raw_objects = [], []
    for i in range(n_cells):
        v = by_index.get(i)
        cell = Cell(index=i, start=i * CELL_SECONDS, end=min(duration, (i + 1) * CELL_SECONDS),
                    speech=" ".join(w.text for w in words[i]).strip(),
                    speakers=list(dict.fromkeys(w.speaker for w in words[i] if w.speaker and several)))
        if v is not None:
            cell.tags = [Tag(label, score) for label, score in v.tags]
            cell.on_screen, cell.scene_cut, cell.change = v.on_screen, v.scene_cut, v.change
            cell.frame = frames_prefix + v.frame if v.frame else None
            cell.faces = FaceEvidence.from_dict(v.experts.get("faces"))
            cell.picture = _picture(v, by_index.get(i - 1))
        seen = v.experts.get("objects", {}).get("seen", []) if v is not None else []
        raw_objects.append([SeenObject(**o) for o in seen])
        cell.sounds = [Tag(label, score) for label, score in heard.get(i, [])]
        cells.append(cell)
    for cell, steady in zip(cells, steady_objects(raw_objects), strict=True):
        cell.objects = steady
    confirm_expressions(cells)
    return cells


def _picture(v: CellVisual, previous: CellVisual | None) -> PictureEvidence | None:
    """The cell's picture statistics; camera motion is measured from the previous key frame, so
    it is dropped when a cut may lie between the two."""
    picture = PictureEvidence.from_dict(v.experts.get("picture"))
    if picture is not None and (v.scene_cut or previous is None or previous.scene_cut):
        picture.camera, picture.shift = "", []
    return picture


def merge_tags(cells: Sequence[Cell], limit: int = 5, attr: str = "tags") -> list[Tag]:
    """Mean tag (or, with ``attr="sounds"``, sound) probability over cells, strongest first."""
    total: dict[str, float] = {}
    for c in cells:
        for t in getattr(c, attr):
            total[t.label] = total.get(t.label, 0.0) + t.score
    n = max(1, len(cells))
    best = sorted(total.items(), key=lambda kv: -kv[1])[:limit]
    return [Tag(label, round(score / n, 4)) for label, score in best]
