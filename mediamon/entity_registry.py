"""The cross-document entity registry in the warehouse: learn it, store it, re-point mentions.

`refresh_registry` runs inside every load's transaction (each chunk of a streamed run):

1. new mentions get ``tagged_entity_id`` = the id the article's own tagging gave them;
2. per tagged entity, the distinct articles mentioning it within ``window_days`` of the
   newest article are counted, and `transforms.entities.registry.resolve` decides what each
   entity counts for;
3. ``entity_registry`` is replaced when the decisions changed, and only the mentions whose
   target changed are re-pointed (``entity_id``, ``entity_type``), so history follows the
   registry without any re-tagging. The original id stays in ``tagged_entity_id``.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from mediamon.sql import query_frame
from transforms.entities.registry import MIN_ARTICLES, EntityStats, resolve

# "Prominent in the period": coverage counted over the newest `WINDOW_DAYS` of the warehouse.
WINDOW_DAYS = 365


def refresh_registry(con: duckdb.DuckDBPyConnection, now: datetime, window_days: int = WINDOW_DAYS,
                     min_articles: int = MIN_ARTICLES) -> dict[str, int]:
    """Bring ``entity_registry`` and the stored mentions up to date; returns counts for `runs.counts`."""
    con.execute("UPDATE mentions SET tagged_entity_id = entity_id WHERE tagged_entity_id IS NULL")
    stats = query_frame(con, """
        WITH newest AS (SELECT max(seen_date) AS day FROM articles),
        recent AS (
            SELECT DISTINCT m.article_id, e.entity_id, e.canonical_name, e.entity_type
            FROM mentions m JOIN entities e ON e.entity_id = m.tagged_entity_id
            JOIN articles a USING (article_id)
            WHERE a.seen_date > (SELECT day FROM newest) - to_days(CAST(? AS INTEGER))),
        -- articles where a one-word name stands beside a full PERSON name ending in it
        beside AS (
            SELECT s.entity_id, count(DISTINCT s.article_id) AS with_full_name
            FROM recent s JOIN recent f ON f.article_id = s.article_id AND f.entity_type = 'PERSON'
                AND f.canonical_name LIKE '% %'
                AND lower(split_part(f.canonical_name, ' ', -1)) = lower(s.canonical_name)
            WHERE s.canonical_name NOT LIKE '% %'
            GROUP BY ALL)
        SELECT e.entity_id, e.canonical_name, e.entity_type, e.external_id,
               count(DISTINCT r.article_id) AS articles,
               coalesce(any_value(b.with_full_name), 0) AS with_full_name
        FROM (SELECT DISTINCT tagged_entity_id FROM mentions) t
        JOIN entities e ON e.entity_id = t.tagged_entity_id
        LEFT JOIN recent r USING (entity_id)
        LEFT JOIN beside b USING (entity_id)
        GROUP BY ALL""", [window_days])
    resolutions = resolve(
        (EntityStats(r["entity_id"], r["canonical_name"], r["entity_type"], r["external_id"], r["articles"],
                     r["with_full_name"])
         for r in stats.iter_rows(named=True)),
        min_articles=min_articles,
    )
    new = pl.DataFrame(
        {"entity_id": [r.entity_id for r in resolutions], "resolved_id": [r.resolved_id for r in resolutions],
         "status": [r.status for r in resolutions], "candidates": [list(r.candidates) for r in resolutions]},
        schema={"entity_id": pl.String, "resolved_id": pl.String, "status": pl.String,
                "candidates": pl.List(pl.String)},
    )
    old = query_frame(con, "SELECT entity_id, resolved_id, status, candidates FROM entity_registry "
                           "ORDER BY entity_id")
    changed = not new.sort("entity_id").equals(old.with_columns(pl.col("candidates").fill_null([])))
    if changed:
        con.register("incoming_registry", new.to_arrow())
        try:
            con.execute("DELETE FROM entity_registry")
            con.execute("INSERT INTO entity_registry SELECT *, ? FROM incoming_registry", [now])
        finally:
            con.unregister("incoming_registry")
    # Re-point only mentions whose target differs: those of entities in the registry now or before
    # (a mention of any other entity already counts for its own tagged entity).
    repointed = con.execute("""
        UPDATE mentions SET entity_id = t.target, entity_type = t.target_type
        FROM (
            SELECT ids.id AS tid, coalesce(r.resolved_id, ids.id) AS target, e.entity_type AS target_type
            FROM (SELECT unnest(?::VARCHAR[]) AS id) ids
            LEFT JOIN entity_registry r ON r.entity_id = ids.id AND r.status <> 'ambiguous'
            JOIN entities e ON e.entity_id = coalesce(r.resolved_id, ids.id)
        ) t
        WHERE mentions.tagged_entity_id = t.tid
          AND (mentions.entity_id <> t.target OR mentions.entity_type <> t.target_type)""",
        [sorted(set(old["entity_id"].to_list()) | set(new["entity_id"].to_list()))]).fetchall()
    ambiguous = sum(r.status == "ambiguous" for r in resolutions)
    return {"registry_resolved": len(resolutions) - ambiguous, "registry_ambiguous": ambiguous,
            "mentions_repointed": int(repointed[0][0]) if repointed else 0}
