"""Chapters as people and players consume them: a YouTube-style list and WebVTT chapters.

A chapter is a segment of the recap: its start, end and title (``Part N`` when it has none), and
its sections when it has several (e.g. one per slide of the same topic).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..results import Caption
from .captions import to_webvtt


@dataclass
class Chapter:
    start: float
    end: float
    title: str
    sections: list[Chapter] = field(default_factory=list)


def chapters_of(segments: Sequence[Caption]) -> list[Chapter]:
    return [Chapter(s.start, s.end, " ".join(s.title.split()) or f"Part {k + 1}",
                    [Chapter(x.start, x.end, " ".join(x.title.split()) or f"Part {k + 1}.{j + 1}")
                     for j, x in enumerate(s.sections)])
            for k, s in enumerate(segments)]


def clock(seconds: float, hours: bool = False) -> str:
    """``M:SS``, or ``H:MM:SS`` when ``hours`` (YouTube wants one style for the whole list)."""
    s = max(0, int(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if hours else f"{s // 60}:{s % 60:02d}"


def youtube_list(chapters: Sequence[Chapter], sections: bool = False) -> str:
    """One ``0:00 Title`` line per chapter, the first at 0:00 (YouTube's description format, which
    has no nesting: ``chapters.txt``); with ``sections``, each chapter's sections follow it indented."""
    hours = bool(chapters) and chapters[-1].start >= 3600
    lines = []
    for k, c in enumerate(chapters):
        lines.append(f"{clock(0.0 if k == 0 else c.start, hours)} {c.title}")
        if sections:
            lines += [f"    {clock(x.start, hours)} {x.title}" for x in c.sections]
    return "\n".join(lines) + ("\n" if lines else "")


def chapters_webvtt(chapters: Sequence[Chapter], sections: bool = True) -> str:
    """WebVTT for ``<track kind="chapters">``: one cue per chapter, its title as the payload; with
    ``sections``, each chapter's sections follow it as cues nested inside its time (WebVTT's
    nested chapters)."""
    cues = []
    for c in chapters:
        cues.append((c.start, c.end, c.title))
        if sections:
            cues += [(x.start, x.end, x.title) for x in c.sections]
    return to_webvtt(cues)


def as_json(chapters: Sequence[Chapter]) -> list[dict]:
    return [{"start": c.start, "end": c.end, "title": c.title,
             "sections": [{"start": x.start, "end": x.end, "title": x.title} for x in c.sections]} for c in chapters]
