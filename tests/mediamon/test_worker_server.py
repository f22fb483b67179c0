"""The workers' fork server: started early only when a run will use workers, and stopped."""

from __future__ import annotations

import sys

import pytest

from mediamon import worker_server
from mediamon.worker_server import MIN_DOCS_FOR_PROCESSES, running, start_early, stop_fork_server


def test_not_started_for_few_documents_or_one_worker() -> None:
    assert not start_early(MIN_DOCS_FOR_PROCESSES - 1, workers=2)
    assert not start_early(10_000, workers=1)
    assert not running()


@pytest.mark.skipif(sys.platform != "linux", reason="fork server: POSIX")
def test_started_early_serves_the_pool_then_stops() -> None:
    from concurrent.futures import ProcessPoolExecutor

    try:
        assert start_early(MIN_DOCS_FOR_PROCESSES, workers=2)
        assert running()
        with ProcessPoolExecutor(max_workers=1, mp_context=worker_server.worker_context()) as pool:
            # The worker forked from the preloaded server: the KB and pipelines are already there.
            loaded = pool.submit(_preloaded).result(timeout=120)
        assert "kb" in loaded
    finally:
        stop_fork_server()
    assert not running()


def _preloaded() -> list[str]:
    from mediamon.workers import preloaded

    return preloaded()
