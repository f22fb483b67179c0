"""Process-wide set-up that must happen before Prefect is imported.

Prefect reads its settings from the environment when it is first imported, so
the CLI calls `prepare_environment` first. Values the user already exported win.
"""

from __future__ import annotations

import logging
import os
import warnings

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
