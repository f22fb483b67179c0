"""The C heap's knobs: freed heap memory handed back to the OS, the arena limit."""

from __future__ import annotations

import sys

import pytest

from mediamon.native_memory import limit_arenas, release_memory


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc_trim")
def test_release_memory_returns_the_freed_holes_of_the_heap() -> None:
    # 4 KB objects come from glibc's heap, not from mmap; keeping every 16th one alive leaves
    # holes that free() alone never hands back.
    blocks = [bytes(4000) + i.to_bytes(4, "little") for i in range(60_000)]
    kept = blocks[::16]
    del blocks
    before = _rss_mb()
    release_memory()
    after = _rss_mb()
    assert len(kept) == 3750
    assert before - after > 100, (before, after)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt")
def test_the_arena_limit_is_accepted() -> None:
    assert limit_arenas(2) is True
