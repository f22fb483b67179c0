"""Per-site field health: daily fill rates, and sharp drops against a site's own past.

When a site is redesigned, extraction of one field (the date, the byline, the body)
usually breaks for that site alone, from one day to the next. Global rates hide it;
a site's rate against its own recent median shows it the same day.

`daily_fill_rates` counts, per site and day, how many articles have each field
(`FIELDS`); `detect_drops` compares one day of those counts with the site's
median over the previous 28 days and returns a row per sharp drop.

The key is `site` (the registered domain) when the frame has it: it stays
the same when a redesign breaks publisher-name extraction, whereas grouping by the
extracted `publisher` would move the broken articles into a new group with no history.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import polars as pl

# Field -> what "filled" means for it. `body` needs `min_body_words` words, see daily_fill_rates.
FIELDS = ("published_at", "authors", "publisher", "body", "title")
BASELINE_DAYS = 28
# A drop must also be unlikely under the site's usual rate: with 5 articles, 2 misses in a
# day happen by chance; the binomial tail below this probability is not chance.
SIGNIFICANCE = 0.01

FILL_RATES_SCHEMA: dict[str, pl.DataType] = {
    "site": pl.String(),
    "day": pl.Date(),
    "field": pl.String(),
    "articles": pl.Int64(),
    "filled": pl.Int64(),
    "rate": pl.Float64(),
}
DROPS_SCHEMA: dict[str, pl.DataType] = {
    "site": pl.String(),
    "field": pl.String(),
    "day": pl.Date(),
    "rate": pl.Float64(),
    "baseline_rate": pl.Float64(),
    "articles": pl.Int64(),
    "message": pl.String(),
}


def _filled(field: str, columns: list[str], min_body_words: int) -> pl.Expr:
    """Boolean expression: the article has `field` (a missing column counts as never filled)."""
    if field == "body" and "word_count" in columns:
        return pl.col("word_count").fill_null(0) >= min_body_words
    if field not in columns:
        return pl.lit(False)
    if field == "body":
        return pl.col("body").fill_null("").str.count_matches(r"\S+") >= min_body_words
    if field == "authors":
        return pl.col("authors").list.len().fill_null(0) > 0
    if field in ("publisher", "title"):
        return pl.col(field).fill_null("").str.strip_chars() != ""
    return pl.col(field).is_not_null()


def daily_fill_rates(
    articles: pl.DataFrame, day_column: str = "seen_date", min_body_words: int = 50
) -> pl.DataFrame:
    """Articles frame -> one row per (site, day, field): articles, filled, rate.

    articles: the `articles` frame (or any subset of its columns) with `day_column`
        (a Date, or a datetime whose UTC date is taken). The `site` key is the `site` column when
        present, else `publisher`; rows without either are grouped as "(unknown)".
    A field counts as filled when: published_at is set, authors is non-empty, publisher and
    title are non-blank, body has at least `min_body_words` words (word_count when present).
    """
    columns = articles.columns
    if articles.is_empty():
        return pl.DataFrame(schema=FILL_RATES_SCHEMA)
    key_column = "site" if "site" in columns else "publisher"
    key = pl.col(key_column).cast(pl.String) if key_column in columns else pl.lit(None, pl.String)
    day_type = articles.schema[day_column]
    day = pl.col(day_column)
    if isinstance(day_type, pl.Datetime):
        day = (day.dt.convert_time_zone("UTC") if day_type.time_zone else day).dt.date()
    elif day_type != pl.Date:
        day = day.cast(pl.Date)
    flags = articles.select(
        key.fill_null("(unknown)").alias("_key"),  # "publisher" is also a field name
        day.alias("day"),
        *[_filled(field, columns, min_body_words).alias(field) for field in FIELDS],
    )
    long = flags.unpivot(index=["_key", "day"], on=list(FIELDS), variable_name="field", value_name="filled")
    return (
        long.rename({"_key": "site"})
        .group_by("site", "day", "field")
        .agg(pl.len().cast(pl.Int64).alias("articles"), pl.col("filled").sum().cast(pl.Int64).alias("filled"))
        .with_columns((pl.col("filled") / pl.col("articles")).alias("rate"))
        .select(list(FILL_RATES_SCHEMA))
        .sort("site", "day", "field")
    )


def binomial_tail(filled: int, articles: int, rate: float) -> float:
    """P(X <= filled) for X ~ Binomial(articles, rate): how likely so few fills are by chance."""
    if rate <= 0:
        return 1.0
    if rate >= 1:
        return 0.0 if filled < articles else 1.0
    log_p, log_q = math.log(rate), math.log1p(-rate)
    total = 0.0
    for k in range(filled + 1):
        log_term = (
            math.lgamma(articles + 1)
            - math.lgamma(k + 1)
            - math.lgamma(articles - k + 1)
            + k * log_p
            + (articles - k) * log_q
        )
        total += math.exp(log_term)
    return min(1.0, total)


def detect_drops(
    history: pl.DataFrame,
    today: date,
    min_articles: int = 5,
    min_history_days: int = 3,
    drop: float = 0.4,
) -> pl.DataFrame:
    """Fill-rate history -> one row per (site, field) whose rate fell sharply on `today`.

    history: rows as returned by `daily_fill_rates` (site, day, field, articles, filled,
        rate), covering `today` and the days before it.
    A row fires when, for that site and field:
      * today has at least `min_articles` articles,
      * at least `min_history_days` of the previous 28 days had articles (each day with at
        least one article counts; the baseline is the median of those days' rates, so one
        odd day does not move it),
      * today's rate is more than `drop` (absolute) below that baseline, and
      * so few fills are unlikely under the baseline rate (binomial tail < SIGNIFICANCE),
        which keeps tiny samples from firing.
    Returns site, field, day, rate, baseline_rate, articles, message.
    """
    if history.is_empty():
        return pl.DataFrame(schema=DROPS_SCHEMA)
    start = today - timedelta(days=BASELINE_DAYS)
    baseline = (
        history.filter(pl.col("day").is_between(start, today - timedelta(days=1)) & (pl.col("articles") > 0))
        .group_by("site", "field")
        .agg(pl.col("rate").median().alias("baseline_rate"), pl.len().alias("history_days"))
    )
    candidates = (
        history.filter((pl.col("day") == today) & (pl.col("articles") >= min_articles))
        .join(baseline, on=["site", "field"], how="inner")
        .filter(
            (pl.col("history_days") >= min_history_days) & (pl.col("baseline_rate") - pl.col("rate") > drop)
        )
        .sort("site", "field")
    )
    rows = []
    for row in candidates.iter_rows(named=True):
        if binomial_tail(row["filled"], row["articles"], row["baseline_rate"]) >= SIGNIFICANCE:
            continue
        rows.append(
            {
                "site": row["site"],
                "field": row["field"],
                "day": row["day"],
                "rate": row["rate"],
                "baseline_rate": row["baseline_rate"],
                "articles": row["articles"],
                "message": (
                    f"{row['site']}: {row['field']} filled in {row['filled']} of {row['articles']} "
                    f"articles "
                    f"on {row['day']} ({row['rate']:.0%}), usually {row['baseline_rate']:.0%} "
                    f"(median of {row['history_days']} days); the site may have changed its layout, "
                    f"check the extractor on one of today's pages"
                ),
            }
        )
    return pl.DataFrame(rows, schema=DROPS_SCHEMA, orient="row")


def refreshed_health(articles: pl.DataFrame, past: pl.DataFrame, days: list[date],
                     min_body_words: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The fill rates of `days` from their articles, and the drops on those days judged against
    `past` (stored rates of the BASELINE_DAYS before them, other days) plus the new rates."""
    rates = daily_fill_rates(articles, "seen_date", min_body_words)
    history = pl.concat([past.cast(FILL_RATES_SCHEMA),  # type: ignore[arg-type]
                         rates.cast(FILL_RATES_SCHEMA)])  # type: ignore[arg-type]
    drops = pl.concat([detect_drops(history, day) for day in days])
    return rates, drops
