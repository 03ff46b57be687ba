"""Who speaks: speaker turns over the words the speech pass found.

1. **Chunks.** Each transcript segment's words are cut, at word boundaries, into chunks of about
   ``CHUNK_SECONDS`` (a chunk never crosses a segment, so a turn change at a sentence end is a
   chunk boundary). Only recognised speech is embedded: no silence, music or noise.
2. **Embeddings.** The audio is streamed once in fixed blocks (two blocks in memory), each chunk
   is cut out and embedded by the diarizer's voice encoder (GE2E by default, ``backends/voices.py``).
3. **Clustering.** The embeddings of a sentence's chunks of at least ``MIN_FIT_SECONDS`` are
   pooled (duration-weighted mean): one person says a sentence, and a 1.5 s GE2E embedding is
   noisy, so a sentence's voice is steadier than its chunks'. The sentences' voices are clustered
   (agglomerative, average linkage on cosine distance) and the tree is cut at ``MERGE_DISTANCE``;
   clusters holding under ``MIN_SHARE`` of the sentences (a cough, a laugh) join the nearest
   voice, and a split whose silhouette is under ``MIN_SILHOUETTE`` is one voice. ``speakers``
   fixes the count instead. Very long files fit on an even subsample (``MAX_FIT`` sentences), so
   memory stays flat.
4. **Turns.** Every chunk (short ones too) is scored against the speakers' centroids and a Viterbi
   pass picks the sequence, switching speaker at a cost: a lone short chunk does not flip the
   speaker of a sentence, while a real turn — even a one-word "Yes." between two long turns — wins.
   Overlapping speech is attributed to the voice that dominates the chunk (one label per word).

Speakers are named ``S1``, ``S2``, ... in order of first appearance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from ..results import SpeechSegment, Transcript, Word

CHUNK_SECONDS = 1.5  # target chunk length: long enough for a voice embedding, short enough for turns
MIN_FIT_SECONDS = 0.8  # shorter chunks are assigned, not clustered (their embeddings are noisy)
MAX_FIT = 1500  # sentences clustered at most (an even subsample beyond): memory and time flat in length
MAX_SPEAKERS = 8
MERGE_DISTANCE = 0.2  # sentence-voice clusters closer than this mean cosine distance are one voice
MIN_SILHOUETTE = 0.25  # a split this poorly separated is one voice heard in varied conditions
MIN_SHARE = 0.03  # a speaker holds at least this share of the clustered sentences (and two of them)
SWITCH_COST = 0.06  # Viterbi: a speaker change inside a segment costs this much cosine similarity
BLOCK_SECONDS = 30.0


@dataclass
class Chunk:
    """Consecutive words of one transcript segment: ``segment`` index, word range, times, and the
    sentence it belongs to (chunks of one sentence share ``sentence``; -1: a sentence of its own)."""

    segment: int
    first: int  # index of its first word in the segment
    last: int  # one past its last word
    start: float
    end: float
    sentence: int = -1

    @property
    def seconds(self) -> float:
        return self.end - self.start


def plan_chunks(transcript: Transcript) -> list[Chunk]:
    """Word-aligned chunks of about ``CHUNK_SECONDS`` within each segment, in time order."""
    chunks: list[Chunk] = []
    sentences = 0
    for si, seg in enumerate(transcript.segments):
        words = seg.words
        if not words:
            if seg.end > seg.start:
                chunks.append(Chunk(si, 0, 0, seg.start, seg.end))
            continue
        for a, b in _sentences(words):
            chunks += [replace(c, sentence=sentences) for c in _split(si, words, a, b)]
            sentences += 1
    return sorted(chunks, key=lambda c: (c.start, c.end))


def _sentences(words: list[Word]) -> list[tuple[int, int]]:
    """Word ranges ending at sentence punctuation: in conversation a turn changes at a sentence
    end, and Whisper may put two back-to-back turns into one utterance."""
    out, first = [], 0
    for i, w in enumerate(words):
        if i == len(words) - 1 or w.text.strip().endswith((".", "?", "!")):
            out.append((first, i + 1))
            first = i + 1
    return out


def _split(segment: int, words: list[Word], a: int, b: int) -> list[Chunk]:
    """Words ``a..b`` in chunks of about ``CHUNK_SECONDS``, never leaving a stub at the end."""
    total = words[b - 1].end - words[a].start
    target = total / max(1, int(round(total / CHUNK_SECONDS)))
    chunks, first = [], a
    for i in range(a, b):
        is_last = i == b - 1
        if is_last or words[i].end - words[first].start >= target * 0.9:
            if not is_last and words[b - 1].end - words[i + 1].start < MIN_FIT_SECONDS * 0.5:
                continue
            chunks.append(Chunk(segment, first, i + 1, words[first].start, words[i].end))
            first = i + 1
    return chunks


def chunk_audio(blocks: Iterator[tuple[float, np.ndarray]], chunks: list[Chunk],
                sample_rate: int) -> Iterator[tuple[int, np.ndarray]]:
    """``(chunk index, samples)`` for time-ordered chunks, keeping two blocks in memory."""
    held: list[tuple[float, np.ndarray]] = []
    i = 0
    for offset, block in blocks:
        held = [*held[-1:], (offset, block)]
        held_end = offset + block.size / sample_rate
        while i < len(chunks) and chunks[i].end <= held_end:
            yield i, _cut(held, chunks[i], sample_rate)
            i += 1
    while i < len(chunks) and held:  # chunks past the decoded end: what audio there is
        yield i, _cut(held, chunks[i], sample_rate)
        i += 1


def _cut(held: list[tuple[float, np.ndarray]], chunk: Chunk, sr: int) -> np.ndarray:
    base = held[0][0]
    audio = np.concatenate([b for _, b in held]) if len(held) > 1 else held[0][1]
    a = max(0, int(round((chunk.start - base) * sr)))
    b = max(a, int(round((chunk.end - base) * sr)))
    return audio[a:b]


def cluster(x: np.ndarray, n_speakers: int | None = None) -> np.ndarray:
    """Cluster labels (0..k-1) for unit rows ``x``; k from the silhouette unless given."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist, squareform

    n = len(x)
    if n < 2 or n_speakers == 1:
        return np.zeros(n, int)
    dist = pdist(x, "cosine")
    tree = linkage(dist, "average")
    if n_speakers:
        return fcluster(tree, min(n_speakers, n), "maxclust") - 1
    labels = absorb_small(x, fcluster(tree, MERGE_DISTANCE, "distance") - 1, max(2, int(MIN_SHARE * n)))
    if labels.max() + 1 > MAX_SPEAKERS:
        labels = fcluster(tree, MAX_SPEAKERS, "maxclust") - 1
    if labels.max() == 0 or silhouette(squareform(dist), labels) < MIN_SILHOUETTE:
        return np.zeros(n, int)
    return labels


def absorb_small(x: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
    """Clusters under ``min_size`` members (outlying chunks: a cough, a laugh, a clipped word)
    joined to the nearest large cluster; labels renumbered 0..k-1."""
    sizes = np.bincount(labels)
    large = np.flatnonzero(sizes >= min_size)
    if len(large) == 0:
        return np.zeros_like(labels)
    cents = centroids_of(x, labels)[large]
    small = ~np.isin(labels, large)
    out = labels.copy()
    if small.any():
        out[small] = large[(x[small] @ cents.T).argmax(1)]
    return np.unique(out, return_inverse=True)[1].reshape(-1)


def silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of a clustering from its distance matrix (singletons score 0)."""
    ks = np.unique(labels)
    if len(ks) < 2:
        return 0.0
    member = labels[None, :] == ks[:, None]  # (k, n)
    sums = dist @ member.T  # (n, k): summed distance to each cluster
    sizes = member.sum(1).astype(float)
    own = np.searchsorted(ks, labels)
    a = sums[np.arange(len(labels)), own] / np.maximum(sizes[own] - 1, 1)
    other = sums / sizes[None, :]
    other[np.arange(len(labels)), own] = np.inf
    b = other.min(1)
    s = np.where(sizes[own] > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def centroids_of(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    cs = np.stack([x[labels == k].mean(0) if (labels == k).any() else np.zeros(x.shape[1])
                   for k in range(labels.max() + 1)])
    return cs / np.maximum(np.linalg.norm(cs, axis=1, keepdims=True), 1e-9)


def viterbi(scores: np.ndarray, switch_cost: np.ndarray) -> np.ndarray:
    """Best label path for ``scores`` (n, k), paying ``switch_cost[i]`` to change label before i."""
    n, k = scores.shape
    total, back = scores[0].copy(), np.zeros((n, k), int)
    for i in range(1, n):
        stay = total
        jump = total.max() - switch_cost[i]
        back[i] = np.where(stay >= jump, np.arange(k), int(total.argmax()))
        total = np.maximum(stay, jump) + scores[i]
    path = np.zeros(n, int)
    path[-1] = int(total.argmax())
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def sentence_voices(chunks: list[Chunk], x: np.ndarray, fit: np.ndarray) -> np.ndarray:
    """One unit row per sentence among the ``fit`` chunks: their duration-weighted mean embedding."""
    keys = [c.sentence if c.sentence >= 0 else -1 - i for i, c in ((i, chunks[i]) for i in fit)]
    _, group = np.unique(keys, return_inverse=True)
    pooled = np.zeros((group.max() + 1, x.shape[1]))
    np.add.at(pooled, group, x[fit] * np.array([chunks[i].seconds for i in fit])[:, None])
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)


def diarize(chunks: list[Chunk], x: np.ndarray, n_speakers: int | None = None) -> list[int]:
    """A speaker index (0-based, in order of first appearance) per chunk."""
    if not chunks:
        return []
    durations = np.array([c.seconds for c in chunks])
    fit = np.flatnonzero(durations >= MIN_FIT_SECONDS)
    if len(fit) < 2:
        fit = np.arange(len(chunks))
    voices = sentence_voices(chunks, x, fit)
    if len(voices) > MAX_FIT:
        voices = voices[np.linspace(0, len(voices) - 1, MAX_FIT).round().astype(int)]
    labels = cluster(voices, n_speakers)
    cents = centroids_of(voices, labels)
    scores = (x @ cents.T) * np.minimum(1.0, durations / CHUNK_SECONDS)[:, None]
    same_segment = np.r_[False, [a.segment == b.segment for a, b in zip(chunks, chunks[1:], strict=False)]]
    path = viterbi(scores, np.where(same_segment, SWITCH_COST, SWITCH_COST / 3))
    order = {}
    for p in path:
        order.setdefault(int(p), len(order))
    return [order[int(p)] for p in path]


def label_transcript(transcript: Transcript, chunks: list[Chunk], speakers: list[int]) -> Transcript:
    """The transcript with ``speaker`` on every word and segment; a segment whose words change
    speaker is split at the change."""
    by_word: dict[tuple[int, int], str] = {}
    by_segment: dict[int, str] = {}
    for c, s in zip(chunks, speakers, strict=True):
        name = f"S{s + 1}"
        by_segment.setdefault(c.segment, name)
        for w in range(c.first, c.last):
            by_word[(c.segment, w)] = name
    out: list[SpeechSegment] = []
    for si, seg in enumerate(transcript.segments):
        if not seg.words:
            out.append(SpeechSegment(seg.start, seg.end, seg.text, [], by_segment.get(si, "")))
            continue
        words = [Word(w.start, w.end, w.text, w.probability, by_word.get((si, wi), by_segment.get(si, "")))
                 for wi, w in enumerate(seg.words)]
        runs: list[list[Word]] = []
        for w in words:
            if runs and runs[-1][-1].speaker == w.speaker:
                runs[-1].append(w)
            else:
                runs.append([w])
        if len(runs) == 1:
            out.append(SpeechSegment(seg.start, seg.end, seg.text, words, words[0].speaker))
        else:
            out += [SpeechSegment(r[0].start, r[-1].end, " ".join(w.text.strip() for w in r), r, r[0].speaker)
                    for r in runs]
    return Transcript(transcript.language, out)


class SpeakerPass:
    """Embeds a transcript's chunks from the file's audio and labels the transcript."""

    def __init__(self, encoder, on_progress: Callable[[float], None] | None = None):
        self.encoder = encoder
        self.on_progress = on_progress or (lambda t: None)

    def embed(self, path: str, chunks: list[Chunk], batch: int = 32,
              memo: dict[tuple[float, float], np.ndarray] | None = None) -> np.ndarray:
        """Each chunk's voice embedding; with a ``memo`` (span -> embedding, filled here), only
        chunks not in it are embedded, decoding the audio from a little before the first of them."""
        from ..media.audio import SAMPLE_RATE, iter_audio_blocks

        x = np.zeros((len(chunks), self.encoder.dim), np.float32)
        todo = list(range(len(chunks)))
        if memo is not None:
            todo = [i for i, c in enumerate(chunks) if (c.start, c.end) not in memo]
            for i in set(range(len(chunks))) - set(todo):
                x[i] = memo[(chunks[i].start, chunks[i].end)]
        if not todo:
            return x
        pending: list[tuple[int, np.ndarray]] = []

        def flush():
            if pending:
                x[[i for i, _ in pending]] = self.encoder.embed([a for _, a in pending])
                self.on_progress(chunks[pending[-1][0]].end)
                if memo is not None:
                    memo.update(((chunks[i].start, chunks[i].end), x[i].copy()) for i, _ in pending)
                pending.clear()

        start = max(0.0, chunks[todo[0]].start - BLOCK_SECONDS) if memo is not None else 0.0
        blocks = iter_audio_blocks(path, start_time=start, block_seconds=BLOCK_SECONDS)
        wanted = [chunks[i] for i in todo]
        for k, audio in chunk_audio(blocks, wanted, SAMPLE_RATE):
            pending.append((todo[k], audio.copy()))
            if len(pending) >= batch:
                flush()
        flush()
        return x

    def run(self, path: str, transcript: Transcript, n_speakers: int | None = None,
            memo: dict[tuple[float, float], np.ndarray] | None = None) -> Transcript:
        chunks = plan_chunks(transcript)
        x = self.embed(path, chunks, memo=memo)
        return label_transcript(transcript, chunks, diarize(chunks, x, n_speakers))
