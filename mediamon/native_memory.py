"""The C heap under Python: freed pages handed back to the OS, fewer malloc arenas, and large
blocks always mapped on their own.

glibc keeps freed memory in its arenas for reuse, and gives each thread that contends for the
heap an arena of its own (up to eight per core). In a long run's process both look like growth:
memory the process no longer uses but still holds. No-ops where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

_M_ARENA_MAX = -8  # <malloc.h>
_M_MMAP_THRESHOLD = -3
_LIBC: Any = None


def _glibc() -> Any:
    global _LIBC
    if _LIBC is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.malloc_trim.argtypes = [ctypes.c_size_t]
            libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
            _LIBC = libc
        except (OSError, AttributeError):
            _LIBC = False
    return _LIBC


def release_memory() -> None:
    """Hand the C heap's free pages back to the OS (glibc `malloc_trim`).

    Pages, bodies and frames of a batch are freed after it, but glibc keeps the freed space in
    its arenas, so a long run's processes grew with the input. Called after each batch in a
    worker and after each chunk in the flow process; it takes about a millisecond.
    """
    libc = _glibc()
    if libc:
        libc.malloc_trim(0)


def limit_arenas(count: int = 2) -> bool:
    """At most `count` malloc arenas from now on (glibc `mallopt(M_ARENA_MAX)`); True if set.

    Call before the process starts threads: arenas that exist already stay. The flow process
    runs DuckDB's, Prefect's and the API server's threads; with their own arenas it held about
    30 MB more at its peak (measured on the dev corpus).
    """
    libc = _glibc()
    return bool(libc) and libc.mallopt(_M_ARENA_MAX, count) == 1


def map_large_blocks(threshold: int = 32 * 1024) -> bool:
    """Allocations of `threshold` bytes or more get pages of their own (mmap), handed back to the
    OS when freed; True if set.

    glibc starts at 128 KB but raises the threshold each time such a block is freed, up to 32 MB,
    so after a while Arrow's columns and large strings and bytes come from the heap, among small
    objects that live on: the freed space stays in the process. (DuckDB's own buffers come from
    the jemalloc inside its wheel: `runtime.prepare_environment` sets that one.) Setting the threshold also
    turns the raising off. Measured in the flow process (after-chunk RSS, glibc's heap in use):
    - glibc's own: RSS 620 -> 700 MB over 10,000 documents;
    - 128 KB: the heap still grew by 45 MB over 10,000 documents (17 MB in use, 28 MB free);
    - 32 KB: the heap stayed at 127-131 MB in use over 3,000 documents, for about 2 s more
      load time in 3,000 documents (mmap and page faults).
    """
    libc = _glibc()
    return bool(libc) and libc.mallopt(_M_MMAP_THRESHOLD, threshold) == 1
