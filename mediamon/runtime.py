"""Process-wide set-up that must happen before Prefect is imported.

Prefect reads its settings from the environment when it is first imported, so
the CLI calls `prepare_environment` first. Values the user already exported win.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# The embedded (ephemeral) API runs these services in-process; they only matter
# for a long-lived server, and under load they log SQLite "database is locked".
_STARTUP_TIMEOUT_SECONDS = "180"  # for the embedded API; a busy 2-core machine can be slow
_EPHEMERAL_SERVICES = (
    "CANCELLATION_CLEANUP", "DB_VACUUM", "EVENT_PERSISTER", "EVENT_LOGGER", "FOREMAN", "LATE_RUNS",
    "SCHEDULER", "PAUSE_EXPIRATIONS", "REPOSSESSOR", "CLEANUP_RECONCILER", "TASK_RUN_RECORDER", "TRIGGERS",
)


def prepare_environment(prefect_home: str | None = None, debug: bool = False) -> None:
    env = os.environ
    if not env.get("PREFECT_API_URL"):
        for service in _EPHEMERAL_SERVICES:
            env.setdefault(f"PREFECT_SERVER_SERVICES_{service}_ENABLED", "false")
        if prefect_home:
            env.setdefault("PREFECT_HOME", prefect_home)
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Prefect's client telemetry prints a notice on a terminal's first import; mediamon sends nothing.
    env.setdefault("DO_NOT_TRACK", "1")
    # The embedded API starts in a subprocess; on a busy 2-core machine that can take a while.
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", _STARTUP_TIMEOUT_SECONDS)
    # A real server (PREFECT_API_URL) keeps the flow runs' INFO logs for its UI; the embedded one
    # ends with the run, so nothing below a warning is sent to it. The terminal gets neither.
    server = bool(env.get("PREFECT_API_URL"))
    env.setdefault("PREFECT_LOGGING_LEVEL", "DEBUG" if debug else "INFO" if server else "WARNING")
    env.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    env.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    if not debug:
        # Flow and task logs still reach the API (and the UI); the terminal gets our summary only.
        env.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    if not debug:
        # Third-party deprecation chatter is not for analysts; --debug shows it.
        warnings.simplefilter("ignore")
        env.setdefault("PYTHONWARNINGS", "ignore")
        for name in ("great_expectations", "trafilatura", "htmldate", "charset_normalizer", "httpx",
                     "prefect", "uvicorn", "asyncio"):
            logging.getLogger(name).setLevel(logging.ERROR)


_stage_hits: dict[str, int] = {}


def stage_boundary(pause_at: str, stage: str) -> None:
    """Crash tests: when `pause_at` names `stage`, say so on stderr and wait to be killed.

    `pause_at` is `Settings.test_pause_at` (MEDIAMON_TEST_PAUSE_AT): a stage name, or
    `stage#N` for its N-th occurrence in this process (e.g. `load#2`, the second chunk's
    load). Empty in normal use, when this does nothing. Waiting makes the kill land at a
    known point, not after a guessed delay.
    """
    if not pause_at:
        return
    _stage_hits[stage] = _stage_hits.get(stage, 0) + 1
    name, _, nth = pause_at.partition("#")
    if name != stage or _stage_hits[stage] != (int(nth) if nth.isdigit() else 1):
        return
    sys.stderr.write(f"mediamon: paused at {pause_at}\n")
    sys.stderr.flush()
    while True:
        time.sleep(3600)


@dataclass
class EmbeddedApi:
    """Prefect's API server, started as a subprocess before Prefect itself is imported."""

    process: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"


def start_embedded_api() -> EmbeddedApi:
    """Start the API server Prefect would start for a run with no PREFECT_API_URL, right away.

    Prefect starts it (a subprocess that imports the whole server, about 3 s here) only when
    the flow starts, after mediamon and Prefect have imported, and waits for it; for a re-run
    over unchanged inputs that wait was most of the run. Started here, the server comes up
    while the pipeline imports. Same command and environment as Prefect's own ephemeral
    server; it is stopped at exit. Call after `prepare_environment`, then run the flows
    inside `use_embedded_api`.
    """
    if os.environ.get("PREFECT_API_URL"):
        return EmbeddedApi()
    with socket.socket() as probe:  # a free loopback port, as Prefect picks one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
           "PREFECT__SERVER_FINAL": "1"}
    # Through mediamon.lifeline: the server dies with this process even on SIGKILL, and in its
    # own session Ctrl-C does not stop it under a run that still sends it logs and states.
    process = subprocess.Popen(
        [sys.executable, "-m", "mediamon.lifeline", str(os.getpid()), "uvicorn", "--factory",
         "prefect.server.api.server:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"],
        env=env, start_new_session=True)
    # Registered before Prefect is imported, so it runs after Prefect's own exit hooks (which
    # send the last logs to this server).
    atexit.register(stop_process, process)
    return EmbeddedApi(process, port)


@contextmanager
def use_embedded_api(api: EmbeddedApi) -> Iterator[None]:
    """Run the Prefect flows inside this block against the server `start_embedded_api` started.

    A server configured in a Prefect profile wins (ours is stopped). If ours did not come up,
    nothing is changed and Prefect starts its own, reporting any error in its words.
    """
    if api.process is None:
        yield
        return
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if get_current_settings().api.url or not _healthy(api):
        stop_process(api.process)
        yield
        return
    # No flow-run heartbeats: they feed a server's zombie-run automations, which this server,
    # gone when the run ends, does not run; and stopping their thread cost each run up to 1 s.
    with temporary_settings(updates={PREFECT_API_URL: api.url, "flows.heartbeat_frequency": None}):
        yield


def _healthy(api: EmbeddedApi) -> bool:
    import httpx

    assert api.process is not None
    deadline = time.monotonic() + float(
        os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", _STARTUP_TIMEOUT_SECONDS))
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline and api.process.poll() is None:
            try:
                if client.get(f"{api.url}/health").status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
    return False


def stop_process(process: subprocess.Popen[Any], grace: float = 5.0) -> None:
    """Terminate `process` if it still runs; kill it if it has not exited after `grace` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def exit_process(code: int) -> None:
    """End the `mediamon` process now with `code`, after the exit hooks and with flushed output.

    Skips the interpreter's final teardown, where the DuckDB binding (nanobind) prints
    "nanobind: leaked ..." lines for objects other libraries still hold at exit; every file and
    connection of ours is closed by then, and the exit hooks (the embedded API's stop, Prefect's
    last log upload, logging's flush) have run.
    """
    import threading

    try:
        # What interpreter exit does first: join threads, run the threading exit hooks (Prefect
        # drains its log and event queues to the API there), then the atexit hooks (which stop
        # the embedded API).
        threading._shutdown()  # type: ignore[attr-defined]
        atexit._run_exitfuncs()
    except BaseException:  # noqa: S110 - a failing exit hook must not change the exit code
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
