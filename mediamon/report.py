"""`mediamon report`: read the warehouse (read-only) and write the offline HTML report.

The queries live here; the page is built by the pure `transforms.monitoring.report_charts`. The warehouse is
opened read-only, so a report can be written while no run is loading; while a run holds the
writer lock it waits up to `[warehouse] lock_timeout_seconds`, then fails with one line. The file
is written next to its destination and renamed into place, so a reader never sees half a page.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from mediamon.config import Settings
from mediamon.errors import MediamonError, WarehouseError
from mediamon.raise_alerts import DAY_SQL, data_days, entity_daily, has_table, rules_from, watch_entities
from mediamon.warehouse import connect
from transforms.monitoring.alert_rules import ALERT_SCHEMA, Period, Since, resolve_period
from transforms.entities.languages import PIPELINES, has_person_model
from transforms.monitoring.report_charts import ReportData, render_report

TOP_CLUSTERS = 8
TOP_STORIES = 20
FILL_PUBLISHERS = 15


@dataclass
class ReportResult:
    path: Path
    period: Period
    articles: int
    empty: bool
    note: str  # for the command line: what the page shows, or why it is the empty page


def report_path(settings: Settings, out: Path | None = None) -> Path:
    return out or settings.report.path or settings.warehouse_dir / "report.html"


def build_report(settings: Settings, since: Since | None = None, out: Path | None = None) -> ReportResult:
    """Write the report for the period `since` selects (default: the last `[report] days` days that
    have articles) to `out` (default: `[report] path`, else <warehouse>/report.html)."""
    since = since or Since(days=settings.report.days)
    target = report_path(settings, out)
    data = read_report_data(settings, since)
    _write_atomically(target, render_report(data))
    empty = data.empty_reason is not None or not data.period.days
    if data.empty_reason is not None:
        note = f"no articles yet: {data.empty_reason}"
    elif empty:
        note = f"no articles in the period ({data.period.label})"
    else:
        note = f"{data.articles} articles, {data.period.label}"
    return ReportResult(target, data.period, data.articles, empty, note)


def read_report_data(settings: Settings, since: Since) -> ReportData:
    """Everything the page shows, read in one read-only connection."""
    now = datetime.now(UTC)
    base = ReportData(generated_at=now, warehouse=str(settings.duckdb_path),
                      period=resolve_period([], since), rules=rules_from(settings))
    if not settings.duckdb_path.exists():
        base.empty_reason = f"there is no warehouse at {settings.duckdb_path} yet"
        return base
    con = connect(settings.duckdb_path, read_only=True, timeout=settings.lock_timeout_seconds)
    try:
        if not has_table(con, "articles"):
            base.empty_reason = "the warehouse has no tables yet"
            return base
        days = data_days(con)
        base.data_days = days
        base.period = period = resolve_period(days, since)
        if not days:
            base.empty_reason = "the warehouse holds no articles yet"
            return base
        if not period.days:
            return base  # render_report explains the empty period
        _fill(con, base, settings)
        return base
    except duckdb.Error as exc:
        raise WarehouseError(f"reading the report data from {settings.duckdb_path} failed: "
                             f"{str(exc).splitlines()[0]}") from exc
    finally:
        con.close()


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> pl.DataFrame:
    cur = con.execute(sql, params or [])
    columns = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if not rows:
        return pl.DataFrame(schema=columns)
    return pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)


def _fill(con: duckdb.DuckDBPyConnection, data: ReportData, settings: Settings) -> None:
    period = data.period
    days, previous = list(period.days), list(period.previous)
    # Articles of the period (and the previous one) with their day, once, as a temp view.
    con.execute(f"""CREATE OR REPLACE TEMP VIEW report_articles AS
                    SELECT a.*, {DAY_SQL} AS day, coalesce(a.publisher, a.site, '(unknown)') AS outlet
                    FROM articles a WHERE a.duplicate_of IS NULL""")
    in_days = "day IN (SELECT unnest(?::DATE[]))"
    data.articles = _scalar(con, f"SELECT count(*) FROM report_articles WHERE {in_days}", [days])
    data.previous_articles = _scalar(con, f"SELECT count(*) FROM report_articles WHERE {in_days}", [previous])
    data.volume = _frame(con, f"""SELECT day, outlet AS publisher, count(*) AS articles FROM report_articles
                                  WHERE {in_days} GROUP BY ALL ORDER BY day, publisher""", [days])
    data.entity_counts = _frame(con, f"""
        SELECT m.entity_id, coalesce(e.canonical_name, m.entity_id) AS canonical_name,
               coalesce(e.entity_type, m.entity_type) AS entity_type,
               count(*) FILTER (WHERE a.day IN (SELECT unnest(?::DATE[]))) AS mentions,
               count(*) FILTER (WHERE a.day IN (SELECT unnest(?::DATE[]))) AS previous_mentions
        FROM mentions m JOIN report_articles a USING (article_id) LEFT JOIN entities e USING (entity_id)
        WHERE a.{in_days} GROUP BY ALL""", [days, previous, days + previous])

    # Articles whose language has no person/organisation model (the ner_model_missing DQ warning), by
    # language: the page says how much of the period "nobody mentioned" cannot be told from "not tagged".
    # Articles stored before that check existed count by their language.
    with_model = [code for code in PIPELINES if has_person_model(code)]
    data.ner_coverage = _frame(con, f"""
        WITH a AS (SELECT nullif(lower(split_part(replace(language, '_', '-'), '-', 1)), '') AS lang,
                          dq_failures
                   FROM report_articles WHERE {in_days})
        SELECT coalesce(lang, '(unknown)') AS language, count(*) AS articles,
               count(*) FILTER (WHERE list_contains(coalesce(dq_failures, []), 'ner_model_missing')
                                OR (lang IS NOT NULL AND lang NOT IN (SELECT unnest(?::VARCHAR[]))))
                   AS without_model
        FROM a GROUP BY ALL ORDER BY articles DESC, language""", [days, with_model])

    watched = watch_entities(con, settings.watchlist_path)
    data.watched = watched
    if watched:
        start = days[0] - timedelta(days=data.rules.window_days)
        data.watch_daily = entity_daily(con, start, days[-1], list(watched))

    # A line per topic: the configured ones (zero when nothing matched), else those stored.
    if has_table(con, "article_topics"):
        counts = _frame(con, f"""
            SELECT t.topic, count(DISTINCT t.article_id) FILTER (WHERE a.day IN (SELECT unnest(?::DATE[])))
                       AS articles,
                   count(DISTINCT t.article_id) FILTER (WHERE a.day IN (SELECT unnest(?::DATE[])))
                       AS previous_articles,
                   count(DISTINCT a.outlet) FILTER (WHERE a.day IN (SELECT unnest(?::DATE[]))) AS outlets
            FROM article_topics t JOIN report_articles a USING (article_id)
            WHERE a.{in_days} GROUP BY ALL""", [days, previous, days, days + previous])
        found = {r["topic"]: r for r in counts.iter_rows(named=True)}
        names = [t.name for t in settings.topics] or sorted(found)
        data.topic_counts = pl.DataFrame(
            [found.get(n, {"topic": n, "articles": 0, "previous_articles": 0, "outlets": 0}) for n in names],
            schema={"topic": pl.String, "articles": pl.Int64, "previous_articles": pl.Int64,
                    "outlets": pl.Int64},
            orient="row").sort(["articles", "topic"], descending=[True, False])

    # Clusters with a member in the period, largest first: all their members, in order of publication.
    data.clusters = _frame(con, f"""
        WITH picked AS (
            SELECT DISTINCT c.cluster_id, c.cluster_size FROM article_clusters c
            JOIN report_articles a USING (article_id)
            WHERE a.{in_days} AND c.cluster_size > 1
            ORDER BY c.cluster_size DESC, c.cluster_id LIMIT {TOP_CLUSTERS})
        SELECT v.cluster_id, v.rank, v.publisher, v.title, v.url, v.published_at, v.is_original,
               p.cluster_size
        FROM v_cluster_members v JOIN picked p USING (cluster_id)
        ORDER BY p.cluster_size DESC, v.cluster_id, v.rank""", [days]) \
        if has_table(con, "article_clusters") else pl.DataFrame()

    # Runs: those started within the period's calendar span, else the latest completed one.
    runs_sql = """SELECT run_id, started_at, documents_in,
                         coalesce(articles_new, 0) + coalesce(articles_updated, 0)
                             + coalesce(articles_unchanged, 0) + coalesce(duplicates, 0) AS articles,
                         quarantined, dq_warnings
                  FROM runs WHERE status = 'completed' {where} ORDER BY started_at"""
    runs = _frame(con, runs_sql.format(
        where="AND CAST(timezone('UTC', started_at) AS DATE) BETWEEN ? AND ?"), [days[0], days[-1]])
    if runs.is_empty():
        runs = _frame(con, runs_sql.format(where="AND started_at = (SELECT max(started_at) FROM runs "
                                                 "WHERE status = 'completed')"))
    data.runs = runs
    # Data quality of the period's documents, each counted once however many runs saw it: the
    # stored rows (an article on its day, a quarantine row on the day it was last quarantined),
    # not the runs' counters, which count a document again on every re-run.
    in_span = "CAST(timezone('UTC', quarantined_at) AS DATE) BETWEEN ? AND ?"
    doc_articles = f"SELECT a.dq_failures FROM articles a WHERE {DAY_SQL} IN (SELECT unnest(?::DATE[]))"
    articles_n = _scalar(con, f"SELECT count(*) FROM ({doc_articles})", [days])
    quarantined_n = _scalar(con, f"SELECT count(*) FROM quarantine WHERE {in_span}", [days[0], days[-1]])
    warnings_n = _scalar(con, f"SELECT coalesce(sum(len(dq_failures)), 0) FROM ({doc_articles})", [days])
    data.dq_totals = {"documents in": articles_n + quarantined_n, "articles": articles_n,
                      "quarantined": quarantined_n, "DQ warnings": warnings_n}
    data.quarantine_reasons = _frame(con, f"""
        SELECT reason, count(*) AS documents FROM (
            SELECT unnest(reasons) AS reason FROM quarantine WHERE {in_span})
        GROUP BY ALL ORDER BY documents DESC, reason LIMIT 15""", [days[0], days[-1]])
    data.dq_checks = _frame(con, f"""
        SELECT check_name AS expectation, 'warning' AS severity, count(*) AS warnings
        FROM (SELECT unnest(dq_failures) AS check_name FROM ({doc_articles}))
        GROUP BY ALL ORDER BY warnings DESC, expectation""", [days])

    # Fill rates per publisher (all stored rows, as v_publisher_daily: they measure extraction).
    data.fill_rates = _frame(con, f"""
        WITH a AS (
            SELECT coalesce(a.publisher, a.site, '(unknown)') AS publisher, {DAY_SQL} AS day, a.published_at,
                   len(coalesce(a.authors, [])) > 0 AS has_author, coalesce(a.word_count, 0) >= 50 AS has_body
            FROM articles a),
        cur AS (SELECT publisher, count(*) AS articles, avg(CASE WHEN published_at IS NULL THEN 0 ELSE 1 END)
                           AS date_rate, avg(has_author::INT) AS author_rate, avg(has_body::INT) AS body_rate
                FROM a WHERE day IN (SELECT unnest(?::DATE[])) GROUP BY publisher),
        prev AS (SELECT publisher, count(*) AS previous_articles,
                        avg(CASE WHEN published_at IS NULL THEN 0 ELSE 1 END) AS previous_date_rate,
                        avg(has_author::INT) AS previous_author_rate, avg(has_body::INT) AS previous_body_rate
                 FROM a WHERE day IN (SELECT unnest(?::DATE[])) GROUP BY publisher)
        SELECT cur.*, prev.* EXCLUDE (publisher) FROM cur LEFT JOIN prev USING (publisher)
        ORDER BY articles DESC, publisher LIMIT {FILL_PUBLISHERS}""", [days, previous])

    # Stories: one per cluster (its original or earliest member), by outlets carrying it, then mentions.
    data.stories = _frame(con, f"""
        WITH pa AS (SELECT a.article_id, a.title, a.url, a.outlet, a.day, a.published_at,
                           coalesce(c.cluster_id, a.article_id) AS cluster_id,
                           coalesce(c.is_original, true) AS orig
                    FROM report_articles a LEFT JOIN article_clusters c USING (article_id) WHERE a.{in_days}),
        reach AS (SELECT coalesce(c.cluster_id, a.article_id) AS cluster_id,
                         count(DISTINCT a.outlet) AS outlets
                  FROM report_articles a LEFT JOIN article_clusters c USING (article_id) GROUP BY 1),
        lead AS (SELECT cluster_id,
                        arg_min(article_id, (CASE WHEN orig THEN 0 ELSE 1 END, published_at, article_id))
                            AS article_id
                 FROM pa GROUP BY cluster_id),
        ment AS (SELECT m.article_id, count(*) AS mentions FROM mentions m
                 WHERE m.article_id IN (SELECT article_id FROM lead) GROUP BY 1),
        top_ent AS (SELECT article_id,
                           string_agg(canonical_name, ', ' ORDER BY n DESC, canonical_name) AS entities
                    FROM (SELECT *, row_number() OVER (PARTITION BY article_id
                                                       ORDER BY n DESC, canonical_name) AS r
                          FROM (SELECT m.article_id,
                                       coalesce(e.canonical_name, m.entity_id) AS canonical_name,
                                       count(*) AS n
                                FROM mentions m LEFT JOIN entities e USING (entity_id)
                                WHERE m.article_id IN (SELECT article_id FROM lead) GROUP BY 1, 2))
                    WHERE r <= 4 GROUP BY article_id)
        SELECT pa.title, pa.url, pa.outlet AS publisher, pa.day, reach.outlets,
               coalesce(ment.mentions, 0) AS mentions, coalesce(top_ent.entities, '') AS entities
        FROM lead JOIN pa USING (article_id) JOIN reach ON reach.cluster_id = lead.cluster_id
        LEFT JOIN ment USING (article_id) LEFT JOIN top_ent USING (article_id)
        ORDER BY reach.outlets DESC, mentions DESC, pa.day DESC, pa.title LIMIT {TOP_STORIES}""", [days])

    if has_table(con, "alerts"):
        alerts = _frame(con, """SELECT entity_id, day, kind, canonical_name, entity_type, mentions, outlets,
                                       baseline_median, baseline_mad, threshold, detail
                                FROM alerts WHERE day BETWEEN ? AND ?
                                ORDER BY day DESC, kind, mentions DESC LIMIT 50""",
                        [days[0], days[-1]])
        data.alerts = alerts if not alerts.is_empty() else pl.DataFrame(schema=ALERT_SCHEMA)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> int:
    row = con.execute(sql, params).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _write_atomically(target: Path, text: str) -> None:
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is for sharing
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise MediamonError(f"cannot write the report to {target}: {exc.strerror or exc}") from exc
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
