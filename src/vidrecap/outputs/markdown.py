"""``summary.md``: the summary, the chapter list (YouTube style), then each segment with its time range."""

from __future__ import annotations

from pathlib import Path

from ..results import Recap
from .chapters import chapters_of, youtube_list


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def recap_markdown(recap: Recap) -> str:
    name = Path(recap.video.path).name
    lines = [f"# {recap.summary.title or name}", "",
             f"*{name} · {_clock(recap.video.duration)} · {len(recap.segments)} segments · "
             f"{len(recap.clips)} clips*", "", "## Summary", "", recap.summary.text, "",
             "## Chapters", "", youtube_list(chapters_of(recap.segments)).rstrip("\n"), "", "## Segments", ""]
    for seg in recap.segments:
        title = f" — {seg.title}" if seg.title else ""
        lines += [f"### {_clock(seg.start)}–{_clock(seg.end)}{title}", "", seg.text, ""]
    return "\n".join(lines)
