"""Small DuckDB helpers shared by the warehouse writers."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq


def duckdb_message(exc: duckdb.Error) -> str:
    """A DuckDB error in one line (its own text goes on with hints); running out of memory names
    the setting to raise."""
    first = (str(exc).splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, duckdb.OutOfMemoryException):
        return f"{first}: raise [warehouse] memory_limit in the config"
    return first


def query_frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    """The rows of `sql` as a polars frame (used inside open transactions)."""
    # DuckDB 2 suggests con.sql(...) here, but a relation leaves its result open on the connection,
    # which breaks the next execute() in the same transaction; the extra copy is the lesser cost.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        table = con.execute(sql, params or []).to_arrow_table()
    return pl.from_arrow(table)  # type: ignore[return-value]


def write_parquet(con: duckdb.DuckDBPyConnection, sql: str, path: Path, batch_rows: int = 65_536) -> int:
    """Write the rows of `sql` to the zstd Parquet file `path`, streamed; returns the row count.

    Every column is written `optional`: DuckDB's own COPY marks a column `required` when the file
    happens to hold no NULL in it, so one partition's schema differed from the next. JSON columns
    come out as plain strings (through COPY they were JSON bytes, read as Binary by polars).
    """
    # A cursor of its own: a streamed relation must not share the connection with open results.
    cursor = con.cursor()
    try:
        reader = cursor.sql(sql).to_arrow_reader(batch_rows)
        schema = pa.schema([f.with_nullable(True) for f in reader.schema])
        rows = 0
        with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
            for batch in reader:
                writer.write_batch(pa.RecordBatch.from_arrays(batch.columns, schema=schema))
                rows += batch.num_rows
        return rows
    finally:
        cursor.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, registered: Iterable[str] = ()) -> Iterator[None]:
    """BEGIN, then COMMIT, or ROLLBACK when the block raises; the frames named in `registered`
    (registered by the block) are unregistered either way."""
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            yield
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:  # a failed COMMIT may have ended the transaction already
                pass
            raise
    finally:
        for name in registered:
            try:
                con.unregister(name)
            except duckdb.Error:
                pass


def merge_entities(con: duckdb.DuckDBPyConnection, incoming: str, now: object) -> None:
    """Upsert the entities of the registered frame `incoming`: aliases accumulate, the first
    sighting stays (the load and the re-tag of stored articles both write entities this way)."""
    con.execute(f"""
        INSERT INTO entities BY NAME
        SELECT i.entity_id, i.canonical_name, i.entity_type,
               list_sort(list_distinct(list_concat(coalesce(e.aliases, []), i.aliases))) AS aliases,
               coalesce(i.external_id, e.external_id) AS external_id,
               coalesce(e.first_seen_at, ?) AS first_seen_at,
               CAST(timezone('UTC', coalesce(e.first_seen_at, ?)) AS DATE) AS seen_date
        FROM {incoming} i LEFT JOIN entities e USING (entity_id)
        ON CONFLICT (entity_id) DO UPDATE SET aliases = excluded.aliases,
            external_id = excluded.external_id""", [now, now])
