"""Stored raw documents: each fetched or read document's bytes (zlib) and what the source said
about it, so `mediamon reprocess` can run them again and a re-run skips bytes it already stored."""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from mediamon.errors import WarehouseError
from mediamon.store.locking import connect
from transforms.document import doc_key
from transforms.identity import bytes_hash

RAW_DOCUMENT_COLUMNS = (
    "url, source, path, kind, fetched_at, content_type, http_status, etag, last_modified, final_url, "
    "publisher_hint, title_hint, published_hint, published_hint_source, language_hint, raw_hash, raw_size, "
    "raw_zlib, run_id, text_kind, text_kind_source")


# `raw_documents`' columns as the load hands them over (the table's types; DuckDB casts the rest).
RAW_ROWS_SCHEMA: dict[str, Any] = {
    "url": pl.String, "source": pl.String, "path": pl.String, "kind": pl.String,
    "fetched_at": pl.Datetime("us", "UTC"), "content_type": pl.String, "http_status": pl.Int32,
    "etag": pl.String, "last_modified": pl.String, "final_url": pl.String, "publisher_hint": pl.String,
    "title_hint": pl.String, "published_hint": pl.Datetime("us", "UTC"), "published_hint_source": pl.String,
    "language_hint": pl.String, "raw_hash": pl.String, "raw_size": pl.Int64, "raw_zlib": pl.Binary,
    "run_id": pl.String, "text_kind": pl.String, "text_kind_source": pl.String,
}


# zlib's fastest level: on the 1,040 dev pages (168 MB of HTML) it compresses in 1.3 s where
# level 6 took 3.3 s, for 38 MB stored instead of 32 MB. Any level reads back the same way.
RAW_ZLIB_LEVEL = 1


def raw_rows(docs: Sequence[Any], run_id: str) -> pl.DataFrame:
    """The `raw_documents` rows of these `RawDocument`s: hashed and zlib-compressed here, before the
    load takes the warehouse, so readers wait only for the writes (compressing a chunk's pages
    took about 0.8 s of the hold). One row per URL, the last document of a URL winning."""
    rows = []
    for d in docs:
        if d.extra.get("reprocessed"):
            continue  # read back from raw_documents: the stored row is already this
        raw = d.raw or b""
        rows.append((
            d.url, d.source, d.path, d.kind, d.fetched_at, d.content_type, d.http_status, d.etag,
            d.last_modified, d.final_url, d.publisher_hint, d.title_hint, d.published_hint,
            d.published_hint_source, d.language_hint, bytes_hash(raw) if d.raw is not None else None,
            len(raw),
            zlib.compress(raw, RAW_ZLIB_LEVEL) if d.raw is not None else None, run_id,
            d.text_kind, d.text_kind_source,
        ))
    return (pl.DataFrame(rows, schema=RAW_ROWS_SCHEMA, orient="row")
            .unique(subset="url", keep="last", maintain_order=True))


def store_raw(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Insert or replace these `raw_rows` in `raw_documents` (inside the load's transaction).

    One statement over an Arrow table: `executemany` ran the insert once per row and was most of
    a chunk's load time (12.7 of 23 s on the 1,040 dev pages)."""
    if rows.height:
        # Columns named: later migrations add columns at the end (schema_v6: text_kind).
        con.register("incoming_raw", rows.to_arrow())
        # Delete, then a plain insert: INSERT OR REPLACE held about 35 MB more per chunk until the
        # connection closed (DuckDB 2.0, 250 pages, measured on a 3,000-document warehouse).
        con.execute("DELETE FROM raw_documents WHERE url IN (SELECT url FROM incoming_raw)")
        con.execute(f"INSERT INTO raw_documents ({RAW_DOCUMENT_COLUMNS}) "
                    f"SELECT {RAW_DOCUMENT_COLUMNS} FROM incoming_raw")


def iter_raw_documents(con: duckdb.DuckDBPyConnection, since: datetime | None = None, source: str | None = None,
                       chunk: int = 256) -> Iterator[dict[str, Any]]:
    """Rows of `raw_documents` (fetched at or after `since`, of `source`), oldest first, as
    dicts with the stored bytes still zlib-compressed in `raw_zlib` (None for failed fetches)."""
    cur = con.execute(
        "SELECT * FROM raw_documents WHERE (CAST(? AS TIMESTAMPTZ) IS NULL OR fetched_at >= ?) "
        "AND (CAST(? AS VARCHAR) IS NULL OR source = ?) ORDER BY fetched_at, url",
        [since, since, source, source])
    columns = [d[0] for d in cur.description]
    while rows := cur.fetchmany(chunk):
        for row in rows:
            yield dict(zip(columns, row, strict=True))


def stored_outcome(doc: Any, known: dict[str, tuple[str, str | None]]) -> tuple[str | None, str | None]:
    """What `unchanged_documents`' answer `known` says of `doc`: ('article', article_id) or
    ('quarantined', None) when an earlier run stored its bytes, else (None, None): to process."""
    return known.get(doc_key(doc), (None, None)) if doc.raw is not None else (None, None)


def unchanged_documents(con: duckdb.DuckDBPyConnection, docs: Sequence[Any]
                        ) -> dict[str, tuple[str, str | None]]:
    """Documents an earlier run stored with exactly these raw bytes, before any parsing.

    `docs` are `RawDocument`s (those without bytes are ignored). Returns doc_key ->
    ('quarantined', None) (still in quarantine) or ('article', article_id) (its article still
    holds these bytes); documents not returned must be processed.
    """
    rows = [(d.url, d.path, doc_key(d), bytes_hash(d.raw)) for d in docs if d.raw is not None]
    if not rows:
        return {}
    incoming = pl.DataFrame(rows, schema={"url": pl.String, "path": pl.String, "doc_key": pl.String,
                                          "raw_hash": pl.String}, orient="row")
    con.register("incoming_hashes", incoming.to_arrow())
    try:
        # Still quarantined: the stored bytes of this very file must match. Otherwise its article
        # must still hold these bytes (raw_documents keeps one row per URL, an article row per story).
        found = con.execute("""
            SELECT i.doc_key,
                   CASE WHEN q.doc_key IS NOT NULL THEN (CASE WHEN r.url IS NOT NULL THEN 'quarantined' END)
                        WHEN a.url IS NOT NULL THEN 'article' END AS outcome,
                   a.article_id
            FROM incoming_hashes i
            LEFT JOIN raw_documents r ON r.url = i.url AND r.raw_hash = i.raw_hash
                                      AND r.path IS NOT DISTINCT FROM i.path
            LEFT JOIN quarantine q ON q.doc_key = i.doc_key
            LEFT JOIN (SELECT url, raw_hash, min(article_id) AS article_id FROM articles GROUP BY ALL) a
                   ON a.url = i.url AND a.raw_hash = i.raw_hash""").fetchall()
    finally:
        con.unregister("incoming_hashes")
    return {key: (outcome, None if outcome == "quarantined" else article_id)
            for key, outcome, article_id in found if outcome is not None}


def count_raw_documents(directory: Path, since: datetime | None = None,
                        source: str | None = None) -> int | None:
    """How many stored raw documents with bytes match, read-only; None when it cannot be told
    now (no warehouse, or a run holds the writer lock)."""
    path = directory / "mediamon.duckdb"
    if not path.exists():
        return None
    try:
        con = connect(path, read_only=True)
    except WarehouseError:
        return None
    try:
        row = con.execute(
            "SELECT count(*) FROM raw_documents WHERE raw_zlib IS NOT NULL "
            "AND (CAST(? AS TIMESTAMPTZ) IS NULL OR fetched_at >= ?) "
            "AND (CAST(? AS VARCHAR) IS NULL OR source = ?)",
            [since, since, source, source]).fetchone()
        return int(row[0]) if row else 0
    except duckdb.Error:
        return None
    finally:
        con.close()
