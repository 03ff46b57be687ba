"""``vidrecap eval BENCHMARK --pred P --gt G [--json]``: score predictions with a benchmark's metrics."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError

BENCHMARKS: dict[str, str] = {
    "qvhighlights": "moment retrieval + highlight detection (official QVHighlights evaluator)",
    "charades": "Charades-STA moment retrieval: R1@{0.3,0.5,0.7}, mIoU",
    "tacos": "TACoS moment retrieval: R1@{0.3,0.5,0.7}, mIoU",
    "activitynet": "ActivityNet-style moment retrieval (QVHighlights-format jsonl): R1, mIoU",
    "tvsum": "TVSum highlight detection: top-5 mAP per domain (--gt tvsum_*_release.jsonl)",
    "youtube": "YouTube Highlights: mAP per domain (--gt youtube_highlight_*_release.jsonl)",
    "tvsum-f1": "TVSum summarization: knapsack F1 (mean over users), Kendall, Spearman (--gt ydata-tvsum50.mat)",
    "summe-f1": "SumMe summarization: knapsack F1 (max over users), Kendall, Spearman (--gt SumMe GT/ folder)",
    "videoxum": "VideoXum: top-15% F1, Kendall, Spearman, BLEU-4/METEOR/ROUGE-L/CIDEr (--gt *_videoxum.json)",
    "egoschema": "EgoSchema multiple choice: accuracy (--pred/--gt {q_uid: answer} json or q_uid,answer csv)",
    "captions": "captions (Ego4D-HCap clip/segment/video): BLEU-1..4, METEOR, ROUGE-L, CIDEr, rougeLsum",
    "ek100-mir": "EPIC-KITCHENS-100 MIR: mAP + nDCG (--pred sim (videos, texts) .npy/.npz, --gt relevancy)",
    "egomcq": "EgoMCQ: inter/intra-video accuracy (--pred {id: [scores]} json, --gt egomcq.json)",
    "retrieval": "text<->video R@1/5/10, MedR (--pred sim (texts, videos), --gt json list of video ids)",
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "benchmarks:\n" + "\n".join(f"  {name:<13} {text}" for name, text in BENCHMARKS.items())
    parser.add_argument(
        "benchmark", choices=sorted(BENCHMARKS), metavar="BENCHMARK", help="see the list below"
    )
    parser.add_argument("--pred", required=True, type=Path, help="predictions file")
    parser.add_argument("--gt", required=True, type=Path, help="ground-truth file (or folder for summe-f1)")
    parser.add_argument("--json", action="store_true", help="print the metrics as json")
    parser.add_argument(
        "--no-meteor", action="store_true", help="captions/videoxum: skip METEOR (needs Java)"
    )
    parser.add_argument(
        "--tokenizer",
        choices=("auto", "stanford", "python"),
        default="auto",
        help="captions/videoxum: pycocoevalcap's Java PTBTokenizer (stanford), our Python stand-in,"
        " or auto (stanford when Java and pycocoevalcap are installed)",
    )


def _run_qvhighlights(args) -> dict:
    from .qvhighlights import evaluate_qvhighlights_files

    return evaluate_qvhighlights_files(args.pred, args.gt).to_dict()


def _run_moments(args) -> dict:
    from .moment_retrieval import evaluate_moment_retrieval_files

    return evaluate_moment_retrieval_files(args.pred, args.gt).to_dict()


def _run_highlights(args) -> dict:
    from .highlight_detection import evaluate_highlight_files

    return evaluate_highlight_files(args.pred, args.gt, args.benchmark).to_dict()


def _run_summarization(args) -> dict:
    from .summarization import evaluate_summarization_files

    return evaluate_summarization_files(args.pred, args.gt, args.benchmark.removesuffix("-f1")).to_dict()


def _run_videoxum(args) -> dict:
    from ..datasets.videoxum import load_videoxum, load_videoxum_predictions
    from .videoxum import evaluate_videoxum

    predictions = load_videoxum_predictions(args.pred)
    result = evaluate_videoxum(
        predictions,
        load_videoxum(args.gt),
        meteor=False if args.no_meteor else None,
        tokenizer=args.tokenizer,
    )
    return result.to_dict()


def _run_captions(args) -> dict:
    from ..datasets.captions import load_caption_predictions, load_caption_references
    from .captions import evaluate_captions

    predictions = load_caption_predictions(args.pred)
    references = load_caption_references(args.gt)
    meteor = False if args.no_meteor else None
    return evaluate_captions(predictions, references, meteor=meteor, tokenizer=args.tokenizer).to_dict()


def _run_video_text(args) -> dict:
    from . import video_text

    if args.benchmark == "ek100-mir":
        return video_text.evaluate_ek100_mir_files(args.pred, args.gt).to_dict()
    if args.benchmark == "egomcq":
        return video_text.evaluate_egomcq_files(args.pred, args.gt).to_dict()
    return video_text.evaluate_retrieval_files(args.pred, args.gt)


def _run_egoschema(args) -> dict:
    from .egoschema import evaluate_egoschema_files

    return evaluate_egoschema_files(args.pred, args.gt).to_dict()


RUNNERS: dict[str, Callable] = {
    "qvhighlights": _run_qvhighlights,
    "charades": _run_moments,
    "tacos": _run_moments,
    "activitynet": _run_moments,
    "tvsum": _run_highlights,
    "youtube": _run_highlights,
    "tvsum-f1": _run_summarization,
    "summe-f1": _run_summarization,
    "videoxum": _run_videoxum,
    "captions": _run_captions,
    "ek100-mir": _run_video_text,
    "egomcq": _run_video_text,
    "retrieval": _run_video_text,
    "egoschema": _run_egoschema,
}


def flatten(metrics: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(flatten(value, f"{name} / "))
        else:
            rows.append((name, value))
    return rows


def format_table(benchmark: str, metrics: dict) -> str:
    rows = flatten(metrics)
    width = max(len(name) for name, _ in rows)
    lines = [f"{benchmark}", "-" * (width + 12)]
    for name, value in rows:
        shown = (
            "n/a"
            if value is None
            else (f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else value)
        )
        lines.append(f"{name:<{width}}  {shown}")
    return "\n".join(lines)


def execute(args) -> int:
    for path in (args.pred, args.gt):
        if not path.exists():
            raise InputError(f"{path}: no such file")
    metrics = RUNNERS[args.benchmark](args)
    print(json.dumps(metrics, indent=4) if args.json else format_table(args.benchmark, metrics))
    return 0
