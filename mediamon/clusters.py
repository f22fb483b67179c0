"""Keep `article_clusters` current after a load: the warehouse side of transforms/syndication.py."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl

from mediamon.sql import query_frame, transaction
from transforms.syndication import cluster_articles, lsh_bands, sign_bodies

# Stored clusters that saw a new member within this many days are candidates for new copies.
RECENT_DAYS = 14


def update_clusters(con: duckdb.DuckDBPyConnection) -> int:
    """Cluster articles not yet clustered (new or changed) into the stored clusters; returns rows written.

    Only the stored clusters a new article may join are read: those sharing an LSH band with it
    (`article_lsh_bands`), the cluster of its exact original and its own current cluster. So the
    cost of a call follows the number of new articles, not the size of the warehouse.
    """
    new = query_frame(con, """
        SELECT a.article_id, a.body, a.publisher, a.agency, a.published_at, a.first_seen_at, a.duplicate_of
        FROM articles a LEFT JOIN article_clusters c USING (article_id)
        -- Not only this run's rows: a run killed after its load is caught up by the next one.
        WHERE c.article_id IS NULL OR c.updated_at < a.updated_at""")
    if new.height == 0:
        return 0
    new = new.join(sign_bodies(new.select("article_id", "body")), on="article_id", how="left").drop("body")
    bands = lsh_bands(new.select("article_id", "minhash"))
    con.register("incoming_bands", bands.to_arrow())
    con.register("incoming_ids", new.select("article_id", "duplicate_of").to_arrow())
    # One transaction: clusters and bands change together, so a kill between them leaves no
    # article unfindable.
    with transaction(con, ("incoming_bands", "incoming_ids", "incoming_clusters")):
        existing = query_frame(con, """
            WITH touched AS (
                SELECT DISTINCT b.article_id FROM article_lsh_bands b JOIN incoming_bands i USING (band, band_hash)
                UNION SELECT duplicate_of FROM incoming_ids WHERE duplicate_of IS NOT NULL
                UNION SELECT article_id FROM incoming_ids)
            SELECT c.article_id, c.cluster_id, c.is_original, c.cluster_size, c.minhash, c.shingle_count,
                   a.published_at, a.first_seen_at, a.publisher, a.agency
            FROM article_clusters c JOIN articles a USING (article_id)
            WHERE c.cluster_id IN (SELECT c2.cluster_id FROM article_clusters c2 JOIN touched USING (article_id))""")
        result = cluster_articles(new, existing if existing.height else None)
        now = pl.lit(datetime.now(UTC), dtype=pl.Datetime("us", "UTC"))
        rows = result.table_rows().with_columns(updated_at=now)
        con.register("incoming_clusters", rows.to_arrow())
        con.execute("""INSERT OR REPLACE INTO article_clusters BY NAME
                       SELECT article_id, cluster_id, is_original, cluster_size, minhash, shingle_count, updated_at
                       FROM incoming_clusters""")
        con.execute("DELETE FROM article_lsh_bands WHERE article_id IN (SELECT article_id FROM incoming_ids)")
        con.execute("INSERT INTO article_lsh_bands SELECT article_id, band, band_hash FROM incoming_bands")
    return rows.height


def refresh_lsh_bands(con: duckdb.DuckDBPyConnection) -> None:
    """Keep `article_lsh_bands` to the clusters new copies may still join; fill in missing bands.

    Bands go with clusters that saw a new member within RECENT_DAYS: older stories are not
    matched again. Clustered articles without bands (a warehouse from before schema version 5)
    get them from their stored signatures. Run once per run, before loading.
    """
    recent = f"""SELECT c.cluster_id FROM article_clusters c JOIN articles a USING (article_id)
                 WHERE a.first_seen_at >= now() - INTERVAL {RECENT_DAYS} DAY"""
    missing = query_frame(con, f"""
        SELECT c.article_id, c.minhash FROM article_clusters c
        WHERE c.minhash IS NOT NULL AND c.cluster_id IN ({recent})
          AND NOT EXISTS (SELECT 1 FROM article_lsh_bands b WHERE b.article_id = c.article_id)""")
    if missing.height:
        con.register("missing_bands", lsh_bands(missing).to_arrow())
    with transaction(con, ("missing_bands",) if missing.height else ()):
        con.execute(f"""DELETE FROM article_lsh_bands WHERE article_id IN (
                            SELECT article_id FROM article_clusters WHERE cluster_id NOT IN ({recent}))""")
        if missing.height:
            con.execute("INSERT INTO article_lsh_bands SELECT article_id, band, band_hash FROM missing_bands")
