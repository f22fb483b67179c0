"""The worker pool's queue: urgent batches overtake waiting ones, the pool never holds more than its limit."""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError, ThreadPoolExecutor

import pytest

from mediamon.work_queue import WorkQueue


def test_urgent_batches_go_before_waiting_ones_and_the_pool_holds_at_most_the_limit() -> None:
    ran: list[str] = []
    gate = threading.Event()
    busy = 0
    most_busy = 0
    lock = threading.Lock()

    def work(name: str) -> str:
        nonlocal busy, most_busy
        with lock:
            busy += 1
            most_busy = max(most_busy, busy)
        if name == "first":
            gate.wait(10)
        with lock:
            ran.append(name)
            busy -= 1
        return name.upper()

    with ThreadPoolExecutor(max_workers=4) as pool:
        queue = WorkQueue(pool, limit=1)
        first = queue.submit(work, "first")
        later = [queue.submit(work, f"clean{n}") for n in range(3)]
        urgent = [queue.submit(work, f"tag{n}", urgent=True) for n in range(2)]
        gate.set()
        results = [f.result(10) for f in [first, *later, *urgent]]
    assert results == ["FIRST", "CLEAN0", "CLEAN1", "CLEAN2", "TAG0", "TAG1"]
    assert ran == ["first", "tag0", "tag1", "clean0", "clean1", "clean2"]
    assert most_busy == 1


def test_dropped_batches_are_cancelled_and_a_failing_batch_reports_its_error() -> None:
    gate = threading.Event()

    def fail() -> None:
        gate.wait(10)
        raise ValueError("bad page")

    with ThreadPoolExecutor(max_workers=1) as pool:
        queue = WorkQueue(pool, limit=1)
        failing = queue.submit(fail)
        waiting = queue.submit(str, "never")
        queue.drop_waiting()
        gate.set()
        with pytest.raises(ValueError, match="bad page"):
            failing.result(10)
    with pytest.raises(CancelledError):
        waiting.result(1)
