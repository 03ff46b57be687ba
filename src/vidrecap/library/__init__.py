"""A library over many recaps: one catalog (SQLite FTS5), one vector index (FAISS), one search."""

from .collection import AddOutcome, LibraryEntry, RecapLibrary, find_recap_dirs, is_library
from .search import LibraryHit, LibraryResult

__all__ = ["AddOutcome", "LibraryEntry", "LibraryHit", "LibraryResult", "RecapLibrary", "find_recap_dirs",
           "is_library"]
