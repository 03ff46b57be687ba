"""``vidrecap library add|remove|list|copy|server`` and the library form of ``vidrecap search ROOT "query"``.

ROOT is a folder (the embedded store) or a ``postgresql://`` URL (``stores.open_library``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import InputError
from .base import AddOutcome
from .search import LibraryResult
from .stores import db_errors, is_url, open_library

ROOT_HELP = "the library: a folder (created if needed) or postgresql://USER@HOST/DB"


def configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="index recap directories (or folders of them); changed ones are re-indexed")
    add.add_argument("root", help=ROOT_HELP)
    add.add_argument("outdirs", nargs="*", metavar="OUT",
                     help="`vidrecap run` output directories or folders of them (default: ROOT itself)")
    add.add_argument("-q", "--quiet", action="store_true", help="print only failures and the total")
    rm = sub.add_parser("remove", help="drop recaps and their hits from the library")
    rm.add_argument("root", help=ROOT_HELP)
    rm.add_argument("outdirs", nargs="*", metavar="OUT", help="recap directories to drop")
    rm.add_argument("--missing", action="store_true", help="drop every recap whose folder is gone")
    ls = sub.add_parser("list", help="the recaps in the library and whether their files changed")
    ls.add_argument("root", help=ROOT_HELP)
    ls.add_argument("--json", action="store_true", help="one JSON object per recap")
    cp = sub.add_parser("copy", help="copy every recap of one library into another (e.g. a folder to PostgreSQL)")
    cp.add_argument("source", help="the library to copy from")
    cp.add_argument("dest", help="the library to copy into (created if needed)")
    srv = sub.add_parser("server", help="start a local PostgreSQL + pgvector server in a folder, print its URL")
    srv.add_argument("folder", type=Path, help="where the server keeps its data")
    srv.add_argument("--stop", action="store_true", help="stop the server instead")


def execute(args: argparse.Namespace) -> int:
    with db_errors():
        return {"add": _add, "remove": _remove, "list": _list, "copy": _copy, "server": _server}[args.action](args)


def _add(args: argparse.Namespace) -> int:
    root = args.root
    if not args.outdirs and is_url(root):
        raise InputError("name the recap directories to add to a database library")
    with open_library(root, create=True) as lib:
        def show(o: AddOutcome) -> None:
            if o.status == "failed":
                print(f"vidrecap: {o.directory}: not added: {o.message}", file=sys.stderr)
            elif not args.quiet:
                print(f"{o.status:>9}  {o.directory} ({o.cells} cells)", file=sys.stderr)

        outcomes = lib.add(args.outdirs or [root], on_outcome=show)
        total, where = len(lib.catalog.recaps()), lib.location
    failed = sum(o.status == "failed" for o in outcomes)
    print(f"library {where}: {total} recaps; {len(outcomes) - failed} indexed or current, {failed} failed",
          file=sys.stderr)
    return 1 if failed else 0


def _remove(args: argparse.Namespace) -> int:
    if not args.outdirs and not args.missing:
        raise InputError("name the recap directories to remove, or use --missing")
    with open_library(args.root) as lib:
        targets = list(args.outdirs)
        if args.missing:
            targets += [e.directory for e in lib.entries() if e.status == "missing"]
        removed = lib.remove(targets)
    unknown = len(set(map(str, targets))) - len(removed)
    for key in removed:
        print(f"removed  {key}", file=sys.stderr)
    if unknown > 0:
        print(f"vidrecap: {unknown} of the given directories were not in the library", file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_library(args.root) as lib:
        entries = lib.entries()
    for e in entries:
        if args.json:
            print(json.dumps(e.__dict__, ensure_ascii=False))
        else:
            print(f"{e.status:<8} {_clock(e.duration):>8}  {e.title[:50]:<50}  {e.directory}")
    missing = sum(e.status == "missing" for e in entries)
    if missing:
        print(f"vidrecap: {missing} recap folder(s) are missing (`vidrecap library remove ROOT --missing`)",
              file=sys.stderr)
    return 0


def _copy(args: argparse.Namespace) -> int:
    with open_library(args.source) as src, open_library(args.dest, create=True) as dst:
        n = dst.copy_from(src, lambda status, key: print(f"{status:>9}  {key}", file=sys.stderr))
        print(f"copied {n} recaps from {src.location} to {dst.location}", file=sys.stderr)
    return 0


def _server(args: argparse.Namespace) -> int:
    from .pg_local import LocalServer

    server = LocalServer(args.folder.resolve())
    if args.stop:
        server.stop()
        print(f"stopped the server in {args.folder}", file=sys.stderr)
        return 0
    print(server.start())
    print(f"vidrecap: PostgreSQL + pgvector running from {args.folder} (stop: vidrecap library server "
          f"{args.folder} --stop)", file=sys.stderr)
    return 0


def search(root: str, query: str, top_k: int, as_json: bool) -> int:
    """``vidrecap search ROOT "query"`` when ROOT is a library."""
    with db_errors(), open_library(root) as lib:
        result = lib.search(query, top_k)
    for directory in result.missing:
        print(f"vidrecap: warning: {directory} is gone (skipped; `vidrecap library remove` drops it)",
              file=sys.stderr)
    print(json.dumps(result.to_dict(), ensure_ascii=False) if as_json else format_table(result))
    return 0


def format_table(result: LibraryResult) -> str:
    lines = [f"{result.query!r} in the library",
             f"{'#':>2}  {'video':<24}  {'start':>8}  {'end':>8}  {'score':>5}  said / shown"]
    for rank, h in enumerate(result.hits, 1):
        text = h.said or h.shown
        text = text if len(text) <= 60 else text[:59] + "…"
        lines.append(f"{rank:>2}  {h.vid[:24]:<24}  {_clock(h.start):>8}  {_clock(h.end):>8}  {h.score:5.2f}  {text}")
    if not result.hits:
        lines.append("    (no matches)")
    return "\n".join(lines)


def _clock(seconds: float) -> str:
    m, s = divmod(int(max(0.0, seconds)), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
