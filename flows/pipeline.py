"""The parent flow: extract → clean → quality → tag → load, on batches of documents."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.clean import clean_documents
from flows.extract import extract_sources
from flows.quality import check_articles
from flows.tag import tag_articles
from mediamon.clusters import update_clusters
from mediamon.config import Settings, SourceSpec
from mediamon.warehouse import LoadCounts, RunRecord, Warehouse
from transforms.clean import refresh_derived, split_repeated_urls
from transforms.schema import ARTICLES, QUARANTINE, frame
from transforms.site_templates import apply_templates


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

    @property
    def articles(self) -> int:
        return self.articles_new + self.articles_updated + self.articles_unchanged + self.duplicates


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def batches(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), max(1, size))]


@task(name="load: warehouse and parquet", cache_policy=NO_CACHE, persist_result=False)
def load_warehouse(warehouse: Warehouse, run: RunRecord, articles: pl.DataFrame, quarantine: pl.DataFrame,
                   mentions: pl.DataFrame, entities: pl.DataFrame, dq_results: pl.DataFrame,
                   raw_documents: list[Any], template_lines: pl.DataFrame) -> LoadCounts:
    counts = warehouse.load_run(run, articles, quarantine, mentions, entities, dq_results, raw_documents,
                                template_lines)
    update_clusters(warehouse.con)
    warehouse.export_parquet()
    return counts


@flow(name="mediamon-run", validate_parameters=False, log_prints=False)
def run_pipeline(settings: Settings, sources: list[SourceSpec] | None = None) -> RunSummary:
    """Run every source once into the warehouse; returns the run's summary."""
    clock = datetime.now(UTC)
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = datetime.now(UTC)
        timings[stage] = timings.get(stage, 0.0) + (now - clock).total_seconds()
        clock = now

    run_id = new_run_id()
    sources = list(sources if sources is not None else settings.sources)
    started = datetime.now(UTC)
    # Take the writer lock before doing any work, so a second run waits (or fails) early.
    with Warehouse(settings.warehouse_dir, settings.lock_timeout_seconds) as warehouse:
        extracted = extract_sources(sources, settings, warehouse.load_fetch_cache())
        documents = extracted.documents
        lap("extract")

        articles: list[dict[str, object]] = []
        quarantined: list[dict[str, object]] = []
        # Smaller batches than the configured size when that is what it takes to keep every worker busy.
        size = min(settings.batch_size, max(25, -(-len(documents) // max(1, settings.workers * 4))))
        for cleaned in clean_documents(batches(documents, size), run_id, settings.publishers,
                                       settings.workers):
            articles.extend(cleaned.articles)
            quarantined.extend(cleaned.quarantined)
        sites = sorted({str(a["site"]) for a in articles if a.get("site")})
        articles, template_rows = apply_templates(articles, warehouse.template_lines(sites))
        articles = [refresh_derived(a) for a in articles]
        articles, repeated = split_repeated_urls(articles, run_id)
        quarantined.extend(repeated)
        lap("clean")

        gate = check_articles(articles, run_id, settings.min_words, settings.languages)
        quarantined.extend(gate.quarantined)
        lap("quality")

        mentions, entities = tag_articles(gate.kept, settings.workers, settings.watchlist_path)
        lap("tag")

        run = RunRecord(run_id=run_id, started_at=started, sources=[s.name for s in sources],
                        documents_in=len(documents), dq_warnings=sum(gate.warnings_by_check.values()),
                        problems=extracted.problems,
                        counts={"dq_warnings_by_check": gate.warnings_by_check,
                                "skipped_files": extracted.skipped_files,
                                # Web URLs the server (304) or the content hash said did not change:
                                # never became documents, so they are outside documents_in.
                                "not_modified": extracted.unchanged})
        counts = load_warehouse(warehouse, run, frame(gate.kept, ARTICLES), frame(quarantined, QUARANTINE),
                                mentions, entities, gate.dq_results, documents, template_rows)
        # Only after a successful load: a failed run must refetch unconditionally next time.
        warehouse.save_fetch_cache(extracted.cache_updates)
        lap("load")

    reasons: dict[str, int] = {}
    for q in quarantined:
        for r in q["reasons"]:  # type: ignore[attr-defined]
            reasons[str(r)] = reasons.get(str(r), 0) + 1
    return RunSummary(
        run_id=run_id, documents_in=len(documents), articles_new=counts.articles_new,
        articles_updated=counts.articles_updated, articles_unchanged=counts.articles_unchanged,
        duplicates=counts.duplicates, quarantined=counts.quarantined, dq_warnings=gate.warnings_by_check,
        quarantine_reasons=reasons, problems=extracted.problems, skipped_files=extracted.skipped_files,
        warehouse=settings.duckdb_path, parquet=settings.parquet_dir, stage_seconds=timings,
        not_modified=extracted.unchanged)
