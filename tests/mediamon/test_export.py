"""`mediamon export --to DIR`: a self-contained Parquet snapshot, through the CLI, on a real DuckDB file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from expectations.runner import DQ_RESULTS_SCHEMA
from mediamon.cli import main
from mediamon.warehouse import SCHEMA_VERSION, LoadBatch, LoadCounts, RunRecord, Warehouse
from transforms.schema import ARTICLES, ENTITIES, MENTIONS, QUARANTINE, TEMPLATE_LINES, frame


def _article(article_id: str, body: str) -> dict[str, object]:
    url = f"https://e.org/{article_id}"
    return {"article_id": article_id, "url": url, "canonical_url": url, "source": "t", "title": "T",
            "body": body, "word_count": len(body.split()), "content_hash": f"h-{body}", "dq_status": "pass",
            "dq_failures": [], "run_id": "r1", "doc_key": url, "authors": ["A. Writer"], "tags": [],
            "fetched_at": datetime(2024, 1, 1, tzinfo=UTC)}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    directory = tmp_path / "wh"
    quarantined = {"doc_key": "/x/empty.html", "url": "file:///x/empty.html", "path": "/x/empty.html",
                   "source": "t", "stage": "extract", "reasons": ["empty_document"], "detail": "0 bytes",
                   "run_id": "r1", "quarantined_at": datetime.now(UTC)}
    mention = {"article_id": "a", "entity_id": "e1", "surface": "Berlin", "entity_type": "GPE",
               "start_char": 0, "end_char": 6, "in_title": False, "source": "ner"}
    entity = {"entity_id": "e1", "canonical_name": "Berlin", "entity_type": "GPE", "aliases": ["Berlin"]}
    with Warehouse(directory) as wh:
        run = RunRecord(run_id="r1", started_at=datetime.now(UTC), sources=["t"], documents_in=3)
        wh.begin_run(run)
        counts = wh.load_chunk(run, LoadBatch(
            run.documents_in,
            frame([_article("a", "one two"), _article("b", "three four")], ARTICLES),
            frame([quarantined], QUARANTINE), frame([mention], MENTIONS), frame([entity], ENTITIES),
            pl.DataFrame(schema=DQ_RESULTS_SCHEMA), [], frame([], TEMPLATE_LINES)), LoadCounts())
        wh.finish_run(run, counts)
    return directory


def test_export_writes_every_table_with_a_manifest(warehouse: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "snap"
    assert main(["export", "--warehouse", str(warehouse), "--to", str(target)]) == 0
    assert "exported" in capsys.readouterr().out
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["schema_version"] == SCHEMA_VERSION
    tables = manifest["tables"]
    assert {"articles", "mentions", "entities", "quarantine", "runs", "article_clusters", "dq_results"} <= set(tables)
    assert "raw_documents" not in tables
    with duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True) as con:
        for table, info in tables.items():
            expected = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert info["rows"] == expected, table
            assert pq.read_table(target / info["file"]).num_rows == expected, table
    assert (tables["articles"]["rows"], tables["quarantine"]["rows"], tables["runs"]["rows"]) == (2, 1, 1)
    articles = pl.read_parquet(target / "articles.parquet")
    assert sorted(articles["article_id"]) == ["a", "b"] and articles["authors"][0].to_list() == ["A. Writer"]
    assert "| articles | 2 |" in (target / "README.md").read_text()
    assert not [p for p in target.iterdir() if p.name.startswith(".")]


def test_export_refuses_a_non_empty_folder_unless_forced(warehouse: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "snap"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    assert main(["export", "--warehouse", str(warehouse), "--to", str(target)]) == 1
    err = capsys.readouterr().err
    assert "not empty" in err and "--force" in err and "Traceback" not in err
    assert main(["export", "--warehouse", str(warehouse), "--to", str(target), "--force"]) == 0
    assert (target / "notes.txt").read_text() == "mine"  # --force replaces only the snapshot's files
    assert (target / "articles.parquet").exists()


def test_export_without_a_warehouse_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["export", "--warehouse", str(tmp_path / "none"), "--to", str(tmp_path / "snap")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("mediamon: error: no warehouse") and "\n" not in err
