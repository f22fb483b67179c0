"""Read-only queries on the warehouse: `mediamon sql` and the per-source status of `mediamon sources`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from mediamon.errors import WarehouseError
from mediamon.store.locking import connect


# `mediamon sql` sees the warehouse and nothing else: no file reads or writes (COPY ... TO,
# read_csv('/etc/passwd'), ATTACH, EXPORT DATABASE), no extension downloads. Files the user
# names go through `mediamon export`.
READ_ONLY_SQL_CONFIG = {"enable_external_access": False, "autoinstall_known_extensions": False,
                        "autoload_known_extensions": False}


def read_query(directory: Path, sql: str, timeout: float = 30.0) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run `sql` read-only against the warehouse; returns column names and rows.

    The connection is read-only and cannot touch files outside the warehouse. While a run loads,
    this waits (up to `timeout` s) only for the chunk being committed, and sees committed chunks.
    """
    path = directory / "mediamon.duckdb"
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path}; run `mediamon run` first")
    con = connect(path, read_only=True, timeout=timeout, config=READ_ONLY_SQL_CONFIG)
    try:
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description] if cur.description else []
        return columns, cur.fetchall()
    except duckdb.PermissionException as exc:
        raise WarehouseError(
            f"query refused: {str(exc).splitlines()[0].removeprefix('Permission Error: ')}; `mediamon sql` "
            "reads the warehouse only (use `mediamon export --to DIR` to write files)") from exc
    except duckdb.Error as exc:
        raise WarehouseError(f"query failed: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()


def source_activity(directory: Path, timeout: float = 30.0) -> dict[str, dict[str, Any]]:
    """Per source name, read-only: web URLs ok / failed with the last fetch time and latest error
    (from `fetch_state`), documents stored and their last fetch time (`raw_documents`), and
    articles and quarantine rows. An empty dict when there is no warehouse yet."""
    path = directory / "mediamon.duckdb"
    if not path.exists():
        return {}
    con = connect(path, read_only=True, timeout=timeout)
    try:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
        queries = {
            "fetch_state": """SELECT source, count(*) FILTER (WHERE last_error IS NULL),
                                     count(*) FILTER (WHERE last_error IS NOT NULL), max(last_fetched_at),
                                     arg_max(last_error, last_fetched_at)
                                         FILTER (WHERE last_error IS NOT NULL)
                              FROM fetch_state WHERE source IS NOT NULL GROUP BY ALL""",
            "raw_documents": "SELECT source, count(*), max(fetched_at) FROM raw_documents GROUP BY ALL",
            "articles": "SELECT source, count(*) FROM articles GROUP BY ALL",
            "quarantine": "SELECT source, count(*) FROM quarantine GROUP BY ALL",
        }
        out: dict[str, dict[str, Any]] = {}

        def entry(source: Any) -> dict[str, Any]:
            return out.setdefault(str(source), {"urls_ok": 0, "urls_failed": 0, "last_fetched_at": None,
                                                "last_error": None, "documents": 0, "last_document_at": None,
                                                "articles": 0, "quarantined": 0})

        for table, sql in queries.items():
            if table not in tables:
                continue  # a warehouse from before the table existed; it appears on the next run
            for row in con.execute(sql).fetchall():
                if row[0] is None:
                    continue
                e = entry(row[0])
                if table == "fetch_state":
                    e.update(urls_ok=row[1], urls_failed=row[2], last_fetched_at=row[3], last_error=row[4])
                elif table == "raw_documents":
                    e.update(documents=row[1], last_document_at=row[2])
                else:
                    e[table if table == "articles" else "quarantined"] = row[1]
        return out
    except duckdb.Error as exc:
        raise WarehouseError(f"reading source status from {path} failed: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()
