"""mediamon.interrupts: a signal stops the run at once, except inside a commit, which it lets finish."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from mediamon.interrupts import RunInterrupted, critical, record_progress, stop_on_signals


def test_a_signal_outside_a_commit_stops_at_once() -> None:
    deadline_hit = threading.Event()
    with pytest.raises(RunInterrupted) as raised, \
            stop_on_signals(deadline=60, on_deadline=lambda state: deadline_hit.set()) as stop:
        record_progress(250)
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs between bytecodes, well before this loop ends
            pass
        pytest.fail("the signal did not stop the block")
    assert raised.value.signum == signal.SIGTERM
    assert stop.exit_code == 143
    assert stop.message() == "mediamon: interrupted after 250 documents; the next run resumes"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers restored


def test_a_signal_inside_a_commit_waits_for_it() -> None:
    committed = []
    with pytest.raises(RunInterrupted), stop_on_signals(deadline=60, on_deadline=lambda state: None) as stop:
        with critical():
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):
                pass
            committed.append("chunk")  # still runs: the commit is not cut short
            record_progress(500)
        pytest.fail("the pending signal should stop the run once the commit is done")
    assert committed == ["chunk"]
    assert (stop.exit_code, stop.documents_done) == (130, 500)


def test_the_watchdog_ends_a_stop_that_hangs() -> None:
    fired = threading.Event()
    with pytest.raises(RunInterrupted), stop_on_signals(deadline=0.2, on_deadline=lambda state: fired.set()):
        with critical():
            os.kill(os.getpid(), signal.SIGINT)
            assert fired.wait(10), "the watchdog did not fire while the commit hung"
