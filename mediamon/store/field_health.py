"""Storing per-site field health (`field_health`, `field_health_drops`): which days need it
recomputed, what transforms/monitoring/field_health.py needs for that, and writing its result."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import polars as pl

from mediamon.sql import query_frame, transaction
from transforms.monitoring.field_health import BASELINE_DAYS


def changed_days(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Days (`seen_date`) whose articles changed since the last completed run."""
    # Since the last completed run: a killed run's committed chunks are counted by the re-run.
    return [r[0] for r in con.execute("""
        SELECT DISTINCT seen_date FROM articles
        WHERE updated_at >= coalesce((SELECT min(started_at) FROM runs WHERE status <> 'completed'
            AND started_at > coalesce((SELECT max(started_at) FROM runs WHERE status = 'completed'),
                                      TIMESTAMPTZ '1970-01-01')), now())
        ORDER BY 1""").fetchall()]


def _register_days(con: duckdb.DuckDBPyConnection, days: list[date]) -> None:
    con.register("health_days", pl.Series("day", days, dtype=pl.Date).to_frame().to_arrow())


def health_inputs(con: duckdb.DuckDBPyConnection, days: list[date]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The articles of `days` (originals only) and the stored fill rates of the BASELINE_DAYS before them."""
    _register_days(con, days)
    try:
        articles = query_frame(con, """
            SELECT site, publisher, seen_date, published_at, authors, title, word_count FROM articles
            WHERE duplicate_of IS NULL AND seen_date IN (SELECT day FROM health_days)""")
        past = query_frame(con, """
            SELECT site, day, field, CAST(articles AS BIGINT) AS articles,
                   CAST(filled AS BIGINT) AS filled, rate
            FROM field_health WHERE day >= ? AND day NOT IN (SELECT day FROM health_days)""",
            [min(days) - timedelta(days=BASELINE_DAYS)])
    finally:
        con.unregister("health_days")
    return articles, past


def store_health(con: duckdb.DuckDBPyConnection, days: list[date], rates: pl.DataFrame, drops: pl.DataFrame,
                 run_id: str) -> None:
    """Replace the rates and drops of `days` with these, in one transaction."""
    now = datetime.now(UTC)
    _register_days(con, days)
    con.register("health_rates", rates.with_columns(updated_at=pl.lit(now)).to_arrow())
    con.register("health_drops", drops.with_columns(run_id=pl.lit(run_id), detected_at=pl.lit(now)).to_arrow())
    with transaction(con, ("health_days", "health_rates", "health_drops")):
        con.execute("DELETE FROM field_health WHERE day IN (SELECT day FROM health_days)")
        con.execute("INSERT INTO field_health BY NAME SELECT * FROM health_rates")
        con.execute("DELETE FROM field_health_drops WHERE day IN (SELECT day FROM health_days)")
        con.execute("INSERT INTO field_health_drops BY NAME SELECT * FROM health_drops")
