"""Stopping a run on SIGINT (Ctrl-C) or SIGTERM (a scheduler, systemd, `kill`): fast and quiet.

The run installs `stop_on_signals` around the pipeline. On the first signal:
- outside a `critical` block (reading, cleaning, tagging: nothing written yet) `RunInterrupted`
  is raised in the main thread at once, so the chunk in flight is dropped (rolled back: none of
  it was written) and the worker processes are killed;
- inside one (a chunk's load transaction and its bookkeeping) the signal waits until the block
  ends, so that chunk commits completely, then `RunInterrupted` is raised.
The pipeline records how many documents its committed chunks held (`record_progress`); the CLI
prints "interrupted after N documents; the next run resumes" and exits 130 (SIGINT) or 143
(SIGTERM). A watchdog ends the process with the same line and code if the orderly stop has not
finished after `deadline` seconds. Further signals while stopping are ignored.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

STOP_DEADLINE_SECONDS = 9.0  # the orderly stop's budget; the process is gone within 10 s


class RunInterrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM asked the run to stop (a KeyboardInterrupt, so Prefect does not retry it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class StopState:
    signum: int | None = None
    documents_done: int = 0
    critical_depth: int = 0
    pending: bool = False
    reported: bool = False
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def exit_code(self) -> int:
        return 128 + (self.signum or signal.SIGINT)

    def message(self) -> str:
        return f"mediamon: interrupted after {self.documents_done} documents; the next run resumes"

    def report(self) -> int:
        """Print the stop line on stderr (once) and return the exit code."""
        if not self.reported:
            self.reported = True
            try:
                sys.stderr.write(self.message() + "\n")
                sys.stderr.flush()
            except (OSError, ValueError):  # stderr is a pipe nobody reads any more
                pass
        return self.exit_code


_state: StopState | None = None


@contextmanager
def stop_on_signals(deadline: float = STOP_DEADLINE_SECONDS,
                    on_deadline: Callable[[StopState], None] | None = None) -> Iterator[StopState]:
    """Turn SIGINT/SIGTERM into `RunInterrupted` for the block (main thread only; else a no-op)."""
    global _state
    state = StopState()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        if state.signum is not None:
            return  # already stopping
        state.signum = signum
        _start_watchdog(state, deadline, on_deadline or _hard_exit)
        if state.critical_depth:
            state.pending = True
            return
        raise RunInterrupted(signum)

    previous: dict[int, Any] = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    _state = state
    global _handler
    _handler = handle
    try:
        yield state
    finally:
        _state = _handler = None
        if state.signum is None:
            state.finished.set()  # after a signal the watchdog stays armed until the process is gone
        for signum, handler in previous.items():
            signal.signal(signum, handler)


_handler: Callable[[int, FrameType | None], None] | None = None


def rearm() -> None:
    """Take SIGINT/SIGTERM back inside a Prefect flow (its engine installs its own SIGTERM
    handler for the flow's duration and restores ours afterwards). A no-op outside `stop_on_signals`."""
    if _handler is None or threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _handler)


@contextmanager
def critical() -> Iterator[None]:
    """A block a signal must not cut short (a chunk's commit): the stop waits until it ends."""
    state = _state
    if state is None:
        yield
        return
    state.critical_depth += 1
    try:
        yield
    finally:
        state.critical_depth -= 1
    if not state.critical_depth and state.pending:
        state.pending = False
        raise RunInterrupted(state.signum or signal.SIGINT)


def record_progress(documents_done: int) -> None:
    """The documents of the run's committed chunks so far (what the stop message reports)."""
    if _state is not None:
        _state.documents_done = documents_done


def stop_requested() -> bool:
    return _state is not None and _state.signum is not None


def _start_watchdog(state: StopState, deadline: float, on_deadline: Callable[[StopState], None]) -> None:
    def watch() -> None:
        if not state.finished.wait(deadline):
            on_deadline(state)

    threading.Thread(target=watch, name="mediamon-stop-watchdog", daemon=True).start()


def _hard_exit(state: StopState) -> None:
    """The orderly stop took too long: say what was kept and end the process now."""
    try:
        state.report()
    finally:
        os._exit(state.exit_code)
