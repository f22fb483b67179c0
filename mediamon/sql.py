"""Small DuckDB helpers shared by the warehouse writers."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import duckdb
import polars as pl


def query_frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    """The rows of `sql` as a polars frame (used inside open transactions)."""
    # DuckDB 2 suggests con.sql(...) here, but a relation leaves its result open on the connection,
    # which breaks the next execute() in the same transaction; the extra copy is the lesser cost.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        table = con.execute(sql, params or []).to_arrow_table()
    return pl.from_arrow(table)  # type: ignore[return-value]


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
