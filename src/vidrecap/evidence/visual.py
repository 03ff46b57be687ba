"""Visual pass: sampled frames → visual tags, on-screen text and a key-frame JPEG per cell.

OCR (the costliest step, ~0.25 s a frame) runs only where text is likely new: on the first frame
after a scene cut, when a moving shot comes to rest (slides, titles, screens), and otherwise at
most every ``ocr_every`` seconds of moving footage (doubling, up to a minute, while a shot keeps
showing no text). A frame that did not change since the last
OCR reuses its text. Cells are processed in small batches (one tagger call each) and journaled;
the last row of each batch also holds the state later decisions depend on, so a killed run
resumes after the last whole batch and decides exactly as an uninterrupted run would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..backends.base import Tagger, TextReader
from ..media.frames import SampledFrame, iter_sampled_frames
from ..results import CELL_SECONDS
from ..util.arrays import pack_array, unpack_array
from ..util.journal import Journal
from ..util.memory import release_free_memory

TOP_TAGS = 10
BATCH_CELLS = 8
OCR_CHANGE = 0.008  # mean absolute grey difference (0..1) below which the OCR text is reused (one slide
# after another can differ by under 0.02: only the text changed; a still picture differs by ~0.001)
SAME_SCENE = 0.12  # up to this difference, text read earlier is assumed still visible
STILL = 0.02  # difference below which two sampled frames show the same still picture (tags reused)


@dataclass
class CellVisual:
    """Journal row for one cell."""

    cell: int
    tags: list[tuple[str, float]] = field(default_factory=list)
    on_screen: str = ""
    scene_cut: bool = False
    change: float = 0.0
    frame: str | None = None  # file name inside the frames directory
    experts: dict = field(default_factory=dict)  # expert name -> what it saw in the key frame


class VisualPass:
    def __init__(self, tagger: Tagger | None, ocr: TextReader | None, journal_path: Path, frames_dir: Path,
                 frame_side: int = 480, ocr_every: float = 10.0,
                 on_progress: Callable[[float], None] | None = None):
        self.tagger, self.ocr = tagger, ocr
        self.journal, self.frames_dir = Journal(journal_path), Path(frames_dir)
        self.frame_side, self.ocr_every = frame_side, ocr_every
        self._last_ocr_time = -1e9
        self._ocr_interval = ocr_every
        self._was_still = False
        self._sample_sig: np.ndarray | None = None
        self.on_progress = on_progress or (lambda t: None)
        self._ocr_sig: np.ndarray | None = None
        self._ocr_text = ""
        self._prev_sig: np.ndarray | None = None
        self._tag_ref: tuple[np.ndarray | None, np.ndarray | None] = (None, None)
        self.experts: list = []  # ``name``, ``look(image) -> dict``, ``state()``/``restore()`` (e.g. FaceExpert)
        self.on_cell: Callable[[int, str], None] = lambda cell, on_screen: None  # each finished cell's text

    def journal_complete(self) -> bool:
        entries = self.journal.read()
        return bool(entries) and entries[-1]["cell"] < 0

    def run(self, path: str, duration: float) -> list[CellVisual]:
        entries = self.journal.read()
        finished = bool(entries) and entries[-1]["cell"] < 0
        if not finished:  # resume after the last batch whose end state was journaled
            checkpoint = next((e for e in reversed(entries) if "state" in e), None)
            entries = entries[:entries.index(checkpoint) + 1] if checkpoint else []
        rows: dict[int, CellVisual] = {}  # a batch redone after a kill is journaled twice: last wins
        for e in entries:
            if e["cell"] >= 0:
                row = {k: v for k, v in e.items() if k != "state"}
                rows[e["cell"]] = CellVisual(**{**row, "tags": [tuple(t) for t in row["tags"]]})
        done = [rows[c] for c in sorted(rows)]
        for row in done:
            self.on_cell(row.cell, row.on_screen)
        if not finished:
            self.frames_dir.mkdir(parents=True, exist_ok=True)
            if entries:
                self._restore_state(entries[-1]["state"])
            start = (done[-1].cell + 1) * CELL_SECONDS if done else 0.0
            self.on_progress(start)
            with self.journal:
                done.extend(self._process(path, start))
                self.journal.append({"cell": -1})  # end marker: the pass is complete
        self.on_progress(duration)
        return done

    def _state(self) -> dict:
        """Everything later decisions depend on, journaled at the end of each batch so that a
        resumed run decides (reuses tags, schedules OCR) exactly as an uninterrupted one."""
        ref_sig, ref_probs = self._tag_ref
        return {"last_ocr_time": self._last_ocr_time, "ocr_interval": self._ocr_interval,
                "was_still": self._was_still, "ocr_text": self._ocr_text,
                **{k: pack_array(v) for k, v in (("sample_sig", self._sample_sig), ("ocr_sig", self._ocr_sig),
                                            ("prev_sig", self._prev_sig), ("tag_sig", ref_sig),
                                            ("tag_probs", ref_probs))},
                "experts": {e.name: e.state() for e in self.experts}}

    def _restore_state(self, state: dict) -> None:
        self._last_ocr_time, self._ocr_interval = state["last_ocr_time"], state["ocr_interval"]
        self._was_still, self._ocr_text = state["was_still"], state["ocr_text"]
        self._sample_sig, self._ocr_sig = unpack_array(state["sample_sig"]), unpack_array(state["ocr_sig"])
        self._prev_sig = unpack_array(state["prev_sig"])
        self._tag_ref = (unpack_array(state["tag_sig"]), unpack_array(state["tag_probs"]))
        for expert in self.experts:
            expert.restore(state.get("experts", {}).get(expert.name))

    def _process(self, path: str, start: float):
        pending: dict[int, list[SampledFrame]] = {}
        for frame in iter_sampled_frames(path, start_time=start, max_side=max(self.frame_side, 640)):
            if pending and frame.cell not in pending and len(pending) >= BATCH_CELLS:
                yield from self._flush(pending)
                pending = {}
                release_free_memory()
            pending.setdefault(frame.cell, []).append(frame)
        if pending:
            yield from self._flush(pending)

    def _flush(self, pending: dict[int, list[SampledFrame]]):
        frames = [f for fs in pending.values() for f in fs]
        sigs = {id(f): _signature(f.image) for f in frames}
        probs = self._tag(frames, sigs) if self.tagger else None
        row = 0
        last_cell = max(pending)
        for cell, fs in sorted(pending.items()):
            visual = CellVisual(cell=cell, scene_cut=any(f.is_cut for f in fs))
            if probs is not None:
                visual.tags = self._top_tags(probs[row:row + len(fs)].mean(axis=0))
            row += len(fs)
            main = next((f for f in fs if not f.is_cut), fs[-1])
            visual.change = self._change(sigs[id(main)])
            visual.on_screen = self._read_text(fs, sigs)
            visual.frame = self._save_frame(cell, main.image)
            visual.experts = {e.name: seen for e in self.experts if (seen := e.look(main.image))}
            self.journal.append({**visual.__dict__, **({"state": self._state()} if cell == last_cell else {})})
            self.on_progress((cell + 1) * CELL_SECONDS)
            self.on_cell(cell, visual.on_screen)
            yield visual

    def _tag(self, frames: list[SampledFrame], sigs: dict[int, np.ndarray]) -> np.ndarray:
        """Tag probabilities per frame; a frame that looks like the last tagged one reuses its tags."""
        ref_sig, ref_probs = self._tag_ref
        plan: list[int | None] = []
        to_tag = []
        for f in frames:
            sig = sigs[id(f)]
            if ref_sig is not None and _difference(sig, ref_sig) < STILL:
                plan.append(None)
            else:
                plan.append(len(to_tag))
                to_tag.append(f.image)
                ref_sig = sig
        fresh = self.tagger.tag(to_tag) if to_tag else None
        rows = []
        for p in plan:
            if p is not None:
                ref_probs = fresh[p]
            rows.append(ref_probs)
        self._tag_ref = (ref_sig, ref_probs)
        return np.stack(rows)

    def _top_tags(self, probs: np.ndarray) -> list[tuple[str, float]]:
        top = np.argsort(-probs)[:TOP_TAGS]
        return [(self.tagger.labels[i], round(float(probs[i]), 4)) for i in top]

    def _change(self, sig: np.ndarray) -> float:
        change = 1.0 if self._prev_sig is None else _difference(sig, self._prev_sig)
        self._prev_sig = sig
        return round(change, 4)

    def _read_text(self, frames: list[SampledFrame], sigs: dict[int, np.ndarray]) -> str:
        if self.ocr is None:
            return ""
        texts = []
        for f in frames:
            sig = sigs[id(f)]
            if self._needs_ocr(f, sig):
                self._ocr_text, self._ocr_sig, self._last_ocr_time = self.ocr.read(f.image), sig, f.time
                # footage that shows no text rarely starts to: look less often until the next cut
                empty_motion = not self._ocr_text and not f.is_cut
                self._ocr_interval = min(60.0, self._ocr_interval * 2) if empty_motion else self.ocr_every
            similar = _difference(sig, self._ocr_sig) <= SAME_SCENE
            if self._ocr_text and similar and self._ocr_text not in texts:
                texts.append(self._ocr_text)
        return "\n".join(texts)

    def _needs_ocr(self, frame: SampledFrame, sig: np.ndarray) -> bool:
        motion = 1.0 if self._sample_sig is None else _difference(sig, self._sample_sig)
        self._sample_sig = sig
        came_to_rest = motion < STILL and not self._was_still
        self._was_still = motion < STILL
        if self._ocr_sig is not None and _difference(sig, self._ocr_sig) <= OCR_CHANGE:
            return False  # same picture as the last OCR: its text still holds
        if frame.is_cut or came_to_rest or self._ocr_sig is None:
            return True
        return frame.time - self._last_ocr_time >= self._ocr_interval

    def _save_frame(self, cell: int, image: np.ndarray) -> str:
        from PIL import Image

        name = f"cell_{cell:06d}.jpg"
        im = Image.fromarray(image)
        im.thumbnail((self.frame_side, self.frame_side))
        tmp = self.frames_dir / f".{name}.tmp"
        im.save(tmp, format="JPEG", quality=82)
        tmp.replace(self.frames_dir / name)
        return name


def _difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean())


def _signature(image: np.ndarray) -> np.ndarray:
    """A 32×18 grey thumbnail in 0..1, for cheap change detection (float32: journaled exactly)."""
    h, w = image.shape[:2]
    ys = np.linspace(0, h - 1, 18).astype(int)
    xs = np.linspace(0, w - 1, 32).astype(int)
    return (image[np.ix_(ys, xs)].mean(axis=2) / 255.0).astype(np.float32)

