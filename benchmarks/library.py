"""Library search at scale, both stores: add throughput, query latency (p50/p95), recall, index size.

A synthetic library of N cells is written through the real storage path (``store``: catalog, words,
float16 vectors, per-video calibration; SQLite + FAISS or PostgreSQL + pgvector) as 1000-cell videos
(33 min each), then the ANN index is built once (``compact``). Vectors resemble real ones: 12,000
varied sentences (the Python standard library's docstrings) are embedded with MiniLM, the library's
encoder; a topic's centre is one of them and a cell is that centre plus another real sentence's
deviation from the mean (``World``), so cells of one topic have cosines ≈ 0.4-0.5, unrelated cells
the real pool's ≈ 0.1, and the anisotropy of real embeddings is kept. Cells follow topic runs like
real segments: a speech vector (80 % of cells) and a visual vector (every cell), and speech-like
words from a Zipfian vocabulary plus topic words. Queries are a topic's centre plus another real
sentence, with three of its words. Latency is the library search alone (the query is already
embedded; embedding one query with MiniLM adds ≈ 20 ms, see benchmarks/search.py), as wall time and
as CPU time of the process (all threads; the PostgreSQL server's own CPU is not in it). Recall is
the share of the exact top-10 ``(cell, channel)`` vectors (brute force over every stored vector)
among the ANN's 256 candidates. Run: ``python benchmarks/library.py --cells 100000 1000000``
(``--dir D --keep`` builds once, at low priority, and a second run times the queries alone).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from vidrecap.library import LibraryBase, RecapLibrary, open_library
from vidrecap.library.catalog import vector_id
from vidrecap.library.ingest import PreparedRecap
from vidrecap.library.pg_catalog import PROBES
from vidrecap.library.search import DENSE_CANDIDATES
from vidrecap.library.vectors import NPROBE, RERANK
from vidrecap.moments import scoring
from vidrecap.outputs.store import save_recap
from vidrecap.results import CELL_SECONDS, Caption, Cell, Recap, Transcript, VideoInfo

SWEEP = [(16, 4), (32, 4), (48, 1), (48, 4), (64, 4), (128, 4)]
PG_SWEEP = [32, 64, 128, 192, 256]
DIM, TOPICS, VOCAB, CELLS_PER_VIDEO, RUN = 384, 4000, 50_000, 1000, 90
POOL, MIX_SCALE = 12_000, 0.8  # real sentences embedded; a cell's deviation from its topic centre


def sentence_pool(n: int = POOL, cache: Path | None = None) -> np.ndarray:
    """MiniLM (the library's ``embedded`` encoder) embeddings of ``n`` varied real sentences: the
    docstrings of the Python standard library (every module, all subjects), split into sentences,
    de-duplicated and shuffled; cached as ``.npy``."""
    import ast
    import random
    import re
    import sysconfig

    from vidrecap.moments.loading import encoder_for_spec

    cache = cache or Path(tempfile.gettempdir()) / f"vidrecap-bench-pool-{n}.npy"
    if cache.is_file():
        return np.load(cache)
    root, found = Path(sysconfig.get_paths()["stdlib"]), set()
    for path in sorted(root.rglob("*.py")):
        if {"site-packages", "test", "tests", "idlelib"} & set(path.relative_to(root).parts):
            continue
        try:
            tree = ast.parse(path.read_text(errors="ignore"))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
                for s in re.split(r"(?<=[.!?])\s+", " ".join((ast.get_docstring(node) or "").split())):
                    if 40 <= len(s) <= 240 and s[0].isupper() and s.count(" ") >= 6:
                        found.add(s)
    sentences = sorted(found)
    random.Random(0).shuffle(sentences)
    emb = encoder_for_spec("embedded").embed_text(sentences[:n]).astype(np.float32)
    np.save(cache, emb)
    return emb


class World:
    """Deterministic synthetic topics: centres in embedding space and word lists.

    With ``pool`` (real MiniLM embeddings of varied sentences, ``sentence_pool``) the vectors live
    where real ones do: a topic's centre is one real sentence embedding, and a cell or query is that
    centre plus the deviation from the mean of another real sentence, scaled so that cells of one
    topic have the cosines of real same-topic sentences (≈ 0.4-0.5) and unrelated ones the real pool's
    (its anisotropy included). Without a pool the centres are isotropic Gaussian (tests).
    """

    def __init__(self, seed: int = 0, pool: np.ndarray | None = None):
        self.rng = np.random.default_rng(seed)
        if pool is None:
            c = self.rng.standard_normal((TOPICS, DIM)).astype(np.float32)
            self.centres, self.mix = c / np.linalg.norm(c, axis=1, keepdims=True), None
        else:
            order = self.rng.permutation(len(pool))
            self.centres = pool[order[:TOPICS]]
            rest = pool[order[TOPICS:]]
            self.mix = (rest - rest.mean(0)).astype(np.float32)
        self.topic_words = self.rng.integers(0, VOCAB, (TOPICS, 12))
        zipf = 1.0 / np.arange(1, VOCAB + 1)
        self.word_p = zipf / zipf.sum()

    def vectors(self, topics: np.ndarray, noise: float) -> np.ndarray:
        if self.mix is None:
            jitter = self.rng.standard_normal((len(topics), DIM)).astype(np.float32) / np.sqrt(DIM)
        else:  # another real sentence's deviation (plus a little isotropic noise: no two cells equal)
            jitter = self.mix[self.rng.integers(0, len(self.mix), len(topics))] * MIX_SCALE
            jitter += self.rng.standard_normal((len(topics), DIM)).astype(np.float32) * (0.2 / np.sqrt(DIM))
        v = self.centres[topics] + noise * jitter
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)

    def docs(self, topics: np.ndarray) -> list[str]:
        common = self.rng.choice(VOCAB, (len(topics), 14), p=self.word_p)
        own = self.topic_words[topics[:, None], self.rng.integers(0, 12, (len(topics), 3))]
        return [" ".join(f"w{w}" for w in row) for row in np.concatenate([common, own], axis=1)]

    def video(self, n: int, vid: str, background: np.ndarray) -> PreparedRecap:
        topics = np.repeat(self.rng.integers(0, TOPICS, n // RUN + 1), RUN)[:n]
        speech = self.vectors(topics, 1.2)
        speech[self.rng.random(n) < 0.2] = 0.0
        channels = {"speech": speech, "visual": self.vectors(topics, 1.6)}
        cells = [Cell(i, i * CELL_SECONDS, (i + 1) * CELL_SECONDS) for i in range(n)]
        duration = n * CELL_SECONDS
        recap = Recap(VideoInfo(f"/videos/{vid}.mp4", vid, duration, 0, True, True), {"encoder": "embedded"}, [],
                      [], Caption("summary", 0, 0.0, duration, "", vid), Transcript(), cells, channels)
        return PreparedRecap(recap, "synthetic", "-", self.docs(topics), channels,
                             {k: scoring.fit_calibration(m, background) for k, m in channels.items()})


def build(location: str | Path, n_cells: int, world: World) -> tuple[LibraryBase, float, float]:
    background = world.vectors(world.rng.integers(0, TOPICS, 32), 1.0)
    lib = open_library(location, create=True)
    t0 = time.perf_counter()
    for v in range(n_cells // CELLS_PER_VIDEO):
        lib.store(f"v{v:06d}.recap", world.video(CELLS_PER_VIDEO, f"v{v:06d}", background))
        if v % 100 == 99:
            print(f"  stored {(v + 1) * CELLS_PER_VIDEO:,} cells ({time.perf_counter() - t0:.0f} s)", flush=True)
    stored = time.perf_counter() - t0
    t0 = time.perf_counter()
    lib.compact()
    return lib, stored, time.perf_counter() - t0


def queries(world: World, n: int) -> list[tuple[str, np.ndarray]]:
    topics = world.rng.integers(0, TOPICS, n)
    vecs = world.vectors(topics, 1.0)
    return [(" ".join(f"w{w}" for w in world.rng.choice(world.topic_words[t], 3)), vecs[i])
            for i, t in enumerate(topics)]


def all_vectors(lib: LibraryBase, size: int = 50_000):
    """Every stored vector in batches of ``(vector_id(cell, channel), float32 matrix)``, from the catalog."""
    last = int(lib.catalog.get("next_cell", "0") or 0)
    for lo in range(0, last + 1, size // 2):
        rows = lib.catalog.vectors_in_range(lo, min(last, lo + size // 2 - 1))
        if rows:
            ids = vector_id(np.array([r[0] for r in rows], np.int64), np.array([r[1] for r in rows], np.int64))
            yield ids, np.stack([np.frombuffer(r[2], np.float16) for r in rows]).astype(np.float32)


def exact_top10(lib: LibraryBase, qs: list[tuple[str, np.ndarray]]) -> list[set[int]]:
    """The exact top-10 ``vector_id`` s of each query: a brute-force scan of every stored vector."""
    q = np.stack([v for _, v in qs])
    best = [np.full(10, -np.inf, np.float32) for _ in qs]
    ids = [np.zeros(10, np.int64) for _ in qs]
    for batch_ids, mat in all_vectors(lib):
        scores = mat @ q.T
        for j in range(len(qs)):
            cat_s, cat_i = np.concatenate([best[j], scores[:, j]]), np.concatenate([ids[j], batch_ids])
            top = np.argpartition(-cat_s, 9)[:10]
            best[j], ids[j] = cat_s[top], cat_i[top]
    return [set(i.tolist()) for i in ids]


def recall(lib: LibraryBase, qs: list[tuple[str, np.ndarray]], exact: list[set[int]] | None = None) -> float:
    """Share of the exact top-10 (cell, channel) vectors that the ANN returns among its candidates."""
    exact = exact or exact_top10(lib, qs)
    got = []
    for j, (_, v) in enumerate(qs):
        found = {vector_id(c, ch) for c, ch, _ in lib.vectors.search(v, DENSE_CANDIDATES)}
        got.append(len(found & exact[j]) / 10)
    return float(np.mean(got))


def add_one_recap(lib: LibraryBase, root: Path, world: World) -> float:
    """Time ``add_one`` of a saved 60-minute recap (1800 cells): load, calibrate, store, compact check."""
    lib.put_background("embedded", world.vectors(world.rng.integers(0, TOPICS, 32), 1.0))
    prepared = world.video(1800, "hour", world.vectors(world.rng.integers(0, TOPICS, 32), 1.0))
    recap = prepared.recap
    for c, d in zip(recap.cells, prepared.docs, strict=True):
        c.speech = d
    out = root / "hour.recap"
    save_recap(recap, out)
    t0 = time.perf_counter()
    outcome = lib.add_one(out, compact=True)
    assert outcome.status in ("added", "updated"), outcome
    return time.perf_counter() - t0


def size_mb(lib: LibraryBase) -> dict[str, float]:
    """Catalog and ANN index sizes: files of the embedded store, relations of the PostgreSQL one."""
    sizes = {"catalog": 0.0, "ann": 0.0}
    if isinstance(lib, RecapLibrary):
        for p in lib.folder.iterdir():
            if p.name.startswith("catalog.sqlite"):
                sizes["catalog"] += p.stat().st_size / 2**20
            elif p.suffix == ".faiss":
                sizes["ann"] += p.stat().st_size / 2**20
        return sizes
    db = lib.catalog.db
    total = db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    index = lib.catalog.get("index_name")
    sizes["ann"] = db.execute("SELECT pg_relation_size(%s)", (index,)).fetchone()[0] / 2**20 if index else 0.0
    sizes["catalog"] = total / 2**20 - sizes["ann"]
    return sizes


def timed_queries(lib: LibraryBase, qs) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of the library search alone (one snapshot per query on PostgreSQL); the
    CPU is this process's plus, on PostgreSQL, its server backend's (from /proc: 10 ms ticks)."""
    snapshot = getattr(lib.catalog, "snapshot", nullcontext)
    backend = _backend_cpu(lib)
    for text, v in qs[:5]:  # warm caches (page cache, FAISS file, shared buffers)
        with snapshot():
            lib.searcher.search(text, v, 10)
    wall, cpu = [], []
    for text, v in qs:
        t0, c0, b0 = time.perf_counter(), time.process_time(), backend()
        with snapshot():
            hits = lib.searcher.search(text, v, 10)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0 + backend() - b0)
        assert hits
    return wall, cpu


def _backend_cpu(lib: LibraryBase):
    """A reader of the CPU seconds the PostgreSQL backend serving ``lib`` has used (0 where unknown)."""
    import os

    if isinstance(lib, RecapLibrary):
        return lambda: 0.0
    stat = Path(f"/proc/{lib.catalog.db.execute('SELECT pg_backend_pid()').fetchone()[0]}/stat")
    if not stat.is_file():  # a server on another machine
        return lambda: 0.0
    tick = os.sysconf("SC_CLK_TCK")
    return lambda: sum(map(int, stat.read_text().rsplit(")", 1)[1].split()[11:13])) / tick


def recall_sweep(lib: LibraryBase, qs) -> str:
    """Recall and query p95 at the default settings and around them (FAISS nprobe/rerank, IVFFlat probes)."""
    out, exact = [], exact_top10(lib, qs)
    if isinstance(lib, RecapLibrary):
        for nprobe, rerank in SWEEP:
            lib.vectors.nprobe, lib.vectors.rerank = nprobe, rerank
            out.append(f"{recall(lib, qs, exact):.2f} (p95 {_pct(timed_queries(lib, qs)[0], 95):.0f} ms)"
                       f"@nprobe={nprobe},rerank={rerank}")
        lib.vectors.nprobe, lib.vectors.rerank = NPROBE, RERANK
    else:
        for probes in PG_SWEEP:
            lib.vectors.probes = probes
            p95 = _pct(timed_queries(lib, qs)[0], 95)
            out.append(f"{recall(lib, qs, exact):.2f} (p95 {p95:.0f} ms)@probes={probes}")
        lib.vectors.probes = PROBES
    return " ".join(out)


def run(n_cells: int, n_queries: int, where: Path, store: str, pg_url: str = "", keep: bool = False) -> None:
    root = where / f"lib-{n_cells}-{store}"
    done = root / "built.json"
    location = _database(pg_url, f"bench_{n_cells}", fresh=not (keep and done.is_file())) \
        if store == "postgres" else root
    world = World(pool=sentence_pool())
    if keep and done.is_file():  # measure a library an earlier run built
        lib, (stored, ann) = open_library(location), json.loads(done.read_text())
        print(f"[{store}] {n_cells:,} cells: reusing the library built by an earlier run", flush=True)
    else:
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        print(f"[{store}] {n_cells:,} cells: building ...", flush=True)
        lib, stored, ann = build(location, n_cells, world)
        done.write_text(json.dumps([stored, ann]))
    vectors = int(lib.catalog.get("vectors"))
    qs = queries(world, n_queries)
    wall, cpu = timed_queries(lib, qs)
    sizes = size_mb(lib)
    print(f"[{store}] {n_cells:,} cells, {vectors:,} vectors: store {stored:.0f} s ({n_cells / stored:,.0f} cells/s), "
          f"ANN build {ann:.0f} s; catalog {sizes['catalog']:.0f} MiB, ANN {sizes['ann']:.0f} MiB; "
          f"query wall p50/p95 {_pct(wall, 50):.1f}/{_pct(wall, 95):.1f} ms, "
          f"CPU p50/p95 {_pct(cpu, 50):.1f}/{_pct(cpu, 95):.1f} ms ({n_queries} queries)", flush=True)
    print(f"[{store}] {n_cells:,} cells: recall of exact top-10 {recall_sweep(lib, qs[:40])}", flush=True)
    print(f"[{store}] {n_cells:,} cells: add a 60-min recap {add_one_recap(lib, root, world):.2f} s", flush=True)
    lib.close()
    if not keep:
        shutil.rmtree(root, ignore_errors=True)


def _database(server_url: str, name: str, fresh: bool = True) -> str:
    """Database ``name`` on the server (its URL), emptied first when ``fresh``."""
    import psycopg

    if fresh:
        with psycopg.connect(server_url, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')
            db.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


def _pct(seconds: list[float], q: int) -> float:
    ms = sorted(x * 1000 for x in seconds)
    return statistics.median(ms) if q == 50 else ms[int(q / 100 * (len(ms) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--dir", type=Path, help="where to build the libraries (default: a temporary folder)")
    ap.add_argument("--store", choices=("embedded", "postgres", "both"), default="both")
    ap.add_argument("--pg-url", default="", help="a PostgreSQL server to use (default: a local one in DIR/pg, "
                    "or a throwaway one)")
    ap.add_argument("--keep", action="store_true", help="keep the libraries in DIR and reuse them next time "
                    "(build once at low priority, then time the queries alone)")
    args = ap.parse_args()
    where = args.dir or Path(tempfile.mkdtemp(prefix="vidrecap-library-bench-"))
    stores = ("embedded", "postgres") if args.store == "both" else (args.store,)
    server = None
    if "postgres" in stores and not args.pg_url:
        from vidrecap.library.pg_local import LocalServer

        server = LocalServer(where / "pg" if args.dir else Path(tempfile.mkdtemp(prefix="vidrecap-pg-bench-")))
        args.pg_url = server.start()
    try:
        for n in args.cells:
            for store in stores:
                run(n, args.queries, where, store, args.pg_url, args.keep)
    finally:
        if server is not None:
            server.stop()
            if not args.dir:
                shutil.rmtree(server.folder, ignore_errors=True)


if __name__ == "__main__":
    main()
