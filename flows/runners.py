"""Where the CPU-heavy stages (clean, tag) run: local worker processes or a Dask cluster.

The pipeline hands each stage a chunk as a list of batches and gets the results
back in the same order, so the warehouse write stays one ordered step in the flow
process wherever the work ran.

- `LocalStages` (default): one process pool for the whole run, its workers forked from a
  server process that loaded the extractors and the spaCy model once (`mediamon.worker_server`). Its
  batches go through a `WorkQueue`: a chunk's clean batches can be started early
  (`start_clean`, the next chunk's while this one is checked and loaded) and tag batches go first.
- `DaskStages` (`[dask] address`): every batch is a Prefect task submitted to the
  flow's `prefect_dask.DaskTaskRunner`; the Dask workers import mediamon and cache
  the model per worker process.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from prefect import task
from prefect.cache_policies import NO_CACHE

from mediamon.config import Settings
from mediamon.errors import ConfigError, MediamonError
from mediamon.lifeline import sigint_blocked
from mediamon.work_queue import WorkQueue
from mediamon.worker_server import MIN_DOCS_FOR_PROCESSES, running, stop_fork_server, worker_context
from mediamon.workers import budget_guard, clean_in_worker, quiet_worker, tag_batch
from transforms.entities.tag_rows import tag_cost
from transforms.extraction.clean import CleanBatch, clean_batch
from transforms.document import RawDocument

Tagged = tuple[list[Any], list[Any]]
# Documents per tagging batch: big enough for nlp.pipe, small enough to keep both workers busy.
TAG_BATCH_SIZE = 64
# Batches a worker process runs before it ends and a fresh one forks from the fork server (which
# holds the models, so that costs milliseconds). A worker's memory at its busiest rose over a long
# run: at the 10,000-document bench's peak the two workers held 260-274 MB, against 238-248 MB in
# a 1,000-document run. 24 batches is about 1,000 documents of cleaning and tagging per worker.
# Spawned workers (no fork server) would load everything again, so they are not replaced.
WORKER_TASKS = 24


class PendingBatches:
    """A stage's batches under way: `result()` waits for them and returns their results in order.

    Batches handed to worker processes run already; batches for this process run in `result()`.
    """

    def __init__(self, futures: Sequence[Future[Any]] = (), compute: Callable[[], list[Any]] | None = None):
        self._futures = list(futures)
        self._compute = compute

    def result(self) -> list[Any]:
        if self._compute is not None:
            return self._compute()
        return [f.result() for f in self._futures]

    def cancel(self) -> None:
        """Drop the batches that have not started (results no longer wanted)."""
        self._compute = None
        for future in self._futures:
            future.cancel()
        self._futures = []


class Stages(Protocol):
    def clean(self, batches: list[list[RawDocument]], run_id: str, publishers: dict[str, str]
              ) -> list[CleanBatch]: ...

    def tag(self, batches: list[list[Any]]) -> list[Tagged]: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


class LocalStages:
    """Batches in this process, or in `workers` processes once a chunk is big enough to pay for them."""

    def __init__(self, workers: int, watchlist: Path | None, document_seconds: float = 0.0) -> None:
        self.workers = workers
        self.watchlist = watchlist
        self.document_seconds = document_seconds  # the clean stage's per-document budget
        self._pool: ProcessPoolExecutor | None = None
        self._queue: WorkQueue | None = None

    def _queue_for(self, documents: int, batches: int) -> WorkQueue | None:
        pool = self._pool_for(documents, batches)
        if pool is None:
            return None
        if self._queue is None or self._queue.pool is not pool:
            self._queue = WorkQueue(pool, self.workers)
        return self._queue

    def _pool_for(self, documents: int, batches: int) -> ProcessPoolExecutor | None:
        if self.workers <= 1 or batches < 2:
            return None
        # Starting processes costs seconds: only for a big chunk, or when they (or their fork
        # server, started early by `mediamon run`) are already running.
        if self._pool is None and documents < MIN_DOCS_FOR_PROCESSES and not running():
            return None
        if self._pool is None:
            context = worker_context()
            recycle = WORKER_TASKS if context.get_start_method() == "forkserver" else None
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                             initializer=quiet_worker, initargs=(os.getpid(),),
                                             max_tasks_per_child=recycle)
        return self._pool

    def start_clean(self, batches: list[list[RawDocument]], run_id: str, publishers: dict[str, str]
                    ) -> PendingBatches:
        """Hand the batches to the workers now (behind any urgent batch); without workers they run
        in this process when the result is asked for."""
        queue = self._queue_for(sum(len(b) for b in batches), len(batches))
        if queue is None:
            return PendingBatches(compute=lambda: [
                clean_batch(b, run_id, publishers, budget_guard(self.document_seconds)) for b in batches])
        with sigint_blocked():  # workers start here: Ctrl-C is the run's to handle, not theirs
            return PendingBatches([queue.submit(clean_in_worker, b, run_id, publishers, self.document_seconds)
                                   for b in batches])

    def clean(self, batches: list[list[RawDocument]], run_id: str, publishers: dict[str, str]
              ) -> list[CleanBatch]:
        return self.start_clean(batches, run_id, publishers).result()

    def tag(self, batches: list[list[Any]]) -> list[Tagged]:
        queue = self._queue_for(sum(len(b) for b in batches), len(batches))
        if queue is None:
            return [tag_batch(b, self.watchlist) for b in batches]
        # Urgent: the run waits for these to load its chunk; the next chunk's clean batches wait.
        with sigint_blocked():
            futures = [queue.submit(tag_batch, b, self.watchlist, urgent=True) for b in batches]
        return [f.result() for f in futures]

    def close(self) -> None:
        if self._queue is not None:
            self._queue.drop_waiting()
            self._queue = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        stop_fork_server()  # also one started early that no chunk needed

    def abort(self) -> None:
        """Stop now (an interrupted run): kill the workers, drop their batches."""
        pool, self._pool = self._pool, None
        if self._queue is not None:
            self._queue.drop_waiting()
            self._queue = None
        if pool is None:
            stop_fork_server()
            return
        # The workers hold nothing worth finishing: the chunk in flight is not loaded.
        for process in list(getattr(pool, "_processes", {}).values()):
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=True, cancel_futures=True)
        stop_fork_server()


@task(name="clean: batch", cache_policy=NO_CACHE, persist_result=False, retries=1)
def clean_batch_task(batch: list[RawDocument], run_id: str, publishers: dict[str, str],
                     document_seconds: float = 0.0) -> CleanBatch:
    return clean_batch(batch, run_id, publishers, budget_guard(document_seconds))


@task(name="tag: batch", cache_policy=NO_CACHE, persist_result=False, retries=1)
def tag_batch_task(batch: list[Any], watchlist: Path | None) -> Tagged:
    return tag_batch(batch, watchlist)


class DaskStages:
    """Each batch a Prefect task on the flow's Dask task runner (call from inside the flow)."""

    def __init__(self, watchlist: Path | None, timeout_seconds: float, document_seconds: float = 0.0) -> None:
        self.watchlist = watchlist
        self.timeout = timeout_seconds
        self.document_seconds = document_seconds

    def clean(self, batches: list[list[RawDocument]], run_id: str, publishers: dict[str, str]
              ) -> list[CleanBatch]:
        run = clean_batch_task.with_options(timeout_seconds=self.timeout)
        futures = [run.submit(b, run_id, publishers, self.document_seconds) for b in batches]
        return [f.result() for f in futures]

    def tag(self, batches: list[list[Any]]) -> list[Tagged]:
        run = tag_batch_task.with_options(timeout_seconds=self.timeout)
        futures = [run.submit(b, self.watchlist) for b in batches]
        return [f.result() for f in futures]

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


def make_stages(settings: Settings) -> Stages:
    if settings.dask_address:
        return DaskStages(settings.watchlist_path, settings.task_timeout_seconds,
                          settings.document_timeout_seconds)
    return LocalStages(settings.workers, settings.watchlist_path, settings.document_timeout_seconds)


def dask_task_runner(settings: Settings) -> Any:
    """The `DaskTaskRunner` for `[dask] address`, or None to keep Prefect's default runner."""
    address = settings.dask_address
    if not address:
        return None
    parts = urlsplit(address)
    if not parts.scheme or not parts.hostname:
        raise ConfigError(f"[dask] address must look like tcp://host:8786, got {address!r}")
    if parts.scheme in ("tcp", "tls"):
        # Fail in a second with the fix, not after Dask's 30 s connect timeout with a traceback.
        try:
            socket.create_connection((parts.hostname, parts.port or 8786), timeout=5).close()
        except OSError as exc:
            raise MediamonError(f"the Dask scheduler at {address} is not reachable ({exc.strerror or exc}); "
                                "start it (`dask scheduler`) or clear [dask] address to run locally") from exc
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)


def split(items: Sequence[Any], size: int) -> list[list[Any]]:
    """`items` in consecutive batches of at most `size`."""
    step = max(1, size)
    return [list(items[i:i + step]) for i in range(0, len(items), step)]


def tag_batches(inputs: Sequence[Any], workers: int) -> list[list[Any]]:
    """Tag inputs in consecutive batches of about the same expected cost (`tag_cost`), about
    three per worker and at most TAG_BATCH_SIZE inputs each. By count alone, one batch could
    hold most of a chunk's English articles while the other worker, done with its German ones,
    waited; the run waits for the slowest batch."""
    if workers <= 1 or len(inputs) <= 8:
        return split(inputs, TAG_BATCH_SIZE)
    costs = [tag_cost(item) for item in inputs]
    target = sum(costs) / (3 * workers)
    batches: list[list[Any]] = [[]]
    spent = 0.0
    for item, cost in zip(inputs, costs, strict=True):
        if batches[-1] and (spent + cost / 2 > target or len(batches[-1]) >= TAG_BATCH_SIZE):
            batches.append([])
            spent = 0.0
        batches[-1].append(item)
        spent += cost
    return batches
