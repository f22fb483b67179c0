"""The DuckDB warehouse: opening it (one writer at a time), loading a run, exporting Parquet.

Layout under the warehouse directory:
    mediamon.duckdb          all tables (docs/data-model.md)
    parquet/<table>/seen_date=YYYY-MM-DD/*.parquet   BI hand-off copies

A run's writes go in one transaction, so a crash leaves the previous state.
Parquet is written to a temporary directory and renamed into place.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from mediamon.errors import QualityError, WarehouseError
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
PARQUET_TABLES = ("articles", "mentions", "entities", "article_clusters")


_FETCH_STATE_SQL = """CREATE TABLE IF NOT EXISTS fetch_state (
    url VARCHAR PRIMARY KEY, etag VARCHAR, last_modified VARCHAR, content_hash VARCHAR,
    last_status INTEGER, last_error VARCHAR, last_fetched_at TIMESTAMPTZ, source VARCHAR)"""


def _schema_sql(name: str = "schema.sql") -> str:
    return resources.files("mediamon").joinpath(name).read_text(encoding="utf-8")


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def connect(path: Path, *, read_only: bool = False, timeout: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file, waiting up to `timeout` seconds for another writer to finish."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"warehouse {path} cannot be opened: {str(exc).splitlines()[0]}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseError(
                    f"warehouse {path} is in use by another mediamon run (waited {timeout:.0f} s); "
                    "try again when it has finished, or raise [warehouse] lock_timeout_seconds"
                ) from exc
            time.sleep(0.25)


@dataclass
class LoadCounts:
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    duplicates: int = 0
    quarantined: int = 0


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

    def __init__(self, directory: Path, lock_timeout: float = 30.0):
        self.directory = directory
        self.path = directory / "mediamon.duckdb"
        self.parquet_dir = directory / "parquet"
        directory.mkdir(parents=True, exist_ok=True)
        self.con = connect(self.path, timeout=lock_timeout)
        self.migrate()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

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
        for version, script in MIGRATIONS:
            if current < version:
                con.execute("BEGIN")
                con.execute(_schema_sql(script))
                con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
                con.execute("COMMIT")
        # Views carry no data: recreate them every time so they always match this code.
        con.execute(_schema_sql("views.sql"))
        # Tables added after version 1 use CREATE TABLE IF NOT EXISTS: run them on every open
        # so warehouses created before them gain them without a version bump.
        con.execute(_FETCH_STATE_SQL)

    # -- fetch state (flows.fetch.FetchStateStore) -------------------------------
    def load_fetch_cache(self, urls: Iterable[str] | None = None) -> dict[str, Any]:
        """Cached validators per normalised URL (all of them when `urls` is None) as `CacheEntry`s."""
        from flows.fetch import CacheEntry

        rows = self.con.execute("SELECT url, etag, last_modified, content_hash FROM fetch_state").fetchall()
        wanted = None if urls is None else set(urls)
        return {u: CacheEntry(etag=e, last_modified=lm, content_hash=h) for u, e, lm, h in rows
                if wanted is None or u in wanted}

    def save_fetch_cache(self, entries: Mapping[str, Any], source: str | None = None) -> None:
        """Insert or replace these `CacheEntry`s (keyed by normalised URL)."""
        if not entries:
            return
        rows = [(u, e.etag, e.last_modified, e.content_hash, source) for u, e in entries.items()]
        self.con.executemany(
            "INSERT OR REPLACE INTO fetch_state (url, etag, last_modified, content_hash, last_fetched_at, source) "
            "VALUES (?, ?, ?, ?, now(), ?)", rows)

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
        counts = LoadCounts()
        try:
            con.execute("BEGIN TRANSACTION")
            con.register("incoming_keys", articles.select("article_id", "doc_key").to_arrow())
            con.register("incoming", articles.drop("doc_key", "path", strict=False).to_arrow())
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
                FROM articles a JOIN diff d USING (article_id) WHERE d.change = 'updated'""", [now, run.run_id])
            con.execute("""
                INSERT OR REPLACE INTO articles BY NAME
                SELECT i.*,
                       coalesce(a.first_seen_at, ?) AS first_seen_at,
                       CAST(timezone('UTC', coalesce(a.first_seen_at, ?)) AS DATE) AS seen_date,
                       ? AS updated_at
                FROM incoming i
                JOIN diff d USING (article_id)
                LEFT JOIN articles a USING (article_id)
                WHERE d.change <> 'unchanged'""", [now, now, now])
            # Exact copies under another URL are kept, pointing at the first one seen.
            con.execute("""
                UPDATE articles SET duplicate_of = d.orig FROM (
                    SELECT article_id, first_value(article_id) OVER (
                        PARTITION BY content_hash ORDER BY first_seen_at, article_id) AS orig
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
            con.execute("""
                INSERT INTO entities BY NAME
                SELECT i.entity_id, i.canonical_name, i.entity_type,
                       list_sort(list_distinct(list_concat(coalesce(e.aliases, []), i.aliases))) AS aliases,
                       coalesce(i.external_id, e.external_id) AS external_id,
                       coalesce(e.first_seen_at, ?) AS first_seen_at,
                       CAST(timezone('UTC', coalesce(e.first_seen_at, ?)) AS DATE) AS seen_date
                FROM incoming_entities i LEFT JOIN entities e USING (entity_id)
                ON CONFLICT (entity_id) DO UPDATE SET aliases = excluded.aliases,
                    external_id = excluded.external_id""", [now, now])

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
            self._store_raw(raw_documents, run.run_id)
            con.register("incoming_templates", template_lines.to_arrow())
            con.execute("INSERT OR IGNORE INTO template_lines BY NAME SELECT * FROM incoming_templates")

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
            con.execute("COMMIT")
        except Exception as exc:
            con.execute("ROLLBACK")
            if isinstance(exc, duckdb.Error):
                raise WarehouseError(f"loading run {run.run_id} into {self.path} failed: {exc}") from exc
            raise
        finally:
            for name in ("incoming", "incoming_keys", "incoming_mentions", "incoming_entities", "incoming_quarantine",
                         "incoming_dq", "incoming_templates"):
                try:
                    con.unregister(name)
                except duckdb.Error:
                    pass
        return counts

    def _store_raw(self, docs: Sequence[Any], run_id: str) -> None:
        rows = []
        for d in docs:
            raw = d.raw or b""
            rows.append((
                d.url, d.source, d.path, d.kind, d.fetched_at, d.content_type, d.http_status, d.etag,
                d.last_modified, d.final_url, d.publisher_hint, d.title_hint, d.published_hint,
                d.published_hint_source, d.language_hint, bytes_hash(raw) if d.raw is not None else None,
                len(raw),
                zlib.compress(raw, 6) if d.raw is not None else None, run_id,
            ))
        if rows:
            self.con.executemany(
                "INSERT OR REPLACE INTO raw_documents VALUES (" + ", ".join(["?"] * 19) + ")", rows)

    # -- Parquet -----------------------------------------------------------------
    def export_parquet(self) -> Path:
        """Rewrite parquet/<table>/ for the BI hand-off; a crash leaves the old copy in place."""
        self.parquet_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        staging = self.parquet_dir / f".staging-{stamp}"
        queries = {
            "articles": "SELECT * FROM articles ORDER BY seen_date, article_id",
            "mentions": """SELECT m.*, a.seen_date FROM mentions m JOIN articles a USING (article_id)
                           ORDER BY a.seen_date, m.article_id, m.in_title, m.start_char""",
            "entities": "SELECT * FROM entities ORDER BY seen_date, entity_id",
            "article_clusters": """SELECT c.* EXCLUDE (minhash), a.seen_date FROM article_clusters c
                                   JOIN articles a USING (article_id) ORDER BY a.seen_date, c.article_id""",
        }
        staging.mkdir()
        try:
            for table, query in queries.items():
                target = staging / table
                self.con.execute(
                    f"COPY ({query}) TO '{target}' "
                    "(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (seen_date), WRITE_PARTITION_COLUMNS false)")
                target.mkdir(parents=True, exist_ok=True)  # an empty table still gets its folder
            for table in queries:
                final = self.parquet_dir / table
                old = self.parquet_dir / f".old-{stamp}-{table}"
                if final.exists():
                    final.rename(old)
                (staging / table).rename(final)
                shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for leftover in self.parquet_dir.glob(".staging-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        return self.parquet_dir


def read_query(directory: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run `sql` read-only against the warehouse; returns column names and rows."""
    path = directory / "mediamon.duckdb"
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path}; run `mediamon run` first")
    con = connect(path, read_only=True)
    try:
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description] if cur.description else []
        return columns, cur.fetchall()
    except duckdb.Error as exc:
        raise WarehouseError(f"query failed: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()
