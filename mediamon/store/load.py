"""Loading a run: `begin_run`, then each chunk in its own transaction (`load_chunk`), then `finish_run`.

A chunk arrives as one `LoadBatch` (the frames the stages produced, named) and must add up on its
own: every document in is an article (new, updated, unchanged or a duplicate) or a quarantine row.
The `runs` row carries the running totals, so after a crash it says how far the run got.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from mediamon.entity_registry import refresh_registry
from mediamon.errors import QualityError
from mediamon.sql import merge_entities, query_frame, transaction
from mediamon.store.raw import store_raw
from transforms.schema import ARTICLES, ENTITIES, MENTIONS, QUARANTINE, TEMPLATE_LINES, frame

# The frames `_write_results` registers on the connection for one load.
INCOMING_FRAMES = ("incoming", "incoming_keys", "incoming_mentions", "incoming_entities", "incoming_quarantine",
                   "incoming_dq", "incoming_templates", "incoming_raw")

# An article whose canonical URL is on another site than its own (transforms.extraction.clean.article_row keys it
# by its own URL then): its host is neither `site` nor a subdomain of it.
DECLARED_COPY_SQL = """(canonical_url LIKE 'http%' AND site IS NOT NULL
    AND lower(regexp_extract(canonical_url, '^[A-Za-z]+://([^/:?#@]+)', 1)) NOT IN (site, '')
    AND NOT ends_with(lower(regexp_extract(canonical_url, '^[A-Za-z]+://([^/:?#@]+)', 1)), '.' || site))"""


@dataclass
class LoadCounts:
    articles_new: int = 0
    articles_updated: int = 0
    # Documents whose article is stored unchanged: parsed and found the same, or recognised by
    # their raw bytes before parsing (`runs.counts.skipped_unchanged` counts those separately).
    articles_unchanged: int = 0
    duplicates: int = 0
    quarantined: int = 0
    mentions_repointed: int = 0  # stored mentions the entity registry moved to another entity

    def __add__(self, other: LoadCounts) -> LoadCounts:
        return LoadCounts(**{k: v + getattr(other, k) for k, v in self.__dict__.items()})

    @property
    def accounted(self) -> int:
        """Documents these counts account for (each is exactly one of these outcomes)."""
        return (self.articles_new + self.articles_updated + self.articles_unchanged + self.duplicates
                + self.quarantined)


@dataclass
class RunRecord:
    run_id: str
    started_at: datetime
    sources: list[str]
    documents_in: int = 0
    dq_warnings: int = 0
    problems: list[str] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)


def _articles() -> pl.DataFrame:
    return frame([], ARTICLES)


def _quarantine() -> pl.DataFrame:
    return frame([], QUARANTINE)


def _mentions() -> pl.DataFrame:
    return frame([], MENTIONS)


def _entities() -> pl.DataFrame:
    return frame([], ENTITIES)


def _template_lines() -> pl.DataFrame:
    return frame([], TEMPLATE_LINES)


@dataclass
class LoadBatch:
    """What one chunk of a run writes: the stages' frames, named, and its documents' accounting.

    `documents_in` counts every document of the chunk; `skipped` those recognised as unchanged
    before parsing (counted, not written); `raw_documents` are the `RawDocument`s processed.
    """

    documents_in: int
    articles: pl.DataFrame = field(default_factory=_articles)
    quarantine: pl.DataFrame = field(default_factory=_quarantine)
    mentions: pl.DataFrame = field(default_factory=_mentions)
    entities: pl.DataFrame = field(default_factory=_entities)
    dq_results: pl.DataFrame | None = None  # expectations.runner.DQ_RESULTS_SCHEMA rows
    raw_documents: Sequence[Any] = ()
    template_lines: pl.DataFrame = field(default_factory=_template_lines)
    skipped: LoadCounts = field(default_factory=LoadCounts)
    # `raw.raw_rows(raw_documents, run_id)` when the caller built it already (and let go of the
    # pages' bytes); None: built by `Warehouse.load_chunk`, before it takes the file.
    raw_rows: pl.DataFrame | None = None


def begin_run(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    """Record `run` as 'running'; a run still 'running' now was killed (we hold the lock): 'interrupted'."""
    with transaction(con):
        con.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
        con.execute(
            "INSERT INTO runs VALUES (?, ?, NULL, 'running', 0, 0, 0, 0, 0, 0, 0, ?, ?, ?)",
            [run.run_id, run.started_at, json.dumps({**run.counts, "chunks": 0}), run.problems, run.sources])


def load_chunk(con: duckdb.DuckDBPyConnection, run: RunRecord, batch: LoadBatch, totals: LoadCounts,
               at_stage: Callable[[str], None], raw: pl.DataFrame) -> LoadCounts:
    """Write one chunk of a run begun with `begin_run` in one transaction; returns the chunk's counts.

    The chunk must add up on its own; the `runs` row gets the running totals (`totals` + this
    chunk) in the same transaction. `at_stage("load")` is called inside the open transaction.
    `raw` is `raw.raw_rows(batch.raw_documents, run.run_id)`, built before the file was taken.
    """
    now = datetime.now(UTC)
    with transaction(con, INCOMING_FRAMES):
        counts = _write_results(con, run.run_id, now, batch, raw)
        counts.articles_unchanged += batch.skipped.articles_unchanged
        counts.quarantined += batch.skipped.quarantined
        if counts.accounted != batch.documents_in:
            raise QualityError(
                f"run {run.run_id}: a chunk does not add up: {batch.documents_in} documents in, but "
                f"{counts.accounted} accounted for ({counts}); that chunk was not written")
        _check_stored(con, run.run_id, batch.raw_documents)
        running = totals + counts
        at_stage("load")  # inside the open transaction: a kill here must leave no trace
        con.execute(
            "UPDATE runs SET documents_in = documents_in + ?, articles_new = ?, articles_updated = ?, "
            "articles_unchanged = ?, duplicates = ?, quarantined = ? WHERE run_id = ?",
            [batch.documents_in, running.articles_new, running.articles_updated, running.articles_unchanged,
             running.duplicates, running.quarantined, run.run_id])
    return counts


def finish_run(con: duckdb.DuckDBPyConnection, run: RunRecord, totals: LoadCounts) -> None:
    """Mark a run completed, after checking that all its chunks add up to `run.documents_in`."""
    if totals.accounted != run.documents_in:
        raise QualityError(f"run {run.run_id} does not add up: {run.documents_in} documents in, but "
                           f"{totals.accounted} accounted for ({totals})")
    counts_json = {**run.counts, **totals.__dict__, "documents_in": run.documents_in,
                   "dq_warnings": run.dq_warnings}
    con.execute(
        "UPDATE runs SET finished_at = ?, status = 'completed', documents_in = ?, articles_new = ?, "
        "articles_updated = ?, articles_unchanged = ?, duplicates = ?, quarantined = ?, dq_warnings = ?, "
        "counts = ?, problems = ? WHERE run_id = ?",
        [datetime.now(UTC), run.documents_in, totals.articles_new, totals.articles_updated,
         totals.articles_unchanged, totals.duplicates, totals.quarantined, run.dq_warnings,
         json.dumps(counts_json), run.problems, run.run_id])


def template_lines(con: duckdb.DuckDBPyConnection, lines: pl.DataFrame, min_docs: int) -> pl.DataFrame:
    """The stored (site, fingerprint, article_id) rows a chunk with template-line rows `lines`
    needs to tell which of its lines are a site's template (`min_docs` distinct articles).

    The table grows with every article of a site, forever; reading all of a site's rows made
    every chunk slower and bigger as the warehouse grew. Only the chunk's own (site, fingerprint)
    pairs matter, and for each at most `min_docs` + (the chunk's rows of that pair) stored
    article ids: at least `min_docs` of those are not the chunk's own, so the count decides the
    same as all of them would."""
    con.register("chunk_lines", lines.to_arrow())
    try:
        # As Arrow columns, not Python tuples: on a 10,000-document warehouse a chunk reads tens of
        # thousands of rows, and the memory arenas their tuples and strings opened were still
        # held (10 MB) at the run's peak (memray, native mode).
        rows = query_frame(con, """
            WITH wanted AS (SELECT site, fingerprint, count(*) AS n FROM chunk_lines GROUP BY ALL)
            SELECT t.site, t.fingerprint, t.article_id
            FROM template_lines t JOIN wanted w USING (site, fingerprint)
            QUALIFY row_number() OVER (PARTITION BY t.site, t.fingerprint ORDER BY t.article_id) <= ? + w.n""",
            [min_docs])
    finally:
        con.unregister("chunk_lines")
    return rows.cast(TEMPLATE_LINES)  # type: ignore[arg-type]


def _check_stored(con: duckdb.DuckDBPyConnection, run_id: str, docs: Sequence[Any]) -> None:
    """Inside the load transaction: each of these documents (`RawDocument`s processed in this
    load) has exactly one stored row, its article or its quarantine row of this run; else
    `QualityError`, and the transaction rolls back. Counters can agree while rows are lost
    (two documents under one key); this checks the rows themselves."""
    from transforms.document import doc_key

    keys = [doc_key(d) for d in docs]
    if not keys:
        return
    if len(set(keys)) != len(keys):
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        raise QualityError(f"run {run_id}: {len(keys) - len(set(keys))} documents share a key with another "
                           f"document of this load (e.g. {repeated[0]}); nothing was written")
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


def _write_results(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime, batch: LoadBatch,
                   raw: pl.DataFrame) -> LoadCounts:
    """The writes of one load, inside the caller's transaction; returns what changed."""
    articles, quarantine = batch.articles, batch.quarantine
    counts = LoadCounts()
    # The registry counts articles of the newest days: what this load adds may move that window.
    newest_before = con.execute("SELECT max(seen_date) FROM articles").fetchall()[0][0]
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
                    ELSE 'unchanged' END AS change,
               i.content_hash, a.content_hash AS stored_hash
        FROM incoming i LEFT JOIN articles a USING (article_id)""")
    con.execute("""
        INSERT INTO article_versions
        SELECT a.article_id, a.content_hash, a.title, a.body, a.updated_at, ?, ?
        FROM articles a JOIN diff d USING (article_id) WHERE d.change = 'updated'""", [now, run_id])
    # The rows are built first, then the updated ones deleted and all inserted: INSERT OR REPLACE
    # held more memory until the connection closed (as for raw_documents, see store_raw).
    con.execute("""
        CREATE OR REPLACE TEMP TABLE article_rows AS
        SELECT i.* EXCLUDE (load_order),
               coalesce(a.first_seen_at, ? + to_microseconds(i.load_order)) AS first_seen_at,
               CAST(timezone('UTC', coalesce(a.first_seen_at, ?)) AS DATE) AS seen_date,
               ? AS updated_at
        FROM incoming i
        JOIN diff d USING (article_id)
        LEFT JOIN articles a USING (article_id)
        WHERE d.change <> 'unchanged'""", [now, now, now])
    con.execute("DELETE FROM articles WHERE article_id IN (SELECT article_id FROM diff WHERE change = 'updated')")
    con.execute("INSERT INTO articles BY NAME SELECT * FROM article_rows")
    con.execute("DROP TABLE article_rows")
    # Exact copies under another URL are kept, pointing at the first one seen; a copy that
    # declares another site's page as its canonical (a mirror, a syndicated copy) never counts
    # as the original of that page, whichever was seen first.
    # Only texts this load touched can change their original: the incoming articles' texts, and
    # the texts updated articles had before (their copies may need a new original). Ranking the
    # whole table instead made every chunk's load grow with the warehouse.
    con.execute(f"""
        UPDATE articles SET duplicate_of = nullif(d.orig, d.article_id) FROM (
            SELECT article_id, first_value(article_id) OVER (
                PARTITION BY content_hash ORDER BY {DECLARED_COPY_SQL}, first_seen_at, article_id) AS orig
            FROM articles
            WHERE content_hash IN (SELECT content_hash FROM diff UNION SELECT stored_hash FROM diff)) d
        WHERE articles.article_id = d.article_id
          AND articles.duplicate_of IS DISTINCT FROM nullif(d.orig, d.article_id)""")
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
    con.register("incoming_mentions", batch.mentions.to_arrow())
    replaced = con.execute("""DELETE FROM mentions WHERE article_id IN
                   (SELECT article_id FROM diff WHERE change <> 'unchanged')
                   RETURNING tagged_entity_id""").fetchall()
    con.execute("""INSERT INTO mentions BY NAME SELECT m.* FROM incoming_mentions m
                   JOIN diff d USING (article_id) WHERE d.change <> 'unchanged'""")
    con.register("incoming_entities", batch.entities.to_arrow())
    merge_entities(con, "incoming_entities", now)
    # The cross-document registry learns from every load and re-points what it moved.
    if con.execute("SELECT count(*) FROM diff WHERE change <> 'unchanged'").fetchall()[0][0]:
        counts.mentions_repointed = refresh_registry(
            con, now, touched=[t for (t,) in replaced if t is not None],
            newest_before=newest_before)["mentions_repointed"]

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

    if batch.dq_results is not None:
        con.register("incoming_dq", batch.dq_results.to_arrow())
        con.execute("INSERT INTO dq_results BY NAME SELECT * FROM incoming_dq")
    store_raw(con, raw)
    con.register("incoming_templates", batch.template_lines.to_arrow())
    con.execute("INSERT OR IGNORE INTO template_lines BY NAME SELECT * FROM incoming_templates")
    return counts
