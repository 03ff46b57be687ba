"""LaViLa's densification: narrator pseudo-captions for unlabelled windows and rephrased narrations,
journaled in ``out_dir/densified.jsonl`` so an interrupted run resumes."""

from __future__ import annotations

import json
import re
from dataclasses import asdict

from ...util.journal import Journal
from ..harness import distributed
from .data import Pair, WindowFeatures
from .narrations import Narration, RecapWindows

NARRATOR_BATCH = 16


def narrate_unlabelled(spec: str, recaps: list[RecapWindows], journal: Journal, done: set,
                       quiet: bool = True) -> None:
    """Pseudo-captions for unlabelled recap windows from a captioner backend, journaled per batch."""
    from ... import registry
    from ...hierarchy.build import clip_evidence
    from ...outputs.store import load_recap
    from ...pipeline.run import FrameLoader

    todo = [(r, lo) for r in recaps for lo in range(0, len(r.unlabelled), NARRATOR_BATCH) if (r.vid, lo) not in done]
    if not todo or not spec:
        return
    captioner = registry.create("captioner", spec)
    uses_frames = getattr(captioner, "uses_frames", True)
    bar, cells_of = _bar(len(todo), "narrator", quiet), {}
    for r, lo in todo:  # the frames of one batch are in memory at a time
        if r.vid not in cells_of:
            cells_of = {r.vid: load_recap(r.directory).cells}
        cells = cells_of[r.vid]
        loader = FrameLoader(r.directory / "frames") if uses_frames else None
        chunk = r.unlabelled[lo : lo + NARRATOR_BATCH]
        evidence = [clip_evidence(lo + k, [cells[i] for i in idx], loader) for k, (_, _, idx) in enumerate(chunk)]
        items = [
            asdict(Narration(r.vid, start, end, text.strip(), "narrator"))
            for (start, end, _), text in zip(chunk, captioner.caption(evidence), strict=True)
            if text.strip()
        ]
        journal.append({"narrator": [r.vid, lo], "items": items})
        bar.update(1)
    bar.close()


def _bar(total: int, desc: str, quiet: bool):
    import sys

    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="batch", disable=True if quiet else None, file=sys.stderr)


def rephrase(spec: str, texts: list[str], journal: Journal, done: set, quiet: bool = True) -> None:
    """A paraphrase per distinct narration text from a writer backend, journaled per text."""
    from ... import registry
    from ...backends.base import TimedText, WriteRequest

    todo = [t for t in sorted(set(texts)) if t not in done]
    if not todo or not spec:
        return
    writer = registry.create("writer", spec)
    bar = _bar(len(todo), "rephraser", quiet)
    for text in todo:
        line = [TimedText(0.0, 1.0, text)]  # as the level below and as speech: LLM and extractive writers
        new = " ".join(writer.write(WriteRequest("segment", 0.0, 1.0, line, speech=line)).text.split())
        same = not _words(new) or _words(new) == _words(text)
        journal.append({"text": text, "paraphrase": "" if same else new})
        bar.update(1)
    bar.close()


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _journal(run, path, texts: list[str], recaps: list[RecapWindows], quiet: bool) -> None:
    key = {"narrator": run.densify.narrator, "rephraser": run.densify.rephraser}
    entries = Journal(path).read()
    if entries and entries[0] != {"key": key}:
        path.unlink()
        entries = []
    with Journal(path) as journal:
        if not entries:
            journal.append({"key": key})
        narrated = {tuple(e["narrator"]) for e in entries if "narrator" in e}
        narrate_unlabelled(run.densify.narrator, recaps, journal, narrated, quiet)
        phrased = {e["text"] for e in entries if "text" in e}
        rephrase(run.densify.rephraser, texts, journal, phrased, quiet)


def densify(run, train: list[Pair], recaps: list[RecapWindows], features: WindowFeatures,
            quiet: bool = True) -> list[Pair]:
    """Narrator pairs and paraphrases, journaled in ``out_dir/densified.jsonl`` (an interrupted run resumes)."""
    path = run.out_dir / "densified.jsonl"
    if distributed.is_main():  # under torchrun rank 0 narrates and rephrases, the others read its journal
        _journal(run, path, [p.narration.text for p in train], recaps, quiet)
    distributed.barrier()
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]  # read only: whole
    paraphrases = {e["text"]: e["paraphrase"] for e in entries if e.get("paraphrase")}
    for pair in train:
        new = paraphrases.get(pair.narration.text)
        pair.narration.paraphrases = [new] if new else []
    pseudo = []
    for item in (i for e in entries if "narrator" in e for i in e["items"]):
        n = Narration(**item)
        rows = features.window(n.vid, n.start, n.end)
        if rows is not None:
            pseudo.append(Pair(rows, n))
    return pseudo
