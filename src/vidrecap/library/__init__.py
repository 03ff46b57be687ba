"""A library over many recaps: one catalog, one vector index, one search — embedded or on PostgreSQL."""

from .base import AddOutcome, LibraryBase, LibraryEntry, find_recap_dirs
from .collection import RecapLibrary
from .search import LibraryHit, LibraryResult
from .stores import is_library, open_library

__all__ = ["AddOutcome", "LibraryBase", "LibraryEntry", "LibraryHit", "LibraryResult", "RecapLibrary",
           "find_recap_dirs", "is_library", "open_library"]
