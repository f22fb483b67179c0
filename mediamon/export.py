"""`mediamon export`: a self-contained Parquet snapshot of the warehouse, for hand-off.

Unlike the partitioned copies under DIR/parquet (kept current by every run), a snapshot is one
file per table plus a manifest, written to a folder of the analyst's choosing.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from mediamon.errors import WarehouseError
from mediamon.sql import write_parquet
from mediamon.warehouse import connect

# Internal bookkeeping, not for analysts: raw page bytes, HTTP cache state, learned template lines,
# the syndication LSH index.
SNAPSHOT_SKIP = ("raw_documents", "fetch_state", "template_lines", "article_lsh_bands", "schema_version",
                 "entity_name_keys",  # the registry's lookup keys, derived from entities
                 # The search index is derived from articles and rebuilt by any run.
                 "search_terms", "search_docs", "search_postings")


def export_snapshot(directory: Path, target: Path, *, force: bool = False,
                    lock_timeout: float = 30.0) -> dict[str, int]:
    """Write a self-contained Parquet snapshot of the warehouse in `directory` to `target`.

    One zstd Parquet file per table (`<table>.parquet`: articles, mentions, entities,
    quarantine, runs, article_clusters, ...), plus `manifest.json` (schema version, row
    counts, files) and a short `README.md`. Reads the warehouse read-only. A non-empty
    `target` is refused unless `force` (then the files this writes are replaced, nothing
    else in it is touched). Returns rows per table.
    """
    path = directory / "mediamon.duckdb"
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path}; run `mediamon run` first or pass --warehouse DIR")
    if target.exists() and not target.is_dir():
        raise WarehouseError(f"export target {target} is a file; give a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise WarehouseError(f"export target {target} is not empty; choose an empty folder or pass --force")
    target.mkdir(parents=True, exist_ok=True)
    con = connect(path, read_only=True, timeout=lock_timeout)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    staging = target / f".export-{stamp}"
    try:
        version_row = con.execute("SELECT max(version) FROM schema_version").fetchone()
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall() if r[0] not in SNAPSHOT_SKIP]
        staging.mkdir()
        counts: dict[str, int] = {}
        for table in tables:
            # Flat columns for BI tools: the MinHash signature is a comparison aid, not data.
            query = f"SELECT * EXCLUDE (minhash) FROM {table}" if table == "article_clusters" \
                else f"SELECT * FROM {table}"
            out = staging / f"{table}.parquet"
            write_parquet(con, query, out)
            row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            counts[table] = int(row[0]) if row else 0
        manifest = {
            "mediamon_snapshot": 1,
            "schema_version": version_row[0] if version_row else None,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "warehouse": str(path),
            "tables": {t: {"file": f"{t}.parquet", "rows": n} for t, n in counts.items()},
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        (staging / "README.md").write_text(_snapshot_readme(manifest), encoding="utf-8")
        # Everything is complete before anything in `target` is replaced.
        for item in sorted(staging.iterdir()):
            item.replace(target / item.name)
    except duckdb.Error as exc:
        raise WarehouseError(f"exporting {path} to {target} failed: {str(exc).splitlines()[0]}") from exc
    except OSError as exc:
        raise WarehouseError(f"exporting {path} to {target} failed: {exc}") from exc
    finally:
        con.close()
        shutil.rmtree(staging, ignore_errors=True)
    return counts


def _snapshot_readme(manifest: dict[str, Any]) -> str:
    lines = [
        "# mediamon warehouse snapshot", "",
        f"Exported {manifest['exported_at']} from `{manifest['warehouse']}` "
        f"(schema version {manifest['schema_version']}). One zstd-compressed Parquet file per table; "
        "columns and meanings: docs/data-model.md in the mediamon repository.", "",
        "| table | rows |", "|---|---:|",
        *[f"| {t} | {info['rows']} |" for t, info in manifest["tables"].items()], "",
        "Read it with DuckDB (`SELECT * FROM 'articles.parquet'`), pyarrow "
        "(`pyarrow.parquet.read_table('articles.parquet')`) or polars "
        "(`pl.read_parquet('articles.parquet')`).",
        "Join mentions and entities on `entity_id`, mentions and articles on `article_id`.", "",
    ]
    return "\n".join(lines)
