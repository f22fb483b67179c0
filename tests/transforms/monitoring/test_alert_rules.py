"""The alert rules and report periods (transforms/monitoring/alert_rules.py): small tables of counts in, alerts out."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from transforms.monitoring.alert_rules import (
    ALERT_SCHEMA,
    DAILY_SCHEMA,
    AlertRules,
    Since,
    baseline,
    evaluate_alerts,
    new_alerts,
    parse_since,
    resolve_period,
)

DAY = date(2024, 5, 29)
RULES = AlertRules(window_days=28, min_mentions=5, mad_multiplier=3.0, min_history_days=7,
                   new_entity_outlets=3)


def daily_rows(entity_id: str, counts: dict[date, int], outlets: int = 1, first_day: date | None = None
               ) -> list[dict[str, object]]:
    first = first_day or min(d for d, n in counts.items() if n)
    return [{"entity_id": entity_id, "canonical_name": entity_id.title(), "entity_type": "ORG", "day": d,
             "mentions": n, "articles": n, "outlets": outlets, "first_day": first}
            for d, n in sorted(counts.items()) if n]


def history(values: list[int], today: int) -> dict[date, int]:
    """`values` on the len(values) days before DAY (oldest first), then `today` on DAY."""
    days = {DAY - timedelta(days=len(values) - i): v for i, v in enumerate(values)}
    return {**days, DAY: today}


def every_day(days: int = 40) -> list[date]:
    return [DAY - timedelta(days=i) for i in range(days)]


def spikes(counts: dict[date, int], data_days: list[date] | None = None, rules: AlertRules = RULES,
           watched: bool = True) -> pl.DataFrame:
    daily = pl.DataFrame(daily_rows("acme", counts), schema=DAILY_SCHEMA)
    return evaluate_alerts(daily, data_days or every_day(), [DAY], {"acme"} if watched else set(), rules)


@pytest.mark.parametrize("values, today, fires", [
    pytest.param([0] * 28, 3, False, id="tiny-numbers-below-min-mentions"),
    pytest.param([1, 0, 2, 1] * 7, 4, False, id="four-mentions-never-fire"),
    pytest.param([2, 1, 3, 2] * 7, 20, True, id="clear-spike"),
    pytest.param([10, 14] * 14, 18, False, id="within-the-noise"),
    pytest.param([10, 14] * 14, 25, True, id="above-median-plus-3-mad"),
    pytest.param([10] * 28, 12, False, id="mad-zero-small-rise-needs-more-than-the-floor"),
    pytest.param([10] * 28, 14, True, id="mad-zero-rise-above-median-plus-k"),
    pytest.param([0] * 28, 5, True, id="mad-zero-from-silence-to-min-mentions"),
    pytest.param([5] * 28, 5, False, id="usual-level-is-no-spike"),
])
def test_spike_rule(values: list[int], today: int, fires: bool) -> None:
    found = spikes(history(values, today))
    assert (found.height == 1) is fires
    if fires:
        alert = found.row(0, named=True)
        assert (alert["kind"], alert["day"], alert["mentions"]) == ("spike", DAY, today)
        assert alert["mentions"] > alert["threshold"]
        assert "median" in alert["detail"]


def test_baseline_numbers() -> None:
    b = baseline([10, 14] * 14, RULES)
    assert (b.days, b.median, b.mad) == (28, 12.0, 2.0)
    assert b.threshold == pytest.approx(12 + 3 * 1.4826 * 2)
    flat = baseline([7] * 10, RULES)
    assert (flat.mad, flat.threshold) == (0.0, 10.0)  # median + k * floor of one mention


def test_only_watched_entities_spike() -> None:
    assert spikes(history([0] * 28, 30), watched=False).is_empty()


def test_not_enough_history_is_not_judged() -> None:
    counts = history([0] * 28, 30)
    few_days = [DAY] + [DAY - timedelta(days=i) for i in range(1, 6)]  # 5 days with articles before DAY
    assert spikes(counts, few_days).is_empty()
    assert spikes(counts, few_days, AlertRules(min_history_days=5)).height == 1


def test_days_without_any_article_are_not_zero_mentions() -> None:
    # 10 mentions on every day that has articles; the days between are an outage, not silence.
    data_days = [DAY - timedelta(days=2 * i) for i in range(14)]
    counts = {d: 10 for d in data_days if d != DAY} | {DAY: 12}
    assert spikes(counts, data_days).is_empty()
    # Counting the outage days as zero mentions would have made 12 look like a spike.
    assert spikes(counts, every_day(28)).height == 1


def test_baseline_window_is_the_configured_days() -> None:
    # A long busy period before the last 28 days is outside the window and does not raise the baseline.
    counts = {DAY - timedelta(days=29 + i): 10 for i in range(50)} | history([1] * 28, 9)
    assert spikes(counts, every_day(80)).height == 1
    assert spikes(counts, every_day(80), AlertRules(window_days=80)).is_empty()


@pytest.mark.parametrize("outlets, seen_before, data_days, fires", [
    pytest.param(4, False, 30, True, id="new-in-more-than-3-outlets"),
    pytest.param(3, False, 30, False, id="new-in-exactly-3-outlets"),
    pytest.param(6, True, 30, False, id="seen-before"),
    pytest.param(6, False, 3, False, id="fresh-warehouse-everything-is-new"),
])
def test_new_entity_rule(outlets: int, seen_before: bool, data_days: int, fires: bool) -> None:
    counts = {DAY: 6} | ({DAY - timedelta(days=100): 1} if seen_before else {})
    daily = pl.DataFrame(daily_rows("newco", counts, outlets=outlets), schema=DAILY_SCHEMA)
    found = evaluate_alerts(daily, every_day(data_days), [DAY], set(), RULES)
    assert (found.height == 1) is fires
    if fires:
        assert found.row(0, named=True)["kind"] == "new_entity"
        assert "4 outlets" in found.row(0, named=True)["detail"]


def test_each_alert_fires_once() -> None:
    found = spikes(history([0] * 28, 30))
    assert found.height == 1
    assert new_alerts(found, set()).height == 1
    assert new_alerts(found, {("acme", DAY, "spike")}).is_empty()
    assert new_alerts(found, {("acme", DAY, "new_entity")}).height == 1  # another kind is another alert
    assert new_alerts(pl.concat([found, found]), set()).height == 1
    assert new_alerts(pl.DataFrame(schema=ALERT_SCHEMA), set()).is_empty()


def test_several_days_are_each_judged_against_their_own_past() -> None:
    counts = history([1] * 28, 1) | {DAY + timedelta(days=1): 30, DAY + timedelta(days=2): 31}
    daily = pl.DataFrame(daily_rows("acme", counts), schema=DAILY_SCHEMA)
    days = every_day(40) + [DAY + timedelta(days=1), DAY + timedelta(days=2)]
    judged = [DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)]
    found = evaluate_alerts(daily, days, judged, {"acme"}, RULES)
    assert found["day"].to_list() == [DAY + timedelta(days=1), DAY + timedelta(days=2)]


@pytest.mark.parametrize("text, expected", [
    ("7d", Since(days=7)), ("1d", Since(days=1)), (" 14 days ", Since(days=14)),
    ("2024-05-01", Since(start=date(2024, 5, 1))),
])
def test_parse_since(text: str, expected: Since) -> None:
    assert parse_since(text) == expected


@pytest.mark.parametrize("text", ["0d", "yesterday", "2024-13-01", "7w", ""])
def test_parse_since_rejects_with_the_fix(text: str) -> None:
    with pytest.raises(ValueError, match="7d|at least 1d"):
        parse_since(text)


def test_period_is_the_last_days_with_articles() -> None:
    days = [date(2023, 11, d) for d in (1, 2, 3, 6, 7, 8, 9)] + [date(2026, 11, 29)]
    period = resolve_period(days, Since(days=3))
    assert period.days == (date(2023, 11, 8), date(2023, 11, 9), date(2026, 11, 29))
    assert period.previous == (date(2023, 11, 3), date(2023, 11, 6), date(2023, 11, 7))
    assert "3 days with articles" in period.label and "skipped" in period.label
    assert resolve_period(days, Since(days=50)).previous == ()


def test_period_from_a_date() -> None:
    days = [date(2024, 5, d) for d in range(1, 21)]
    period = resolve_period(days, Since(start=date(2024, 5, 15)))
    assert period.days == tuple(date(2024, 5, d) for d in range(15, 21))
    assert period.previous == tuple(date(2024, 5, d) for d in range(9, 15))  # the same 6 calendar days before
    assert "skipped" not in period.label
    late = resolve_period(days, Since(start=date(2025, 1, 1)))
    assert late.days == () and "no articles since 2025-01-01" in late.label
    assert resolve_period([], Since(days=7)).label == "no articles yet"
