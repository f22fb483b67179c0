"""What a run is called and what it reports: shared by the pipeline flow (flows/pipeline.py) and the
re-run check that can finish a run without it (mediamon/precheck.py). No Prefect here: the CLI
builds and prints a summary without importing the flow.

    new_run_id() -> str       '20260102T030405Z-a1b2c3': sortable by start time
    begin_run(...)             the `runs` row a run begins with, recorded as 'running'
    RunSummary                 the counts `mediamon run` prints (mediamon.cli.format_summary)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def begin_run(warehouse: Any, run_id: str, started_at: datetime, source_names: list[str],
              extracted: Any) -> Any:
    """Record the run as begun in `warehouse` (a `mediamon.warehouse.Warehouse`), with what
    extracting its sources (`extracted`: flows/extract's result) said, and bring the clustering
    bands up to date as every run does first; returns its `RunRecord`."""
    from mediamon.clusters import refresh_lsh_bands
    from mediamon.warehouse import RunRecord

    run = RunRecord(run_id=run_id, started_at=started_at, sources=source_names, problems=extracted.problems,
                    counts={"skipped_files": extracted.skipped_files,
                            "failed_sources": list(extracted.failed_sources),
                            # Web URLs the server (304) or the content hash said did not change:
                            # never became documents, so they are outside documents_in.
                            "not_modified": extracted.not_modified})
    warehouse.begin_run(run)
    refresh_lsh_bands(warehouse)
    return run


@dataclass
class RunSummary:
    run_id: str
    documents_in: int
    articles_new: int
    articles_updated: int
    articles_unchanged: int
    duplicates: int
    quarantined: int
    dq_warnings: dict[str, int]
    quarantine_reasons: dict[str, int]
    problems: list[str]
    skipped_files: int
    warehouse: Path
    parquet: Path
    stage_seconds: dict[str, float] = field(default_factory=dict)
    not_modified: int = 0  # web URLs unchanged since the last run (304 / same hash): not in documents_in
    skipped_unchanged: int = 0  # documents in whose raw bytes an earlier run stored: counted, not parsed
    chunks: int = 0
    retag: dict[str, Any] = field(default_factory=dict)  # runs.counts["retag"]: mediamon/retag.py
    failed_sources: list[str] = field(default_factory=list)  # sources that yielded nothing at all

    @property
    def articles(self) -> int:
        return self.articles_new + self.articles_updated + self.articles_unchanged + self.duplicates
