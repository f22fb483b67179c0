"""Schema versions: schema.sql is version 1, schema_vN.sql version N; a warehouse upgrades in place."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import duckdb

from mediamon.errors import WarehouseError
from mediamon.sql import transaction


def _migrations() -> list[tuple[int, str]]:
    """The forward migrations shipped with this code: schema.sql is version 1, schema_vN.sql version N."""
    names = [p.name for p in resources.files("mediamon").iterdir() if p.name.endswith(".sql")]
    found = [(1, "schema.sql")] if "schema.sql" in names else []
    for name in names:
        match = re.fullmatch(r"schema_v(\d+)\.sql", name)
        if match:
            found.append((int(match.group(1)), name))
    return sorted(found)


MIGRATIONS = _migrations()
SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_sql(name: str = "schema.sql") -> str:
    return resources.files("mediamon").joinpath(name).read_text(encoding="utf-8")


def _create_statement(table: str) -> str:
    """schema.sql's own `CREATE TABLE IF NOT EXISTS table (...);`: the table is defined there only."""
    match = re.search(rf"CREATE TABLE IF NOT EXISTS {table} \(.*?\n\);", schema_sql(), re.S)
    if match is None:
        raise WarehouseError(f"schema.sql defines no table {table}")
    return match.group(0)


def migrate(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Create or upgrade the schema in place; a newer file than this code is an error."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ)")
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    current = row[0] if row and row[0] is not None else 0
    if current > SCHEMA_VERSION:
        raise WarehouseError(
            f"warehouse {path} has schema version {current}, newer than this mediamon "
            f"({SCHEMA_VERSION}); upgrade mediamon"
        )
    # Forward migrations, each in its own transaction: an older warehouse upgrades in place.
    # Every version not yet applied runs, not only those above the newest: versions developed
    # side by side may reach a warehouse out of order.
    applied = {v for (v,) in con.execute("SELECT DISTINCT version FROM schema_version").fetchall()}
    for version, script in MIGRATIONS:
        if version not in applied:
            with transaction(con):
                con.execute(schema_sql(script))
                con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
    # Views carry no data: recreate them every time so they always match this code.
    con.execute(schema_sql("views.sql"))
    # fetch_state joined schema.sql after version 1 shipped: warehouses created before it gain it
    # on open, from schema.sql's own statement.
    con.execute(_create_statement("fetch_state"))
