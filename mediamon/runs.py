"""What a run is called and what it reports: shared by the pipeline flow (flows/pipeline.py) and the
re-run check that can finish a run without it (mediamon/precheck.py). No Prefect here: the CLI
builds and prints a summary without importing the flow.

    new_run_id() -> str       '20260102T030405Z-a1b2c3': sortable by start time
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
