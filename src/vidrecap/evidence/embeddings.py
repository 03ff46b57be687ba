"""Per-cell embeddings in the encoder's text space, one array per channel.

- ``visual``: real image embeddings when the encoder embeds images (``visual_space="image"``),
  else the *label bridge*: the probability-weighted sum of the visual tags' class-name embeddings
  (``visual_space="labels"``), which puts an ImageNet classifier's view into the text space; or a
  trained dual encoder's video tower over the cells (``visual_space="video"``, ``dual:RUN_DIR``).
- ``speech``: the speech of the cell with one cell of context on each side.
- ``on_screen``: the cell's on-screen text.
- ``sounds``: the label bridge over the sound classes heard (speech labels left out: the speech
  channel carries what was said); present only when a sound pass ran.
- ``faces``: the faces seen, in plain words ("a close-up of a smiling face"); present only when a
  face was seen.
- ``picture``: the picture statistics in plain words ("a dark scene with small bright lights (night
  or candlelight), the camera pans right"); present only when some cell has any.
- ``objects``: the COCO objects that recur in the shot, in plain words ("3 people, a bicycle");
  present only when an object was seen.
- ``fused``: the normalised weighted sum of the channels; zero rows mean "nothing here".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..backends.base import Encoder
from ..results import Cell
from .faces_pass import describe_faces
from .objects_pass import describe_objects
from .picture_pass import describe_picture
from .sounds_pass import SPEECH_LABELS

WEIGHTS = {"speech": 1.0, "on_screen": 0.8, "visual": 0.6, "sounds": 0.4, "faces": 0.5, "picture": 0.4,
           "objects": 0.5}
LABEL_PROMPT = "a photo of a {}"
SOUND_PROMPT = "the sound of {}"


def normalize_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.where(norms > 0, x / np.maximum(norms, 1e-12), 0.0).astype(np.float32)


def embed_texts_sparse(encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
    """Embed non-empty texts once each (duplicates share a row); empty texts get zero rows."""
    unique = sorted({t for t in texts if t.strip()})
    out = np.zeros((len(texts), encoder.dim), np.float32)
    if unique:
        table = dict(zip(unique, encoder.embed_text(unique), strict=True))
        for i, t in enumerate(texts):
            if t in table:
                out[i] = table[t]
    return out


def label_bridge(encoder: Encoder, cells: Sequence[Cell], attr: str = "tags", prompt: str = LABEL_PROMPT,
                 skip: frozenset[str] = frozenset()) -> np.ndarray:
    """Probability-weighted sum of the label embeddings of each cell's ``attr`` (tags or sounds)."""
    labels = sorted({t.label for c in cells for t in getattr(c, attr) if t.label not in skip})
    if not labels:
        return np.zeros((len(cells), encoder.dim), np.float32)
    label_emb = dict(zip(labels, encoder.embed_text([prompt.format(lb.lower()) for lb in labels]), strict=True))
    out = np.zeros((len(cells), encoder.dim), np.float32)
    for i, cell in enumerate(cells):
        for tag in getattr(cell, attr):
            if tag.label in label_emb:
                out[i] += tag.score * label_emb[tag.label]
    return normalize_rows(out)


def speech_context(cells: Sequence[Cell]) -> list[str]:
    texts = [c.speech for c in cells]
    return [" ".join(t for t in texts[max(0, i - 1):i + 2] if t).strip() for i in range(len(texts))]


def cell_embeddings(encoder: Encoder, cells: Sequence[Cell],
                    load_frames: Callable[[Sequence[Cell]], list[np.ndarray | None]] | None = None,
                    batch: int = 32) -> tuple[dict[str, np.ndarray], str]:
    """Compute all channels; returns ``(embeddings, visual_space)``."""
    visual, space = None, "labels"
    if getattr(encoder, "uses_cells", False):  # a video tower over the cells (train/dual_backend.py)
        visual, space = encoder.embed_cells(cells), "video"
    elif load_frames is not None and _embeds_images(encoder):
        visual, space = _image_channel(encoder, cells, load_frames, batch), "image"
    if visual is None:
        visual = label_bridge(encoder, cells)
    channels = {
        "visual": visual,
        "speech": embed_texts_sparse(encoder, speech_context(cells)),
        "on_screen": embed_texts_sparse(encoder, [c.on_screen for c in cells]),
    }
    if any(c.sounds for c in cells):
        channels["sounds"] = label_bridge(encoder, cells, "sounds", SOUND_PROMPT, SPEECH_LABELS)
    if any(c.faces for c in cells):
        channels["faces"] = embed_texts_sparse(encoder, [describe_faces(c.faces) for c in cells])
    pictures = [", ".join(describe_picture(c.picture)) for c in cells]
    if any(pictures):
        channels["picture"] = embed_texts_sparse(encoder, pictures)
    if any(c.objects for c in cells):
        channels["objects"] = embed_texts_sparse(encoder, [describe_objects(c.objects) for c in cells])
    fused = sum(WEIGHTS[k] * v for k, v in channels.items())
    channels["fused"] = normalize_rows(fused)
    return channels, space


def _embeds_images(encoder: Encoder) -> bool:
    return encoder.embed_images([np.zeros((32, 32, 3), np.uint8)]) is not None


def _image_channel(encoder: Encoder, cells: Sequence[Cell], load_frames, batch: int) -> np.ndarray:
    out = np.zeros((len(cells), encoder.dim), np.float32)
    for lo in range(0, len(cells), batch):
        chunk = cells[lo:lo + batch]
        frames = load_frames(chunk)
        idx = [i for i, f in enumerate(frames) if f is not None]
        if idx:
            emb = encoder.embed_images([frames[i] for i in idx])
            out[[lo + i for i in idx]] = emb
    return normalize_rows(out)
