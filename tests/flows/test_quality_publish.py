"""After a run: GX Data Docs under <warehouse>/dq/ and the data-quality Prefect artifact (real Prefect API)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from prefect import flow

from expectations.runner import DQ_RESULTS_SCHEMA, run_suite
from flows.quality import publish_quality
from mediamon.warehouse import LoadBatch, LoadCounts, RunRecord, Warehouse
from transforms.schema import ARTICLES, ENTITIES, MENTIONS, QUARANTINE, TEMPLATE_LINES, frame


def test_publish_quality_writes_data_docs_and_an_artifact(tmp_path: Path, prefect_harness) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    checked = pl.DataFrame({"article_id": ["a", "b"], "url": ["u1", "u2"], "publisher": ["P", None],
                            "title": ["T", "T"], "body": ["x " * 60, "y " * 60], "word_count": [60, 60],
                            "published_at": [datetime(2025, 1, 1, tzinfo=UTC)] * 2, "language_ok": [True, True],
                            "ner_model_ok": [True, True]})
    outcome = run_suite("articles", checked, {"now": datetime.now(UTC), "min_words": 50,
                                              "earliest_date": datetime(1990, 1, 1, tzinfo=UTC)}, "run-pq")
    with Warehouse(tmp_path) as wh:
        run = RunRecord(run_id="run-pq", started_at=datetime.now(UTC), sources=["t"], documents_in=0)
        wh.begin_run(run)
        counts = wh.load_chunk(run, LoadBatch(
            run.documents_in,
            frame([], ARTICLES), frame([], QUARANTINE), frame([], MENTIONS), frame([], ENTITIES),
            pl.DataFrame(outcome.results, schema=DQ_RESULTS_SCHEMA), [],
            frame([], TEMPLATE_LINES)), LoadCounts())
        wh.finish_run(run, counts)

        @flow(name="publish-quality-test")
        def publish() -> Path | None:
            return publish_quality(wh, "run-pq")

        index = publish()
    assert index == tmp_path / "dq" / "index.html" and index.exists()
    assert list((tmp_path / "dq" / "validations").rglob("*.html"))

    async def read() -> list[str]:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["mediamon-data-quality"])))
            return [str(a.data) for a in found]

    texts = asyncio.run(read())
    assert any("| articles | publisher_present | warning | 2 | 1 |" in t for t in texts), texts
