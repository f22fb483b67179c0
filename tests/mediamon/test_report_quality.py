"""The report's data-quality panel counts each document of the period once, over every run in it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from expectations.runner import DQ_RESULTS_SCHEMA
from mediamon.config import Settings
from mediamon.report import read_report_data
from mediamon.warehouse import LoadBatch, LoadCounts, RunRecord, Warehouse
from transforms.monitoring.alert_rules import Since
from transforms.schema import ARTICLES, ENTITIES, MENTIONS, QUARANTINE, TEMPLATE_LINES, frame


def _article(article_id: str, failures: list[str]) -> dict[str, object]:
    url = f"https://e.org/{article_id}"
    return {"article_id": article_id, "url": url, "canonical_url": url, "source": "t", "title": "T",
            "body": f"body of {article_id}", "word_count": 3, "content_hash": f"h-{article_id}",
            "dq_status": "warn" if failures else "pass", "dq_failures": failures, "run_id": "r", "doc_key": url,
            "authors": [], "tags": [], "fetched_at": datetime.now(UTC)}


def _run(wh: Warehouse, run_id: str, articles: list[dict[str, object]], quarantined: list[str]) -> None:
    rows = [{"doc_key": f"/in/{k}.html", "url": f"file:///in/{k}.html", "path": f"/in/{k}.html", "source": "t",
             "stage": "clean", "reasons": ["no article text found"], "detail": None, "run_id": run_id,
             "quarantined_at": datetime.now(UTC)} for k in quarantined]
    run = RunRecord(run_id=run_id, started_at=datetime.now(UTC), sources=["t"],
                    documents_in=len(articles) + len(rows), dq_warnings=1)
    wh.begin_run(run)
    counts = wh.load_chunk(run, LoadBatch(
        run.documents_in,
        frame(articles, ARTICLES), frame(rows, QUARANTINE), frame([], MENTIONS), frame([], ENTITIES),
        pl.DataFrame(schema=DQ_RESULTS_SCHEMA), [], frame([], TEMPLATE_LINES)), LoadCounts())
    wh.finish_run(run, counts)


def test_dq_panel_counts_each_document_once_over_all_runs_of_the_period(tmp_path: Path) -> None:
    with Warehouse(tmp_path) as wh:
        # Run 1: two articles (one with a warning) and one quarantined file.
        _run(wh, "r1", [_article("a", ["published_at_present"]), _article("b", [])], ["broken"])
        # Run 2 goes over the same files again; run 3 brings one new article.
        _run(wh, "r2", [_article("a", ["published_at_present"]), _article("b", [])], ["broken"])
        _run(wh, "r3", [_article("c", ["published_at_present"])], [])
    data = read_report_data(Settings(config_path=None, warehouse_dir=tmp_path), Since(days=7))
    assert data.runs.height == 3
    assert data.dq_totals == {"documents in": 4, "articles": 3, "quarantined": 1, "DQ warnings": 2}
    assert dict(zip(data.dq_checks["expectation"], data.dq_checks["warnings"], strict=True)) == {
        "published_at_present": 2}
    assert dict(zip(data.quarantine_reasons["reason"], data.quarantine_reasons["documents"], strict=True)) == {
        "no article text found": 1}
