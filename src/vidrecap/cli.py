"""``vidrecap`` command line: each subcommand lives in the module of its capability.

A command module exposes ``configure(parser)`` and ``execute(args) -> int``. Errors derived from
``VidrecapError`` (and a few OS errors) become one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import VidrecapError

COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("vidrecap.pipeline.command", "recap a video: clip captions, segments, summary"),
    "chapters": ("vidrecap.outputs.chapters_command", "list a recap's chapters, or write them into a video copy"),
    "search": ("vidrecap.moments.command", "find the moments that match a text query"),
    "library": ("vidrecap.library.command", "a library of recaps: add, remove, list (search with `search ROOT`)"),
    "ask": ("vidrecap.qa.command", "answer a question about a recapped video, citing times"),
    "speakers": ("vidrecap.outputs.speakers_command", "list a recap's speakers, or name them (S1=Maria)"),
    "highlights": ("vidrecap.moments.highlights_command", "highlights without a query, optional reel"),
    "xsum": ("vidrecap.moments.xsum_command", "cross-modal summary: key frames aligned with the text"),
    "eval": ("vidrecap.eval.command", "score predictions with a benchmark's official metrics"),
    "models": ("vidrecap.backends.command", "list model backends and whether they are available"),
    "serve": ("vidrecap.serve.command", "serve recaps as a web page on localhost"),
    "features": ("vidrecap.train.features_command", "extract per-2 s-clip features for training"),
    "train": ("vidrecap.train.command", "train ReCap, moment/highlight, dual-encoder or VideoXum models"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only`` (a command name, or ``""`` for none), only that command's module is
    imported, so a query command does not pay for importing the pipeline's (or any other
    command's) modules; the others are listed by name and help text."""
    parser = argparse.ArgumentParser(prog="vidrecap", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=help_text, description=help_text)
            continue
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("vidrecap"):
                continue  # capability not built yet
            raise
        p = sub.add_parser(name, help=help_text, description=help_text)
        mod.configure(p)
        p.set_defaults(_execute=mod.execute)
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def _command_named(argv: list[str]) -> str | None:
    """The subcommand ``argv`` names (its first word); ``""`` when it names none (``--version``,
    ``--help``: no command module is needed); ``None`` (import them all) when unsure."""
    if not argv or argv[0].startswith("-"):
        return ""
    return argv[0] if argv[0] in COMMANDS else None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_named(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "_execute", None):
        parser.print_help()
        return 2
    try:
        code = int(args._execute(args) or 0)
        sys.stdout.flush()  # a closed pipe fails here, inside the handler, not at interpreter exit
        return code
    except VidrecapError as exc:
        print(f"vidrecap: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("vidrecap: interrupted (finished work is cached; run again to resume)", file=sys.stderr)
        return 130
    except (PermissionError, IsADirectoryError, NotADirectoryError, FileNotFoundError) as exc:
        print(f"vidrecap: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except MemoryError:
        print("vidrecap: error: out of memory", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `vidrecap search ... | head`: the reader left; stop quietly
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush does not fail on the closed pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
