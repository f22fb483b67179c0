"""The worker pool's queue: urgent batches first, and never more in the pool than it has workers.

The pipeline overlaps its chunks: while the run process checks and loads chunk N, the workers
already clean chunk N+1. Chunk N's tag batches must not wait behind all of chunk N+1's clean
batches (the run would stand still until they are done), so they are `urgent`: they go before
every batch still waiting. A `ProcessPoolExecutor` runs strictly in submission order and takes
work in ahead of its workers, so the order is kept here, and a batch goes to the pool only
when a worker is free for it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future
from typing import Any

_Item = tuple["Future[Any]", Callable[..., Any], tuple[Any, ...]]


class WorkQueue:
    """Submit to `pool` in priority order, at most `limit` batches in it at a time."""

    def __init__(self, pool: Executor, limit: int) -> None:
        self.pool = pool
        self._limit = max(1, limit)
        self._lock = threading.Lock()
        self._urgent: deque[_Item] = deque()
        self._background: deque[_Item] = deque()
        self._in_pool = 0

    def submit(self, fn: Callable[..., Any], *args: Any, urgent: bool = False) -> Future[Any]:
        """`fn(*args)` in the pool once a worker is free and no more urgent batch waits."""
        future: Future[Any] = Future()
        with self._lock:
            (self._urgent if urgent else self._background).append((future, fn, args))
        self._feed()
        return future

    def drop_waiting(self) -> None:
        """Cancel every batch not yet in the pool (a stopped run); batches in the pool finish or die with it."""
        with self._lock:
            waiting = [*self._urgent, *self._background]
            self._urgent.clear()
            self._background.clear()
        for future, _, _ in waiting:
            future.cancel()

    def _feed(self) -> None:
        while True:
            with self._lock:
                if self._in_pool >= self._limit or not (self._urgent or self._background):
                    return
                future, fn, args = (self._urgent or self._background).popleft()
                if not future.set_running_or_notify_cancel():
                    continue  # cancelled while it waited
                self._in_pool += 1
            try:
                inner = self.pool.submit(fn, *args)
            except BaseException as exc:  # a pool shut down or broken: the batch fails, the caller sees why
                with self._lock:
                    self._in_pool -= 1
                future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            inner.add_done_callback(lambda done, future=future: self._finished(future, done))  # type: ignore[misc]

    def _finished(self, future: Future[Any], done: Future[Any]) -> None:
        # Runs in the pool's result thread: hand the result on, then give the free worker the next batch.
        with self._lock:
            self._in_pool -= 1
        if done.cancelled():
            future.set_exception(CancelledError())
        elif (exc := done.exception()) is not None:
            future.set_exception(exc)
        else:
            future.set_result(done.result())
        self._feed()
