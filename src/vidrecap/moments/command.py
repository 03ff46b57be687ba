"""``vidrecap search OUTDIR "query"`` and the batch form ``--queries q.jsonl`` (QVHighlights rows)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..outputs.speakers import load_names
from .index import MomentIndex, MomentResult, QueryId
from .loading import check_query


@dataclass(frozen=True)
class QueryRow:
    qid: QueryId
    query: str
    vid: str | None = None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir", help="output directory of `vidrecap run`, or a library ROOT (`vidrecap library`)")
    parser.add_argument("query", nargs="?", help="what to look for (words, a paraphrase, slide text)")
    parser.add_argument("--top-k", type=int, default=10, help="windows to return (default 10)")
    parser.add_argument("--json", action="store_true", help="print a QVHighlights submission row")
    parser.add_argument("--queries", metavar="JSONL", help="batch: a file of {qid, query[, vid]} lines; "
                        "prints one submission row per line")
    parser.add_argument("--speaker", metavar="WHO", help="only where this speaker speaks (S2, or a name "
                        "given in speakers.json)")
    parser.add_argument("--model", default="embedded", metavar="SPEC",
                        help="moments backend: embedded (zero-shot, default) or recap:DIR (a trained head)")


def execute(args: argparse.Namespace) -> int:
    if (args.query is None) == (args.queries is None):
        raise InputError("give either a QUERY or --queries FILE")
    if args.top_k < 1:
        raise InputError("--top-k must be at least 1")
    if _is_library(args.outdir):
        return _search_library(args)
    if args.queries:
        rows = read_queries(Path(args.queries))
        index = load_predictor(args.outdir, args.model, args.speaker)
        for row in rows:
            result = _speaking(index.predict(row.query, args.top_k, qid=row.qid, vid=row.vid), index, args)
            sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        return 0
    query = check_query(args.query)
    index = load_predictor(args.outdir, args.model, args.speaker)
    result = _speaking(index.predict(query, args.top_k), index, args)
    print(json.dumps(result.to_dict(), ensure_ascii=False) if args.json else format_table(result, index))
    return 0


def _speaking(result: MomentResult, index, args: argparse.Namespace) -> MomentResult:
    if not args.speaker or getattr(index, "recap", None) is None:
        return result
    from .speakers import where_speaking

    return where_speaking(result, index.recap)


def _is_library(outdir: str) -> bool:
    if (Path(outdir) / "recap.json").is_file():
        return False  # one recap: the library package (and what it imports) is not needed
    from ..library import is_library

    return is_library(outdir)


def _search_library(args: argparse.Namespace) -> int:
    """``OUTDIR`` is a library (``vidrecap library add``): one ranking across all its recaps."""
    from ..library.command import search

    if args.queries or args.model != "embedded" or args.speaker:
        raise InputError("a library is searched with one QUERY and the embedded model "
                         "(--queries, --model and --speaker work on one recap)")
    return search(args.outdir, check_query(args.query), args.top_k, args.json)


def load_predictor(outdir: str, spec: str, speaker: str | None = None):
    """The recap in ``outdir`` (only where ``speaker`` speaks, when given) indexed by the ``moments``
    backend named ``spec``."""
    from .. import registry
    from .loading import resolve_recap

    recap = resolve_recap(outdir)
    if speaker:
        from .speakers import resolve_speaker, speaker_view

        recap = speaker_view(recap, resolve_speaker(recap, speaker))
    return registry.create("moments", spec).index(recap)


def read_queries(path: Path) -> list[QueryRow]:
    """Parse and validate every line first, so a bad line fails before any output."""
    if not path.is_file():
        raise InputError(f"queries file not found: {path}")
    rows = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                rows.append(_query_row(line, number, path))
    if not rows:
        raise InputError(f"no queries in {path}")
    return rows


def _query_row(line: str, number: int, path: Path) -> QueryRow:
    where = f"{path}:{number}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg})") from exc
    if not isinstance(obj, dict) or "query" not in obj:
        raise InputError(f"{where}: expected an object with a \"query\"")
    qid = obj.get("qid", number - 1)
    if isinstance(qid, bool) or not isinstance(qid, int | str):
        raise InputError(f"{where}: qid must be an integer or a string")
    vid = obj.get("vid")
    try:
        query = check_query(obj["query"])
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from exc
    return QueryRow(qid, query, str(vid) if vid is not None else None)


def format_table(result: MomentResult, index: MomentIndex) -> str:
    """A readable ranking: time range, score and what is said or shown there."""
    lines = [f"{result.vid}: {result.query!r}", f"{'#':>2}  {'start':>8}  {'end':>8}  {'score':>5}  evidence"]
    for rank, w in enumerate(result.windows, 1):
        lines.append(f"{rank:>2}  {clock(w.start):>8}  {clock(w.end):>8}  {w.score:5.2f}  "
                     f"{_evidence(index, w.start, w.end)}")
    return "\n".join(lines)


def _evidence(index: MomentIndex, start: float, end: float, width: int = 70) -> str:
    cells = [c for c in index.recap.cells if c.end > start and c.start < end]
    text = " ".join(c.speech for c in cells if c.speech).strip()
    who = list(dict.fromkeys(s for c in cells for s in c.speakers))
    if who and text:
        names = load_names(Path(index.recap.directory)) if index.recap.directory else {}
        text = f"[{', '.join(names.get(s, s) for s in who)}] {text}"
    if not text:
        text = next((c.on_screen for c in cells if c.on_screen), "")
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def clock(seconds: float) -> str:
    """``h:mm:ss`` or ``m:ss`` with tenths."""
    m, s = divmod(max(0.0, seconds), 60)
    h, m = divmod(int(m), 60)
    return f"{h}:{m:02d}:{s:04.1f}" if h else f"{m}:{s:04.1f}"
