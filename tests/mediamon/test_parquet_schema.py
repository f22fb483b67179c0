"""Parquet hand-off files have one schema: nullable columns are `optional` in every file, JSON is text."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from expectations.runner import DQ_RESULTS_SCHEMA
from mediamon.cli import main
from mediamon.warehouse import LoadBatch, LoadCounts, RunRecord, Warehouse
from transforms.schema import ARTICLES, ENTITIES, MENTIONS, QUARANTINE, TEMPLATE_LINES, frame


def _article(article_id: str) -> dict[str, object]:
    url = f"https://e.org/{article_id}"
    # publisher, published_at, language ... are nullable, yet set in every row of this file.
    return {"article_id": article_id, "url": url, "canonical_url": url, "source": "t", "title": "T",
            "publisher": "E", "published_at": datetime(2024, 1, 1, tzinfo=UTC), "language": "en",
            "body": f"body {article_id}", "word_count": 2, "content_hash": f"h-{article_id}", "dq_status": "pass",
            "dq_failures": [], "run_id": "r1", "doc_key": url, "authors": ["A"], "tags": [],
            "fetched_at": datetime(2024, 1, 1, tzinfo=UTC)}


def _warehouse(directory: Path) -> Path:
    with Warehouse(directory) as wh:
        run = RunRecord(run_id="r1", started_at=datetime.now(UTC), sources=["t"], documents_in=2,
                        counts={"skipped_files": 0})
        wh.begin_run(run)
        counts = wh.load_chunk(run, LoadBatch(
            run.documents_in,
            frame([_article("a"), _article("b")], ARTICLES), frame([], QUARANTINE), frame([], MENTIONS),
            frame([], ENTITIES), pl.DataFrame(schema=DQ_RESULTS_SCHEMA), [],
            frame([], TEMPLATE_LINES)), LoadCounts())
        wh.finish_run(run, counts)
        wh.export_parquet()
    return directory


def test_partitioned_parquet_marks_no_column_required(tmp_path: Path) -> None:
    directory = _warehouse(tmp_path / "wh")
    files = sorted((directory / "parquet").glob("*/*/*.parquet"))
    assert files
    for file in files:
        required = [f.name for f in pq.read_schema(file) if not f.nullable]
        assert required == [], (file, required)


def test_snapshot_parquet_is_optional_and_runs_counts_is_text(tmp_path: Path, capsys) -> None:
    directory = _warehouse(tmp_path / "wh")
    assert main(["export", "--warehouse", str(directory), "--to", str(tmp_path / "snap")]) == 0
    for file in (tmp_path / "snap").glob("*.parquet"):
        assert all(f.nullable for f in pq.read_schema(file)), file
    runs = pl.read_parquet(tmp_path / "snap" / "runs.parquet")
    assert runs.schema["counts"] == pl.String
    assert json.loads(runs["counts"][0])["documents_in"] == 2
