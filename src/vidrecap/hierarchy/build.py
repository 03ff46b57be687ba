"""Build the three levels recursively: each level from the one below plus sparse evidence."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..backends.base import Captioner, ClipEvidence, TimedText, Writer, WriteRequest
from ..evidence.faces_pass import describe_faces, expression_change
from ..evidence.objects_pass import describe_objects, merge_objects
from ..evidence.perceived import span_perceptions
from ..evidence.picture_pass import clip_picture
from ..results import Caption, Cell, Section, Transcript
from ..text.keyphrases import as_title, key_phrases
from ..text.titles import remember, slide_title, unique_title
from .chapters import group_parts
from .grid import merge_tags
from .segmentation import CEILING, SHORTEST, segment_clips

CLIP_CELLS = 2  # 4-second clips
FRAMES_PER_SEGMENT = 4  # sparse visual evidence handed to writers


def clip_ranges(n_cells: int) -> list[tuple[int, int]]:
    return [(i, min(n_cells, i + CLIP_CELLS)) for i in range(0, n_cells, CLIP_CELLS)]


def clip_evidence(index: int, cells: Sequence[Cell], load_frames=None) -> ClipEvidence:
    texts = list(dict.fromkeys(c.on_screen for c in cells if c.on_screen))
    return ClipEvidence(
        index=index, start=cells[0].start, end=cells[-1].end,
        frames=[f for f in load_frames(cells) if f is not None] if load_frames else [],
        speech=" ".join(c.speech for c in cells if c.speech).strip(),
        on_screen="\n".join(texts), tags=merge_tags(cells, limit=3),
        sounds=merge_tags(cells, limit=5, attr="sounds"), faces=clip_faces(cells),
        picture=clip_picture(cells),
        objects=describe_objects(merge_objects(cells)),
        speakers=list(dict.fromkeys(s for c in cells for s in c.speakers)))


def clip_faces(cells: Sequence[Cell]) -> str:
    """The faces of the clip's cell with the largest face, in plain words, and a change of
    expression within the clip when there is no cut between the cells."""
    seen = [c.faces for c in cells if c.faces is not None and c.faces.count]
    if not seen:
        return ""
    words = describe_faces(max(seen, key=lambda f: f.largest))
    one_shot = not any(c.scene_cut for c in cells[1:])
    change = expression_change([c.faces for c in cells]) if one_shot else ""
    return f"{words}, {change}" if change else words


def caption_clips(cells: Sequence[Cell], captioner: Captioner, load_frames=None, batch: int = 16,
                  done: Sequence[str] = (), on_batch: Callable[[list[str]], None] | None = None) -> list[Caption]:
    """Clip captions; ``done`` holds captions already made (resume), ``on_batch`` journals new ones."""
    ranges = clip_ranges(len(cells))
    texts = list(done)
    uses_frames = getattr(captioner, "uses_frames", True)
    for lo in range(len(texts), len(ranges), batch):
        evidence = [clip_evidence(k, cells[a:b], load_frames if uses_frames else None)
                    for k, (a, b) in enumerate(ranges[lo:lo + batch], start=lo)]
        new = captioner.caption(evidence)
        texts.extend(new)
        if on_batch:
            on_batch(new)
    return [Caption("clip", k, cells[a].start, cells[b - 1].end, texts[k], children=list(range(a, b)))
            for k, (a, b) in enumerate(ranges)]


@dataclass
class SegmentPlan:
    """A segment's clips ``[first, stop)``, what its writer will be given, its sections (when it
    joins several parts) and other titles it may take when its own is already used."""

    first: int
    stop: int
    request: WriteRequest
    sections: list[Section] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)


def plan_segments(clips: Sequence[Caption], cells: Sequence[Cell], transcript: Transcript,
                  target: float, load_frames=None, mode: str = "content",
                  embeddings: Mapping[str, np.ndarray] | None = None, encoder=None) -> list[SegmentPlan]:
    """Chapters and their write requests; with an ``encoder``, each request carries key phrases
    and each section a title. In content mode, adjacent parts about one topic are one chapter."""
    bounds = [(c.start, c.end) for c in clips]
    parts = segment_clips(bounds, transcript, cells, target, mode, embeddings)
    if mode == "content" and parts:
        ceiling = max(target * CEILING, 2 * SHORTEST)
        groups = group_parts(parts, [c.start for c in clips], [c.end for c in clips],
                             [c.children for c in clips], embeddings or {}, len(cells), ceiling)
    else:
        groups = [[k] for k in range(len(parts))]
    part_titles = _part_titles(parts, clips, cells, transcript, encoder)
    plans = []
    for group in groups:
        a, b = parts[group[0]][0], parts[group[-1]][1]
        span_cells = [cells[i] for c in clips[a:b] for i in c.children]
        start, end = clips[a].start, clips[b - 1].end
        req = WriteRequest(
            level="segment", start=start, end=end,
            children=[TimedText(c.start, c.end, c.text) for c in clips[a:b]],
            speech=_speech_in(transcript, start, end),
            on_screen=_on_screen_runs(span_cells), tags=merge_tags(span_cells),
            frames=_sparse_frames(span_cells, load_frames), slides=_text_share(span_cells))
        req.seen, req.heard = span_perceptions(span_cells)
        sections = [Section(clips[parts[k][0]].start, clips[parts[k][1] - 1].end, part_titles[k])
                    for k in group] if len(group) > 1 else []
        plans.append(SegmentPlan(a, b, req, sections, [s.title for s in sections if s.title]))
    if encoder is not None:
        texts = [" ".join(s.text for s in p.request.speech) for p in plans]
        for plan, phrases in zip(plans, key_phrases(texts, encoder), strict=True):
            plan.request.key_phrases = phrases
            plan.alternatives += [as_title(p) for p in phrases]
    return plans


def _speech_in(transcript: Transcript, start: float, end: float) -> list[TimedText]:
    several = transcript.turns_shown  # one voice: no "S1:" before every line
    return [TimedText(s.start, s.end, s.text, s.speaker if several else "") for s in transcript.segments
            if start <= (s.start + s.end) / 2 < end]


def _part_titles(parts, clips, cells, transcript, encoder) -> list[str]:
    """Each part's slide title, else (with an ``encoder``) its best key phrase, else ""."""
    titles, texts = [], []
    for a, b in parts:
        runs = _on_screen_runs([cells[i] for c in clips[a:b] for i in c.children])
        start, end = clips[a].start, clips[b - 1].end
        titles.append(slide_title(((r.start, r.end, r.text) for r in runs), end - start))
        texts.append(" ".join(s.text for s in _speech_in(transcript, start, end)))
    if encoder is not None and len(parts) > 1 and not all(titles):
        for k, phrases in enumerate(key_phrases(texts, encoder, top=1)):
            if not titles[k] and phrases:
                titles[k] = as_title(phrases[0])
    return titles


def _text_share(cells: Sequence[Cell]) -> float:
    return sum(1 for c in cells if c.on_screen) / max(1, len(cells))


def _on_screen_runs(cells: Sequence[Cell]) -> list[TimedText]:
    """Consecutive cells showing the same text become one timed run."""
    runs: list[TimedText] = []
    for c in cells:
        if not c.on_screen:
            continue
        if runs and runs[-1].text == c.on_screen and abs(runs[-1].end - c.start) < 1e-6:
            runs[-1].end = c.end
        else:
            runs.append(TimedText(c.start, c.end, c.on_screen))
    return runs


def _sparse_frames(cells: Sequence[Cell], load_frames) -> list[np.ndarray]:
    if load_frames is None or not cells:
        return []
    picks = np.linspace(0, len(cells) - 1, min(FRAMES_PER_SEGMENT, len(cells))).round().astype(int)
    return [f for f in load_frames([cells[i] for i in dict.fromkeys(picks.tolist())]) if f is not None]


def write_segments(plans: Sequence[SegmentPlan], writer: Writer, done: Sequence[dict] = (),
                   on_write: Callable[[dict], None] | None = None) -> list[Caption]:
    """Each chapter's description and title (a title the video already has gives way to one of
    the chapter's alternatives); ``done`` holds journaled entries (resume)."""
    written = list(done)
    used: set[str] = set()
    for entry in written:
        remember(entry["title"], used)
    for plan in plans[len(written):]:
        w = writer.write(plan.request)
        title = unique_title(w.title, plan.alternatives, used)
        remember(title, used)
        entry = {"text": w.text, "title": title, **provenance(w),
                 "sections": [[s.start, s.end, s.title] for s in plan.sections]}
        written.append(entry)
        if on_write:
            on_write(entry)
    return [Caption("segment", k, p.request.start, p.request.end, w["text"], title=w["title"],
                    children=list(range(p.first, p.stop)), **recorded(w),
                    sections=[Section(*x) for x in w.get("sections", [])])
            for k, (p, w) in enumerate(zip(plans, written, strict=True))]


def provenance(written) -> dict:
    """Who wrote it and how well supported, for journals and ``recap.json``."""
    return {"writer": written.writer, "faithfulness": written.faithfulness, "problems": list(written.problems)}


def recorded(entry: dict) -> dict:
    return {"writer": entry.get("writer", ""), "faithfulness": entry.get("faithfulness"),
            "problems": list(entry.get("problems", []))}


def summary_request(segments: Sequence[Caption], cells: Sequence[Cell], load_frames=None,
                    phrases: Sequence[str] = ()) -> WriteRequest:
    return WriteRequest(
        level="summary", start=segments[0].start, end=segments[-1].end,
        children=[TimedText(s.start, s.end, s.text) for s in segments],
        child_titles=[s.title for s in segments],
        on_screen=_on_screen_runs(cells)[:50], tags=merge_tags(cells),
        frames=_sparse_frames(cells, load_frames), key_phrases=list(phrases), slides=_text_share(cells))


def write_summary(segments: Sequence[Caption], cells: Sequence[Cell], writer: Writer, load_frames=None,
                  transcript: Transcript | None = None, encoder=None) -> Caption:
    """The summary; with an ``encoder``, the writer also gets the whole video's key phrases."""
    phrases: list[str] = []
    if encoder is not None and transcript is not None and transcript.text.strip():
        phrases = key_phrases([transcript.text], encoder, top=5)[0]
    frames = load_frames if getattr(writer, "uses_frames", False) else None
    w = writer.write(summary_request(segments, cells, frames, phrases))
    return Caption("summary", 0, segments[0].start, segments[-1].end, w.text, title=w.title,
                   children=list(range(len(segments))), **provenance(w))
