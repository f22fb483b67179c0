"""Progress of a long run on stderr: documents done, rate and ETA, one line per chunk.

On a terminal every chunk prints (at most once a second); into a file or a journal at most
one line every `quiet_interval` seconds, so logs and captured test output are not flooded.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def progress_line(done: int, total: int, elapsed: float) -> str:
    """'500/1040 documents (48%), 25.3 docs/s, ETA 0:21' (no ETA until something is done)."""
    rate = done / elapsed if elapsed > 0 else 0.0
    share = f" ({100 * done // total}%)" if total else ""
    eta = ""
    if rate > 0 and total > done:
        seconds = int((total - done) / rate)
        eta = f", ETA {seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
            else f", ETA {seconds // 60}:{seconds % 60:02d}"
    return f"{done}/{total} documents{share}, {rate:.1f} docs/s{eta}"


class ProgressPrinter:
    """A `flows.pipeline.ProgressCallback` that writes `progress_line`s to a stream (stderr)."""

    def __init__(self, stream: TextIO | None = None, quiet_interval: float = 30.0) -> None:
        self.stream = stream or sys.stderr
        is_tty = getattr(self.stream, "isatty", lambda: False)()
        self.interval = 1.0 if is_tty else quiet_interval
        self._last = time.monotonic()

    def __call__(self, done: int, total: int, elapsed: float) -> None:
        now = time.monotonic()
        if now - self._last < self.interval or done >= total:
            return  # the end summary follows right away
        self._last = now
        print(f"mediamon: {progress_line(done, total, elapsed)}", file=self.stream, flush=True)
