"""Typed, validating readers for benchmark annotation and prediction files.

Every reader raises ``vidrecap.errors.InputError`` naming the file, the first bad line (or item)
and the field.
"""

from .captions import CaptionItem, load_caption_predictions, load_caption_references, load_hcap
from .highlights import HighlightVideo, load_highlight_annotations
from .moments import MomentPrediction, MomentQuery, load_moment_annotations, load_moment_predictions
from .summarization import (
    SummarizationVideo,
    SummaryPrediction,
    load_summary_predictions,
    load_summe_dir,
    load_summe_mat,
    load_tvsum_mat,
)
from .videoxum import VideoXumPrediction, VideoXumVideo, load_videoxum, load_videoxum_predictions

__all__ = [
    "CaptionItem",
    "HighlightVideo",
    "MomentPrediction",
    "MomentQuery",
    "SummarizationVideo",
    "SummaryPrediction",
    "VideoXumPrediction",
    "VideoXumVideo",
    "load_caption_predictions",
    "load_caption_references",
    "load_hcap",
    "load_highlight_annotations",
    "load_moment_annotations",
    "load_moment_predictions",
    "load_summary_predictions",
    "load_summe_dir",
    "load_summe_mat",
    "load_tvsum_mat",
    "load_videoxum",
    "load_videoxum_predictions",
]
