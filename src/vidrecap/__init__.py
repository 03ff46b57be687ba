"""vidrecap: read, search and evaluate videos of any length, offline on a CPU."""

from .api import load, recap
from .results import Caption, Cell, Recap, SpeechSegment, Transcript, VideoInfo

__version__ = "0.1.0"

__all__ = ["recap", "load", "Recap", "Caption", "Cell", "Transcript", "SpeechSegment", "VideoInfo", "__version__"]
