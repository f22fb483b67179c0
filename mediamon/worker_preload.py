"""Imported by the worker pool's fork server before it forks any worker: runs `mediamon.workers.preload`.

`multiprocessing` preloads modules by name and ignores an ImportError, so a failure here is
not fatal either: each worker then loads what it needs on first use, as a spawned one would.
"""

from __future__ import annotations

try:
    from mediamon.workers import preload

    preload()
except Exception:  # noqa: BLE001, S110 - the workers still load everything themselves
    pass
