"""The C heap's knobs: freed heap memory handed back to the OS, the arena limit."""

from __future__ import annotations

import subprocess
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


_HOLES = """
import sys
from mediamon.native_memory import map_large_blocks
if sys.argv[1] == "fixed":
    assert map_large_blocks()
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
kept = []
for round_ in range(3):
    big = []
    for i in range(200):
        big.append(bytearray(300_000))   # a DuckDB buffer, an Arrow column
        kept.append(bytes(600 + i % 7))  # a small object that lives on, between them
    peak = rss()
    del big
    print(round(peak - rss()))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt")
def test_large_blocks_go_back_to_the_os_when_freed() -> None:
    """glibc's own threshold rises after the first large free, and the later large blocks stay in
    the process as holes between small live objects; a fixed threshold hands each one back."""
    def returned(mode: str) -> list[int]:
        out = subprocess.run([sys.executable, "-c", _HOLES, mode], capture_output=True, text=True, check=True)
        return [int(x) for x in out.stdout.split()]

    default, fixed = returned("default"), returned("fixed")
    assert all(mb > 50 for mb in fixed), fixed          # about 57 MB each round
    assert default[-1] < 10, default                    # the default keeps them
