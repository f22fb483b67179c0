"""Apply watchlist and topic definitions to the stored articles: matching only, no NER, no extraction.

Every run (and `mediamon reprocess --tags-only`) ends here:

- articles loaded since the last check get every topic (their watchlist mentions came from the tag stage);
- a watchlist entry added, changed or removed (by fingerprint, `tag_definitions`) re-matches the
  whole watchlist on every stored body; an article whose watchlist mentions differ gets the new ones,
  and NER/KB mentions they overlap are dropped, as the tag stage does;
- a topic added or changed is matched on every stored article, a removed topic's rows go.

What was done, and why, goes to `runs.counts` under "retag". Reads happen before the one write
transaction, so a crash leaves the previous state (and the same work for the next run).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from mediamon.entity_registry import refresh_registry
from mediamon.errors import WarehouseError
from mediamon.sql import merge_entities, transaction
from transforms.monitoring.retag import BatchMatches, DefinitionChanges, Topic, definition_changes, match_batch
from transforms.schema import ENTITIES, MENTIONS, frame
from transforms.entities.watchlist import Watchlist

READ_BATCH = 500
PARALLEL_FROM = 5000  # articles to scan before worker processes pay for their start-up
TOPIC_ROWS = {"article_id": pl.String, "topic": pl.String, "matched_terms": pl.List(pl.String),
              "query_fingerprint": pl.String}
_FRAMES = ("retag_articles", "retag_mentions", "retag_entities", "retag_topics", "retag_topic_articles",
           "retag_definitions")


def _batches(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> Iterator[list[dict[str, Any]]]:
    cur = con.cursor()  # its own cursor: the caller's connection stays free
    try:
        cur.execute(f"SELECT article_id, title, body, publisher, updated_at FROM articles a WHERE {where} "
                    "ORDER BY article_id", params)
        while rows := cur.fetchmany(READ_BATCH):
            yield [{"article_id": r[0], "title": r[1], "body": r[2], "publisher": r[3], "updated_at": r[4]}
                   for r in rows]
    finally:
        cur.close()


class _Matcher:
    """`match_batch` over batches, here or in a pool of spawned worker processes (bounded: at most two
    batches per worker in flight, so memory stays flat), results in batch order."""

    def __init__(self, watchlist: Watchlist | None, topics: Sequence[Topic], rematch: Sequence[Topic],
                 last_checked: Any) -> None:
        self.args = (watchlist, list(topics), list(rematch), last_checked)

    def run(self, batches: Iterator[list[dict[str, Any]]], workers: int
            ) -> Iterator[tuple[list[dict[str, Any]], BatchMatches]]:
        if workers <= 1:
            for batch in batches:
                yield batch, match_batch(batch, *self.args)
            return
        import multiprocessing
        from collections import deque
        from concurrent.futures import ProcessPoolExecutor

        watchlist, topics, rematch, last_checked = self.args
        entities = watchlist.entities if watchlist is not None else None
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                 initargs=(entities, topics, rematch, last_checked)) as pool:
            pending: deque[tuple[list[dict[str, Any]], Any]] = deque()
            for batch in batches:
                pending.append((batch, pool.submit(_match_in_worker, batch)))
                if len(pending) >= 2 * workers:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()


_WORKER_ARGS: tuple[Any, ...] = ()


def _init_worker(entities: list[Any] | None, topics: list[Topic], rematch: list[Topic],
                 last_checked: Any) -> None:
    global _WORKER_ARGS
    _WORKER_ARGS = (Watchlist(entities) if entities is not None else None, topics, rematch, last_checked)


def _match_in_worker(batch: list[dict[str, Any]]) -> BatchMatches:
    return match_batch(batch, *_WORKER_ARGS)


def _stored(con: duckdb.DuckDBPyConnection, kind: str) -> dict[str, str]:
    return dict(con.execute("SELECT key, fingerprint FROM tag_definitions WHERE kind = ?", [kind]).fetchall())


def apply_definitions(warehouse: Any, settings: Any, run_id: str, force: bool = False) -> dict[str, Any]:
    """`retag_stored_articles` with the configured watchlist and topics, then the search index;
    each step holds the warehouse on its own, and the file is let go at the end."""
    from mediamon.search import index_in_batches
    from transforms.entities.watchlist import load_watchlist

    # Both steps read stored articles a thousand at a time (history, the index's batches): they get
    # DuckDB's roomier cap, where a chunk's load needs far less (Warehouse.roomier).
    with warehouse.roomier():
        counts = retag_stored_articles(warehouse.con, load_watchlist(settings.watchlist_path), settings.topics,
                                       run_id, force=force, workers=settings.workers)
        warehouse.release()
        # The file is let go between the index's reads and writes: a reader waits for one batch's
        # writes, not for a run's worth of tokenising (about 1 s per 1,000 articles under load).
        counts["search_index"] = index_in_batches(lambda: warehouse.con, warehouse.release)
    return counts


def _reason(changes: DefinitionChanges, force: bool) -> str:
    parts = ["reprocess --tags-only: every definition"] if force else []
    parts += [changes.reason()] if changes else []
    return "; ".join(parts)


def retag_stored_articles(con: duckdb.DuckDBPyConnection, watchlist: Watchlist, topics: Sequence[Topic],
                          run_id: str, force: bool = False, workers: int = 1) -> dict[str, Any]:
    """Bring watchlist mentions and `article_topics` of every stored article up to date with the
    definitions; `force` re-matches everything (reprocess --tags-only). Matching runs in `workers`
    processes when there are at least `PARALLEL_FROM` articles to scan. Returns the counts."""
    clock = time.monotonic()
    now = datetime.now(UTC)
    current_watch = {e.key: e.fingerprint for e in watchlist.entities}
    current_topics = {t.name: t.fingerprint for t in topics}
    watch_changes = definition_changes(_stored(con, "watchlist"), current_watch)
    topic_changes = definition_changes(_stored(con, "topic"), current_topics)
    row = con.execute("SELECT max(checked_at) FROM tag_definitions").fetchone()
    last_checked = row[0] if row else None
    counts: dict[str, Any] = {}

    # One pass over the stored articles, each folded once for the watchlist and the topics:
    # articles loaded since the last check get every topic, history the added and changed ones,
    # and every article the whole watchlist when an entry was added, changed or removed.
    rematch = [t for t in topics if force or t.name in set(topic_changes.added) | set(topic_changes.changed)]
    history_topics = bool(rematch) and last_checked is not None
    rematch_watchlist = bool(watch_changes) or (force and bool(watchlist.entities))
    topic_rows: list[dict[str, object]] = []
    fresh_ids: list[str] = []
    checked = scanned = added = removed = 0
    before: dict[str, set[str]] = {}
    after: dict[str, set[str]] = {}
    stored: dict[str, set[tuple[Any, ...]]] = {}
    new_mentions: list[dict[str, object]] = []
    new_entities: list[dict[str, object]] = []
    changed_articles: list[str] = []
    if history_topics:
        for article_id, topic in con.execute(
                "SELECT article_id, topic FROM article_topics WHERE topic IN (SELECT unnest(?))",
                [[t.name for t in rematch]]).fetchall():
            before.setdefault(article_id, set()).add(topic)
    if rematch_watchlist:
        for article_id, *key in con.execute(
                "SELECT article_id, entity_id, in_title, start_char, end_char FROM mentions "
                "WHERE source = 'watchlist'").fetchall():
            stored.setdefault(article_id, set()).add(tuple(key))
    if rematch_watchlist or history_topics:
        where, params = "true", []
    elif topics:
        where, params = "CAST(? AS TIMESTAMPTZ) IS NULL OR a.updated_at > ?", [last_checked, last_checked]
    else:
        where = ""
    batches = _batches(con, where, params) if where else iter(())
    matcher = _Matcher(watchlist if rematch_watchlist else None, topics, rematch if history_topics else [],
                       last_checked)
    total = 0
    if where and workers > 1:
        row = con.execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()
        total = int(row[0]) if row else 0
    for batch, found in matcher.run(batches, workers if total >= PARALLEL_FROM else 1):
        fresh_ids.extend(str(r["article_id"]) for r in batch
                         if last_checked is None or r["updated_at"] > last_checked)
        topic_rows.extend(found.fresh_topics)
        topic_rows.extend(found.history_topics)
        for r in found.history_topics:
            after.setdefault(str(r["article_id"]), set()).add(str(r["topic"]))
        checked += len(batch) if history_topics else sum(
            1 for r in batch if last_checked is None or r["updated_at"] > last_checked) if topics else 0
        if rematch_watchlist:
            scanned += len(batch)
            by_article: dict[str, list[dict[str, object]]] = {}
            for m in found.mentions:
                by_article.setdefault(str(m["article_id"]), []).append(m)
            for r in batch:
                article_id = str(r["article_id"])
                found_here = by_article.get(article_id, [])
                keys = {(m["entity_id"], m["in_title"], m["start_char"], m["end_char"]) for m in found_here}
                old = stored.get(article_id, set())
                if keys != old:
                    changed_articles.append(article_id)
                    new_mentions.extend(found_here)
                    added += len(keys - old)
                    removed += len(old - keys)
            new_entities.extend(found.entities)
    if not topics:
        fresh_ids = []
    history_changed = sum(1 for a in set(before) | set(after) if before.get(a, set()) != after.get(a, set()))
    if checked or topic_changes:
        counts["topics"] = {"reason": _reason(topic_changes, force) or "articles loaded since the last check",
                            "articles_checked": checked, "fresh_articles": len(fresh_ids),
                            "history_articles_retagged": history_changed, "matches": len(topic_rows)}
    if rematch_watchlist:
        counts["watchlist"] = {"reason": _reason(watch_changes, force),
                               "articles_checked": scanned, "articles_retagged": len(changed_articles),
                               "mentions_added": added, "mentions_removed": removed}

    definitions = [("watchlist", e.key, e.fingerprint, e.name) for e in watchlist.entities] + \
        [("topic", t.name, t.fingerprint, t.query) for t in topics]
    try:
        with transaction(con, _FRAMES):
            if changed_articles:
                con.register("retag_articles", pl.DataFrame({"article_id": changed_articles}).to_arrow())
                con.register("retag_mentions", frame(new_mentions, MENTIONS).to_arrow())
                removed_ids = con.execute(
                    "DELETE FROM mentions WHERE source = 'watchlist' AND article_id IN "
                    "(SELECT article_id FROM retag_articles) RETURNING tagged_entity_id").fetchall()
                # The tag stage drops NER and KB spans that a watchlist alias overlaps: so does this.
                removed_ids += con.execute("""
                    DELETE FROM mentions m WHERE m.source <> 'watchlist' AND EXISTS (
                        SELECT 1 FROM retag_mentions r WHERE r.article_id = m.article_id
                        AND r.in_title = m.in_title
                        AND r.start_char < m.end_char AND m.start_char < r.end_char)
                    RETURNING tagged_entity_id""").fetchall()
                con.execute("INSERT INTO mentions BY NAME SELECT * FROM retag_mentions")
                merged: dict[str, dict[str, Any]] = {}
                for e in new_entities:
                    seen = merged.setdefault(str(e["entity_id"]), {**e, "aliases": set()})
                    seen["aliases"] |= set(e["aliases"])  # type: ignore[arg-type]
                con.register("retag_entities", frame([{**e, "aliases": sorted(e["aliases"])}
                                                      for e in merged.values()], ENTITIES).to_arrow())
                merge_entities(con, "retag_entities", now)
                # History changed: the registry follows now, for the names these mentions carry.
                refresh_registry(con, now, touched=[t for (t,) in removed_ids if t is not None])
            gone = list(topic_changes.removed) + [t.name for t in rematch]
            if gone:
                con.execute("DELETE FROM article_topics WHERE topic IN (SELECT unnest(?))", [gone])
            if fresh_ids:
                con.register("retag_topic_articles", pl.DataFrame({"article_id": fresh_ids}).to_arrow())
                con.execute("DELETE FROM article_topics WHERE article_id IN "
                            "(SELECT article_id FROM retag_topic_articles)")
            if topic_rows:
                found = pl.DataFrame(topic_rows, schema=TOPIC_ROWS, orient="row")
                con.register("retag_topics", found.to_arrow())
                con.execute("INSERT INTO article_topics BY NAME SELECT DISTINCT ON (article_id, topic) *, "
                            "? AS run_id, ? AS matched_at FROM retag_topics", [run_id, now])
            con.register("retag_definitions", pl.DataFrame(
                definitions, schema={"kind": pl.String, "key": pl.String, "fingerprint": pl.String,
                                     "definition": pl.String}, orient="row").to_arrow())
            con.execute("""
                CREATE OR REPLACE TEMP TABLE retag_next AS
                SELECT d.kind, d.key, d.fingerprint, d.definition,
                       CASE WHEN o.fingerprint = d.fingerprint THEN o.applied_at ELSE ? END AS applied_at,
                       ? AS checked_at, ? AS run_id
                FROM retag_definitions d LEFT JOIN tag_definitions o USING (kind, key)""", [now, now, run_id])
            con.execute("DELETE FROM tag_definitions")
            con.execute("INSERT INTO tag_definitions BY NAME SELECT * FROM retag_next")
            con.execute("DROP TABLE retag_next")
    except duckdb.Error as exc:
        raise WarehouseError(f"re-tagging stored articles failed: {exc}") from exc
    counts["seconds"] = round(time.monotonic() - clock, 2)
    return counts


def retag_warehouse(settings: Any) -> tuple[str, dict[str, Any]]:
    """`mediamon reprocess --tags-only`: re-match every stored body against the configured watchlist
    and topics (no NER, no extraction), refresh the search index and the Parquet copy, and record
    a completed `runs` row whose counts say what was re-tagged. Returns (run_id, counts)."""
    import json
    import secrets

    from mediamon.warehouse import RunLock, Warehouse

    started = datetime.now(UTC)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    # The run lock, as a run takes it: the file is let go between the steps, a run must not start meanwhile.
    with RunLock(settings.warehouse_dir, settings.lock_timeout_seconds), \
            Warehouse(settings.warehouse_dir, settings.lock_timeout_seconds, settings.memory_limit) as warehouse:
        counts = {"retag": apply_definitions(warehouse, settings, run_id, force=True), "tags_only": True}
        warehouse.export_parquet()
        try:
            warehouse.con.execute(
                # Named columns: other migrations may add columns to runs.
                "INSERT INTO runs (run_id, started_at, finished_at, status, documents_in, articles_new, "
                "articles_updated, articles_unchanged, duplicates, quarantined, dq_warnings, counts, "
                "problems, sources) VALUES (?, ?, ?, 'completed', 0, 0, 0, 0, 0, 0, 0, ?, ?, ?)",
                [run_id, started, datetime.now(UTC), json.dumps(counts), [], ["reprocess --tags-only"]])
        except duckdb.Error as exc:
            raise WarehouseError(f"recording the re-tag run in {warehouse.path} failed: {exc}") from exc
    return run_id, counts["retag"]


def describe_retag(counts: dict[str, Any]) -> list[str]:
    """One line per kind of definition for the run summary: what was re-tagged and why."""
    lines = []
    watch = counts.get("watchlist")
    if watch:
        lines.append(f"watchlist re-matched on {watch['articles_checked']} stored articles "
                     f"({watch['reason']}): {watch['articles_retagged']} re-tagged, "
                     f"+{watch['mentions_added']}/-{watch['mentions_removed']} mentions")
    topics = counts.get("topics")
    if topics:
        lines.append(f"topics: {topics['matches']} matches in {topics['articles_checked']} articles checked "
                     f"({topics['reason']}); {topics['history_articles_retagged']} stored articles re-tagged")
    return lines
