"""WebVTT and SRT for timed text."""

from __future__ import annotations

from collections.abc import Iterable


def _stamp(seconds: float, sep: str) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _clean(text: str) -> str:
    # a blank line ends a cue and "-->" starts a timing line: neither may appear in a payload
    lines = [ln.strip() for ln in text.replace("-->", "->").splitlines() if ln.strip()]
    return "\n".join(lines) or "…"


def to_webvtt(cues: Iterable[tuple[float, float, str]]) -> str:
    out = ["WEBVTT", ""]
    for i, (start, end, text) in enumerate(cues, 1):
        out += [str(i), f"{_stamp(start, '.')} --> {_stamp(end, '.')}", _clean(text), ""]
    return "\n".join(out)


def to_srt(cues: Iterable[tuple[float, float, str]]) -> str:
    out = []
    for i, (start, end, text) in enumerate(cues, 1):
        out += [str(i), f"{_stamp(start, ',')} --> {_stamp(end, ',')}", _clean(text), ""]
    return "\n".join(out)
