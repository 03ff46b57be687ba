"""Server-rendered HTML: the index of recaps and one page per recap (escaped; scripts are static files).

The summary, the chapter bar and the chapter (segment) outline are in the HTML (readable without
scripts); clip captions, the highlight curve, search and key frames are filled in by
``static/recap.js`` from the JSON API; ``static/chapters.js`` marks the chapter being played.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

from ..outputs.chapters import chapters_of
from ..outputs.speakers import load_names, renamed
from ..results import Caption, Recap
from .library import RecapEntry
from .speakers_page import speakers_panel

_STAMP = re.compile(r"\[((?:\d+:)?\d{1,2}:\d{2})\]")


def clock(seconds: float) -> str:
    """``H:MM:SS`` or ``M:SS``."""
    s = max(0, int(seconds))
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def recap_title(entry: RecapEntry) -> str:
    """The summary's title, else the video's file name, else the folder name."""
    recap = entry.recap
    if recap is not None and recap.summary.title.strip():
        return recap.summary.title.strip()
    if recap is not None and recap.video.path:
        return Path(recap.video.path).name
    return entry.directory.name


def layout(title: str, body: str, scripts: tuple[str, ...] = ()) -> str:
    tags = "".join(f'<script src="/static/{escape(s)}" defer></script>' for s in scripts)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)} · vidrecap</title><link rel="icon" href="/static/favicon.svg">'
            f'<link rel="stylesheet" href="/static/style.css">{tags}'
            f'</head><body>{body}</body></html>')


def index_page(entries: list[RecapEntry], allow_upload: bool, library_search: bool = False) -> str:
    items = "".join(_index_item(e) for e in entries) or '<li class="empty">No recaps found.</li>'
    upload = _upload_form() if allow_upload else ""
    search = _library_form() if library_search else ""
    body = (f'<header class="top"><h1>vidrecap</h1></header><main class="index">{search}'
            f'<section aria-labelledby="recaps-h"><h2 id="recaps-h">Recaps</h2>'
            f'<ul class="recaps" id="recap-list">{items}</ul></section>{upload}</main>')
    scripts = (("index.js",) if allow_upload else ()) + (("library.js",) if library_search else ())
    return layout("Recaps", body, scripts)


def _library_form() -> str:
    return ('<section aria-labelledby="library-h"><h2 id="library-h">Search every recap</h2>'
            '<form id="library-form" class="search" role="search"><label for="library-q">Find a moment</label> '
            '<input id="library-q" name="q" type="search" maxlength="1000" required '
            'placeholder="e.g. the slide about revenue"> <button type="submit">Search</button></form>'
            '<ol id="library-results" class="results" aria-live="polite"></ol></section>')


def _index_item(entry: RecapEntry) -> str:
    title = escape(recap_title(entry))
    if entry.recap is None:
        return f'<li class="broken"><strong>{title}</strong> <span class="muted">{escape(entry.error)}</span></li>'
    r = entry.recap
    facts = f"{clock(r.video.duration)} · {len(r.segments)} segments · {len(r.clips)} clips"
    return (f'<li><a href="/recaps/{entry.id}">{title}</a> <span class="muted">{facts}</span>'
            f'<p>{escape(_shorten(r.summary.text, 240))}</p></li>')


def _upload_form() -> str:
    return ('<section aria-labelledby="upload-h"><h2 id="upload-h">Recap a new video</h2>'
            '<form id="upload-form" class="upload"><label for="upload-file">Video or audio file</label> '
            '<input id="upload-file" name="file" type="file" accept="video/*,audio/*,.mkv,.ts" required> '
            '<button type="submit">Upload and recap</button></form>'
            '<ul id="jobs" class="jobs" aria-live="polite"></ul></section>')


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def recap_page(entry: RecapEntry) -> str:
    recap = entry.recap
    assert recap is not None
    rid = entry.id
    title = recap_title(entry)
    live = live_state(entry.directory)
    badge = (f'<span id="live-badge" class="live-badge" data-live="{int(bool(live.get("live")))}" '
             f'data-status="{escape(str(live.get("status", "")))}">{_badge_text(live)}</span>' if live else "")
    body = (f'<header class="top"><a href="/">All recaps</a><h1>{escape(title)}</h1>{badge}</header>'
            f'<main class="recap" id="recap" data-recap-id="{rid}" data-duration="{recap.video.duration:.3f}">'
            f'{_player(rid, recap, entry.directory)}{_outline(recap, load_names(entry.directory))}</main>')
    scripts = ("recap.js", "seek.js", "ask.js", "chapters.js", "speakers.js") + (("live.js",) if live else ())
    return layout(title, body, scripts)


def live_state(directory: Path) -> dict:
    """``live.json`` of a followed stream (``vidrecap run --follow``), or ``{}``."""
    try:
        data = json.loads((directory / "live.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _badge_text(live: dict) -> str:
    if not live.get("live"):
        return "recorded live"
    return "LIVE" if live.get("status") == "recording" else f"LIVE · {escape(str(live.get('status', '')))}"


def _player(rid: str, recap: Recap, directory: Path) -> str:
    chapters_track = (f'<track kind="chapters" src="/recaps/{rid}/files/chapters.vtt" srclang="en" label="Chapters">'
                      if (directory / "chapters.vtt").is_file() else "")
    return (f'<section class="player" aria-label="Video">'
            f'<video id="video" controls preload="metadata" src="/recaps/{rid}/video">'
            f'<track kind="captions" src="/recaps/{rid}/files/clips.vtt" srclang="en" label="Clip captions">'
            f'{chapters_track}</video>{_chapter_bar(recap)}{speakers_panel(rid, recap, load_names(directory))}'
            f'<p id="video-error" class="error" role="alert" hidden></p>'
            f'<figure class="curve"><figcaption>Highlights <span class="muted">(click to seek)</span>'
            f'</figcaption><svg id="curve" viewBox="0 0 1000 100" preserveAspectRatio="none" role="img" '
            f'aria-label="Saliency over time" focusable="false"></svg></figure>'
            f'<form id="search-form" class="search" role="search"><label for="q">Search moments</label> '
            f'<input id="q" name="q" type="search" maxlength="1000" required placeholder="e.g. cooking pasta"> '
            f'<button type="submit">Search</button></form>'
            f'<ol id="search-results" class="results" aria-live="polite"></ol>'
            f'{_ask_box()}'
            f'<section aria-labelledby="kf-h"><h2 id="kf-h">Key frames</h2>'
            f'<ol id="keyframes" class="strip"></ol></section></section>')


def _ask_box() -> str:
    """A question box; ``static/ask.js`` shows the answer, its cited times seek the player."""
    return ('<form id="ask-form" class="search ask"><label for="ask-q">Ask the video</label> '
            '<input id="ask-q" name="q" type="text" maxlength="1000" required '
            'placeholder="e.g. how long does the pasta cook?"> <button type="submit">Ask</button></form>'
            '<div id="ask-answer" class="answer" aria-live="polite"></div>')


def _outline(recap: Recap, names: dict[str, str]) -> str:
    segments = "".join(_segment_item(s, names) for s in recap.segments)
    summary = "".join(f"<p>{_linked_stamps(renamed(line, names))}</p>"
                      for line in recap.summary.text.splitlines() if line.strip())
    return (f'<nav class="outline" aria-label="Recap outline">'
            f'<section aria-labelledby="sum-h"><h2 id="sum-h">Summary</h2>'
            f'<div class="summary">{summary}</div></section>'
            f'<section aria-labelledby="seg-h"><h2 id="seg-h">Chapters</h2>'
            f'<ol id="segments" class="segments">{segments}</ol></section>'
            f'<section aria-labelledby="clip-h"><h2 id="clip-h">Clip captions '
            f'<span class="muted">({len(recap.clips)})</span></h2>'
            f'<div id="clips" class="vlist" role="list" tabindex="0" aria-label="Clip captions">'
            f'<div class="vlist-spacer"></div></div></section></nav>')


def _chapter_bar(recap: Recap) -> str:
    """The chapters as a seek bar across the video's timeline: one button per chapter, and a mark
    per section inside it. ``static/chapters.js`` sizes each chapter to its length and places the
    marks (the page's CSP forbids inline styles); without scripts the chapters share the width."""
    items = []
    for c in chapters_of(recap.segments):
        marks = "".join(f'<button type="button" class="section-mark" data-start="{x.start:.3f}" '
                        f'title="{clock(x.start)} {escape(x.title)}" aria-label="Section: {escape(x.title)}">'
                        f'</button>' for x in c.sections[1:])
        items.append(f'<li data-start="{c.start:.3f}" data-end="{c.end:.3f}"><button type="button" class="chapter" '
                     f'data-start="{c.start:.3f}" title="{clock(c.start)} {escape(c.title)}">'
                     f'<span class="time">{clock(c.start)}</span> {escape(c.title)}</button>{marks}</li>')
    return f'<ol id="chapter-bar" class="chapter-bar" aria-label="Chapters">{"".join(items)}</ol>'


def _linked_stamps(text: str) -> str:
    """Escape ``text``, turning ``[M:SS]`` / ``[H:MM:SS]`` time stamps into seek buttons."""
    out, last = [], 0
    for m in _STAMP.finditer(text):
        seconds = sum(int(p) * 60 ** i for i, p in enumerate(reversed(m.group(1).split(":"))))
        out.append(escape(text[last:m.start()]))
        out.append(f'<button type="button" class="node stamp" data-start="{seconds}">{escape(m.group(0))}</button>')
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _segment_item(seg: Caption, names: dict[str, str]) -> str:
    title = f"<strong>{escape(seg.title)}</strong> " if seg.title else ""
    sections = "".join(f'<li><button type="button" class="node section" data-start="{x.start:.3f}">'
                       f'<span class="time">{clock(x.start)}</span> {escape(x.title)}</button></li>'
                       for x in seg.sections)
    nested = f'<ol class="sections" aria-label="Sections">{sections}</ol>' if sections else ""
    return (f'<li><button type="button" class="node segment" data-start="{seg.start:.3f}" '
            f'data-end="{seg.end:.3f}"><span class="time">{clock(seg.start)}–{clock(seg.end)}</span> '
            f'{title}<span class="text">{escape(renamed(seg.text, names))}</span></button>{nested}</li>')


def not_found_page(message: str) -> str:
    return layout("Not found", f'<main class="index"><h1>Not found</h1><p>{escape(message)}</p>'
                               f'<p><a href="/">All recaps</a></p></main>')
