"""`mediamon alerts`: judge the newest days against the rules, store new alerts, POST them to a webhook.

The rules themselves are pure (`transforms.monitoring.alert_rules`); this module reads the warehouse, writes the
`alerts` table (one row per entity, day and kind, so an alert fires once) and delivers new alerts
with httpx. Delivery is at least once: alerts are stored as 'pending' first, the warehouse is
released while the webhook is called (retries with backoff must not hold up a run), and alerts
whose delivery failed are sent again by the next `mediamon alerts`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import polars as pl

from mediamon.config import Settings
from mediamon.errors import AlertDeliveryError, WarehouseError
from mediamon.warehouse import Warehouse
from sources.http_rules import RetryPolicy, retry_after_seconds
from transforms.monitoring.alert_rules import (
    ALERT_SCHEMA,
    DAILY_SCHEMA,
    AlertRules,
    Period,
    Since,
    evaluate_alerts,
    new_alerts,
    resolve_period,
)
from transforms.entities.tagging import entity_id_for
from transforms.entities.watchlist import load_watchlist


# The day a story counts on: its publication day as the outlet printed it (published_date), the UTC
# day mediamon first saw it when the page gave no date, and never later than that (a wrong future
# date must not become "the newest day"; a day east of UTC may run one calendar day ahead of it).
DAY_SQL = ("least(coalesce(a.published_date, CAST(timezone('UTC', a.first_seen_at) AS DATE)), "
           "CAST(timezone('UTC', a.first_seen_at) AS DATE) + 1)")

MAX_BACKOFF_SECONDS = 60.0


def rules_from(settings: Settings) -> AlertRules:
    a = settings.alerts
    return AlertRules(window_days=a.window_days, min_mentions=a.min_mentions, mad_multiplier=a.mad_multiplier,
                      min_history_days=a.min_history_days, new_entity_outlets=a.new_entity_outlets)


# -- reads shared with the report ------------------------------------------------------------------

def data_days(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Every day that has at least one (non-duplicate) article, oldest first."""
    rows = con.execute(f"SELECT DISTINCT {DAY_SQL} AS day FROM articles a WHERE a.duplicate_of IS NULL "
                       "ORDER BY day").fetchall()
    return [r[0] for r in rows]


def entity_daily(con: duckdb.DuckDBPyConnection, start: date, end: date,
                 entity_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """Mentions, articles and outlets per entity and day from `start` to `end` (`DAILY_SCHEMA`),
    with each entity's first day in the whole warehouse; only `entity_ids` when given."""
    only = "AND d.entity_id IN (SELECT unnest(?))" if entity_ids is not None else ""
    params: list[Any] = [start, end] + ([list(entity_ids)] if entity_ids is not None else [])
    rows = con.execute(f"""
        WITH m AS (
            SELECT m.entity_id, {DAY_SQL} AS day, m.article_id,
                   coalesce(a.publisher, a.site, '(unknown)') AS outlet
            FROM mentions m JOIN articles a USING (article_id)
            WHERE a.duplicate_of IS NULL),
        first AS (SELECT entity_id, min(day) AS first_day FROM m GROUP BY entity_id),
        d AS (SELECT entity_id, day, count(*) AS mentions, count(DISTINCT article_id) AS articles,
                     count(DISTINCT outlet) AS outlets
              FROM m WHERE day BETWEEN ? AND ? GROUP BY entity_id, day)
        SELECT d.entity_id, coalesce(e.canonical_name, d.entity_id), coalesce(e.entity_type, ''), d.day,
               d.mentions, d.articles, d.outlets, f.first_day
        FROM d JOIN first f USING (entity_id) LEFT JOIN entities e USING (entity_id)
        WHERE true {only}
        ORDER BY d.day, d.entity_id""", params).fetchall()
    return pl.DataFrame(rows, schema=DAILY_SCHEMA, orient="row")


TOPIC_PREFIX = "topic:"  # alerts on [[topics]] use entity_id "topic:<name>" and entity_type "TOPIC"


def topic_daily(con: duckdb.DuckDBPyConnection, start: date, end: date) -> pl.DataFrame:
    """Articles and outlets per [[topics]] entry and day (`DAILY_SCHEMA`; `mentions` = articles), so the
    spike rule judges topics like watchlist entities. A topic is never "new": first_day is 1970-01-01."""
    if not has_table(con, "article_topics"):
        return pl.DataFrame(schema=DAILY_SCHEMA)
    rows = con.execute(f"""
        SELECT ? || t.topic, t.topic, 'TOPIC', {DAY_SQL} AS day, count(DISTINCT t.article_id),
               count(DISTINCT t.article_id), count(DISTINCT coalesce(a.publisher, a.site, '(unknown)')),
               DATE '1970-01-01'
        FROM article_topics t JOIN articles a USING (article_id)
        WHERE a.duplicate_of IS NULL AND {DAY_SQL} BETWEEN ? AND ?
        GROUP BY ALL ORDER BY day, 1""", [TOPIC_PREFIX, start, end]).fetchall()
    return pl.DataFrame(rows, schema=DAILY_SCHEMA, orient="row")


def watch_topics(con: duckdb.DuckDBPyConnection, topics: Sequence[Any]) -> dict[str, str]:
    """alert id -> name of the topics judged for spikes: the configured ones, else those stored."""
    if topics:
        return {TOPIC_PREFIX + t.name: t.name for t in topics}
    if not has_table(con, "article_topics"):
        return {}
    stored = con.execute("SELECT DISTINCT topic FROM article_topics").fetchall()
    return {TOPIC_PREFIX + r[0]: r[0] for r in stored}


def watch_entities(con: duckdb.DuckDBPyConnection, watchlist_path: Path | None) -> dict[str, str]:
    """entity_id -> name of the watched entities: the configured watchlist's, else every entity the
    warehouse has watchlist mentions of (a warehouse filled under another config)."""
    if watchlist_path is not None:
        return {entity_id_for(e.name, e.entity_type, e.external_id): e.name
                for e in load_watchlist(watchlist_path).entities}
    rows = con.execute("""SELECT DISTINCT m.entity_id, coalesce(e.canonical_name, m.entity_id)
                          FROM mentions m LEFT JOIN entities e USING (entity_id)
                          WHERE m.source = 'watchlist' ORDER BY 2""").fetchall()
    return {r[0]: r[1] for r in rows}


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
                      "AND table_name = ?", [name]).fetchone()
    return bool(row and row[0])


# -- the command -------------------------------------------------------------------------------------

@dataclass
class AlertsOutcome:
    period: Period
    fired: pl.DataFrame  # the alerts that fired now (ALERT_SCHEMA)
    watched: int  # watchlist entities judged for spikes
    topics: int = 0  # [[topics]] judged for spikes
    not_judged: list[str] = field(default_factory=list)  # days with too little history, as sentences
    delivered: int = 0  # alerts the webhook took (new and earlier failed ones)
    delivery_error: str | None = None


def run_alerts(settings: Settings, since: Since | None = None, *,
               sleep: Callable[[float], None] = time.sleep, backoff_seconds: float = 1.0) -> AlertsOutcome:
    """Judge the days `since` selects (default: the newest day with articles), store the alerts that
    fire for the first time and POST them (plus earlier undelivered ones) to `[alerts] webhook`."""
    if not settings.duckdb_path.exists():
        raise WarehouseError(f"no warehouse at {settings.duckdb_path}; run `mediamon run` first")
    rules = rules_from(settings)
    webhook = settings.alerts.webhook
    with Warehouse(settings.warehouse_dir, settings.lock_timeout_seconds) as warehouse:
        con = warehouse.con
        days = data_days(con)
        period = resolve_period(days, since or Since(days=1))
        watched = watch_entities(con, settings.watchlist_path)
        topics = watch_topics(con, settings.topics)
        fired = pl.DataFrame(schema=ALERT_SCHEMA)
        not_judged = []
        if period.days:
            start = period.days[0] - timedelta(days=rules.window_days)
            daily = pl.concat([entity_daily(con, start, period.days[-1]),
                               topic_daily(con, start, period.days[-1])])
            candidates = evaluate_alerts(daily, days, period.days, set(watched) | set(topics), rules)
            done = {(e, d, k) for e, d, k in con.execute(
                "SELECT entity_id, day, kind FROM alerts WHERE day BETWEEN ? AND ?",
                [period.days[0], period.days[-1]]).fetchall()}
            fired = new_alerts(candidates, done)
            for day in period.days:
                history = sum(1 for d in days if day - timedelta(days=rules.window_days) <= d < day)
                if history < rules.min_history_days:
                    not_judged.append(f"{day.isoformat()}: {history} day{'s' if history != 1 else ''} with "
                                      f"articles in the {rules.window_days} days before (needs "
                                      f"{rules.min_history_days})")
            _store(con, fired, "pending" if webhook else "none")
        to_send = _undelivered(con) if webhook else []
    outcome = AlertsOutcome(period=period, fired=fired, watched=len(watched), not_judged=not_judged,
                            topics=len(topics))
    if not to_send:
        return outcome
    keys = [(a["entity_id"], date.fromisoformat(a["day"]), a["kind"]) for a in to_send]
    try:
        deliver_webhook(webhook, to_send, timeout=settings.alerts.webhook_timeout_seconds,
                        tries=settings.alerts.webhook_tries, sleep=sleep, backoff_seconds=backoff_seconds)
    except AlertDeliveryError as exc:
        outcome.delivery_error = str(exc)
        _mark(settings, keys, "failed", str(exc))
        return outcome
    outcome.delivered = len(to_send)
    _mark(settings, keys, "sent", None)
    return outcome


def _store(con: duckdb.DuckDBPyConnection, fired: pl.DataFrame, status: str) -> None:
    if fired.is_empty():
        return
    now = datetime.now(UTC)
    con.register("incoming_alerts", fired.to_arrow())
    try:
        con.execute("""INSERT OR IGNORE INTO alerts BY NAME
                       SELECT *, ? AS created_at, ? AS webhook_status FROM incoming_alerts""", [now, status])
    finally:
        con.unregister("incoming_alerts")


def _undelivered(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute("""SELECT entity_id, day, kind, canonical_name, entity_type, mentions, outlets,
                                baseline_median, baseline_mad, threshold, detail
                         FROM alerts WHERE webhook_status IN ('pending', 'failed')
                         ORDER BY day, kind, entity_id""")
    columns = [d[0] for d in cur.description]
    return [alert_json(dict(zip(columns, row, strict=True))) for row in cur.fetchall()]


def _mark(settings: Settings, keys: list[tuple[str, date, str]], status: str, error: str | None) -> None:
    """Record the delivery; if a run holds the warehouse now, the alerts stay 'pending' and are sent
    again next time (the receiver can tell repeats by the Idempotency-Key header)."""
    try:
        with Warehouse(settings.warehouse_dir, settings.lock_timeout_seconds) as warehouse:
            warehouse.con.executemany(
                "UPDATE alerts SET webhook_status = ?, webhook_error = ?, delivered_at = ? "
                "WHERE entity_id = ? AND day = ? AND kind = ?",
                [(status, error, datetime.now(UTC) if status == "sent" else None, e, d, k)
                 for e, d, k in keys])
    except WarehouseError:
        pass


def alert_json(row: dict[str, Any]) -> dict[str, Any]:
    """One alert as the webhook (and `--format json`) shows it."""
    return {"entity_id": row["entity_id"], "entity": row["canonical_name"], "entity_type": row["entity_type"],
            "day": row["day"].isoformat() if isinstance(row["day"], date) else row["day"],
            "kind": row["kind"],
            "mentions": row["mentions"], "outlets": row["outlets"], "baseline_median": row["baseline_median"],
            "baseline_mad": row["baseline_mad"], "threshold": row["threshold"], "detail": row["detail"]}


def format_alert(a: dict[str, Any]) -> str:
    kind = "spike" if a["kind"] == "spike" else "new entity"
    outlets = f"{a['outlets']} outlet{'s' if a['outlets'] != 1 else ''}"
    return (f"{a['day']}  {kind:<10}  {a['entity']} ({a['entity_type']}): {a['mentions']} mentions, "
            f"{outlets}. {a['detail']}")


# -- delivery ------------------------------------------------------------------------------------------

def webhook_payload(alerts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The JSON body: the alerts, plus a `text` summary that chat webhooks (Slack, Mattermost) show."""
    lines = [f"mediamon: {len(alerts)} alert{'s' if len(alerts) != 1 else ''}"]
    lines += ["• " + format_alert(a) for a in alerts[:20]]
    if len(alerts) > 20:
        lines.append(f"… and {len(alerts) - 20} more")
    return {"source": "mediamon", "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "count": len(alerts), "alerts": list(alerts), "text": "\n".join(lines)}


def deliver_webhook(url: str, alerts: Sequence[dict[str, Any]], *, timeout: float = 10.0, tries: int = 3,
                    sleep: Callable[[float], None] = time.sleep, backoff_seconds: float = 1.0) -> int:
    """POST `alerts` as one JSON document; timeouts, connection errors, 429 and 5xx are tried again
    under the fetcher's `RetryPolicy` (jittered exponential backoff, Retry-After up to a minute).
    Returns the HTTP status; AlertDeliveryError after the last try or on another 4xx."""
    payload = webhook_payload(alerts)
    keys = json.dumps([[a["entity_id"], a["day"], a["kind"]] for a in alerts])
    key = hashlib.sha256(keys.encode()).hexdigest()
    headers = {"Idempotency-Key": key[:32], "User-Agent": "mediamon alerts"}
    policy = RetryPolicy(tries=max(1, tries), base=backoff_seconds, cap=MAX_BACKOFF_SECONDS)
    last, attempt = "", 0
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for attempt in range(1, policy.tries + 1):
            retry_after = None
            try:
                response = client.post(url, json=payload, headers=headers)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                if response.is_success:
                    return response.status_code
                last = f"HTTP {response.status_code}"
                if not policy.retryable(response.status_code):
                    raise AlertDeliveryError(
                        f"webhook {url} refused {len(alerts)} alert(s) with {last}; they are kept and sent "
                        "again by the next `mediamon alerts` (check [alerts] webhook)")
                retry_after = retry_after_seconds(response.headers.get("retry-after"))
            if attempt == policy.tries:
                break
            wait = policy.wait(attempt, retry_after)
            if wait is None:
                last += f", server asked to wait {retry_after:.0f} s"
                break
            sleep(wait)
    raise AlertDeliveryError(
        f"webhook {url} failed after {attempt} {'try' if attempt == 1 else 'tries'} ({last}); {len(alerts)} "
        "alert(s) are kept and sent again by the next `mediamon alerts`")
