"""Column schemas of the frames the stages pass along (and the warehouse stores).

The DuckDB DDL in `mediamon/warehouse.py` and docs/data-model.md follow these.
"""

from __future__ import annotations

import polars as pl

UTC_TS = pl.Datetime("us", "UTC")

ARTICLES = {
    "article_id": pl.String,
    "url": pl.String,
    "canonical_url": pl.String,
    "source": pl.String,
    "site": pl.String,  # registered domain (or publisher for local files): key for learned templates
    "publisher": pl.String,
    "publisher_source": pl.String,
    "title": pl.String,
    "published_at": UTC_TS,
    "published_at_source": pl.String,
    # The publication day in the page's own offset or zone (a day written without a time is kept
    # as written); the offset as the page wrote it; other claims on the page naming another day.
    "published_date": pl.Date,
    "published_tz": pl.String,
    "published_date_conflicts": pl.List(pl.String),
    "modified_at": UTC_TS,
    "authors": pl.List(pl.String),
    "agency": pl.String,
    "language": pl.String,
    "body": pl.String,
    "word_count": pl.Int32,
    "image_credit": pl.String,
    "tags": pl.List(pl.String),
    # Plain text (schema_v6.sql): what it was read as and the wire header read off it.
    "text_kind": pl.String,
    "text_kind_source": pl.String,
    "dateline_place": pl.String,
    "correction": pl.String,
    "slug_line": pl.String,
    "fetched_at": UTC_TS,
    "content_hash": pl.String,
    "raw_hash": pl.String,
    "duplicate_of": pl.String,
    "dq_status": pl.String,
    "dq_failures": pl.List(pl.String),
    "run_id": pl.String,
    # Which document the row came from; used to clear its quarantine row, not stored in `articles`.
    "doc_key": pl.String,
    "path": pl.String,
}

QUARANTINE = {
    "doc_key": pl.String,
    "url": pl.String,
    "path": pl.String,
    "source": pl.String,
    "stage": pl.String,
    "reasons": pl.List(pl.String),
    "detail": pl.String,
    "run_id": pl.String,
    "quarantined_at": UTC_TS,
}

MENTIONS = {
    "article_id": pl.String,
    "entity_id": pl.String,
    "surface": pl.String,
    "entity_type": pl.String,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "in_title": pl.Boolean,
    "source": pl.String,
    "in_dateline": pl.Boolean,
}

ENTITIES = {
    "entity_id": pl.String,
    "canonical_name": pl.String,
    "entity_type": pl.String,
    "aliases": pl.List(pl.String),
    "external_id": pl.String,
}

TEMPLATE_LINES = {
    "site": pl.String,
    "fingerprint": pl.String,
    "article_id": pl.String,
}


def frame(rows: list[dict[str, object]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Rows (dicts) as a frame with exactly `schema`'s columns, in order; missing keys are null."""
    return pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema=schema, orient="row")
