"""The BI hand-off: parquet/<table>/seen_date=YYYY-MM-DD/part-0.parquet (zstd, flat columns),
with parquet/.fingerprints.json holding each partition's row count and row hash when last written."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from mediamon.sql import write_parquet

PARQUET_FILE = "part-0.parquet"
# What each Parquet table holds, flat columns, with the `seen_date` it is partitioned by.
PARQUET_QUERIES = {
    "articles": "SELECT * FROM articles",
    "mentions": "SELECT m.*, a.seen_date FROM mentions m JOIN articles a USING (article_id)",
    "entities": "SELECT * FROM entities",
    "article_clusters": """SELECT c.* EXCLUDE (minhash), a.seen_date FROM article_clusters c
                           JOIN articles a USING (article_id)""",
    "article_topics": "SELECT t.*, a.seen_date FROM article_topics t JOIN articles a USING (article_id)",
}


def export_parquet(con: duckdb.DuckDBPyConnection, parquet_dir: Path,
                   at_stage: Callable[[str], None] = lambda stage: None) -> dict[str, int]:
    """Bring parquet_dir/<table>/seen_date=D/ up to date from `con`; returns partitions rewritten per table.

    Only partitions whose rows changed are rewritten: each partition's row count and an
    order-free hash of its rows are kept in parquet/.fingerprints.json, and a partition whose
    fingerprint (or file) differs from the table's is written to a hidden temporary file and
    renamed over the old one (atomic per partition). Partitions no longer in the table go.
    The fingerprint file is replaced last, so a crash at any point leaves complete files that
    the next export checks again (a half-finished export is simply finished).
    """
    parquet_dir.mkdir(parents=True, exist_ok=True)
    state_path = parquet_dir / ".fingerprints.json"
    try:
        known: dict[str, dict[str, str]] = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    # Leftovers of a killed export: never read by anyone (hidden), removed before writing.
    for leftover in [*parquet_dir.glob("**/.*.tmp"), *parquet_dir.glob(".staging-*"),
                     *parquet_dir.glob(".old-*")]:
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    return _write_partitions(con, parquet_dir, known, state_path, at_stage)


def _write_partitions(con: duckdb.DuckDBPyConnection, parquet_dir: Path, known: dict[str, dict[str, str]],
                      state_path: Path, at_stage: Callable[[str], None]) -> dict[str, int]:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    state: dict[str, dict[str, str]] = {}
    rewritten: dict[str, int] = {}
    for table, query in PARQUET_QUERIES.items():
        table_dir = parquet_dir / table
        table_dir.mkdir(exist_ok=True)  # an empty table still gets its folder
        rows = con.execute(
            f"SELECT CAST(seen_date AS VARCHAR), count(*), bit_xor(hash(t)) FROM ({query}) t GROUP BY ALL"
        ).fetchall()
        current = {str(day): f"{n}:{h}" for day, n, h in rows}
        before = known.get(table, {})
        rewritten[table] = 0
        for day, fingerprint in sorted(current.items()):
            part_dir = table_dir / f"seen_date={day}"
            final = part_dir / PARQUET_FILE
            if before.get(day) == fingerprint and final.exists():
                continue
            part_dir.mkdir(exist_ok=True)
            staged = part_dir / f".{PARQUET_FILE}-{stamp}.tmp"
            day_filter = "seen_date IS NULL" if day == "None" else f"seen_date = DATE '{day}'"
            write_parquet(con, f"SELECT * EXCLUDE (seen_date) FROM ({query}) t WHERE {day_filter}",
                          staged)
            at_stage("parquet")
            staged.replace(final)
            # Files of an older layout (or another writer's name) would be read twice.
            for other in part_dir.glob("*.parquet"):
                if other.name != PARQUET_FILE:
                    other.unlink(missing_ok=True)
            rewritten[table] += 1
        for part_dir in table_dir.glob("seen_date=*"):
            if part_dir.name.removeprefix("seen_date=") not in current:
                shutil.rmtree(part_dir, ignore_errors=True)
        state[table] = current
    staged_state = parquet_dir / f".fingerprints-{stamp}.tmp"
    staged_state.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    staged_state.replace(state_path)
    return rewritten
