"""Chapters as people and players consume them: a YouTube-style list and WebVTT chapters.

A chapter is a segment of the recap: its start, end and title (``Part N`` when it has none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..results import Caption
from .captions import to_webvtt


@dataclass
class Chapter:
    start: float
    end: float
    title: str


def chapters_of(segments: Sequence[Caption]) -> list[Chapter]:
    return [Chapter(s.start, s.end, " ".join(s.title.split()) or f"Part {k + 1}") for k, s in enumerate(segments)]


def clock(seconds: float, hours: bool = False) -> str:
    """``M:SS``, or ``H:MM:SS`` when ``hours`` (YouTube wants one style for the whole list)."""
    s = max(0, int(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if hours else f"{s // 60}:{s % 60:02d}"


def youtube_list(chapters: Sequence[Chapter]) -> str:
    """One ``0:00 Title`` line per chapter, the first at 0:00 (YouTube's description format)."""
    hours = bool(chapters) and chapters[-1].start >= 3600
    lines = [f"{clock(0.0 if k == 0 else c.start, hours)} {c.title}" for k, c in enumerate(chapters)]
    return "\n".join(lines) + ("\n" if lines else "")


def chapters_webvtt(chapters: Sequence[Chapter]) -> str:
    """WebVTT for ``<track kind="chapters">``: one cue per chapter, its title as the payload."""
    return to_webvtt((c.start, c.end, c.title) for c in chapters)
