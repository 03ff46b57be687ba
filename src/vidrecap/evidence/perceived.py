"""What the experts saw and heard, in words: per cell (for answers) and over a span (for writers).

A span-level claim needs the expert to say it in a share of the span's cells (``PREVALENT``, at
least two cells): a segment is not "a close-up of a face" because one key frame showed one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..results import Cell, SeenObject
from .faces_pass import describe_faces
from .objects_pass import describe_objects
from .picture_pass import describe_picture

PREVALENT = 0.2


def perceptions(cell: Cell) -> dict[str, str]:
    """What the experts saw and heard in one cell, in the words of its captions, by source
    (``sounds``, ``faces``, ``objects``, ``picture``; ``""`` where an expert said nothing)."""
    from ..writing.extractive import describe_sounds

    heard = describe_sounds(cell.sounds, spoken=bool(cell.speech.strip()))
    return {"sounds": f"the sound of {heard}" if heard else "", "faces": describe_faces(cell.faces),
            "objects": describe_objects(cell.objects), "picture": ", ".join(describe_picture(cell.picture))}


def span_perceptions(cells: Sequence[Cell]) -> tuple[list[str], list[str]]:
    """``(seen, heard)``: phrases that hold over the span, e.g. ``(["people, 2 cars"], ["music"])``."""
    need = max(2.0, PREVALENT * len(cells))
    seen = [_prevalent_objects(cells, need)]
    seen.append(_prevalent([describe_faces(c.faces) for c in cells], need))
    seen.append(_prevalent([", ".join(describe_picture(c.picture)) for c in cells], need))
    return [s for s in seen if s], _prevalent_sounds(cells, need)


def _prevalent(phrases: Sequence[str], need: float) -> str:
    counts = Counter(p for p in phrases if p)
    if not counts:
        return ""
    phrase, n = counts.most_common(1)[0]
    return phrase if n >= need else ""


def _prevalent_sounds(cells: Sequence[Cell], need: float, limit: int = 2) -> list[str]:
    """Sound classes heard in enough cells, most frequent first (silence only in a span without speech)."""
    from ..writing.extractive import heard_labels

    spoken = any(c.speech.strip() for c in cells)
    counts = Counter(label for c in cells for label in heard_labels(c.sounds, spoken))
    return [label.lower() for label, n in counts.most_common(limit) if n >= need]


def _prevalent_objects(cells: Sequence[Cell], need: float) -> str:
    """Classes seen in enough cells, most frequent first, each with its usual (median) count."""
    counts: dict[str, list[int]] = {}
    for c in cells:
        for o in c.objects:
            counts.setdefault(o.label, []).append(o.count)
    kept = sorted((label for label, n in counts.items() if len(n) >= need), key=lambda k: -len(counts[k]))
    return describe_objects([SeenObject(k, sorted(counts[k])[len(counts[k]) // 2]) for k in kept])
