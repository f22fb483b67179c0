"""Reading and storing syndication clusters (`article_clusters`) and their LSH bands
(`article_lsh_bands`); the clustering itself is computed in transforms/syndication/minhash.py."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl

from mediamon.sql import query_frame, transaction

# Stored clusters that saw a new member within this many days are candidates for new copies.
RECENT_DAYS = 14
# `unclustered_articles` without a start: every row.
_EVERY_ROW = datetime(1970, 1, 1, tzinfo=UTC)

_RECENT = f"""SELECT c.cluster_id FROM article_clusters c JOIN articles a USING (article_id)
              WHERE a.first_seen_at >= now() - INTERVAL {RECENT_DAYS} DAY"""


def unclustered_articles(con: duckdb.DuckDBPyConnection, since: datetime | None = None) -> pl.DataFrame:
    """Articles not yet clustered, or changed since they were, with their bodies; with `since`,
    only those written (`updated_at`) at or after it.

    Without `since` every article is checked, so a run killed after its load is caught up by the
    next one. A chunk's own clustering passes the time its load began: the rows it wrote are then
    found through the row groups' min/max of `updated_at` alone. Checking the whole table after
    every chunk read every row group's ids and bodies: 6 MB of DuckDB's memory after the 5th
    chunk of a 10,000-document run, 46 MB after the 40th, where it is now about 5 MB.
    """
    # Without `since`, from the start of time. A cluster row as new as the article's own change
    # is written at or after `since` too, so only those cluster rows can tell that one of these
    # articles is clustered already.
    since = since or _EVERY_ROW
    return query_frame(con, """
        SELECT a.article_id, a.body, a.publisher, a.agency, a.published_at, a.first_seen_at, a.duplicate_of
        FROM articles a
        LEFT JOIN (SELECT article_id, updated_at FROM article_clusters WHERE updated_at >= ?) c
               USING (article_id)
        WHERE a.updated_at >= ? AND (c.article_id IS NULL OR c.updated_at < a.updated_at)""",
        [since, since])


def touched_clusters(con: duckdb.DuckDBPyConnection, ids: pl.DataFrame, bands: pl.DataFrame) -> pl.DataFrame:
    """The stored clusters new articles (`ids`: article_id, duplicate_of) may join: those sharing an
    LSH band with one of them (`bands`), the cluster of its exact original and its own current cluster."""
    con.register("incoming_bands", bands.to_arrow())
    con.register("incoming_ids", ids.to_arrow())
    try:
        return query_frame(con, """
            WITH touched AS (
                SELECT DISTINCT b.article_id FROM article_lsh_bands b JOIN incoming_bands i USING (band, band_hash)
                UNION SELECT duplicate_of FROM incoming_ids WHERE duplicate_of IS NOT NULL
                UNION SELECT article_id FROM incoming_ids)
            SELECT c.article_id, c.cluster_id, c.is_original, c.cluster_size, c.minhash, c.shingle_count,
                   a.published_at, a.first_seen_at, a.publisher, a.agency
            FROM article_clusters c JOIN articles a USING (article_id)
            WHERE c.cluster_id IN (SELECT c2.cluster_id FROM article_clusters c2 JOIN touched USING (article_id))""")
    finally:
        con.unregister("incoming_bands")
        con.unregister("incoming_ids")


def store_clusters(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, ids: pl.DataFrame,
                   bands: pl.DataFrame) -> None:
    """Write cluster rows (with `updated_at`) and replace the bands of the articles in `ids`, in one
    transaction: clusters and bands change together, so a kill between them leaves no article unfindable."""
    con.register("incoming_clusters", rows.to_arrow())
    con.register("incoming_bands", bands.to_arrow())
    con.register("incoming_ids", ids.to_arrow())
    with transaction(con, ("incoming_bands", "incoming_ids", "incoming_clusters")):
        con.execute("""INSERT OR REPLACE INTO article_clusters BY NAME
                       SELECT article_id, cluster_id, is_original, cluster_size, minhash, shingle_count, updated_at
                       FROM incoming_clusters""")
        con.execute("DELETE FROM article_lsh_bands WHERE article_id IN (SELECT article_id FROM incoming_ids)")
        con.execute("INSERT INTO article_lsh_bands SELECT article_id, band, band_hash FROM incoming_bands")


def signatures_without_bands(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """(article_id, minhash) of recent clusters' members that have no bands (a warehouse from
    before schema version 5)."""
    return query_frame(con, f"""
        SELECT c.article_id, c.minhash FROM article_clusters c
        WHERE c.minhash IS NOT NULL AND c.cluster_id IN ({_RECENT})
          AND NOT EXISTS (SELECT 1 FROM article_lsh_bands b WHERE b.article_id = c.article_id)""")


def keep_recent_bands(con: duckdb.DuckDBPyConnection, missing: pl.DataFrame) -> None:
    """Drop the bands of clusters without a new member within RECENT_DAYS; add the `missing` bands."""
    if missing.height:
        con.register("missing_bands", missing.to_arrow())
    with transaction(con, ("missing_bands",) if missing.height else ()):
        con.execute(f"""DELETE FROM article_lsh_bands WHERE article_id IN (
                            SELECT article_id FROM article_clusters WHERE cluster_id NOT IN ({_RECENT}))""")
        if missing.height:
            con.execute("INSERT INTO article_lsh_bands SELECT article_id, band, band_hash FROM missing_bands")
