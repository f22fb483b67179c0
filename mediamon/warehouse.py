"""The DuckDB warehouse: the writer's handle (`Warehouse`) over the storage jobs in mediamon/store/.

Layout under the warehouse directory:
    mediamon.duckdb          all tables (docs/data-model.md)
    parquet/<table>/seen_date=YYYY-MM-DD/part-0.parquet   BI hand-off copies (zstd, flat columns)
    parquet/.fingerprints.json   per partition: row count and row hash when last written

A run is loaded in chunks, each chunk in its own transaction (`begin_run`, `load_chunk` per
chunk, `finish_run`), so a crash leaves the chunks committed before it and the `runs` row
'running'. The warehouse stores what it is handed: field health and syndication clusters are
computed in transforms/ and arrive here as frames. Parquet is written to hidden temporary
files and renamed into place.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl

from mediamon.errors import WarehouseError
from mediamon.store import clusters, field_health, load, parquet, raw
from mediamon.store.load import LoadBatch, LoadCounts, RunRecord
from mediamon.store.locking import (LEAN_MEMORY_LIMIT, ROOMIER_MEMORY_LIMIT, WRITER_REACQUIRE_SECONDS, RunLock,
                                    connect, open_writer, set_memory_limit, size_bytes)
from mediamon.sql import duckdb_message
from mediamon.store.migrations import SCHEMA_VERSION, migrate
from mediamon.store.raw import count_raw_documents
from mediamon.store.reads import read_query, source_activity
from transforms.schema import TEMPLATE_LINES, frame

T = TypeVar("T")

__all__ = ["SCHEMA_VERSION", "LoadBatch", "LoadCounts", "RunLock", "RunRecord", "Warehouse", "connect",
           "count_raw_documents", "read_query", "source_activity"]


class Warehouse:
    """A writer's handle on the warehouse. Use as a context manager."""

    def __init__(self, directory: Path, lock_timeout: float = 30.0, memory_limit: str | None = None):
        self.directory = directory
        self.path = directory / "mediamon.duckdb"
        self.parquet_dir = directory / "parquet"
        directory.mkdir(parents=True, exist_ok=True)
        self.memory_limit = memory_limit
        self._limit = memory_limit  # the cap now: memory_limit, or ROOMIER_MEMORY_LIMIT inside `roomier`
        # How long each stretch of holding the file lasted (seconds): what a reader may wait for.
        self.holds: list[float] = []
        self._held_since = time.monotonic()
        self._con: duckdb.DuckDBPyConnection | None = self._open(lock_timeout)
        # Called with a stage name at points a crash test kills the run (see runtime.stage_boundary).
        self.stage_hook: Callable[[str], None] | None = None
        self.migrate()

    def _open(self, timeout: float) -> duckdb.DuckDBPyConnection:
        return open_writer(self.path, timeout, self._limit)

    @contextmanager
    def roomier(self) -> Iterator[None]:
        """DuckDB's cap raised to ROOMIER_MEMORY_LIMIT (unless `memory_limit` is higher) while a step
        reads stored articles in large batches: re-tagging history and the search index.

        `memory_limit` is sized for a chunk's load, whose connection otherwise kept every block it
        read. The search index's batches of 1,000 bodies need more in one piece: under 64MB a
        page with a 16 MB body failed the index ("failed to allocate data of size 16.0 MiB").
        Each of those batches reopens the file, so the higher cap does not become a cache.
        """
        roomy = ROOMIER_MEMORY_LIMIT
        if self.memory_limit and (size_bytes(self.memory_limit) or 0) > (size_bytes(roomy) or 0):
            roomy = self.memory_limit
        previous, self._limit = self._limit, roomy
        if self._con is not None:
            set_memory_limit(self._con, roomy)
        try:
            yield
        finally:
            self._limit = previous
            if self._con is not None and previous:
                try:
                    set_memory_limit(self._con, previous)
                except WarehouseError:
                    self.release()  # more than the cap is in use: it applies when the file is reopened

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The writer's connection; reopened (waiting for readers to finish) after `release`."""
        if self._con is None:
            self._con = self._open(WRITER_REACQUIRE_SECONDS)
            self._held_since = time.monotonic()
        return self._con

    def release(self) -> None:
        """Let go of the DuckDB file so readers get in; the next use of `con` takes it back.

        A run calls this before the stages that do not touch the warehouse (cleaning, checks,
        tagging: most of a chunk's time), so `mediamon sql`, `report`, `sources`, `export` and
        `alerts` work during a run and see exactly the chunks committed so far. Closing the
        connection checkpoints what the chunk wrote.
        """
        if self._con is not None:
            self._con.close()
            self._con = None
            self.holds.append(time.monotonic() - self._held_since)

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.release()

    def mark_interrupted(self, run_id: str, timeout: float = 2.0) -> None:
        """Record that run `run_id` was stopped by a signal (best effort: the next run does it too)."""
        try:
            if self._con is None:
                self._con = self._open(timeout)
            self._con.execute("UPDATE runs SET status = 'interrupted' WHERE run_id = ? AND status = 'running'",
                              [run_id])
        except (duckdb.Error, WarehouseError):
            pass

    # -- schema --------------------------------------------------------------
    def migrate(self) -> None:
        """Create or upgrade the schema in place; a newer file than this code is an error."""
        migrate(self.con, self.path)

    # -- fetch state: validators of the last fetch of each web URL ---------------
    def load_fetch_cache(self, urls: Iterable[str] | None = None) -> dict[str, Any]:
        """Cached validators per normalised URL (all of them when `urls` is None) as `CacheEntry`s."""
        from transforms.document import CacheEntry

        rows = self.con.execute("SELECT url, etag, last_modified, content_hash FROM fetch_state").fetchall()
        wanted = None if urls is None else set(urls)
        return {u: CacheEntry(etag=e, last_modified=lm, content_hash=h) for u, e, lm, h in rows
                if wanted is None or u in wanted}

    def save_fetch_cache(self, entries: Mapping[str, Any], source: str | None = None) -> None:
        """Insert or replace these `CacheEntry`s (keyed by normalised URL), with their last
        status, error, fetch time and source when they carry them (`source` is the fallback)."""
        if not entries:
            return
        now = datetime.now(UTC)
        rows = [(u, e.etag, e.last_modified, e.content_hash, getattr(e, "last_status", None),
                 getattr(e, "last_error", None), getattr(e, "fetched_at", None) or now,
                 getattr(e, "source", None) or source) for u, e in entries.items()]
        self.con.executemany(
            "INSERT OR REPLACE INTO fetch_state (url, etag, last_modified, content_hash, last_status, "
            "last_error, last_fetched_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    # -- stored raw documents (mediamon reprocess) --------------------------------
    def iter_raw_documents(self, since: datetime | None = None, source: str | None = None,
                           chunk: int = 256) -> Iterator[dict[str, Any]]:
        """Rows of `raw_documents` (fetched at or after `since`, of `source`), oldest first, as
        dicts with the stored bytes still zlib-compressed in `raw_zlib` (None for failed fetches)."""
        return raw.iter_raw_documents(self.con, since, source, chunk)

    def lean_read(self, read: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """`read(con)` under DuckDB's lean cap (LEAN_MEMORY_LIMIT), then the usual cap again.

        A chunk's clustering reads scan a few columns of every row group. Under the load's cap
        DuckDB kept every block they read until the connection closed: after the 40th chunk of
        10,000 documents the read of the clusters a chunk may join held 31 MB, against 20 after
        the 5th (45 MB against 22 under the lean cap, on that warehouse on its own). Under the
        lean cap the blocks already scanned make way for the next ones. A read that needs more in
        one piece (a large hash table) runs again under the usual cap: slower, never failed.
        """
        cap = self._limit
        con = self.con
        if not cap or (size_bytes(cap) or 0) <= (size_bytes(LEAN_MEMORY_LIMIT) or 0):
            return read(con)  # a user's cap at or below the lean one
        try:
            set_memory_limit(con, LEAN_MEMORY_LIMIT)
        except WarehouseError:  # more than that in use already: read as is
            return read(con)
        try:
            return read(con)
        except duckdb.OutOfMemoryException:
            set_memory_limit(con, cap)
            return read(con)
        finally:
            set_memory_limit(con, cap)

    def unchanged_documents(self, docs: Sequence[Any]) -> dict[str, tuple[str, str | None]]:
        """doc_key -> ('article', article_id) or ('quarantined', None) for documents an earlier run
        stored with exactly these raw bytes (mediamon.store.raw.unchanged_documents)."""
        # Not under the lean cap: its joins need more than that in one piece (24MB failed on a
        # 10,000-document warehouse), so each chunk would read twice.
        return raw.unchanged_documents(self.con, docs)

    # -- the load: one run, many chunks, each its own transaction -------------------
    def template_lines(self, lines: pl.DataFrame, min_docs: int) -> pl.DataFrame:
        """The stored template-line rows a chunk whose own rows are `lines` needs (`load.template_lines`).

        No lines (a chunk with nothing new) asks nothing, so the warehouse is not even reopened."""
        return load.template_lines(self.con, lines, min_docs) if lines.height else frame([], TEMPLATE_LINES)

    def begin_run(self, run: RunRecord) -> None:
        """Record `run` as 'running'; a run still 'running' now was killed (we hold the lock): 'interrupted'."""
        load.begin_run(self.con, run)

    def load_chunk(self, run: RunRecord, batch: LoadBatch, totals: LoadCounts) -> LoadCounts:
        """Write one chunk of a run begun with `begin_run` in one transaction; returns the chunk's counts.

        The chunk must add up on its own; the `runs` row gets the running totals (`totals` plus
        this chunk) in the same transaction, so after a crash it says how far the run got.
        """
        # The raw rows are hashed and compressed before the file is taken: readers wait only for the writes.
        raw_frame = batch.raw_rows if batch.raw_rows is not None else raw.raw_rows(batch.raw_documents, run.run_id)
        try:
            return load.load_chunk(self.con, run, batch, totals, self.at_stage, raw_frame)
        except duckdb.Error as exc:
            raise WarehouseError(f"loading a chunk of run {run.run_id} into {self.path} failed: "
                                 f"{duckdb_message(exc)}") from exc

    def finish_run(self, run: RunRecord, totals: LoadCounts) -> None:
        """Mark a run completed, after checking that all its chunks add up to `run.documents_in`."""
        try:
            load.finish_run(self.con, run, totals)
        except duckdb.Error as exc:
            raise WarehouseError(f"finishing run {run.run_id} in {self.path} failed: {exc}") from exc

    # -- per-site field health (computed in transforms/monitoring/field_health.py) ------------
    def field_health_days(self) -> list[date]:
        """Days whose articles changed since the last completed run: their field health is stale."""
        return field_health.changed_days(self.con)

    def field_health_inputs(self, days: list[date]) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The articles of `days` and the stored fill rates of the baseline window before them."""
        return field_health.health_inputs(self.con, days)

    def store_field_health(self, days: list[date], rates: pl.DataFrame, drops: pl.DataFrame,
                           run_id: str) -> None:
        """Replace the fill rates and drops of `days` with these, in one transaction."""
        try:
            field_health.store_health(self.con, days, rates, drops, run_id)
        except duckdb.Error as exc:
            raise WarehouseError(f"refreshing field health in {self.path} failed: {exc}") from exc

    # -- syndication clusters (computed in transforms/syndication/minhash.py) ---------------
    def unclustered_articles(self, since: datetime | None = None) -> pl.DataFrame:
        """Articles not yet clustered, or changed since they were, with their bodies; with `since`,
        only those written at or after it (`mediamon.store.clusters.unclustered_articles`)."""
        return self.lean_read(lambda con: clusters.unclustered_articles(con, since))

    def touched_clusters(self, ids: pl.DataFrame, bands: pl.DataFrame) -> pl.DataFrame:
        """The stored clusters the new articles `ids` (with their LSH `bands`) may join."""
        return self.lean_read(lambda con: clusters.touched_clusters(con, ids, bands))

    def store_clusters(self, rows: pl.DataFrame, ids: pl.DataFrame, bands: pl.DataFrame) -> None:
        """Write cluster rows and the new articles' bands, in one transaction."""
        clusters.store_clusters(self.con, rows, ids, bands)

    def signatures_without_bands(self) -> pl.DataFrame:
        """(article_id, minhash) of recent clusters' members that have no LSH bands yet."""
        return clusters.signatures_without_bands(self.con)

    def keep_recent_bands(self, missing: pl.DataFrame) -> None:
        """Drop the LSH bands of clusters no longer recent; add the `missing` bands."""
        clusters.keep_recent_bands(self.con, missing)

    # -- Parquet -----------------------------------------------------------------
    def export_parquet(self, let_readers_in: bool = False) -> dict[str, int]:
        """Bring parquet/<table>/seen_date=D/ up to date for the BI hand-off; returns partitions rewritten.

        With `let_readers_in` (a run's end) the export reads through a read-only connection
        after `release`, so queries are not held up while the files are written (seconds on a
        big run). Only changed partitions are rewritten (mediamon.store.parquet).
        """
        shared = None
        if let_readers_in:
            self.release()
            try:
                shared = connect(self.path, read_only=True, timeout=WRITER_REACQUIRE_SECONDS)
                if self.memory_limit:
                    # The export reads every changed partition; uncapped, DuckDB kept what it read
                    # (80% of RAM by default), so the run's end grew with the warehouse.
                    set_memory_limit(shared, self.memory_limit)
            except WarehouseError:
                if shared is not None:
                    shared.close()
                shared = None  # e.g. this process holds it in another mode: export as the writer
        try:
            return parquet.export_parquet(shared or self.con, self.parquet_dir, self.at_stage)
        finally:
            if shared is not None:
                shared.close()

    def at_stage(self, stage: str) -> None:
        """Tell `stage_hook` (crash tests) that the run reached `stage`."""
        if self.stage_hook is not None:
            self.stage_hook(stage)
