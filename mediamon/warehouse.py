"""The DuckDB warehouse: opening it (one writer at a time), loading a run, exporting Parquet.

Layout under the warehouse directory:
    mediamon.duckdb          all tables (docs/data-model.md)
    parquet/<table>/seen_date=YYYY-MM-DD/part-0.parquet   BI hand-off copies (zstd, flat columns)
    parquet/.fingerprints.json   per partition: row count and row hash when last written

A run's writes go in one transaction, so a crash leaves the previous state.
Parquet is written to a temporary directory and renamed into place.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from mediamon.entity_registry import refresh_registry
from mediamon.errors import QualityError, WarehouseError
from mediamon.sql import merge_entities, query_frame, transaction, write_parquet
from transforms.identity import bytes_hash


def _migrations() -> list[tuple[int, str]]:
    """The forward migrations shipped with this code: schema.sql is version 1, schema_vN.sql version N."""
    names = [p.name for p in resources.files("mediamon").iterdir() if p.name.endswith(".sql")]
    found = [(1, "schema.sql")] if "schema.sql" in names else []
    for name in names:
        match = re.fullmatch(r"schema_v(\d+)\.sql", name)
        if match:
            found.append((int(match.group(1)), name))
    return sorted(found)


MIGRATIONS = _migrations()
SCHEMA_VERSION = MIGRATIONS[-1][0]
BASELINE_WINDOW = 28  # days of field-health history a drop is judged against (transforms.field_health)
PARQUET_TABLES = ("articles", "mentions", "entities", "article_clusters", "article_topics")
# The frames `_write_results` registers on the connection for one load.
INCOMING_FRAMES = ("incoming", "incoming_keys", "incoming_mentions", "incoming_entities", "incoming_quarantine",
                   "incoming_dq", "incoming_templates")


RAW_DOCUMENT_COLUMNS = (
    "url, source, path, kind, fetched_at, content_type, http_status, etag, last_modified, final_url, "
    "publisher_hint, title_hint, published_hint, published_hint_source, language_hint, raw_hash, raw_size, "
    "raw_zlib, run_id, text_kind, text_kind_source")


_FETCH_STATE_SQL = """CREATE TABLE IF NOT EXISTS fetch_state (
    url VARCHAR PRIMARY KEY, etag VARCHAR, last_modified VARCHAR, content_hash VARCHAR,
    last_status INTEGER, last_error VARCHAR, last_fetched_at TIMESTAMPTZ, source VARCHAR)"""


def _schema_sql(name: str = "schema.sql") -> str:
    return resources.files("mediamon").joinpath(name).read_text(encoding="utf-8")


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


# How long a run waits to take the file back between chunks while readers (an analyst's query,
# `report`, `export`) hold it: they are not the run's to cut short, and failing the run for them
# would be worse than waiting.
WRITER_REACQUIRE_SECONDS = 600.0
RUN_LOCK_FILE = ".mediamon-run.lock"


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


@dataclass
class LoadCounts:
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    duplicates: int = 0
    quarantined: int = 0
    mentions_repointed: int = 0  # stored mentions the entity registry moved to another entity


@dataclass
class RunRecord:
    run_id: str
    started_at: datetime
    sources: list[str]
    documents_in: int = 0
    dq_warnings: int = 0
    problems: list[str] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)


class Warehouse:
    """A writer's handle on the warehouse. Use as a context manager."""

    def __init__(self, directory: Path, lock_timeout: float = 30.0, memory_limit: str | None = None):
        self.directory = directory
        self.path = directory / "mediamon.duckdb"
        self.parquet_dir = directory / "parquet"
        directory.mkdir(parents=True, exist_ok=True)
        self.memory_limit = memory_limit
        # How long each stretch of holding the file lasted (seconds): what a reader may wait for.
        self.holds: list[float] = []
        self._held_since = time.monotonic()
        self._con: duckdb.DuckDBPyConnection | None = self._open(lock_timeout)
        # Called with a stage name at points a crash test kills the run (see runtime.stage_boundary).
        self.stage_hook: Callable[[str], None] | None = None
        self.migrate()

    def _open(self, timeout: float) -> duckdb.DuckDBPyConnection:
        con = connect(self.path, timeout=timeout)
        memory_limit = self.memory_limit
        if memory_limit:
            try:
                con.execute(f"SET memory_limit = '{memory_limit.replace(chr(39), '')}'")
            except duckdb.Error as exc:
                con.close()
                raise WarehouseError(f"[warehouse] memory_limit = {memory_limit!r} is not a size DuckDB "
                                     f"understands (e.g. '512MB', '2GB'): {str(exc).splitlines()[0]}") from exc
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
        con = self.con
        con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ)")
        row = con.execute("SELECT max(version) FROM schema_version").fetchone()
        current = row[0] if row and row[0] is not None else 0
        if current > SCHEMA_VERSION:
            raise WarehouseError(
                f"warehouse {self.path} has schema version {current}, newer than this mediamon "
                f"({SCHEMA_VERSION}); upgrade mediamon"
            )
        # Forward migrations, each in its own transaction: an older warehouse upgrades in place.
        # Every version not yet applied runs, not only those above the newest: versions developed
        # side by side may reach a warehouse out of order.
        applied = {v for (v,) in con.execute("SELECT DISTINCT version FROM schema_version").fetchall()}
        for version, script in MIGRATIONS:
            if version not in applied:
                con.execute("BEGIN")
                con.execute(_schema_sql(script))
                con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
                con.execute("COMMIT")
        # Views carry no data: recreate them every time so they always match this code.
        con.execute(_schema_sql("views.sql"))
        # Tables added after version 1 use CREATE TABLE IF NOT EXISTS: run them on every open
        # so warehouses created before them gain them without a version bump.
        con.execute(_FETCH_STATE_SQL)

    # -- fetch state (transforms.document.CacheEntry per URL) ----------------------
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
        cur = self.con.execute(
            "SELECT * FROM raw_documents WHERE (CAST(? AS TIMESTAMPTZ) IS NULL OR fetched_at >= ?) "
            "AND (CAST(? AS VARCHAR) IS NULL OR source = ?) ORDER BY fetched_at, url",
            [since, since, source, source])
        columns = [d[0] for d in cur.description]
        while rows := cur.fetchmany(chunk):
            for row in rows:
                yield dict(zip(columns, row, strict=True))

    # -- reads the pipeline needs ------------------------------------------------
    def template_lines(self, sites: Sequence[str]) -> pl.DataFrame:
        """Stored (site, fingerprint, article_id) rows of these sites only: the table grows with every run."""
        rows = self.con.execute(
            "SELECT site, fingerprint, article_id FROM template_lines WHERE site IN (SELECT unnest(?))",
            [list(sites)]).fetchall()
        return pl.DataFrame(rows, schema={"site": pl.String, "fingerprint": pl.String, "article_id": pl.String},
                            orient="row")

    # -- the load --------------------------------------------------------------
    def load_run(
        self,
        run: RunRecord,
        articles: pl.DataFrame,
        quarantine: pl.DataFrame,
        mentions: pl.DataFrame,
        entities: pl.DataFrame,
        dq_results: pl.DataFrame,
        raw_documents: Sequence[Any],
        template_lines: pl.DataFrame,
    ) -> LoadCounts:
        """Write one run's results in a single transaction and return what changed."""
        con = self.con
        now = datetime.now(UTC)
        try:
            with transaction(con, INCOMING_FRAMES):
                counts = self._write_results(run.run_id, now, articles, quarantine, mentions, entities,
                                             dq_results, raw_documents, template_lines)
                self._check_stored(run.run_id, raw_documents)
                accounted = (counts.articles_new + counts.articles_updated + counts.articles_unchanged
                             + counts.duplicates + counts.quarantined)
                if accounted != run.documents_in:
                    raise QualityError(
                        f"run {run.run_id} does not add up: {run.documents_in} documents in, but {accounted} "
                        f"accounted for ({counts}); nothing was written")
                counts_json = {**run.counts, **counts.__dict__, "documents_in": run.documents_in,
                               "dq_warnings": run.dq_warnings}
                con.execute(
                    "INSERT INTO runs VALUES (?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [run.run_id, run.started_at, datetime.now(UTC), run.documents_in, counts.articles_new,
                     counts.articles_updated, counts.articles_unchanged, counts.duplicates, counts.quarantined,
                     run.dq_warnings, json.dumps(counts_json), run.problems, run.sources],
                )
        except duckdb.Error as exc:
            raise WarehouseError(f"loading run {run.run_id} into {self.path} failed: {exc}") from exc
        return counts

    # -- the streamed load: one run, many chunks, each its own transaction ----------------
    def begin_run(self, run: RunRecord) -> None:
        """Record `run` as 'running'; a run still 'running' now was killed (we hold the lock): 'interrupted'."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        con.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
        con.execute(
            "INSERT INTO runs VALUES (?, ?, NULL, 'running', 0, 0, 0, 0, 0, 0, 0, ?, ?, ?)",
            [run.run_id, run.started_at, json.dumps({**run.counts, "chunks": 0}), run.problems, run.sources])
        con.execute("COMMIT")

    def unchanged_documents(self, docs: Sequence[Any]) -> dict[str, tuple[str, str | None]]:
        """Documents an earlier run stored with exactly these raw bytes, before any parsing.

        `docs` are `RawDocument`s (those without bytes are ignored). Returns doc_key ->
        ('quarantined', None) (still in quarantine) or ('article', article_id) (its article still
        holds these bytes); documents not returned must be processed.
        """
        from transforms.clean import doc_key  # the writer's import: keeps `mediamon sql` light

        rows = [(d.url, d.path, doc_key(d), bytes_hash(d.raw)) for d in docs if d.raw is not None]
        if not rows:
            return {}
        incoming = pl.DataFrame(rows, schema={"url": pl.String, "path": pl.String, "doc_key": pl.String,
                                              "raw_hash": pl.String}, orient="row")
        con = self.con
        con.register("incoming_hashes", incoming.to_arrow())
        try:
            # Still quarantined: the stored bytes of this very file must match. Otherwise its article
            # must still hold these bytes (raw_documents keeps one row per URL, an article row per story).
            found = con.execute("""
                SELECT i.doc_key,
                       CASE WHEN q.doc_key IS NOT NULL THEN (CASE WHEN r.url IS NOT NULL THEN 'quarantined' END)
                            WHEN a.url IS NOT NULL THEN 'article' END AS outcome,
                       a.article_id
                FROM incoming_hashes i
                LEFT JOIN raw_documents r ON r.url = i.url AND r.raw_hash = i.raw_hash
                                          AND r.path IS NOT DISTINCT FROM i.path
                LEFT JOIN quarantine q ON q.doc_key = i.doc_key
                LEFT JOIN (SELECT url, raw_hash, min(article_id) AS article_id FROM articles GROUP BY ALL) a
                       ON a.url = i.url AND a.raw_hash = i.raw_hash""").fetchall()
        finally:
            con.unregister("incoming_hashes")
        return {key: (outcome, None if outcome == "quarantined" else article_id)
                for key, outcome, article_id in found if outcome is not None}

    def load_chunk(self, run: RunRecord, documents_in: int, articles: pl.DataFrame, quarantine: pl.DataFrame,
                   mentions: pl.DataFrame, entities: pl.DataFrame, dq_results: pl.DataFrame,
                   raw_documents: Sequence[Any], template_lines: pl.DataFrame, skipped: LoadCounts,
                   totals: LoadCounts) -> LoadCounts:
        """Write one chunk of a run begun with `begin_run` in one transaction; returns the chunk's counts.

        `skipped` holds the chunk's documents recognised as unchanged before parsing (counted, not
        written). The chunk must add up on its own; the `runs` row gets the running totals in the same
        transaction, so after a crash it says how far the run got.
        """
        con = self.con
        now = datetime.now(UTC)
        try:
            with transaction(con, INCOMING_FRAMES):
                counts = self._write_results(run.run_id, now, articles, quarantine, mentions, entities,
                                             dq_results, raw_documents, template_lines)
                counts.articles_unchanged += skipped.articles_unchanged
                counts.quarantined += skipped.quarantined
                accounted = (counts.articles_new + counts.articles_updated + counts.articles_unchanged
                             + counts.duplicates + counts.quarantined)
                if accounted != documents_in:
                    raise QualityError(
                        f"run {run.run_id}: a chunk does not add up: {documents_in} documents in, but "
                        f"{accounted} accounted for ({counts}); that chunk was not written")
                self._check_stored(run.run_id, raw_documents)
                running = LoadCounts(**{k: v + getattr(counts, k) for k, v in totals.__dict__.items()})
                self.at_stage("load")  # inside the open transaction: a kill here must leave no trace
                con.execute(
                    "UPDATE runs SET documents_in = documents_in + ?, articles_new = ?, articles_updated = ?, "
                    "articles_unchanged = ?, duplicates = ?, quarantined = ? WHERE run_id = ?",
                    [documents_in, running.articles_new, running.articles_updated, running.articles_unchanged,
                     running.duplicates, running.quarantined, run.run_id])
        except duckdb.Error as exc:
            raise WarehouseError(f"loading a chunk of run {run.run_id} into {self.path} failed: {exc}") from exc
        return counts

    def finish_run(self, run: RunRecord, totals: LoadCounts) -> None:
        """Mark a streamed run completed, after checking that all its chunks add up to `run.documents_in`."""
        accounted = (totals.articles_new + totals.articles_updated + totals.articles_unchanged
                     + totals.duplicates + totals.quarantined)
        if accounted != run.documents_in:
            raise QualityError(f"run {run.run_id} does not add up: {run.documents_in} documents in, but "
                               f"{accounted} accounted for ({totals})")
        counts_json = {**run.counts, **totals.__dict__, "documents_in": run.documents_in,
                       "dq_warnings": run.dq_warnings}
        try:
            self.con.execute(
                "UPDATE runs SET finished_at = ?, status = 'completed', documents_in = ?, articles_new = ?, "
                "articles_updated = ?, articles_unchanged = ?, duplicates = ?, quarantined = ?, dq_warnings = ?, "
                "counts = ?, problems = ? WHERE run_id = ?",
                [datetime.now(UTC), run.documents_in, totals.articles_new, totals.articles_updated,
                 totals.articles_unchanged, totals.duplicates, totals.quarantined, run.dq_warnings,
                 json.dumps(counts_json), run.problems, run.run_id])
        except duckdb.Error as exc:
            raise WarehouseError(f"finishing run {run.run_id} in {self.path} failed: {exc}") from exc

    def _check_stored(self, run_id: str, docs: Sequence[Any]) -> None:
        """Inside the load transaction: each of these documents (`RawDocument`s processed in this
        load) has exactly one stored row, its article or its quarantine row of this run; else
        `QualityError`, and the transaction rolls back. Counters can agree while rows are lost
        (two documents under one key); this checks the rows themselves."""
        from transforms.clean import doc_key

        keys = [doc_key(d) for d in docs]
        if not keys:
            return
        if len(set(keys)) != len(keys):
            repeated = sorted({k for k in keys if keys.count(k) > 1})
            raise QualityError(f"run {run_id}: {len(keys) - len(set(keys))} documents share a key with another "
                               f"document of this load (e.g. {repeated[0]}); nothing was written")
        con = self.con
        con.register("loaded_docs", pl.DataFrame({"doc_key": keys}, schema={"doc_key": pl.String}).to_arrow())
        try:
            lost = con.execute("""
                SELECT d.doc_key, count(DISTINCT a.article_id) AS articles, count(DISTINCT q.doc_key) AS quarantined
                FROM loaded_docs d
                LEFT JOIN incoming_keys k ON k.doc_key = d.doc_key
                LEFT JOIN articles a ON a.article_id = k.article_id
                LEFT JOIN quarantine q ON q.doc_key = d.doc_key AND q.run_id = ?
                GROUP BY d.doc_key HAVING count(DISTINCT a.article_id) + count(DISTINCT q.doc_key) <> 1
                ORDER BY d.doc_key""", [run_id]).fetchall()
        finally:
            con.unregister("loaded_docs")
        if lost:
            key, articles, quarantined = lost[0]
            raise QualityError(
                f"run {run_id}: {len(lost)} documents are not exactly one stored row (e.g. {key}: {articles} "
                f"articles, {quarantined} quarantine rows); nothing was written")

    def _write_results(self, run_id: str, now: datetime, articles: pl.DataFrame, quarantine: pl.DataFrame,
                       mentions: pl.DataFrame, entities: pl.DataFrame, dq_results: pl.DataFrame,
                       raw_documents: Sequence[Any], template_lines: pl.DataFrame) -> LoadCounts:
        """The writes of one load, inside the caller's transaction; returns what changed."""
        con = self.con
        counts = LoadCounts()
        con.register("incoming_keys", articles.select("article_id", "doc_key").to_arrow())
        # Load order breaks ties in first_seen_at: of two copies in one load, the one read first is
        # the original (one microsecond per row keeps "first seen" true without another column).
        con.register("incoming", articles.drop("doc_key", "path", strict=False)
                     .with_row_index("load_order").to_arrow())
        con.execute("""
            CREATE OR REPLACE TEMP TABLE diff AS
            SELECT i.article_id,
                   CASE WHEN a.article_id IS NULL THEN 'new'
                        WHEN a.content_hash <> i.content_hash THEN 'updated'
                        ELSE 'unchanged' END AS change
            FROM incoming i LEFT JOIN articles a USING (article_id)""")
        con.execute("""
            INSERT INTO article_versions
            SELECT a.article_id, a.content_hash, a.title, a.body, a.updated_at, ?, ?
            FROM articles a JOIN diff d USING (article_id) WHERE d.change = 'updated'""", [now, run_id])
        con.execute("""
            INSERT OR REPLACE INTO articles BY NAME
            SELECT i.* EXCLUDE (load_order),
                   coalesce(a.first_seen_at, ? + to_microseconds(i.load_order)) AS first_seen_at,
                   CAST(timezone('UTC', coalesce(a.first_seen_at, ?)) AS DATE) AS seen_date,
                   ? AS updated_at
            FROM incoming i
            JOIN diff d USING (article_id)
            LEFT JOIN articles a USING (article_id)
            WHERE d.change <> 'unchanged'""", [now, now, now])
        # Exact copies under another URL are kept, pointing at the first one seen; a copy that
        # declares another site's page as its canonical (a mirror, a syndicated copy) never counts
        # as the original of that page, whichever was seen first.
        con.execute(f"""
            UPDATE articles SET duplicate_of = d.orig FROM (
                SELECT article_id, first_value(article_id) OVER (
                    PARTITION BY content_hash ORDER BY {DECLARED_COPY_SQL}, first_seen_at, article_id) AS orig
                FROM articles) d
            WHERE articles.article_id = d.article_id
              AND articles.duplicate_of IS DISTINCT FROM nullif(d.orig, d.article_id)""")
        con.execute("UPDATE articles SET duplicate_of = NULL WHERE duplicate_of = article_id")
        rows = con.execute("""
            SELECT d.change, a.duplicate_of IS NOT NULL AS dup, count(*)
            FROM diff d JOIN articles a USING (article_id) GROUP BY ALL""").fetchall()
        for change, dup, n in rows:
            if change == "new" and dup:
                counts.duplicates += n
            elif change == "new":
                counts.articles_new += n
            elif change == "updated":
                counts.articles_updated += n
            else:
                counts.articles_unchanged += n

        # Mentions are replaced for articles whose content changed.
        con.register("incoming_mentions", mentions.to_arrow())
        con.execute("""DELETE FROM mentions WHERE article_id IN
                       (SELECT article_id FROM diff WHERE change <> 'unchanged')""")
        con.execute("""INSERT INTO mentions BY NAME SELECT m.* FROM incoming_mentions m
                       JOIN diff d USING (article_id) WHERE d.change <> 'unchanged'""")
        con.register("incoming_entities", entities.to_arrow())
        merge_entities(con, "incoming_entities", now)
        # The cross-document registry learns from every load and re-points what it moved.
        if con.execute("SELECT count(*) FROM diff WHERE change <> 'unchanged'").fetchall()[0][0]:
            counts.mentions_repointed = refresh_registry(con, now)["mentions_repointed"]

        # Quarantine: one row per URL; a document that now yields an article leaves it.
        con.register("incoming_quarantine", quarantine.to_arrow())
        con.execute("""
            INSERT INTO quarantine BY NAME
            SELECT q.doc_key, q.url, q.path, q.source, q.stage, q.reasons, q.detail, q.run_id,
                   q.quarantined_at,
                   coalesce(o.first_quarantined_at, q.quarantined_at) AS first_quarantined_at,
                   coalesce(o.attempts, 0) + 1 AS attempts
            FROM incoming_quarantine q LEFT JOIN quarantine o USING (doc_key)
            ON CONFLICT (doc_key) DO UPDATE SET url = excluded.url, source = excluded.source,
                stage = excluded.stage,
                reasons = excluded.reasons, detail = excluded.detail, run_id = excluded.run_id,
                quarantined_at = excluded.quarantined_at, attempts = excluded.attempts""")
        con.execute("DELETE FROM quarantine WHERE doc_key IN (SELECT doc_key FROM incoming_keys)")
        counts.quarantined = quarantine.height

        con.register("incoming_dq", dq_results.to_arrow())
        con.execute("INSERT INTO dq_results BY NAME SELECT * FROM incoming_dq")
        self._store_raw(raw_documents, run_id)
        con.register("incoming_templates", template_lines.to_arrow())
        con.execute("INSERT OR IGNORE INTO template_lines BY NAME SELECT * FROM incoming_templates")
        return counts

    def _store_raw(self, docs: Sequence[Any], run_id: str) -> None:
        rows = []
        for d in docs:
            if d.extra.get("reprocessed"):
                continue  # read back from raw_documents: the stored row is already this
            raw = d.raw or b""
            rows.append((
                d.url, d.source, d.path, d.kind, d.fetched_at, d.content_type, d.http_status, d.etag,
                d.last_modified, d.final_url, d.publisher_hint, d.title_hint, d.published_hint,
                d.published_hint_source, d.language_hint, bytes_hash(raw) if d.raw is not None else None,
                len(raw),
                zlib.compress(raw, 6) if d.raw is not None else None, run_id,
                d.text_kind, d.text_kind_source,
            ))
        if rows:
            # Columns named: later migrations add columns at the end (schema_v6: text_kind).
            self.con.executemany(
                f"INSERT OR REPLACE INTO raw_documents ({RAW_DOCUMENT_COLUMNS}) VALUES ("
                + ", ".join(["?"] * len(RAW_DOCUMENT_COLUMNS.split(","))) + ")", rows)

    # -- per-publisher field health -----------------------------------------------------
    def refresh_field_health(self, run_id: str, min_body_words: int) -> list[str]:
        """Recompute `field_health` for the days whose articles changed since the last completed run,
        store any sharp drops in `field_health_drops`; returns the drops' messages (DQ warnings)."""
        from transforms.field_health import FILL_RATES_SCHEMA, daily_fill_rates, detect_drops

        con = self.con
        # Since the last completed run: a killed run's committed chunks are counted by the re-run.
        days = [r[0] for r in con.execute("""
            SELECT DISTINCT seen_date FROM articles
            WHERE updated_at >= coalesce((SELECT min(started_at) FROM runs WHERE status <> 'completed'
                AND started_at > coalesce((SELECT max(started_at) FROM runs WHERE status = 'completed'),
                                          TIMESTAMPTZ '1970-01-01')), now())
            ORDER BY 1""").fetchall()]
        if not days:
            return []
        day_list = pl.Series("day", days, dtype=pl.Date).to_frame()
        con.register("health_days", day_list.to_arrow())
        try:
            articles = query_frame(con, """
                SELECT site, publisher, seen_date, published_at, authors, title, word_count FROM articles
                WHERE duplicate_of IS NULL AND seen_date IN (SELECT day FROM health_days)""")
            rates = daily_fill_rates(articles, "seen_date", min_body_words)
            start = min(days) - timedelta(days=BASELINE_WINDOW)
            past = query_frame(con, """
                SELECT publisher, day, field, CAST(articles AS BIGINT) AS articles,
                       CAST(filled AS BIGINT) AS filled, rate
                FROM field_health WHERE day >= ? AND day NOT IN (SELECT day FROM health_days)""", [start])
            history = pl.concat([past.cast(FILL_RATES_SCHEMA),  # type: ignore[arg-type]
                                 rates.cast(FILL_RATES_SCHEMA)])  # type: ignore[arg-type]
            drops = pl.concat([detect_drops(history, day) for day in days])
            now = datetime.now(UTC)
            con.execute("BEGIN TRANSACTION")
            con.execute("DELETE FROM field_health WHERE day IN (SELECT day FROM health_days)")
            con.register("health_rates", rates.with_columns(updated_at=pl.lit(now)).to_arrow())
            con.execute("INSERT INTO field_health BY NAME SELECT * FROM health_rates")
            con.execute("DELETE FROM field_health_drops WHERE day IN (SELECT day FROM health_days)")
            con.register("health_drops", drops.with_columns(run_id=pl.lit(run_id), detected_at=pl.lit(now))
                         .to_arrow())
            con.execute("INSERT INTO field_health_drops BY NAME SELECT * FROM health_drops")
            con.execute("COMMIT")
        except duckdb.Error as exc:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            raise WarehouseError(f"refreshing field health in {self.path} failed: {exc}") from exc
        finally:
            for name in ("health_days", "health_rates", "health_drops"):
                try:
                    con.unregister(name)
                except duckdb.Error:
                    pass
        return list(drops["message"])

    # -- Parquet -----------------------------------------------------------------
    def export_parquet(self, let_readers_in: bool = False) -> dict[str, int]:
        """Bring parquet/<table>/seen_date=D/ up to date for the BI hand-off; returns partitions rewritten.

        With `let_readers_in` (a run's end) the export reads through a read-only connection
        after `release`, so queries are not held up while the files are written (seconds on a
        big run).

        Only partitions whose rows changed are rewritten: each partition's row count and an
        order-free hash of its rows are kept in parquet/.fingerprints.json, and a partition whose
        fingerprint (or file) differs from the table's is written to a hidden temporary file and
        renamed over the old one (atomic per partition). Partitions no longer in the table go.
        The fingerprint file is replaced last, so a crash at any point leaves complete files that
        the next export checks again (a half-finished export is simply finished).
        """
        self.parquet_dir.mkdir(parents=True, exist_ok=True)
        state_path = self.parquet_dir / ".fingerprints.json"
        try:
            known: dict[str, dict[str, str]] = json.loads(state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        # Leftovers of a killed export: never read by anyone (hidden), removed before writing.
        for leftover in [*self.parquet_dir.glob("**/.*.tmp"), *self.parquet_dir.glob(".staging-*"),
                         *self.parquet_dir.glob(".old-*")]:
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        shared = None
        if let_readers_in:
            self.release()
            try:
                shared = connect(self.path, read_only=True, timeout=WRITER_REACQUIRE_SECONDS)
            except WarehouseError:
                shared = None  # e.g. this process holds it in another mode: export as the writer
        try:
            return self._export_parquet(shared or self.con, known, state_path)
        finally:
            if shared is not None:
                shared.close()

    def _export_parquet(self, con: duckdb.DuckDBPyConnection, known: dict[str, dict[str, str]],
                        state_path: Path) -> dict[str, int]:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        state: dict[str, dict[str, str]] = {}
        rewritten: dict[str, int] = {}
        for table, query in PARQUET_QUERIES.items():
            table_dir = self.parquet_dir / table
            table_dir.mkdir(exist_ok=True)  # an empty table still gets its folder
            rows = con.execute(
                f"SELECT CAST(seen_date AS VARCHAR), count(*), bit_xor(hash(t)) FROM ({query}) t GROUP BY ALL"
            ).fetchall()
            current = {str(day): f"{n}:{h}" for day, n, h in rows}
            before = known.get(table, {})
            rewritten[table] = 0
            for day, fingerprint in sorted(current.items()):
                part_dir = table_dir / f"seen_date={day}"
                final = part_dir / PARQUET_FILE
                if before.get(day) == fingerprint and final.exists():
                    continue
                part_dir.mkdir(exist_ok=True)
                staged = part_dir / f".{PARQUET_FILE}-{stamp}.tmp"
                day_filter = "seen_date IS NULL" if day == "None" else f"seen_date = DATE '{day}'"
                write_parquet(con, f"SELECT * EXCLUDE (seen_date) FROM ({query}) t WHERE {day_filter}",
                              staged)
                self.at_stage("parquet")
                staged.replace(final)
                # Files of an older layout (or another writer's name) would be read twice.
                for other in part_dir.glob("*.parquet"):
                    if other.name != PARQUET_FILE:
                        other.unlink(missing_ok=True)
                rewritten[table] += 1
            for part_dir in table_dir.glob("seen_date=*"):
                if part_dir.name.removeprefix("seen_date=") not in current:
                    shutil.rmtree(part_dir, ignore_errors=True)
            state[table] = current
        staged_state = self.parquet_dir / f".fingerprints-{stamp}.tmp"
        staged_state.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
        staged_state.replace(state_path)
        return rewritten

    def at_stage(self, stage: str) -> None:
        """Tell `stage_hook` (crash tests) that the run reached `stage`."""
        if self.stage_hook is not None:
            self.stage_hook(stage)


def sql_text(value: object) -> str:
    """A value inside a single-quoted SQL literal (a folder name may contain a quote)."""
    return str(value).replace("'", "''")


# An article whose canonical URL is on another site than its own (transforms.clean.article_row keys it
# by its own URL then): its host is neither `site` nor a subdomain of it.
DECLARED_COPY_SQL = """(canonical_url LIKE 'http%' AND site IS NOT NULL
    AND lower(regexp_extract(canonical_url, '^[A-Za-z]+://([^/:?#@]+)', 1)) NOT IN (site, '')
    AND NOT ends_with(lower(regexp_extract(canonical_url, '^[A-Za-z]+://([^/:?#@]+)', 1)), '.' || site))"""
PARQUET_FILE = "part-0.parquet"
# What each Parquet table holds, flat columns, with the `seen_date` it is partitioned by.
PARQUET_QUERIES = {
    "articles": "SELECT * FROM articles",
    "mentions": "SELECT m.*, a.seen_date FROM mentions m JOIN articles a USING (article_id)",
    "entities": "SELECT * FROM entities",
    "article_clusters": """SELECT c.* EXCLUDE (minhash), a.seen_date FROM article_clusters c
                           JOIN articles a USING (article_id)""",
    "article_topics": "SELECT t.*, a.seen_date FROM article_topics t JOIN articles a USING (article_id)",
}


# `mediamon sql` sees the warehouse and nothing else: no file reads or writes (COPY ... TO,
# read_csv('/etc/passwd'), ATTACH, EXPORT DATABASE), no extension downloads. Files the user
# names go through `mediamon export`.
READ_ONLY_SQL_CONFIG = {"enable_external_access": False, "autoinstall_known_extensions": False,
                        "autoload_known_extensions": False}


def read_query(directory: Path, sql: str, timeout: float = 30.0) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run `sql` read-only against the warehouse; returns column names and rows.

    The connection is read-only and cannot touch files outside the warehouse. While a run loads,
    this waits (up to `timeout` s) only for the chunk being committed, and sees committed chunks.
    """
    path = directory / "mediamon.duckdb"
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path}; run `mediamon run` first")
    con = connect(path, read_only=True, timeout=timeout, config=READ_ONLY_SQL_CONFIG)
    try:
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description] if cur.description else []
        return columns, cur.fetchall()
    except duckdb.PermissionException as exc:
        raise WarehouseError(
            f"query refused: {str(exc).splitlines()[0].removeprefix('Permission Error: ')}; `mediamon sql` "
            "reads the warehouse only (use `mediamon export --to DIR` to write files)") from exc
    except duckdb.Error as exc:
        raise WarehouseError(f"query failed: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()


def source_activity(directory: Path, timeout: float = 30.0) -> dict[str, dict[str, Any]]:
    """Per source name, read-only: web URLs ok / failed with the last fetch time and latest error
    (from `fetch_state`), documents stored and their last fetch time (`raw_documents`), and
    articles and quarantine rows. An empty dict when there is no warehouse yet."""
    path = directory / "mediamon.duckdb"
    if not path.exists():
        return {}
    con = connect(path, read_only=True, timeout=timeout)
    try:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
        queries = {
            "fetch_state": """SELECT source, count(*) FILTER (WHERE last_error IS NULL),
                                     count(*) FILTER (WHERE last_error IS NOT NULL), max(last_fetched_at),
                                     arg_max(last_error, last_fetched_at)
                                         FILTER (WHERE last_error IS NOT NULL)
                              FROM fetch_state WHERE source IS NOT NULL GROUP BY ALL""",
            "raw_documents": "SELECT source, count(*), max(fetched_at) FROM raw_documents GROUP BY ALL",
            "articles": "SELECT source, count(*) FROM articles GROUP BY ALL",
            "quarantine": "SELECT source, count(*) FROM quarantine GROUP BY ALL",
        }
        out: dict[str, dict[str, Any]] = {}

        def entry(source: Any) -> dict[str, Any]:
            return out.setdefault(str(source), {"urls_ok": 0, "urls_failed": 0, "last_fetched_at": None,
                                                "last_error": None, "documents": 0, "last_document_at": None,
                                                "articles": 0, "quarantined": 0})

        for table, sql in queries.items():
            if table not in tables:
                continue  # a warehouse from before the table existed; it appears on the next run
            for row in con.execute(sql).fetchall():
                if row[0] is None:
                    continue
                e = entry(row[0])
                if table == "fetch_state":
                    e.update(urls_ok=row[1], urls_failed=row[2], last_fetched_at=row[3], last_error=row[4])
                elif table == "raw_documents":
                    e.update(documents=row[1], last_document_at=row[2])
                else:
                    e[table if table == "articles" else "quarantined"] = row[1]
        return out
    except duckdb.Error as exc:
        raise WarehouseError(f"reading source status from {path} failed: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()


def count_raw_documents(directory: Path, since: datetime | None = None,
                        source: str | None = None) -> int | None:
    """How many stored raw documents with bytes match, read-only; None when it cannot be told
    now (no warehouse, or a run holds the writer lock)."""
    path = directory / "mediamon.duckdb"
    if not path.exists():
        return None
    try:
        con = connect(path, read_only=True)
    except WarehouseError:
        return None
    try:
        row = con.execute(
            "SELECT count(*) FROM raw_documents WHERE raw_zlib IS NOT NULL "
            "AND (CAST(? AS TIMESTAMPTZ) IS NULL OR fetched_at >= ?) "
            "AND (CAST(? AS VARCHAR) IS NULL OR source = ?)",
            [since, since, source, source]).fetchone()
        return int(row[0]) if row else 0
    except duckdb.Error:
        return None
    finally:
        con.close()
