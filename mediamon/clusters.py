"""Keep `article_clusters` current after a load: the warehouse side of transforms/syndication.py."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import duckdb
import polars as pl

from transforms.syndication import cluster_articles

# Stored clusters that saw a new member within this many days are candidates for new copies.
RECENT_DAYS = 14


def query_frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    """The rows of `sql` as a polars frame (used inside open transactions)."""
    # DuckDB 2 suggests con.sql(...) here, but a relation leaves its result open on the connection,
    # which breaks the next execute() in the same transaction; the extra copy is the lesser cost.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        table = con.execute(sql, params or []).to_arrow_table()
    return pl.from_arrow(table)  # type: ignore[return-value]


def update_clusters(con: duckdb.DuckDBPyConnection) -> int:
    """Cluster articles not yet clustered (new or changed) into the stored clusters; returns rows written."""
    new = query_frame(con, """
        SELECT a.article_id, a.body, a.publisher, a.agency, a.published_at, a.first_seen_at, a.duplicate_of
        FROM articles a LEFT JOIN article_clusters c USING (article_id)
        -- Not only this run's rows: a run killed after its load is caught up by the next one.
        WHERE c.article_id IS NULL OR c.updated_at < a.updated_at""")
    if new.height == 0:
        return 0
    existing = query_frame(con, f"""
        SELECT c.article_id, c.cluster_id, c.is_original, c.cluster_size, c.minhash, c.shingle_count,
               a.published_at, a.first_seen_at, a.publisher, a.agency
        FROM article_clusters c JOIN articles a USING (article_id)
        WHERE c.cluster_id IN (SELECT c2.cluster_id FROM article_clusters c2 JOIN articles a2 USING (article_id)
                               WHERE a2.first_seen_at >= now() - INTERVAL {RECENT_DAYS} DAY)""")
    result = cluster_articles(new, existing if existing.height else None)
    rows = result.table_rows().with_columns(updated_at=pl.lit(datetime.now(UTC), dtype=pl.Datetime("us", "UTC")))
    con.register("incoming_clusters", rows.to_arrow())
    try:
        con.execute("""INSERT OR REPLACE INTO article_clusters BY NAME
                       SELECT article_id, cluster_id, is_original, cluster_size, minhash, shingle_count, updated_at
                       FROM incoming_clusters""")
    finally:
        con.unregister("incoming_clusters")
    return rows.height
