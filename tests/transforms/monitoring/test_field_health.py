from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from transforms.monitoring.field_health import FILL_RATES_SCHEMA, binomial_tail, daily_fill_rates, detect_drops

TODAY = date(2024, 5, 30)


def _article(site: str | None, day: date, **fields: object) -> dict[str, object]:
    row: dict[str, object] = {
        "site": site,
        "publisher": "Kieler Blatt",
        "seen_date": day,
        "title": "Titel",
        "published_at": datetime(2024, 5, 1, tzinfo=UTC),
        "authors": ["Anna Muster"],
        "word_count": 300,
        "body": "Text",
    }
    row.update(fields)
    return row


def _articles(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "site": pl.String,
            "publisher": pl.String,
            "seen_date": pl.Date,
            "title": pl.String,
            "published_at": pl.Datetime("us", "UTC"),
            "authors": pl.List(pl.String),
            "word_count": pl.Int32,
            "body": pl.String,
        },
        orient="row",
    )


def _rate(rates: pl.DataFrame, site: str, day: date, field: str) -> tuple[int, int, float]:
    row = rates.filter(
        (pl.col("site") == site) & (pl.col("day") == day) & (pl.col("field") == field)
    )
    assert row.height == 1
    return row["articles"][0], row["filled"][0], row["rate"][0]


def test_daily_fill_rates_counts_each_field() -> None:
    day = date(2024, 5, 1)
    rates = daily_fill_rates(
        _articles(
            [
                _article("kn.de", day),
                _article("kn.de", day, published_at=None, authors=[], word_count=12, publisher=None),
                _article("kn.de", day, authors=None, title="  "),
                _article("kn.de", day + timedelta(days=1), published_at=None),
                _article(None, day),
            ]
        )
    )
    assert rates.schema == pl.Schema(FILL_RATES_SCHEMA)
    assert _rate(rates, "kn.de", day, "published_at") == (3, 2, pytest.approx(2 / 3))
    assert _rate(rates, "kn.de", day, "authors") == (3, 1, pytest.approx(1 / 3))
    assert _rate(rates, "kn.de", day, "body")[1] == 2
    assert _rate(rates, "kn.de", day, "publisher")[1] == 2
    assert _rate(rates, "kn.de", day, "title")[1] == 2
    assert _rate(rates, "kn.de", day + timedelta(days=1), "published_at") == (1, 0, 0.0)
    assert _rate(rates, "(unknown)", day, "title") == (1, 1, 1.0)


def test_daily_fill_rates_from_timestamps_and_body_text() -> None:
    frame = pl.DataFrame(
        {
            "publisher": ["A", "A"],
            "first_seen_at": [
                datetime(2024, 5, 1, 23, 30, tzinfo=UTC),
                datetime(2024, 5, 2, 0, 30, tzinfo=UTC),
            ],
            "body": ["ein zwei drei", "ein zwei"],
        }
    )
    rates = daily_fill_rates(frame, day_column="first_seen_at", min_body_words=3)
    assert _rate(rates, "A", date(2024, 5, 1), "body") == (1, 1, 1.0)
    assert _rate(rates, "A", date(2024, 5, 2), "body") == (1, 0, 0.0)
    # Columns the frame lacks count as never filled rather than crashing.
    assert _rate(rates, "A", date(2024, 5, 1), "authors") == (1, 0, 0.0)


def _history(
    days: list[tuple[int, int, int]], site: str = "kn.de", field: str = "published_at"
) -> pl.DataFrame:
    """(days before TODAY, articles, filled) -> fill-rate history rows."""
    rows = [
        {
            "site": site,
            "day": TODAY - timedelta(days=ago),
            "field": field,
            "articles": n,
            "filled": filled,
            "rate": filled / n,
        }
        for ago, n, filled in days
    ]
    return pl.DataFrame(rows, schema=FILL_RATES_SCHEMA, orient="row")


_STEADY = [(ago, 20, 19) for ago in range(1, 29)]
_rng = random.Random(7)
_NOISY = [(ago, 12, _rng.randint(8, 12)) for ago in range(1, 29)]


@pytest.mark.parametrize(
    ("days", "fires"),
    [
        pytest.param([*_STEADY, (0, 20, 2)], True, id="sharp-drop"),
        pytest.param([*_STEADY, (0, 6, 0)], True, id="sharp-drop-small-but-enough-articles"),
        pytest.param([*_STEADY, (0, 3, 0)], False, id="too-few-articles-today"),
        pytest.param([(1, 20, 19), (2, 20, 19), (0, 20, 0)], False, id="too-little-history"),
        pytest.param([(0, 20, 0)], False, id="new-site-no-history"),
        pytest.param([*_NOISY, (0, 12, 8)], False, id="noisy-but-normal"),
        pytest.param([*_STEADY, (0, 20, 13)], False, id="moderate-dip"),
        pytest.param([(ago, 20, 19 - ago // 2) for ago in range(0, 29)], False, id="gradual-decline"),
        pytest.param([(ago, 5, 5) for ago in range(1, 29)] + [(0, 5, 2)], True, id="five-of-five-to-two"),
        pytest.param([(ago, 2, 1) for ago in range(1, 29)] + [(0, 8, 0)], True, id="half-filled-to-none"),
        pytest.param(
            [(ago, 2, ago % 3 // 2 * 2) for ago in range(1, 29)] + [(0, 5, 0)],
            False,
            id="mostly-empty-tiny-days",
        ),
        pytest.param([(ago, 20, 19) for ago in range(40, 60)] + [(0, 20, 0)], False, id="history-too-old"),
        pytest.param([(ago, 20, 0) for ago in range(1, 29)] + [(0, 20, 0)], False, id="never-filled"),
        pytest.param([(ago, 1, 1) for ago in range(1, 29)] + [(0, 10, 0)], True, id="one-article-days"),
    ],
)
def test_detect_drops(days: list[tuple[int, int, int]], fires: bool) -> None:
    drops = detect_drops(_history(days), TODAY)
    assert drops.height == (1 if fires else 0)
    if fires:
        row = drops.row(0, named=True)
        assert row["site"] == "kn.de" and row["field"] == "published_at" and row["day"] == TODAY
        assert row["baseline_rate"] - row["rate"] > 0.4
        assert "kn.de" in row["message"] and "published_at" in row["message"]


def test_detect_drops_keeps_sites_and_fields_apart() -> None:
    history = pl.concat(
        [
            _history([*_STEADY, (0, 20, 2)], site="a.de", field="authors"),
            _history([*_STEADY, (0, 20, 19)], site="a.de", field="published_at"),
            _history([(ago, 20, 2) for ago in range(0, 29)], site="b.de", field="authors"),
        ]
    )
    drops = detect_drops(history, TODAY)
    assert drops.select("site", "field").rows() == [("a.de", "authors")]


def test_end_to_end_from_articles() -> None:
    rows = []
    for ago in range(0, 10):
        day = TODAY - timedelta(days=ago)
        for i in range(8):
            # The redesign today breaks the byline of kn.de only.
            rows.append(_article("kn.de", day, authors=[] if ago == 0 else ["Anna Muster"]))
            rows.append(
                _article("sz.de", day, published_at=None if i == 0 else datetime(2024, 5, 1, tzinfo=UTC))
            )
    drops = detect_drops(daily_fill_rates(_articles(rows)), TODAY)
    assert drops.select("site", "field", "rate", "baseline_rate").rows() == [
        ("kn.de", "authors", 0.0, 1.0)
    ]


@pytest.mark.parametrize(
    ("filled", "articles", "rate", "expected"),
    [
        pytest.param(0, 5, 0.5, 1 / 32, id="all-missed"),
        pytest.param(5, 5, 0.5, 1.0, id="all-filled"),
        pytest.param(0, 3, 1.0, 0.0, id="certain-rate"),
        pytest.param(0, 3, 0.0, 1.0, id="zero-rate"),
    ],
)
def test_binomial_tail(filled: int, articles: int, rate: float, expected: float) -> None:
    assert binomial_tail(filled, articles, rate) == pytest.approx(expected)
