"""Keep `article_clusters` current after a load: read from the warehouse, cluster with the pure
functions of transforms/syndication/minhash.py, hand the rows back to the warehouse to store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import polars as pl

from mediamon.store.clusters import RECENT_DAYS

if TYPE_CHECKING:
    from mediamon.warehouse import Warehouse

__all__ = ["RECENT_DAYS", "refresh_lsh_bands", "update_clusters"]


def update_clusters(warehouse: Warehouse, since: datetime | None = None) -> int:
    """Cluster articles not yet clustered (new or changed) into the stored clusters; returns rows written.

    With `since` (when a chunk's load began), only the articles written since are looked for; without
    it, every article is (the end of a run: what an earlier, killed run left unclustered).
    Only the stored clusters a new article may join are read: those sharing an LSH band with it
    (`article_lsh_bands`), the cluster of its exact original and its own current cluster. So the
    cost of a call follows the number of new articles, not the size of the warehouse.
    """
    new = warehouse.unclustered_articles(since)
    if new.height == 0:
        return 0
    # Here, not at the top: datasketch imports scipy (about a second), which a run with nothing
    # new to cluster (a re-run over unchanged inputs) does not need.
    from transforms.syndication.minhash import cluster_articles, lsh_bands, sign_bodies

    # Signing and clustering are computed with the file let go: readers wait only for the reads
    # and the write (this run's lock keeps other writers out meanwhile).
    warehouse.release()
    new = new.join(sign_bodies(new.select("article_id", "body")), on="article_id", how="left").drop("body")
    bands = lsh_bands(new.select("article_id", "minhash"))
    ids = new.select("article_id", "duplicate_of")
    existing = warehouse.touched_clusters(ids, bands)
    warehouse.release()
    result = cluster_articles(new, existing if existing.height else None)
    now = pl.lit(datetime.now(UTC), dtype=pl.Datetime("us", "UTC"))
    rows = result.table_rows().with_columns(updated_at=now)
    warehouse.store_clusters(rows, ids, bands)
    return rows.height


def refresh_lsh_bands(warehouse: Warehouse) -> None:
    """Keep `article_lsh_bands` to the clusters new copies may still join; fill in missing bands.

    Bands go with clusters that saw a new member within RECENT_DAYS: older stories are not
    matched again. Clustered articles without bands (a warehouse from before schema version 5)
    get them from their stored signatures. Run once per run, before loading.
    """
    missing = warehouse.signatures_without_bands()
    if missing.height:
        from transforms.syndication.minhash import lsh_bands

        missing = lsh_bands(missing)
    warehouse.keep_recent_bands(missing)
