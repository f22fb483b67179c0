"""One writer at a time: opening the DuckDB file (waiting for other processes) and the run lock file."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import duckdb

from mediamon.errors import WarehouseError

# How long a run waits to take the file back between chunks while readers (an analyst's query,
# `report`, `export`) hold it: they are not the run's to cut short, and failing the run for them
# would be worse than waiting.
WRITER_REACQUIRE_SECONDS = 600.0
RUN_LOCK_FILE = ".mediamon-run.lock"


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def connect(path: Path, *, read_only: bool = False, timeout: float = 0.0,
            config: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file, waiting up to `timeout` seconds for another process to let go of it.

    A run holds the file only while it reads for or commits a chunk (see `Warehouse.release`),
    so a reader usually gets in within a fraction of a second.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config or {})
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"warehouse {path} cannot be opened: {str(exc).splitlines()[0]}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseError(
                    f"warehouse {path} is in use by another mediamon run or command (waited {timeout:.0f} s); "
                    "try again when it has finished, or raise [warehouse] lock_timeout_seconds"
                ) from exc
            time.sleep(0.02)


# DuckDB's cap while a step reads stored articles in large batches (Warehouse.roomier): the
# default cap of the versions before 64MB, under which every such step had run.
ROOMIER_MEMORY_LIMIT = "512MB"

# DuckDB's cap for a chunk's clustering reads (Warehouse.lean_read): they scan a few columns of
# every row group, and under the load's cap DuckDB kept all those blocks until the connection
# closed, so the reads grew with the warehouse.
LEAN_MEMORY_LIMIT = "24MB"

_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def size_bytes(size: str) -> int | None:
    """'64MB', '1 GiB', ... in bytes; None when it is not such a size."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", size)
    if match is None or match.group(2).upper() not in _UNITS:
        return None
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def set_memory_limit(con: duckdb.DuckDBPyConnection, memory_limit: str) -> None:
    """DuckDB's buffer cap on `con`; a lower cap evicts cached blocks at once."""
    try:
        con.execute(f"SET memory_limit = '{memory_limit.replace(chr(39), '')}'")
    except duckdb.Error as exc:
        raise WarehouseError(f"[warehouse] memory_limit = {memory_limit!r} is not a size DuckDB "
                             f"understands (e.g. '64MB', '2GB'): {str(exc).splitlines()[0]}") from exc


def open_writer(path: Path, timeout: float, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    """The writer's connection, with the memory settings a long run needs."""
    con = connect(path, timeout=timeout)
    if memory_limit:
        try:
            set_memory_limit(con, memory_limit)
        except WarehouseError:
            con.close()
            raise
    # DuckDB's allocator keeps freed memory for reuse; over a long run the writer process held
    # on to memory it no longer used (mean RSS per stage 816 -> 764 MB on 10k documents).
    con.execute("SET allocator_flush_threshold = '32MB'")
    con.execute("SET allocator_bulk_deallocation_flush_threshold = '64MB'")
    con.execute("SET allocator_background_threads = true")
    # Each automatic checkpoint turns the rows appended since the last one into a row group.
    # DuckDB's checkpoint "vacuum" then merges those small row groups into full ones, rewriting
    # every merged row (raw_documents' compressed pages, article bodies) in memory: spikes of
    # several hundred MB that grew with the warehouse (400 MB at 9,000 documents). Without it
    # the row groups stay at the size of one checkpoint's appends; row groups whose rows are
    # all deleted are still dropped, partly deleted ones keep their space.
    con.execute("SET max_vacuum_tasks = 0")
    return con


class RunLock:
    """One run (or reprocess) per warehouse at a time: an exclusive lock file held for the whole run.

    The run lets go of the DuckDB file between chunks so readers get in; this lock keeps a second
    run from taking it meanwhile. The kernel drops it when the process dies, however it dies.
    """

    def __init__(self, directory: Path, timeout: float = 30.0) -> None:
        self.path = directory / RUN_LOCK_FILE
        self.timeout = timeout
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        import fcntl
        import os

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise WarehouseError(
                        f"warehouse {self.path.parent} is in use by another mediamon run (waited "
                        f"{self.timeout:.0f} s); try again when it has finished, or raise "
                        "[warehouse] lock_timeout_seconds") from None
                time.sleep(0.25)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        import os

        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None
