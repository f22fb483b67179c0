"""A re-run with nothing new, finished without the pipeline (issue 18: "when nothing is new,
nothing heavy should load").

    precheck_run(settings, sources, progress) -> Precheck

`mediamon run` calls this before anything imports Prefect, great-expectations, spaCy or flows/.
When every source is read from disk, it lists and reads the documents as the flow does
(sources.collect, chunk by chunk) and asks the warehouse which it already stores with the same
bytes (`Warehouse.unchanged_documents`, the flow's early skip). When all are known and nothing
else is left for a run to catch up, it records the run itself, with the same warehouse calls the
flow makes for such a run, in the same order:

    begin_run, refresh_lsh_bands, load_chunk (the chunks' counts), apply_definitions (watchlist
    and topics: checked, nothing to re-match; search index), field health, update_clusters (nothing
    to cluster), export_parquet, finish_run

so the `runs` row and every table end as a flow re-run leaves them. What it does not do: start the
Prefect API, create a flow run and its artifacts, or rebuild the GX Data Docs (with nothing
validated the flow leaves them as they are too).

Otherwise it returns what it found (`Precheck.new_documents`, `reason`) without writing anything,
and the caller runs the pipeline, which reads the documents again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mediamon.config import Settings, SourceSpec
from mediamon.errors import MediamonError, SourceError
from mediamon.runs import RunSummary

# Source kinds read from disk (sources.collect.READERS): a local feed, sitemap or URL list names web
# pages, and a URL is known only once fetched, so those always go through the pipeline.
LOCAL_KINDS = frozenset({"folder", "page", "warc", "jsonl"})
# The stages a flow run times (flows.pipeline.StageClock), in the order it first laps them.
FLOW_STAGES = ("extract", "clean", "quality", "tag", "load")

# (documents done, documents in total, seconds since the run started), as flows.pipeline's.
ProgressCallback = Callable[[int, int, float], None]


@dataclass
class Precheck:
    """What the check found. `summary` is set when it recorded the run (the pipeline was not
    started); otherwise `reason` says why the pipeline must run, and `new_documents` how many
    documents it will process: every listed one when there is no warehouse yet, None when the
    check did not count them (--full, a web source, ...: the pipeline decides as it goes)."""

    documents_in: int | None = None
    new_documents: int | None = None
    reason: str = ""
    summary: RunSummary | None = None

    @property
    def finished(self) -> bool:
        return self.summary is not None


@dataclass
class _ChunkCounts:
    documents_in: int
    unchanged: int
    quarantined: int


def not_applicable(settings: Settings, sources: Sequence[SourceSpec]) -> str:
    """Why a run of these sources must go through the pipeline whatever the warehouse holds ('' if
    nothing says so yet)."""
    from sources.collect import reader_kind

    if settings.full:
        return "--full reprocesses every document"
    if settings.dask_address:
        return "[dask] address is set"
    if settings.test_pause_at:
        return "a crash test pauses the pipeline"
    if settings.report.after_run or settings.alerts.after_run:
        return "[report] or [alerts] after_run is set"
    for spec in sources:
        try:
            kind = reader_kind(spec.location)
        except SourceError:
            continue  # unreadable: the same problem line either way, nothing to fetch
        if kind not in LOCAL_KINDS:
            return f"source '{spec.name}' is fetched ({kind})"
    return ""


def precheck_run(settings: Settings, sources: Sequence[SourceSpec] | None = None,
                 progress: ProgressCallback | None = None) -> Precheck:
    """Finish the run here when nothing is new (see the module docstring); else say why not."""
    from mediamon.warehouse import RunLock, Warehouse, connect
    from sources.collect import collect

    specs = list(sources if sources is not None else settings.sources)
    reason = not_applicable(settings, specs)
    if reason:
        return Precheck(reason=reason)
    started = datetime.now(UTC)
    clock = time.monotonic()
    if not settings.duckdb_path.exists():
        listed = collect(specs, settings, {}, lazy=True)
        return Precheck(listed.total, listed.total, "no warehouse yet")
    with RunLock(settings.warehouse_dir, settings.lock_timeout_seconds), \
            Warehouse(settings.warehouse_dir, settings.lock_timeout_seconds, settings.memory_limit) as warehouse:
        warehouse.release()  # migrated if it was older; from here on read-only until there is a run to record
        extracted = collect(specs, settings, {}, lazy=True)
        # Read-only, under the run lock: no writer can come between, and readers are never held up.
        con = connect(warehouse.path, read_only=True, timeout=settings.lock_timeout_seconds)
        try:
            chunks, new = _early_skip(con, [*extracted.documents, *extracted.pending], settings.chunk_size)
            documents_in = sum(c.documents_in for c in chunks)
            if new:
                return Precheck(documents_in, new, f"{new} documents are new or changed")
            reason = _left_to_catch_up(con, settings) or (
                "web fetch state to save" if extracted.cache_updates else "")
        finally:
            con.close()
        if reason:
            return Precheck(documents_in, 0, reason)
        read_seconds = time.monotonic() - clock
        summary = _record_run(warehouse, settings, specs, extracted, chunks, started, read_seconds, progress)
    return Precheck(documents_in, 0, "", summary)


def _early_skip(con: Any, items: list[Any], chunk_size: int) -> tuple[list[_ChunkCounts], int]:
    """Read the documents a chunk at a time (as flows.pipeline's chunks) and split each chunk by
    what the warehouse stores (the flow's `Warehouse.unchanged_documents`); returns each chunk's
    counts and how many documents are new."""
    from mediamon.store.raw import stored_outcome, unchanged_documents
    from transforms.document import RawDocument

    size = max(1, chunk_size)
    chunks: list[_ChunkCounts] = []
    new = 0
    for start in range(0, len(items), size):
        batch = items[start:start + size]
        items[start:start + size] = [None] * len(batch)  # memory stays flat: a chunk's bytes at a time
        docs = [item if isinstance(item, RawDocument) else item.read() for item in batch]
        known = unchanged_documents(con, docs)
        counts = _ChunkCounts(len(docs), 0, 0)
        for doc in docs:
            outcome = stored_outcome(doc, known)[0]
            if outcome == "article":
                counts.unchanged += 1
            elif outcome == "quarantined":
                counts.quarantined += 1
            else:
                new += 1
        chunks.append(counts)
    return chunks, new


def _left_to_catch_up(con: Any, settings: Settings) -> str:
    """What a flow run would do beyond counting the documents, that needs the pipeline's libraries
    ('' when nothing), asked on a read-only connection."""
    from mediamon.store.clusters import signatures_without_bands, unclustered_articles
    from transforms.entities.watchlist import load_watchlist
    from transforms.monitoring.retag import definition_changes

    # A killed run's row says 'running', a stopped one's 'interrupted': the flow marks the first and
    # catches up on what either committed; the check does not try to (one flow run settles it).
    last = con.execute("SELECT status FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
    (running,) = con.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone() or (0,)
    if last is None:
        return "no run has completed yet"
    if running or last[0] != "completed":
        return f"the last run did not finish ({'running' if running else last[0]}): the pipeline catches up"
    unclustered = unclustered_articles(con).height
    if unclustered:
        return f"{unclustered} articles wait to be clustered"
    if signatures_without_bands(con).height:
        return "clustered articles wait for their LSH bands"
    try:
        watchlist = load_watchlist(settings.watchlist_path)
    except MediamonError as exc:
        return f"the watchlist cannot be loaded ({exc})"
    stored: dict[str, dict[str, str]] = {"watchlist": {}, "topic": {}}
    for kind, key, fingerprint in con.execute("SELECT kind, key, fingerprint FROM tag_definitions").fetchall():
        stored.setdefault(kind, {})[key] = fingerprint
    if definition_changes(stored["watchlist"], {e.key: e.fingerprint for e in watchlist.entities}):
        return "the watchlist changed (stored articles are re-matched)"
    if definition_changes(stored["topic"], {t.name: t.fingerprint for t in settings.topics}):
        return "the topics changed (stored articles are re-matched)"
    return ""


def _record_run(warehouse: Any, settings: Settings, specs: list[SourceSpec], extracted: Any,
                chunks: list[_ChunkCounts], started: datetime, read_seconds: float,
                progress: ProgressCallback | None) -> RunSummary:
    """The flow's writes for a run whose documents are all known, in the flow's order."""
    from mediamon.clusters import update_clusters
    from mediamon.field_health import field_health
    from mediamon.interrupts import RunInterrupted, critical, record_progress
    from mediamon.retag import apply_definitions
    from mediamon.runs import begin_run, new_run_id
    from mediamon.warehouse import LoadBatch, LoadCounts

    clock = time.monotonic()
    run_id = new_run_id()
    total_in = sum(c.documents_in for c in chunks)
    run = begin_run(warehouse, run_id, started, [s.name for s in specs], extracted)
    # The chunks' counts in one transaction: a chunk with nothing new writes nothing but its counts,
    # so one load leaves the row and the tables as the flow's load per chunk does (in a tenth of the time).
    skipped = LoadCounts(articles_unchanged=sum(c.unchanged for c in chunks),
                         quarantined=sum(c.quarantined for c in chunks))
    try:
        with critical():
            totals = warehouse.load_chunk(run, LoadBatch(documents_in=total_in, skipped=skipped), LoadCounts())
            record_progress(total_in)
    except RunInterrupted:
        warehouse.mark_interrupted(run_id)
        raise
    done = total_in
    if progress is not None:
        progress(done, total_in, read_seconds + time.monotonic() - clock)
    run.documents_in = done
    retag_counts = apply_definitions(warehouse, settings, run_id)
    dq_warnings: dict[str, int] = {}
    with critical():
        for message in field_health(warehouse, run_id, settings.min_words):
            dq_warnings["field_health_drop"] = dq_warnings.get("field_health_drop", 0) + 1
            extracted.problems.append(f"field health: {message}")
        # The flow's stages, timed the same way; a stage that had nothing to do took no time.
        stage_seconds = {"extract": read_seconds, **({stage: 0.0 for stage in FLOW_STAGES[1:-1]} if chunks else {}),
                         "load": time.monotonic() - clock}
        run.dq_warnings = sum(dq_warnings.values())
        run.counts.update({"dq_warnings_by_check": dq_warnings, "skipped_unchanged": skipped.accounted,
                           "chunks": len(chunks),
                           "stage_seconds": {k: round(v, 2) for k, v in stage_seconds.items()},
                           "longest_writer_hold_seconds": round(max(warehouse.holds, default=0.0), 2)})
        run.counts["retag"] = retag_counts
        update_clusters(warehouse)  # nothing to cluster (checked): no clustering library is imported
        warehouse.export_parquet(let_readers_in=True)
        warehouse.finish_run(run, totals)
        warehouse.save_fetch_cache(extracted.cache_updates)
        warehouse.release()
        stage_seconds["load"] = time.monotonic() - clock
    return RunSummary(
        run_id=run_id, documents_in=done, articles_new=totals.articles_new,
        articles_updated=totals.articles_updated, articles_unchanged=totals.articles_unchanged,
        duplicates=totals.duplicates, quarantined=totals.quarantined, dq_warnings=dq_warnings,
        quarantine_reasons={}, problems=extracted.problems, skipped_files=extracted.skipped_files,
        warehouse=settings.duckdb_path, parquet=settings.parquet_dir, stage_seconds=stage_seconds,
        not_modified=extracted.not_modified, skipped_unchanged=skipped.accounted, chunks=len(chunks),
        retag=retag_counts, failed_sources=list(extracted.failed_sources))

