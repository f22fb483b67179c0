"""Process-wide set-up that must happen before Prefect is imported.

Prefect reads its settings from the environment when it is first imported, so
the CLI calls `prepare_environment` first. Values the user already exported win.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Callable

# The embedded (ephemeral) API runs these services in-process; they only matter
# for a long-lived server, and under load they log SQLite "database is locked".
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
    # The embedded API starts in a subprocess; on a busy 2-core machine that can take a while.
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    env.setdefault("PREFECT_LOGGING_LEVEL", "DEBUG" if debug else "WARNING")
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
    import sys
    import time

    sys.stderr.write(f"mediamon: paused at {pause_at}\n")
    sys.stderr.flush()
    while True:
        time.sleep(3600)


def start_embedded_api() -> Callable[[], None]:
    """Start Prefect's embedded API in the background; returns a function that waits until it is up.

    With no PREFECT_API_URL, Prefect starts its API in a subprocess the first time a flow runs,
    and waits for it (about 5 s here, most of a re-run over unchanged inputs). Started here, it
    comes up while the pipeline's own modules import. Call after `prepare_environment`. Errors
    are left to Prefect: if this start fails, the flow's own start tries again and reports it.
    """
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        return lambda: None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()

    def start() -> None:
        try:
            server.start()
        except Exception:  # noqa: BLE001 - Prefect's own start reports it, with its message
            server.running = False

    thread = threading.Thread(target=start, name="mediamon-embedded-api", daemon=True)
    thread.start()
    return thread.join
