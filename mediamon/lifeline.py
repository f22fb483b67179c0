"""Child processes that die with the run that started them, and keep out of its Ctrl-C.

A `mediamon run` starts the worker pool (the embedded Prefect API is a thread of the run itself).
If the run is killed (SIGKILL, OOM killer, a scheduler's timeout) the workers must not live on,
re-parented to init, holding hundreds of MB each. On Linux the kernel does it: `PR_SET_PDEATHSIG` sends the
child SIGKILL when its parent goes. Elsewhere a thread in the child polls its parent id.

Ctrl-C at a terminal is sent to the whole foreground process group. The run decides how to
stop (mediamon.interrupts), so its children must not react on their own: workers start with
SIGINT blocked (`sigint_blocked` around their spawn).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent_pid: int) -> None:
    """Make this process exit when `parent_pid` (its parent) exits, even by SIGKILL.

    Call first thing in the child. The kernel signal fires when the parent *thread* that
    started the child ends, so start children from the main thread (mediamon does).
    """
    if _set_pdeathsig(signal.SIGKILL):
        if os.getppid() != parent_pid:  # the parent died before the kernel was told
            os._exit(1)
        return
    _watch(lambda: os.getppid() == parent_pid)


def die_with_process(pid: int) -> None:
    """Make this process exit when `pid` (any process, not only its parent) exits, even by SIGKILL.

    For workers forked by a fork server: their parent is the server, which lives as long as
    they do (each holds its pipe), so they follow the run itself. A thread waits on a pidfd
    (Linux), else polls.
    """
    import select

    try:
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError):
        handle = None
    if handle is None:
        _watch(lambda: _exists(pid))
        return

    def wait() -> None:
        select.select([handle], [], [])  # readable once the process has exited
        os._exit(1)

    threading.Thread(target=wait, name="mediamon-run-watch", daemon=True).start()


def _set_pdeathsig(signum: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(alive: Callable[[], bool], interval: float = 0.5) -> None:
    """Exit this process once `alive()` turns false, checked by a thread every `interval` s."""
    def watch() -> None:
        while alive():
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="mediamon-lifeline", daemon=True).start()


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by someone else
    return True


@contextmanager
def sigint_blocked() -> Iterator[None]:
    """Block SIGINT in this thread while child processes are spawned inside the block.

    A spawned child inherits the blocked mask across exec, so Ctrl-C at the terminal never
    reaches it (no KeyboardInterrupt tracebacks from workers); the parent gets a SIGINT that
    arrived meanwhile as soon as the block ends. Children are stopped with SIGKILL.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
