"""``summary.md``: the summary, the chapter list (YouTube style), then each segment and how far to trust it."""

from __future__ import annotations

from pathlib import Path

from ..results import Caption, Recap
from .chapters import chapters_of, youtube_list


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def recap_markdown(recap: Recap) -> str:
    name = Path(recap.video.path).name
    lines = [f"# {recap.summary.title or name}", "",
             f"*{name} · {_clock(recap.video.duration)} · {len(recap.segments)} segments · "
             f"{len(recap.clips)} clips*", "", "## Summary", "", recap.summary.text.replace("\n", "\n\n"),
             *_trust(recap.summary), "",
             "## Chapters", "", youtube_list(chapters_of(recap.segments)).rstrip("\n"), "", "## Segments", ""]
    for seg in recap.segments:
        title = f" — {seg.title}" if seg.title else ""
        lines += [f"### {_clock(seg.start)}–{_clock(seg.end)}{title}", ""]
        if seg.sections:
            lines += [*(f"- [{_clock(x.start)}] {x.title}" for x in seg.sections), ""]
        lines += [seg.text, *_trust(seg), ""]
    return "\n".join(lines)


def _trust(item: Caption) -> list[str]:
    """An italic line: who wrote the item and the share of its content words found in the evidence."""
    if item.faithfulness is None:
        return []
    rejected = bool(item.problems) and "rejected" in item.problems[0]
    fallback = " (fallback: the model's output was rejected)" if rejected else ""
    return ["", f"*faithfulness {item.faithfulness:.0%} · written by {item.writer or 'unknown'}{fallback}*"]
