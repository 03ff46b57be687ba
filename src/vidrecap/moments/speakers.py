"""``--speaker`` for search and ask: a view of a recap restricted to one speaker's words.

In the view, the transcript holds only that speaker's utterances, each cell's speech only their
words, and every cell where they do not speak has zero embeddings (so no window or evidence can
come from it). A speaker is named by label (``S2``) or by the name given in ``speakers.json``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..hierarchy.grid import words_by_cell
from ..outputs.speakers import load_names
from ..results import Recap, Transcript


def speaker_labels(recap: Recap) -> list[str]:
    return sorted({s.speaker for s in recap.transcript.segments if s.speaker}, key=lambda s: int(s[1:]))


def resolve_speaker(recap: Recap, who: str) -> str:
    """The label for ``who`` (a label or a name from ``speakers.json``, any case)."""
    labels = speaker_labels(recap)
    if not labels:
        raise InputError(f"{recap.directory or 'this recap'} has no speaker turns "
                         "(run `vidrecap run` again with the speakers pass)")
    names = load_names(Path(recap.directory)) if recap.directory else {}
    wanted = " ".join(who.split()).casefold()
    for label in labels:
        if wanted in (label.casefold(), names.get(label, "").casefold()):
            return label
    known = ", ".join(f"{label} ({names[label]})" if label in names else label for label in labels)
    raise InputError(f"no speaker {who!r} in this recap (known: {known})")


def speaker_view(recap: Recap, label: str) -> Recap:
    """``recap`` as if only ``label`` had spoken (other evidence kept only where they speak)."""
    transcript = Transcript(recap.transcript.language, [s for s in recap.transcript.segments if s.speaker == label])
    words = words_by_cell(transcript, len(recap.cells))
    cells = [replace(c, speech=" ".join(w.text for w in ws).strip(), speakers=[label] if ws else [])
             for c, ws in zip(recap.cells, words, strict=True)]
    keep = np.array([bool(c.speakers) for c in cells])
    embeddings = {k: np.where(keep[:, None], v, 0).astype(v.dtype) if v.ndim == 2 and len(v) == len(cells) else v
                  for k, v in recap.embeddings.items()}
    return replace(recap, transcript=transcript, cells=cells, embeddings=embeddings)


def where_speaking(result, view: Recap):
    """``result`` without the windows in which the view's speaker never speaks (the ranking pads
    its list with zero-score windows, which would otherwise show other speakers' turns)."""
    from dataclasses import replace as with_fields

    spoken = [(c.start, c.end) for c in view.cells if c.speakers]
    kept = [w for w in result.windows if any(s < w.end and e > w.start for s, e in spoken)]
    return with_fields(result, windows=kept)
