"""``vidrecap ask OUTDIR "question"`` and multiple choice ``--choices-file q.json`` (EgoSchema)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ..errors import InputError
from .answer import Answer
from .citations import stamp


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir", help="output directory of `vidrecap run`")
    parser.add_argument("question", nargs="?", help="a question about the video")
    parser.add_argument("--choices-file", metavar="JSON", help="EgoSchema-style questions (q_uid, question, "
                        "option 0..4); prints {q_uid: answer_index}")
    parser.add_argument("--output", metavar="FILE", help="with --choices-file: write the answers here "
                        "(atomically) instead of printing them")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON (docs/ask.md); with "
                        "--choices-file, each pick with its scores, deciding evidence and citations")
    parser.add_argument("--writer", metavar="SPEC", help="answering model: embedded (extractive, default), "
                        "hf:MODEL, openai[:MODEL], gguf[:PATH]")
    parser.add_argument("--profile", help="backend profile whose writer answers (see `vidrecap models`)")
    parser.add_argument("--config", help="TOML file with backend specs and options (docs/backends.md)")
    parser.add_argument("--offline", action="store_true", help="never download models (HF_HUB_OFFLINE=1)")
    parser.add_argument("--speaker", metavar="WHO", help="answer from what this speaker says (S2, or a name "
                        "given in speakers.json)")
    parser.add_argument("--evidence", type=int, default=6, metavar="N",
                        help="pieces of evidence to retrieve (default 6)")


def execute(args: argparse.Namespace) -> int:
    if (args.question is None) == (args.choices_file is None):
        raise InputError("give either a QUESTION or --choices-file FILE")
    if args.evidence < 1:
        raise InputError("--evidence must be at least 1")
    if args.output and not args.choices_file:
        raise InputError("--output goes with --choices-file")
    if args.offline:
        os.environ["HF_HUB_OFFLINE"] = "1"
    items = None
    if args.choices_file:
        from ..datasets.egoschema import load_questions

        items = load_questions(args.choices_file)  # validate before loading any model
    asker = _asker(args)
    if items is not None:
        return _choices(asker, items, args.output, args.json)
    answer = with_speakers(asker.ask(args.question, limit=args.evidence), asker.finder.recap)
    print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if args.json else format_answer(answer))
    return 0


def _asker(args: argparse.Namespace):
    from ..backends.profiles import resolve_backends, resolve_options
    from ..moments.loading import resolve_recap
    from .asker import Asker

    spec = resolve_backends(args.profile, args.config, writer=args.writer)["writer"]
    options = resolve_options(args.config)["writer"]
    recap = resolve_recap(args.outdir)
    if args.speaker:
        from ..moments.speakers import resolve_speaker, speaker_view

        recap = speaker_view(recap, resolve_speaker(recap, args.speaker))
    return Asker.build(recap, spec, **options)


def _choices(asker, items, output: str | None, detailed: bool = False) -> int:
    from ..util.fs import atomic_write_json

    if detailed:
        answers = {item.q_uid: asker.choose(item.question, item.options).to_dict() for item in items}
    else:
        answers = asker.choose_all(items)
    if output:
        atomic_write_json(Path(output), answers)
        print(f"wrote {len(answers)} answers to {output}", file=sys.stderr)
    else:
        print(json.dumps(answers, ensure_ascii=False))
    return 0


def format_answer(answer: Answer) -> str:
    """The answer, then its citations as ``[m:ss-m:ss] text`` lines and the confidence."""
    cited = [f"  {stamp(c.start)[:-1]}-{stamp(c.end)[1:]} {' '.join(c.text.split())[:100]}"
             for c in answer.citations]
    return "\n".join([answer.answer, *([""] + cited if cited else []), "",
                      f"confidence {answer.confidence:.2f} ({answer.backend})"])


def with_speakers(answer: Answer, recap) -> Answer:
    """Speaker labels in the answer replaced by their names (``speakers.json``), and each spoken
    citation prefixed with who says it (``[Maria] ...``)."""
    from dataclasses import replace

    from ..outputs.speakers import load_names, renamed

    names = load_names(Path(recap.directory)) if recap.directory else {}
    if not recap.transcript.turns_shown:  # one voice: no [S1] before every citation
        return answer

    def who(c) -> str:  # only for a citation of spoken words
        words = [w for w in recap.transcript.words() if w.speaker and c.start <= (w.start + w.end) / 2 <= c.end]
        said = " ".join(w.text for w in words).casefold()
        if not words or " ".join(c.text.split()[:3]).casefold() not in said:
            return ""
        return f"[{', '.join(dict.fromkeys(names.get(w.speaker, w.speaker) for w in words))}] "

    citations = [replace(c, text=who(c) + renamed(c.text, names)) for c in answer.citations]
    return replace(answer, answer=renamed(answer.answer, names), citations=citations)
