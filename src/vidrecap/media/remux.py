"""Copy a video's streams into a new MP4/MKV with chapter metadata (no re-encoding)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

from ..errors import InputError

TIME_BASE = Fraction(1, 1000)


def write_with_chapters(source: str | Path, target: str | Path,
                        chapters: Sequence[tuple[float, float, str]]) -> Path:
    """Remux ``source`` into ``target`` with ``(start, end, title)`` chapters; written atomically."""
    import av

    source, target = Path(source), Path(target)
    if target.suffix.lower() not in (".mp4", ".m4v", ".mov", ".mkv"):
        raise InputError(f"{target}: chapters can be written into .mp4, .m4v, .mov or .mkv files")
    if target.resolve() == source.resolve():
        raise InputError(f"{target}: write the chaptered copy to a new file, not over the source")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp{target.suffix}")
    try:
        with av.open(str(source)) as src, av.open(str(tmp), "w", format=_format(target)) as out:
            streams = {}
            for s in src.streams:
                if s.type in ("video", "audio", "subtitle"):
                    streams[s.index] = out.add_stream_from_template(s)
            if not streams:
                raise InputError(f"{source}: no audio or video stream to copy")
            out.set_chapters([
                {"id": k + 1, "start": int(round(a * 1000)), "end": int(round(b * 1000)),
                 "time_base": TIME_BASE, "metadata": {"title": title}}
                for k, (a, b, title) in enumerate(chapters)])
            for packet in src.demux(*[src.streams[i] for i in streams]):
                if packet.dts is None:
                    continue
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
        os.replace(tmp, target)
    except av.FFmpegError as exc:
        raise InputError(f"{source}: cannot copy into {target} ({exc})") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target


def read_chapters(path: str | Path) -> list[tuple[float, float, str]]:
    """The ``(start, end, title)`` chapters a player sees in ``path``."""
    import av

    with av.open(str(path)) as c:
        return [(float(ch["start"] * ch["time_base"]), float(ch["end"] * ch["time_base"]),
                 ch["metadata"].get("title", "")) for ch in c.chapters()]


def _format(target: Path) -> str:
    return "matroska" if target.suffix.lower() == ".mkv" else "mp4"
