"""Questions that join two asks ("how many trees were planted and how many bridges were repaired?"):
each part is looked up on its own, so a premise only half in the video is answered for the half that
is there and the rest is said to be not in this video, instead of quoting the present half as if it
answered everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..moments.lexical import terms

QUESTION_START = (r"how|what|which|when|where|who|whom|whose|why|whether|is|are|was|were|does|do|did|can|"
                  r"could|should|would|will|has|have")
_JOINT = re.compile(rf",?\s+(?:and|but|as well as|also)\s+(?=(?:{QUESTION_START})\b)", re.IGNORECASE)


@dataclass(frozen=True)
class PremiseCheck:
    """The parts of a question found in the video and those not found."""

    present: tuple[str, ...]
    absent: tuple[str, ...]

    @property
    def partial(self) -> bool:
        return bool(self.present) and bool(self.absent)


def question_parts(question: str) -> list[str]:
    """``question`` split where a second question starts after "and"/"but"; parts without a content
    word stay joined to the one before."""
    pieces = [p.strip(" ?,") for p in _JOINT.split(question.strip()) if p.strip(" ?,")]
    parts: list[str] = []
    for piece in pieces:
        if parts and not terms(piece):
            parts[-1] = f"{parts[-1]} and {piece}"
        else:
            parts.append(piece)
    return [p + "?" for p in parts] if len(parts) > 1 else [question]


def missing_note(absent: tuple[str, ...]) -> str:
    """"Not in this video: …" for the parts of a question that were not found."""
    asked = "; ".join(f"\u201c{a.rstrip('?')}\u201d" for a in absent)
    return f"Not in this video: {asked}."
