"""Alert rules and report periods: pure functions on polars frames (no I/O).

Days are UTC calendar days on which stories were published (the day mediamon first saw a story
when the page gave no date, and never later than that). A *data day* is a day on which the
warehouse holds at least one article: days without any article are outages or gaps in a
back-filled corpus, not silence, so they are skipped in periods and baselines.

Two rules (thresholds in `AlertRules`, configured under `[alerts]`):

- **spike** (watchlist entities): the day's mentions are at least `min_mentions` and above
  ``median + mad_multiplier * max(1.4826 * MAD, 1)`` of the entity's mentions over the data days
  of the `window_days` calendar days before (zero on data days without a mention). The 1.4826
  factor makes the MAD comparable to a standard deviation; the floor of one mention keeps a
  perfectly flat baseline (MAD = 0) from firing on a single extra mention. Fewer than
  `min_history_days` data days in the window: not judged.
- **new_entity** (any entity): mentioned for the first time ever, by more than
  `new_entity_outlets` outlets on that day, once the warehouse holds `min_history_days` data days
  before it (on a fresh warehouse everything is new).

An alert is keyed by (entity_id, day, kind): it fires once (`new_alerts`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

import polars as pl

MAD_SCALE = 1.4826  # MAD * 1.4826 estimates the standard deviation of normally distributed counts
MAD_FLOOR = 1.0  # mentions: the smallest spread a baseline is given, so a flat series needs a real jump

DAILY_SCHEMA = {"entity_id": pl.String, "canonical_name": pl.String, "entity_type": pl.String,
                "day": pl.Date, "mentions": pl.Int64, "articles": pl.Int64, "outlets": pl.Int64,
                "first_day": pl.Date}
ALERT_SCHEMA = {"entity_id": pl.String, "day": pl.Date, "kind": pl.String, "canonical_name": pl.String,
                "entity_type": pl.String, "mentions": pl.Int64, "outlets": pl.Int64,
                "baseline_median": pl.Float64, "baseline_mad": pl.Float64, "threshold": pl.Float64,
                "detail": pl.String}


@dataclass(frozen=True)
class AlertRules:
    """The thresholds of both rules (see the module docstring)."""

    window_days: int = 28
    min_mentions: int = 5
    mad_multiplier: float = 3.0
    min_history_days: int = 7
    new_entity_outlets: int = 3


@dataclass(frozen=True)
class Baseline:
    days: int  # data days in the window
    median: float
    mad: float
    threshold: float


# -- periods ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Since:
    """`--since`: the last `days` data days, or every day from `start` on."""

    days: int | None = None
    start: date | None = None


@dataclass(frozen=True)
class Period:
    """The days a report or an alert check covers, and the period before it (for changes)."""

    days: tuple[date, ...]  # data days, oldest first
    previous: tuple[date, ...]  # the data days of the period before, oldest first
    label: str  # for people: "7 days with articles, 2024-05-01 – 2024-05-08"

    @property
    def start(self) -> date | None:
        return self.days[0] if self.days else None

    @property
    def end(self) -> date | None:
        return self.days[-1] if self.days else None


_SINCE_DAYS = re.compile(r"(\d{1,4})\s*d(ays?)?", re.IGNORECASE)


def parse_since(text: str) -> Since:
    """`7d` (the last 7 days that have articles) or `YYYY-MM-DD`; ValueError with the fix otherwise."""
    value = text.strip()
    match = _SINCE_DAYS.fullmatch(value)
    if match:
        days = int(match.group(1))
        if days < 1:
            raise ValueError(f"--since {text!r}: give at least 1d")
        return Since(days=days)
    try:
        return Since(start=date.fromisoformat(value))
    except ValueError:
        raise ValueError(f"--since {text!r}: expected a number of days such as 7d, or a date such as "
                         "2024-05-01") from None


def resolve_period(data_days: Iterable[date], since: Since) -> Period:
    """The period `since` selects among `data_days` (the days that have articles).

    `Nd` is relative to the newest data, not to today, so a warehouse that was not updated for a
    while (or a back-filled corpus) still shows its last N days with articles; the previous period
    is the N data days before those. A date selects every data day from it on; the previous
    period is the data days in the same number of calendar days before it.
    """
    ordered = sorted(set(data_days))
    if since.days is not None:
        days = ordered[-since.days:]
        previous = ordered[-2 * since.days:-since.days] if len(ordered) > since.days else []
    else:
        assert since.start is not None
        days = [d for d in ordered if d >= since.start]
        span = ((days[-1] - since.start).days + 1) if days else 1
        previous = [d for d in ordered if since.start - timedelta(days=span) <= d < since.start]
    if not days:
        label = f"no articles since {since.start.isoformat()}" if since.start else "no articles yet"
    else:
        calendar = (days[-1] - days[0]).days + 1
        gaps = " (days without articles skipped)" if calendar > len(days) else ""
        span_text = (days[0].isoformat() if len(days) == 1
                     else f"{days[0].isoformat()} – {days[-1].isoformat()}")
        label = f"{len(days)} day{'s' if len(days) != 1 else ''} with articles, {span_text}{gaps}"
    return Period(tuple(days), tuple(previous), label)


# -- the rules ---------------------------------------------------------------------------------

def baseline(counts: Sequence[int | float], rules: AlertRules) -> Baseline:
    """Median, MAD and the spike threshold of a series of daily mention counts."""
    if not counts:
        return Baseline(0, 0.0, 0.0, rules.mad_multiplier * MAD_FLOOR)
    mid = float(median(counts))
    mad = float(median(abs(c - mid) for c in counts))
    return Baseline(len(counts), mid, mad, mid + rules.mad_multiplier * max(MAD_SCALE * mad, MAD_FLOOR))


def evaluate_alerts(daily: pl.DataFrame, data_days: Iterable[date], days: Iterable[date],
                    watch_ids: Collection[str], rules: AlertRules) -> pl.DataFrame:
    """Alerts the rules raise on `days` (rows of `ALERT_SCHEMA`, by day, kind, entity).

    `daily`: one row per entity and day (`DAILY_SCHEMA`; `first_day` is the entity's first day
    with a mention in the whole warehouse), covering at least the `window_days` before each judged
    day. `data_days`: every day with articles. `watch_ids`: entity ids the spike rule watches.
    """
    all_days = sorted(set(data_days))
    judged = sorted(set(days))
    rows: list[dict[str, object]] = []
    if daily.is_empty() or not judged:
        return pl.DataFrame(schema=ALERT_SCHEMA)
    by_entity: dict[str, dict[date, dict[str, object]]] = {}
    for row in daily.iter_rows(named=True):
        by_entity.setdefault(str(row["entity_id"]), {})[row["day"]] = row
    for day in judged:
        history = [d for d in all_days if day - timedelta(days=rules.window_days) <= d < day]
        enough_history = len(history) >= rules.min_history_days
        if not enough_history:
            continue
        for entity_id in sorted(watch_ids):
            series = by_entity.get(entity_id, {})
            today = series.get(day)
            mentions = int(today["mentions"]) if today else 0  # type: ignore[call-overload]
            if today is None or mentions < rules.min_mentions:
                continue
            base = baseline([int(series[d]["mentions"]) if d in series else 0  # type: ignore[call-overload]
                             for d in history], rules)
            if mentions > base.threshold:
                unit = "articles" if today["entity_type"] == "TOPIC" else "mentions"  # [[topics]]: articles
                rows.append(_alert(today, "spike", base,
                                   f"{mentions} {unit} vs a median of {base.median:g} (MAD {base.mad:g}) "
                                   f"over {base.days} days with articles; threshold {base.threshold:.1f}"))
        earlier_days = sum(1 for d in all_days if d < day)
        if earlier_days < rules.min_history_days:
            continue
        for series in by_entity.values():
            today = series.get(day)
            if today is None or today["first_day"] != day:
                continue
            outlets = int(today["outlets"])  # type: ignore[call-overload]
            if outlets > rules.new_entity_outlets:
                rows.append(_alert(today, "new_entity", None,
                                   f"first mentioned ever, by {outlets} outlets "
                                   f"(more than {rules.new_entity_outlets})"))
    if not rows:
        return pl.DataFrame(schema=ALERT_SCHEMA)
    return pl.DataFrame(rows, schema=ALERT_SCHEMA).sort(["day", "kind", "mentions", "entity_id"],
                                                        descending=[False, False, True, False])


def _alert(row: dict[str, object], kind: str, base: Baseline | None, detail: str) -> dict[str, object]:
    return {"entity_id": row["entity_id"], "day": row["day"], "kind": kind,
            "canonical_name": row["canonical_name"], "entity_type": row["entity_type"],
            "mentions": row["mentions"], "outlets": row["outlets"],
            "baseline_median": base.median if base else None, "baseline_mad": base.mad if base else None,
            "threshold": base.threshold if base else None, "detail": detail}


def new_alerts(candidates: pl.DataFrame, fired: Collection[tuple[str, date, str]]) -> pl.DataFrame:
    """The candidates whose (entity_id, day, kind) has not fired before: each alert fires once."""
    if candidates.is_empty():
        return candidates
    keep = [(e, d, k) not in fired for e, d, k in
            candidates.select("entity_id", "day", "kind").iter_rows()]
    return candidates.filter(pl.Series(keep, dtype=pl.Boolean)).unique(
        ["entity_id", "day", "kind"], keep="first", maintain_order=True)
