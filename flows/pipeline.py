"""The parent flow: extract → clean → quality → tag → load, streamed in chunks of documents.

Local files are listed first and read a chunk at a time (`[pipeline] chunk_size`), so
memory stays flat however many documents come in. Before parsing, a document whose raw
bytes an earlier run already stored is recognised and counted (`unchanged`, or
`quarantined` when it is still in quarantine) without being processed again; `full`
turns that off. Each chunk goes through the stages (`ChunkRun`, one method per stage),
is loaded in its own transaction and must add up on its own; its articles then join the
syndication clusters. With local workers the chunks overlap: the next chunk is read and
cleaned in the workers while this one is checked, tagged and loaded here (`ChunkRun.start`);
what depends on earlier chunks is settled after their load (`ChunkRun.settle`, `finish_clean`).
At the end the clusters are brought up to date once more (articles
a killed earlier run committed without clustering, when no chunk came after them), the
Parquet copy is refreshed and the `runs` row is marked completed. A crash leaves the earlier
chunks committed and the `runs` row 'running' (the next run marks it 'interrupted' and skips
those chunks' documents as unchanged).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote

from flows.extract import extract_sources, reread_raw_documents
from expectations.runner import warm_up as warm_up_quality
from flows.quality import Gate, TagGate, check_articles, check_tagged, field_health, publish_quality
from flows.runners import (DaskStages, LocalStages, PendingBatches, Stages, dask_task_runner, make_stages,
                           split, tag_batches)
from mediamon.clusters import update_clusters
from mediamon.config import Settings, SourceSpec
from mediamon.errors import MediamonError, QualityError
from mediamon.interrupts import RunInterrupted, critical, rearm, record_progress
from mediamon.retag import apply_definitions
from mediamon.runs import RunSummary, begin_run, new_run_id
from mediamon.runtime import stage_boundary
from mediamon.store.raw import raw_rows, stored_outcome
from mediamon.warehouse import LoadBatch, LoadCounts, RunLock, RunRecord, Warehouse
from mediamon.native_memory import release_memory
from sources.local import PendingPage, PendingRecord
from sources.stored import Reprocess
from transforms.extraction.clean import CleanBatch, doc_key
from transforms.extraction.clean_chunk import CleanedChunk, chunk_lines, finish_clean
from transforms.extraction.site_templates import MIN_TEMPLATE_DOCS
from transforms.document import RawDocument
from transforms.schema import ARTICLES, ENTITIES, MENTIONS, QUARANTINE, frame
from transforms.entities.tag_rows import merge_tagged, tag_inputs

# (documents done, documents in total, seconds since the run started): called after every chunk.
ProgressCallback = Callable[[int, int, float], None]


@dataclass
class ChunkInput:
    """A chunk's documents after the early skip: those to process and the count of those skipped."""

    fresh: list[RawDocument]
    skipped: LoadCounts
    documents_in: int
    # article_id -> the skipped document that holds it: it still claims that URL in this run.
    claims: dict[object, dict[str, object]] = field(default_factory=dict)
    docs: list[RawDocument] = field(default_factory=list)  # all of them, for `recheck_chunk`
    known: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # the early skip's answer
    raw_rows: pl.DataFrame | None = None  # `fresh` as raw_documents rows, once cleaned (`ChunkRun.clean`)


@dataclass
class ChunkAhead:
    """A chunk read and, with local workers, already being cleaned: see `ChunkRun.start`."""

    name: str
    items: list[Any]  # what `read_chunk` reads, kept until the chunk is settled
    chunk: ChunkInput | None  # None: the early read failed, it is read again in order
    pending: PendingBatches | None  # its clean batches under way (None: cleaned when collected)
    early: bool  # read before the previous chunk was loaded: its early skip must be checked again


def _not_a_data_error(task: Any, task_run: Any, state: Any) -> bool:
    """Retry transient I/O failures, never a run that does not add up (retrying cannot fix it)."""
    try:
        state.result()
    except QualityError:
        return False
    except Exception:
        return True
    return False


def _early_skip(docs: list[RawDocument], known: dict[str, tuple[str, str | None]]) -> ChunkInput:
    """The chunk's documents split by what the warehouse holds (`known`: doc_key -> outcome)."""
    skipped = LoadCounts()
    fresh = []
    claims: dict[object, dict[str, object]] = {}
    for doc in docs:
        outcome, article_id = stored_outcome(doc, known)
        if outcome == "article":
            skipped.articles_unchanged += 1
            claims.setdefault(article_id, {"article_id": article_id, "doc_key": doc_key(doc), "url": doc.url,
                                           "path": doc.path, "source": doc.source})
        elif outcome == "quarantined":
            skipped.quarantined += 1
        else:
            fresh.append(doc)
    return ChunkInput(fresh, skipped, len(docs), claims, docs, known)


@task(name="read: documents and early skip", cache_policy=NO_CACHE, persist_result=False,
      retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=1),
      retry_condition_fn=_not_a_data_error)
def read_chunk(warehouse: Warehouse, items: list[RawDocument | PendingPage | PendingRecord],
               full: bool) -> ChunkInput:
    """Read the chunk's files and set aside documents an earlier run stored with the same bytes."""
    docs = [item if isinstance(item, RawDocument) else item.read() for item in items]
    return _early_skip(docs, {} if full else warehouse.unchanged_documents(docs))


@task(name="read: early skip after the previous chunk's load", cache_policy=NO_CACHE, persist_result=False,
      retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=1),
      retry_condition_fn=_not_a_data_error)
def recheck_chunk(warehouse: Warehouse, chunk: ChunkInput) -> ChunkInput | None:
    """`chunk`, read while the previous chunk was still being loaded, split again by what the
    warehouse holds now; None when that is what it was. The load in between may have stored
    some of the same bytes (the same page twice in a run) or replaced an article's."""
    known = warehouse.unchanged_documents(chunk.docs)
    return None if known == chunk.known else _early_skip(chunk.docs, known)


@task(name="clean: extract articles", cache_policy=NO_CACHE, persist_result=False)
def clean_chunk(pending: PendingBatches) -> list[CleanBatch]:
    """The chunk's clean batches: started in the workers by `ChunkRun.start`, waited for here."""
    return pending.result()


@task(name="tag: named entities", cache_policy=NO_CACHE, persist_result=False)
def tag_chunk(stages: Stages, chunk: list[list[Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    return merge_tagged(stages.tag(chunk))


@task(name="load: chunk into the warehouse", cache_policy=NO_CACHE, persist_result=False,
      retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=1),
      retry_condition_fn=_not_a_data_error)
def load_chunk(warehouse: Warehouse, run: RunRecord, batch: LoadBatch, totals: LoadCounts) -> LoadCounts:
    try:
        return warehouse.load_chunk(run, batch, totals)
    finally:
        # Readers get in once the chunk is committed (or rolled back), not after this task's own
        # state updates to the Prefect API, which a busy machine can stretch.
        warehouse.release()


@task(name="retag: watchlist, topics and search index", cache_policy=NO_CACHE, persist_result=False)
def retag_and_index(warehouse: Warehouse, settings: Settings, run_id: str) -> dict[str, Any]:
    """Apply new or changed watchlist entries and topics to history, topics to new articles, and
    index new articles for `mediamon search` (matching only: no NER, no extraction)."""
    return apply_definitions(warehouse, settings, run_id)


@task(name="finish: clusters, parquet and run record", cache_policy=NO_CACHE, persist_result=False)
def finish_run(warehouse: Warehouse, run: RunRecord, totals: LoadCounts) -> None:
    """Catch up clustering (a no-op unless a killed run left committed articles unclustered),
    write the Parquet copy and mark the run completed."""
    update_clusters(warehouse)
    warehouse.export_parquet(let_readers_in=True)  # readers are not held up while the files are written
    warehouse.finish_run(run, totals)


class StageClock:
    """Seconds per stage over a run: `lap(stage)` adds the time since the previous lap to `stage`."""

    def __init__(self) -> None:
        self.started = self._last = time.monotonic()
        self.timings: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.monotonic()
        self.timings[stage] = self.timings.get(stage, 0.0) + (now - self._last)
        self._last = now

    def elapsed(self) -> float:
        return time.monotonic() - self.started


class ChunkRun:
    """One run's chunks through the stages: each method is one stage of the card and its finishing
    work, and the run's running totals (counts, DQ warnings, quarantine reasons, stage times).

    Where the heavy stages run is decided once: on Dask, `DaskStages` submits its batch tasks from
    the flow itself; locally, the chunk's batches go to the worker pool inside one Prefect task.
    """

    def __init__(self, warehouse: Warehouse, settings: Settings, stages: Stages, run: RunRecord,
                 full: bool, clock: StageClock) -> None:
        self.warehouse, self.settings, self.stages, self.run = warehouse, settings, stages, run
        self.run_id, self.full, self.timeout = run.run_id, full, settings.task_timeout_seconds
        self.submits_own_tasks = isinstance(stages, DaskStages)
        # Local workers clean the next chunk while this process checks, tags and loads the current one.
        self.overlaps = isinstance(stages, LocalStages)
        self.totals = LoadCounts()
        self.dq_warnings: dict[str, int] = {}
        self.reasons: dict[str, int] = {}
        self.first_claims: dict[object, dict[str, object]] = {}  # article_id -> who claimed it first
        self.done = self.skipped_unchanged = self.chunks = 0
        chunk_size = max(1, settings.chunk_size)
        self.clean_size = min(settings.batch_size, max(25, -(-chunk_size // max(1, settings.workers * 4))))
        self.clock = clock
        self.lap = clock.lap

    def _warned(self, by_check: dict[str, int]) -> None:
        for check, n in by_check.items():
            self.dq_warnings[check] = self.dq_warnings.get(check, 0) + n

    def _task(self, fn: Any, run_name: str) -> Any:
        # Arguments holding a chunk's documents or rows are passed in `quote(...)`: Prefect would
        # otherwise walk every document, dict and list in them looking for futures (seconds a run).
        return fn.with_options(timeout_seconds=self.timeout, task_run_name=run_name)

    def next_chunk(self) -> str:
        self.chunks += 1
        return f"chunk {self.chunks}"

    def start(self, items: list[RawDocument | PendingPage] | None, early: bool) -> ChunkAhead | None:
        """Read a chunk's documents (early skip included) and hand its clean batches to the local
        workers now; None when there is no chunk left.

        With `early`, the chunk before it is not loaded yet (the overlap: the workers clean this
        chunk while the run process checks, tags and loads that one). Cleaning a document needs
        nothing from earlier chunks: what does (the early skip, stored template lines, URL claims)
        is settled in order, after that load (`settle`, `clean`).
        """
        if items is None:
            return None
        name = self.next_chunk()
        try:
            chunk: ChunkInput | None = self._task(read_chunk, f"read: {name}")(
                self.warehouse, quote(items), self.full)
        except Exception:
            if not early:
                raise
            chunk = None  # read again in order (`settle`): the chunk before must be loaded first
        self.warehouse.release()  # readers get in while the chunk is cleaned, checked and tagged
        ahead = ChunkAhead(name, items, chunk, None, early and not self.full)
        if chunk is not None:
            self._start_clean(ahead, chunk)
        self.lap("extract")
        return ahead

    def _start_clean(self, ahead: ChunkAhead, chunk: ChunkInput) -> None:
        if chunk.fresh and isinstance(self.stages, LocalStages):
            ahead.pending = self.stages.start_clean(split(chunk.fresh, self.clean_size), self.run_id,
                                                    self.settings.publishers)
            warm_up_quality()  # while the workers clean, this process only waits: GX imports now

    def settle(self, ahead: ChunkAhead) -> ChunkInput:
        """The chunk's early skip as the warehouse stands now, and its counts and claims in the run's."""
        chunk = ahead.chunk
        if chunk is None:
            chunk = self._task(read_chunk, f"read: {ahead.name}")(self.warehouse, quote(ahead.items), self.full)
            self.warehouse.release()
            self._start_clean(ahead, chunk)
        elif ahead.early:
            again = self._task(recheck_chunk, f"read: {ahead.name} again")(self.warehouse, quote(chunk))
            self.warehouse.release()
            if again is not None:  # rare: restart its cleaning with the documents now to clean
                if ahead.pending is not None:
                    ahead.pending.cancel()
                    ahead.pending = None
                chunk = again
                self._start_clean(ahead, chunk)
        ahead.items, ahead.chunk = [], None
        chunk.docs, chunk.known = [], {}
        self.skipped_unchanged += chunk.skipped.articles_unchanged + chunk.skipped.quarantined
        for article_id, claim in chunk.claims.items():
            self.first_claims.setdefault(article_id, claim)
        self.lap("extract")
        return chunk

    def clean(self, chunk: ChunkInput, ahead: ChunkAhead) -> CleanedChunk:
        """Documents to article rows, then the chunk's templates, derived columns and repeated URLs."""
        batches: list[CleanBatch] = []
        if chunk.fresh:
            if self.submits_own_tasks:
                batches = self.stages.clean(split(chunk.fresh, self.clean_size), self.run_id,
                                            self.settings.publishers)
            else:
                if ahead.pending is None:
                    self._start_clean(ahead, chunk)
                assert ahead.pending is not None
                batches = self._task(clean_chunk, f"clean: {ahead.name}")(ahead.pending)
                ahead.pending = None
        # The pages' bytes are needed no more, but for the raw_documents rows: those are built
        # (hashed, compressed) now and the bytes let go, so a chunk being checked, tagged and
        # loaded does not hold its pages (about 40 MB for 250 pages) while the next one is read.
        chunk.raw_rows = raw_rows(chunk.fresh, self.run_id)
        chunk.fresh = [replace(doc, raw=None) for doc in chunk.fresh]
        # Templates are learned from this chunk plus every line stored by earlier chunks and runs.
        lines = chunk_lines(batches)
        stored_lines = self.warehouse.template_lines(lines, MIN_TEMPLATE_DOCS)
        self.warehouse.release()
        cleaned = finish_clean(batches, stored_lines, self.first_claims, self.run_id, lines)
        self.first_claims.update(cleaned.claims)
        self.warehouse.at_stage("clean")
        self.lap("clean")
        return cleaned

    def check(self, cleaned: CleanedChunk, name: str) -> Gate:
        """The articles suite: critical failures become quarantine rows, warnings are counted."""
        # A chunk with nothing new (a re-run over unchanged inputs) skips the stage tasks:
        # each costs Prefect a task run and GX a suite run, for no rows.
        gate = self._task(check_articles, f"quality: {name}")(
            quote(cleaned.articles), self.run_id, self.settings.min_words, self.settings.languages) \
            if cleaned.articles else Gate()
        self._warned(gate.warnings_by_check)
        self.lap("quality")
        return gate

    def tag(self, gate: Gate, name: str) -> TagGate:
        """Named entities of the kept articles, then the mentions and entities suites."""
        tag_split = tag_batches(tag_inputs(gate.kept), self.settings.workers)
        if not gate.kept:
            mentions, entities = frame([], MENTIONS), frame([], ENTITIES)
        elif self.submits_own_tasks:
            mentions, entities = merge_tagged(self.stages.tag(tag_split))
        else:
            mentions, entities = self._task(tag_chunk, f"tag: {name}")(self.stages, quote(tag_split))
        self.warehouse.at_stage("tag")
        self.lap("tag")
        tagged = self._task(check_tagged, f"quality: tags {name}")(
            mentions, entities, quote(gate.kept), self.run_id) if gate.kept else TagGate(mentions, entities)
        self._warned(tagged.warnings_by_check)
        self.lap("quality")
        return tagged

    def load(self, chunk: ChunkInput, cleaned: CleanedChunk, gate: Gate, tagged: TagGate, name: str) -> None:
        """Commit the chunk in one transaction, then fold its articles into the syndication clusters."""
        quarantined = [*cleaned.quarantined, *gate.quarantined]
        # A SIGINT/SIGTERM now waits until the chunk is committed and counted (interrupts).
        with critical():
            # Every article this load writes gets an `updated_at` from a later clock reading: the
            # chunk's clustering looks for those only (an article a clock step skips waits for
            # finish_run, which checks them all).
            load_began = datetime.now(UTC)
            batch = LoadBatch(
                documents_in=chunk.documents_in, articles=frame(gate.kept, ARTICLES),
                quarantine=frame(quarantined, QUARANTINE), mentions=tagged.mentions, entities=tagged.entities,
                dq_results=pl.concat([gate.dq_results, tagged.dq_results]), raw_documents=chunk.fresh,
                raw_rows=chunk.raw_rows, template_lines=cleaned.template_lines, skipped=chunk.skipped)
            counts = self._task(load_chunk, f"load: {name}")(
                self.warehouse, self.run, quote(batch), self.totals)
            self.totals = self.totals + counts
            self.done += chunk.documents_in
            record_progress(self.done)
            # Readers get in between the commit and the clustering (the load task let go of the
            # file): two short holds, not one long.
            # Cluster each chunk as it lands: clustering all of a long run's articles at the end
            # held every body and signature at once. Only the stored clusters a chunk may join
            # are read (article_lsh_bands), so the cost stays flat as the warehouse grows.
            # A chunk that loaded no article has nothing to cluster (articles a killed earlier
            # run left unclustered are caught up by finish_run).
            if gate.kept:
                update_clusters(self.warehouse, since=load_began)
                self.warehouse.release()  # the next chunk's files are read without holding the warehouse
        for q in quarantined:
            for r in q["reasons"]:  # type: ignore[attr-defined]
                self.reasons[str(r)] = self.reasons.get(str(r), 0) + 1
        release_memory()
        self.lap("load")

    def report(self, name: str, total_in: int, progress: ProgressCallback | None) -> None:
        """The chunk's log line and the caller's progress callback."""
        get_run_logger().info("%s: %d/%d documents (%d skipped as unchanged); longest writer hold %.2f s",
                              name, self.done, total_in, self.skipped_unchanged,
                              max(self.warehouse.holds, default=0.0))
        if progress is not None:
            progress(self.done, total_in, self.clock.elapsed())


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive chunks; each item is dropped from `items` once handed out, so memory stays flat."""
    for start in range(0, len(items), size):
        chunk = items[start:start + size]
        items[start:start + size] = [None] * len(chunk)
        yield chunk


def summary_markdown(s: RunSummary) -> str:
    """The run summary as the Prefect artifact shown in the UI."""
    rows = [("documents in", s.documents_in), ("new", s.articles_new), ("updated", s.articles_updated),
            ("unchanged", s.articles_unchanged), ("duplicates", s.duplicates), ("quarantined", s.quarantined),
            ("skipped before parsing (unchanged bytes)", s.skipped_unchanged),
            ("web pages not modified", s.not_modified), ("chunks", s.chunks)]
    lines = [f"# mediamon run {s.run_id}", "", "| | |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    if s.stage_seconds:
        lines += ["", "| stage | seconds |", "|---|---:|"]
        lines += [f"| {stage} | {secs:.1f} |" for stage, secs in s.stage_seconds.items()]
    if s.quarantine_reasons:
        lines += ["", "**Quarantined:** " + "; ".join(
            f"{r} ({n})" for r, n in sorted(s.quarantine_reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:10])]
    if s.dq_warnings:
        lines += ["", "**DQ warnings:** " + ", ".join(f"{k} {v}" for k, v in sorted(s.dq_warnings.items()))]
    lines += [f"- {p}" for p in s.problems[:20]]
    lines += ["", f"Warehouse: `{s.warehouse}`"]
    return "\n".join(lines)


def run_pipeline(settings: Settings, sources: list[SourceSpec] | None = None,
                 progress: ProgressCallback | None = None, reprocess: Reprocess | None = None) -> RunSummary:
    """Run every source once into the warehouse; returns the run's summary.

    With `reprocess`, the stored raw documents it selects go through the pipeline again instead
    (no network, no early skip). Runs on a Dask cluster when `[dask] address` is set (the heavy
    stages go to its workers), else here with `workers` local processes.
    """
    from prefect.task_engine import TaskRunTimeoutError

    runner = dask_task_runner(settings)
    flow_fn = pipeline_flow.with_options(task_runner=runner) if runner is not None else pipeline_flow
    try:
        return flow_fn(settings, sources, progress, reprocess)  # type: ignore[no-any-return]
    except TaskRunTimeoutError as exc:
        raise MediamonError(
            f"a pipeline task ran longer than [pipeline] task_timeout_seconds = {settings.task_timeout_seconds:g} "
            f"s ({exc}); the chunks loaded before it are kept; raise the timeout or lower chunk_size") from exc


@flow(name="mediamon-run", validate_parameters=False, log_prints=False)
def pipeline_flow(settings: Settings, sources: list[SourceSpec] | None = None,
                  progress: ProgressCallback | None = None, reprocess: Reprocess | None = None) -> RunSummary:
    """The Prefect flow behind `run_pipeline` (call that: it picks the task runner).

    Extract the sources, then per chunk: extract (read, early skip) → clean → quality → tag →
    load, the next chunk's read and clean already under way meanwhile; then re-tag history,
    field health, and the run's finish (clusters, Parquet, record).
    """
    rearm()  # SIGTERM stops the run like Ctrl-C does (mediamon.interrupts), not Prefect's way
    clock = StageClock()
    run_id = new_run_id()
    sources = list(sources if sources is not None else settings.sources)
    started = datetime.now(UTC)
    timeout = settings.task_timeout_seconds
    stages = make_stages(settings)
    # Take the run lock before doing any work, so a second run waits (or fails) early. The DuckDB
    # file itself is held only while a chunk is read for or committed (Warehouse.release).
    with RunLock(settings.warehouse_dir, settings.lock_timeout_seconds), \
            Warehouse(settings.warehouse_dir, settings.lock_timeout_seconds, settings.memory_limit) as warehouse:
        warehouse.stage_hook = partial(stage_boundary, settings.test_pause_at)  # crash tests only
        if reprocess is not None:
            extracted = reread_raw_documents.with_options(timeout_seconds=timeout)(warehouse, reprocess)
        else:
            fetch_cache = warehouse.load_fetch_cache()
            warehouse.release()  # fetching a web source can take minutes: readers meanwhile
            extracted = extract_sources.with_options(timeout_seconds=timeout)(
                sources, settings, fetch_cache, lazy=True)
        total_in = extracted.total
        items: list[Any] = [*extracted.documents, *extracted.pending]
        extracted.documents, extracted.pending = [], []
        run = begin_run(warehouse, run_id, started, [s.name for s in sources], extracted)
        warehouse.at_stage("extract")
        clock.lap("extract")

        chunked = ChunkRun(warehouse, settings, stages, run, settings.full or reprocess is not None, clock)
        interrupted = False
        try:
            chunks = _chunks(items, max(1, settings.chunk_size))
            ahead = chunked.start(next(chunks, None), early=False)
            while ahead is not None:
                name = ahead.name
                chunk = chunked.settle(ahead)
                # Overlap: the next chunk's documents are read and go to the workers now, behind
                # this one's; they clean it while this process checks, tags and loads this one.
                following = chunked.start(next(chunks, None), early=True) if chunked.overlaps else None
                cleaned = chunked.clean(chunk, ahead)
                gate = chunked.check(cleaned, name)
                tagged = chunked.tag(gate, name)
                chunked.load(chunk, cleaned, gate, tagged, name)
                chunked.report(name, total_in, progress)
                ahead = following if chunked.overlaps else chunked.start(next(chunks, None), early=False)
        except RunInterrupted:
            interrupted = True
            stages.abort()  # the chunk in flight is dropped: none of it was written
            warehouse.mark_interrupted(run_id)
            raise
        finally:
            if not interrupted:
                stages.close()

        run.documents_in = done = chunked.done
        totals, dq_warnings = chunked.totals, chunked.dq_warnings
        # Re-matching stored bodies after a watchlist/topic change is one transaction: a signal rolls it back.
        retag_counts = retag_and_index.with_options(timeout_seconds=timeout)(warehouse, settings, run_id)
        with critical():  # all chunks are in: a signal now lets the run finish its bookkeeping
            for message in field_health(warehouse, run_id, settings.min_words):
                dq_warnings["field_health_drop"] = dq_warnings.get("field_health_drop", 0) + 1
                extracted.problems.append(f"field health: {message}")
            run.dq_warnings = sum(dq_warnings.values())
            run.counts.update({"dq_warnings_by_check": dq_warnings, "skipped_unchanged": chunked.skipped_unchanged,
                               "chunks": chunked.chunks,
                               "stage_seconds": {k: round(v, 2) for k, v in clock.timings.items()},
                               # The longest stretch readers could not open the warehouse (so far).
                               "longest_writer_hold_seconds": round(max(warehouse.holds, default=0.0), 2)})
            run.counts["retag"] = retag_counts
            finish_run.with_options(timeout_seconds=timeout)(warehouse, run, totals)
            # Only after a successful load: a failed run must refetch unconditionally next time.
            warehouse.save_fetch_cache(extracted.cache_updates)
            warehouse.release()  # the Data Docs take seconds and need the warehouse for one query only
            publish_quality(warehouse, run_id)  # GX Data Docs under <warehouse>/dq/, a Prefect artifact
            clock.lap("load")

    summary = RunSummary(
        run_id=run_id, documents_in=done, articles_new=totals.articles_new,
        articles_updated=totals.articles_updated, articles_unchanged=totals.articles_unchanged,
        duplicates=totals.duplicates, quarantined=totals.quarantined, dq_warnings=dq_warnings,
        quarantine_reasons=chunked.reasons, problems=extracted.problems, skipped_files=extracted.skipped_files,
        warehouse=settings.duckdb_path, parquet=settings.parquet_dir, stage_seconds=clock.timings,
        not_modified=extracted.not_modified, skipped_unchanged=chunked.skipped_unchanged, chunks=chunked.chunks,
        retag=run.counts.get("retag", {}),
        failed_sources=list(extracted.failed_sources))
    if settings.report.after_run or settings.alerts.after_run:  # else not even imported (alerts: ~1 s)
        from flows.after_load import after_load

        summary.problems.extend(after_load(settings))  # [report] / [alerts] after_run
    _publish_artifact(summary)
    return summary


def _publish_artifact(summary: RunSummary) -> None:
    """The summary as a markdown artifact in the Prefect UI; the run's result does not depend on it."""
    from prefect.artifacts import create_markdown_artifact

    try:
        create_markdown_artifact(summary_markdown(summary), key="mediamon-run-summary",
                                 description=f"mediamon run {summary.run_id}")
    except Exception as exc:  # an API hiccup must not fail a run whose data is committed
        get_run_logger().warning("could not publish the run summary artifact: %s", exc)
