"""The cross-document entity registry in the warehouse: learn it, store it, re-point mentions.

`refresh_registry` runs inside every load's transaction (each chunk of a streamed run), and in
the re-tag's when it changes stored mentions:

1. new mentions get ``tagged_entity_id`` = the id the article's own tagging gave them;
2. the names the change touched are found: those of the entities of new mentions, of mentions
   the caller deleted (`touched`), and of mentions of articles that left the window because the
   newest day moved (`newest_before`);
3. for every entity one of those names decides (same folded name, or a full name ending in it:
   `entity_name_keys`), the distinct articles mentioning it within ``window_days`` of the newest
   article are counted, and `transforms.entities.registry.resolve` decides what each counts for;
4. those entities' ``entity_registry`` rows are replaced when the decisions changed, and only the
   mentions whose target changed are re-pointed (``entity_id``, ``entity_type``), so history
   follows the registry without any re-tagging. The original id stays in ``tagged_entity_id``.

Why only the touched names: relearning every entity on every chunk read all stored mentions each
time, so a chunk's load grew with the warehouse (the statement held 12 MB at 1,000 documents and
44 MB at 10,000, until the commit). The rules are local to a name: an entity's decision depends
only on the entities of its own folded name and the full names ending in it (and, for a full
name, on its own name's group), and all of those share a key with it. So the decisions for the
scope are exactly those a whole-warehouse pass would make, and nothing outside it can change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import duckdb
import polars as pl

from mediamon.sql import query_frame
from transforms.entities.registry import MIN_ARTICLES, EntityStats, name_key, resolve, surname_key

# "Prominent in the period": coverage counted over the newest `WINDOW_DAYS` of the warehouse.
WINDOW_DAYS = 365


def _fill_keys(con: duckdb.DuckDBPyConnection) -> None:
    """`entity_name_keys` rows for entities that have none (this load's, the re-tag's, and every
    entity of a warehouse from before schema version 11, once)."""
    missing = con.execute("SELECT e.entity_id, e.canonical_name FROM entities e "
                          "ANTI JOIN entity_name_keys k USING (entity_id)").fetchall()
    if not missing:
        return
    keys = pl.DataFrame([(i, name_key(n), surname_key(n)) for i, n in missing], orient="row",
                        schema={"entity_id": pl.String, "name_key": pl.String, "surname_key": pl.String})
    con.register("incoming_name_keys", keys.to_arrow())
    try:
        con.execute("INSERT INTO entity_name_keys SELECT * FROM incoming_name_keys")
    finally:
        con.unregister("incoming_name_keys")


def refresh_registry(con: duckdb.DuckDBPyConnection, now: datetime, window_days: int = WINDOW_DAYS,
                     min_articles: int = MIN_ARTICLES, touched: Iterable[str] = (),
                     newest_before: date | None = None) -> dict[str, int]:
    """Bring ``entity_registry`` and the stored mentions up to date after a change; returns
    ``mentions_repointed`` for `runs.counts`.

    `touched`: tagged entity ids of mentions the caller deleted. `newest_before`: the newest
    `articles.seen_date` before the caller added articles (None: it added none), so the articles
    that left the window are counted out."""
    _fill_keys(con)
    con.execute("CREATE OR REPLACE TEMP TABLE registry_touched (entity_id VARCHAR)")
    con.execute("INSERT INTO registry_touched SELECT DISTINCT entity_id FROM mentions "
                "WHERE tagged_entity_id IS NULL")
    con.execute("UPDATE mentions SET tagged_entity_id = entity_id WHERE tagged_entity_id IS NULL")
    if touched := sorted(set(touched)):
        con.execute("INSERT INTO registry_touched SELECT unnest(?::VARCHAR[])", [touched])
    if newest_before is not None:
        # Articles seen within the window before but not now: their entities' counts went down.
        con.execute("""
            INSERT INTO registry_touched
            SELECT DISTINCT m.tagged_entity_id FROM mentions m JOIN articles a USING (article_id)
            WHERE a.seen_date > ?::DATE - to_days(CAST(? AS INTEGER))
              AND a.seen_date <= (SELECT max(seen_date) FROM articles) - to_days(CAST(? AS INTEGER))""",
                    [newest_before, window_days, window_days])
    # The scope: every entity whose decision a touched name can change (module docstring).
    con.execute("""
        CREATE OR REPLACE TEMP TABLE registry_scope AS
        WITH names AS (
            SELECT k.name_key AS key FROM entity_name_keys k SEMI JOIN registry_touched t USING (entity_id)
            UNION SELECT k.surname_key FROM entity_name_keys k SEMI JOIN registry_touched t USING (entity_id))
        SELECT k.*, e.entity_type FROM entity_name_keys k JOIN entities e USING (entity_id)
        WHERE k.name_key IN (SELECT key FROM names) OR k.surname_key IN (SELECT key FROM names)""")
    # Distinct (article, entity) pairs only, names and types joined from the small scope table:
    # these rows grow with the coverage of the scoped names, so they are kept narrow.
    stats = query_frame(con, """
        WITH newest AS (SELECT max(seen_date) AS day FROM articles),
        scoped AS (
            SELECT DISTINCT m.article_id, m.tagged_entity_id AS entity_id FROM mentions m
            SEMI JOIN registry_scope s ON s.entity_id = m.tagged_entity_id),
        recent AS (
            SELECT m.article_id, m.entity_id FROM scoped m JOIN articles a USING (article_id)
            WHERE a.seen_date > (SELECT day FROM newest) - to_days(CAST(? AS INTEGER))),
        -- articles where a one-word name stands beside a full PERSON name ending in it
        beside AS (
            SELECT s.entity_id, count(DISTINCT s.article_id) AS with_full_name
            FROM (SELECT r.* , k.name_key FROM recent r JOIN registry_scope k USING (entity_id)
                  WHERE NOT contains(k.name_key, ' ')) s
            JOIN (SELECT r.article_id, k.surname_key FROM recent r JOIN registry_scope k USING (entity_id)
                  WHERE k.entity_type = 'PERSON' AND contains(k.name_key, ' ')) f
              ON f.article_id = s.article_id AND f.surname_key = s.name_key
            GROUP BY ALL),
        covered AS (SELECT entity_id, count(*) AS articles FROM recent GROUP BY ALL)
        SELECT e.entity_id, e.canonical_name, e.entity_type, e.external_id,
               coalesce(c.articles, 0) AS articles, coalesce(b.with_full_name, 0) AS with_full_name
        FROM (SELECT DISTINCT entity_id FROM scoped) t
        JOIN entities e USING (entity_id)
        LEFT JOIN covered c USING (entity_id)
        LEFT JOIN beside b USING (entity_id)""", [window_days])
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
    old = query_frame(con, "SELECT r.entity_id, r.resolved_id, r.status, r.candidates FROM entity_registry r "
                           "SEMI JOIN registry_scope s USING (entity_id) ORDER BY r.entity_id")
    changed = not new.sort("entity_id").equals(old.with_columns(pl.col("candidates").fill_null([])))
    if changed:
        con.register("incoming_registry", new.to_arrow())
        try:
            con.execute("DELETE FROM entity_registry WHERE entity_id IN "
                        "(SELECT entity_id FROM registry_scope)")
            con.execute("INSERT INTO entity_registry SELECT *, ? FROM incoming_registry", [now])
        finally:
            con.unregister("incoming_registry")
    # Re-point only mentions whose target differs: those of scoped entities in the registry now or
    # before (a mention of any other entity already counts for its own tagged entity).
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
    con.execute("DROP TABLE registry_scope")
    con.execute("DROP TABLE registry_touched")
    return {"mentions_repointed": int(repointed[0][0]) if repointed else 0}
