"""The local workers' fork server: started, asked about and stopped here, without Prefect.

The pool's workers fork from a server process that preloaded the extractors, the language
identifier, the KB and the spaCy pipelines (`mediamon.worker_preload`), so those pages are
shared copy-on-write. Loading them takes about 6 CPU seconds. `mediamon run` starts the server
before it imports Prefect when it already knows the run has enough new documents for workers
(`start_early`), so that loading overlaps the Prefect import and the embedded API's start-up
instead of following them (it was ~6 s of an idle pool at the start of every run).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver

# Below this many documents, starting worker processes costs more than it saves.
MIN_DOCS_FOR_PROCESSES = 100


def worker_context() -> multiprocessing.context.BaseContext:
    """Workers fork from a server process that loaded their modules, the KB and the spaCy model
    (`mediamon.worker_preload`): one copy shared copy-on-write, not one per worker. The server
    starts from a fresh interpreter (not a fork of this process, which has threads, Prefect and
    DuckDB) and ends with this process. Spawn where there is no fork server (not POSIX)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["mediamon.worker_preload"])
    return context


def running() -> bool:
    """Whether this process has a fork server up (started early, or by the pool)."""
    return getattr(forkserver._forkserver, "_forkserver_pid", None) is not None  # CPython's own state


def start_early(new_documents: int, workers: int) -> bool:
    """Start the fork server now (it preloads in the background) when a run with `workers`
    local processes has `new_documents` to clean; True when it was started."""
    if workers <= 1 or new_documents < MIN_DOCS_FOR_PROCESSES:
        return False
    if worker_context().get_start_method() != "forkserver":
        return False  # spawned workers load everything themselves: nothing to start ahead
    forkserver.ensure_running()  # returns at once; the server preloads, then serves
    return True


def stop_fork_server() -> None:
    """Stop the workers' fork server once the pool is shut down (or was never needed): it holds
    the preloaded models (about 200 MB) that nothing needs any more while the run writes its
    Parquet files."""
    stop = getattr(forkserver._forkserver, "_stop", None)  # CPython's own (used by its tests)
    if stop is not None:
        stop()
