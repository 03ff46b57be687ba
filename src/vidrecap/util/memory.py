"""Give freed heap memory back to the system, so a long run's resident size stays flat.

The decoders and model runtimes allocate and free large buffers from several threads; glibc keeps
freed blocks in per-thread arenas, and the resident size of a run crept up with video length
although live memory did not (a 4-minute visual pass: 657 -> 805 MiB from its first to its last
quarter; with a trim after every batch 642 -> 655 MiB). ``malloc_trim`` returns those pages.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time

MIN_INTERVAL = 2.0  # seconds between trims, whichever pass asks

_lock = threading.Lock()
_last = [0.0]
_trim = None
try:
    _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _trim = _libc.malloc_trim
    _trim.argtypes, _trim.restype = [ctypes.c_size_t], ctypes.c_int
except (OSError, AttributeError):  # not glibc: the allocator returns memory its own way
    _trim = None


def release_free_memory() -> None:
    """``malloc_trim(0)`` (glibc), at most once every ``MIN_INTERVAL`` seconds; else a no-op."""
    if _trim is None:
        return
    now = time.monotonic()
    with _lock:
        if now - _last[0] < MIN_INTERVAL:
            return
        _last[0] = now
    _trim(0)
