"""Process-wide set-up that must happen before Prefect is imported.

Prefect reads its settings from the environment when it is first imported, so
the CLI calls `prepare_environment` first. Values the user already exported win.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from mediamon.native_memory import limit_arenas, map_large_blocks

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
    # The embedded API imports Prefect's server first; on a busy 2-core machine that can take a while.
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
    # Besides glibc's heap, the run's process has Arrow's memory pool and polars' jemalloc, and
    # each keeps freed memory for reuse: the flow process held about 60 MB more at its peak on the
    # dev corpus than with Arrow on the C heap (which `release_memory` trims after each chunk),
    # jemalloc returning freed pages at once, and two malloc arenas. Set before either library loads.
    env.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    env.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
    # DuckDB's wheel has a jemalloc of its own (symbols `duckdb_je_*`), which keeps freed pages
    # for seconds before handing them back (DuckDB compiles in a decay of its own). A read that
    # scanned more of a larger warehouse left more such pages behind, so the flow process's
    # peak grew with the warehouse. Its environment variable overrides the compiled-in setting.
    env.setdefault("DUCKDB_JE_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
    limit_arenas(2)
    # Arrow and Python's large objects allocate on glibc's heap; freed large blocks go back to
    # the OS instead of staying as holes (native_memory.map_large_blocks).
    map_large_blocks()
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
    """Prefect's API server for a run with no PREFECT_API_URL, served by a thread of this process.

    Prefect's own ephemeral server is a subprocess: a second interpreter that imports Prefect,
    pydantic and SQLAlchemy again (about 230 MB PSS at a run's peak). In this process, which has
    imported Prefect's client already, the server adds about 110 MB.
    """

    port: int = 0
    server: Any = None  # uvicorn.Server, once started
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"


def start_embedded_api() -> EmbeddedApi:
    """The API a run with no PREFECT_API_URL uses: a free loopback port, nothing started yet.

    `use_embedded_api` starts it, after the pipeline has imported Prefect: importing the same
    modules from two threads at once risks a half-initialised module. Call after
    `prepare_environment`.
    """
    if os.environ.get("PREFECT_API_URL"):
        return EmbeddedApi()
    with socket.socket() as probe:  # a free loopback port, as Prefect picks one
        probe.bind(("127.0.0.1", 0))
        return EmbeddedApi(port=probe.getsockname()[1])


@contextmanager
def use_embedded_api(api: EmbeddedApi) -> Iterator[None]:
    """Run the Prefect flows inside this block against the API `start_embedded_api` chose.

    A server configured in a Prefect profile wins (none is started). If ours does not come up,
    nothing is changed and Prefect starts its own, reporting any error in its words.
    """
    if not api.port:
        yield
        return
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if get_current_settings().api.url or not _serve(api):
        yield
        return
    # No flow-run heartbeats: they feed a server's zombie-run automations, which this server,
    # gone when the run ends, does not run; and stopping their thread cost each run up to 1 s.
    with temporary_settings(updates={PREFECT_API_URL: api.url, "flows.heartbeat_frequency": None}):
        yield


_SERVE_ATTEMPTS = 3


def _serve(api: EmbeddedApi) -> bool:
    """Start the server thread and wait until it listens; False if it did not.

    Two runs starting at once on the same Prefect home both migrate its SQLite database, and the
    loser's start fails with "database is locked": it tries again (the winner is done by then).
    """
    deadline = time.monotonic() + float(
        os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", _STARTUP_TIMEOUT_SECONDS))
    for attempt in range(_SERVE_ATTEMPTS):
        if attempt:
            time.sleep(0.5 * attempt)
        if _serve_once(api, deadline):
            atexit.register(_stop_server, api)
            return True
        _stop_server(api)
        if time.monotonic() >= deadline:
            break
    return False


def _serve_once(api: EmbeddedApi, deadline: float) -> bool:
    import uvicorn

    def run() -> None:
        try:
            from prefect.server.api.server import create_app

            # ephemeral: no UI, and only the services an ephemeral server runs (prepare_environment
            # turns those off); final: no other server instance will follow this one.
            app = create_app(ephemeral=True, final=True)
            # A failed start is retried, then left to Prefect: its traceback is not for the
            # terminal (--debug shows it).
            level = "error" if os.environ.get("PREFECT_LOGGING_LEVEL") == "DEBUG" else "critical"
            api.server = uvicorn.Server(uvicorn.Config(
                app, host="127.0.0.1", port=api.port, log_level=level, lifespan="on", access_log=False))
            api.server.run()  # a thread's own event loop; uvicorn leaves signals to the main thread
        except BaseException:  # noqa: BLE001, S110 - the thread ends; the caller falls back to Prefect's server
            pass

    api.server = None
    # A daemon, so interpreter exit does not wait for it. Exit first runs threading's exit hooks,
    # where Prefect drains its log and event queues to this server; then the atexit hooks, where
    # `_stop_server` stops it. A failed start ends the thread (the caller falls back).
    api.thread = threading.Thread(target=run, name="mediamon-prefect-api", daemon=True)
    api.thread.start()
    while not (api.server is not None and api.server.started) and api.thread.is_alive() \
            and time.monotonic() < deadline:
        time.sleep(0.02)
    return api.server is not None and bool(api.server.started)


def _stop_server(api: EmbeddedApi, grace: float = 5.0) -> None:
    if api.server is not None:
        api.server.should_exit = True
    if api.thread is not None and api.thread is not threading.current_thread():
        api.thread.join(grace)


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
