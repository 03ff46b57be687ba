"""Benchmark metrics that reproduce each benchmark's reference evaluator (see docs/eval.md).

Reads files only: no pipeline, torch or model imports.
"""

from .highlight_detection import HighlightDetectionResult, evaluate_highlight_detection
from .moment_retrieval import MomentRetrievalResult, evaluate_moment_retrieval
from .qvhighlights import QVHighlightsResult, evaluate_qvhighlights, evaluate_qvhighlights_files
from .summarization import SummarizationResult, evaluate_summarization
from .videoxum import VideoXumResult, VTEncoder, evaluate_videoxum

__all__ = [
    "HighlightDetectionResult",
    "MomentRetrievalResult",
    "QVHighlightsResult",
    "SummarizationResult",
    "VTEncoder",
    "VideoXumResult",
    "evaluate_highlight_detection",
    "evaluate_moment_retrieval",
    "evaluate_qvhighlights",
    "evaluate_qvhighlights_files",
    "evaluate_summarization",
    "evaluate_videoxum",
]
