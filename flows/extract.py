"""The extract stage: turn configured sources into raw documents.

    extract_sources(sources, settings, cache) -> Extracted     read / fetch every source
    reread_raw_documents(warehouse, Reprocess(...)) -> Extracted  the stored bytes, no network
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.local_folder import PendingPage, page_kind, plan_folder, plan_page_file, read_folder, read_page_file
from mediamon.config import Settings, SourceSpec
from mediamon.errors import SourceError
from transforms.document import RawDocument
from transforms.feeds import sniff_listing


@dataclass
class Extracted:
    documents: list[RawDocument] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped_files: int = 0
    unchanged: int = 0  # web documents the server or the content hash says did not change
    cache_updates: dict[str, Any] = field(default_factory=dict)  # url -> flows.fetch.CacheEntry to persist
    pending: list[PendingPage] = field(default_factory=list)  # local files listed but not read yet (lazy)
    failed_sources: list[str] = field(default_factory=list)  # names of sources that yielded nothing at all

    @property
    def total(self) -> int:
        """Documents in: those already read plus the files still to read."""
        return len(self.documents) + len(self.pending)


def read_source(spec: SourceSpec, settings: Settings, cache: Mapping[str, Any] | None = None) -> Extracted:
    """Read one source; a source that cannot be read at all raises `SourceError`.

    `cache` holds the fetch validators (url -> CacheEntry) from earlier runs, for web sources.
    """
    local = _read_local(spec, settings)
    if local is not None:
        return local
    from flows.web_collect import read_web_source

    return read_web_source(spec, settings, cache)


def _read_local(spec: SourceSpec, settings: Settings, lazy: bool = False) -> Extracted | None:
    """A local folder or page file read directly; None for everything that goes through the
    web collector (URLs, feeds, sitemaps, URL lists and WARC files, local or not).

    With `lazy`, page files are only listed (`Extracted.pending`); the pipeline reads them in chunks.
    """
    location = spec.location
    if "://" in location:
        return None
    path = Path(location)
    if path.is_dir() and lazy:
        plan = plan_folder(path, spec.name, spec.publisher, settings.fetch.max_bytes, spec.kind)
        return Extracted(problems=plan.problems, skipped_files=plan.skipped_files, pending=plan.pending)
    if path.is_dir():
        folder = read_folder(path, spec.name, spec.publisher, settings.fetch.max_bytes, spec.kind)
        return Extracted(folder.documents, folder.problems, folder.skipped_files)
    if not path.exists():
        raise SourceError(f"source '{spec.name}': {path} does not exist")
    if page_kind(path) is not None and not _is_listing(path) and lazy:
        plan = plan_page_file(path, spec.name, spec.publisher, settings.fetch.max_bytes, spec.kind)
        return Extracted(problems=plan.problems, pending=plan.pending)
    if page_kind(path) is not None and not _is_listing(path):
        page = read_page_file(path, spec.name, spec.publisher, settings.fetch.max_bytes, spec.kind)
        return Extracted(page.documents, page.problems)
    return None


def _is_listing(path: Path) -> bool:
    """A page-named file that is really a URL list, feed or sitemap (sniffed from its first bytes)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return sniff_listing(head) != "page"


@task(name="extract: read sources", cache_policy=NO_CACHE, persist_result=False)
def extract_sources(sources: list[SourceSpec], settings: Settings,
                    cache: Mapping[str, Any] | None = None, lazy: bool = False) -> Extracted:
    """Read every source; unreadable sources become problems, `cache` feeds conditional web requests.

    All web sources of the run are collected together, sharing one fetcher (limits, robots.txt)
    so a story listed by several of them (a feed and a sitemap) is fetched once. With `lazy`,
    local files are listed in `pending` and read later, a chunk at a time.
    """
    parts: list[Extracted | None] = [None] * len(sources)
    web: list[int] = []
    for i, spec in enumerate(sources):
        try:
            parts[i] = _read_local(spec, settings, lazy)
        except SourceError as exc:
            parts[i] = Extracted(problems=[str(exc)], failed_sources=[spec.name])
        if parts[i] is None:
            web.append(i)
    if web:
        from flows.web_collect import read_web_sources

        for i, got in zip(web, read_web_sources([sources[i] for i in web], settings, cache), strict=True):
            parts[i] = got
    total = Extracted()
    seen: dict[str, str] = {}  # document key -> the source that read it first
    for spec, got in zip(sources, parts, strict=True):
        assert got is not None
        _drop_repeats(got, spec.name, seen)
        if _failed_entirely(got) and spec.name not in got.failed_sources:
            got.failed_sources.append(spec.name)
            if not got.problems:  # its pages are quarantine rows; the source still gets a warning
                got.problems.insert(0, f"source '{spec.name}': nothing collected from {spec.location}: "
                                       f"{got.documents[0].error}")
        if got.failed_sources and got.problems:
            # Say where the location came from: the operator fixes it there.
            got.problems[0] += f" (location from {settings.source_origins.get(spec.name, 'the config')})"
        total.failed_sources.extend(got.failed_sources)
        total.documents.extend(got.documents)
        total.pending.extend(got.pending)
        total.problems.extend(got.problems)
        total.skipped_files += got.skipped_files
        total.unchanged += got.unchanged
        total.cache_updates.update(got.cache_updates)
    return total


def _drop_repeats(got: Extracted, source: str, seen: dict[str, str]) -> None:
    """Keep one document per key in a run (each is one stored row): a file or archive record that
    two sources (or two manifest lines) name is read once, for the first, and said so."""
    from transforms.clean import doc_key

    repeated: dict[str, int] = {}

    def first_time(key: str) -> bool:
        if key in seen:
            repeated[seen[key]] = repeated.get(seen[key], 0) + 1
            return False
        seen[key] = source
        return True

    got.documents = [d for d in got.documents if first_time(doc_key(d))]
    got.pending = [p for p in got.pending if first_time(str(p.path))]
    for first, n in repeated.items():
        who = "itself" if first == source else f"source '{first}'"
        got.problems.append(f"source '{source}': {n} documents already read in this run by {who}; read once")


def _failed_entirely(got: Extracted) -> bool:
    """A source that got nothing: it could not be read, or every page it named failed to fetch
    (host down, refused, 404), with nothing unchanged since the last run."""
    if got.failed_sources:
        return True
    if got.pending or got.unchanged or not got.documents:
        return False
    return all(d.raw is None and d.error_stage == "fetch" for d in got.documents)


@dataclass(frozen=True)
class Reprocess:
    """Which stored raw documents `mediamon reprocess` runs through the pipeline again."""

    since: datetime | None = None  # fetched at or after (UTC)
    source: str | None = None  # one source name


def raw_document_from_row(row: Mapping[str, Any]) -> RawDocument:
    """A `raw_documents` row as the document it was stored from (bytes unpacked).

    Marked `reprocessed`, so loading it does not store it again. Corrupt stored bytes make a
    document with `error` set, which is quarantined like any unreadable document.
    """
    fetched_at = row["fetched_at"] or datetime.now(UTC)
    doc = RawDocument(
        url=row["url"], source=row["source"] or "", fetched_at=fetched_at.astimezone(UTC), path=row["path"],
        kind=row["kind"], content_type=row["content_type"], http_status=row["http_status"], etag=row["etag"],
        last_modified=row["last_modified"], final_url=row["final_url"], publisher_hint=row["publisher_hint"],
        title_hint=row["title_hint"], published_hint=row["published_hint"],
        published_hint_source=row["published_hint_source"], language_hint=row["language_hint"],
        text_kind=row.get("text_kind"), text_kind_source=row.get("text_kind_source"),
        extra={"reprocessed": "1"})
    if doc.published_hint is not None:
        doc.published_hint = doc.published_hint.astimezone(UTC)
    try:
        doc.raw = zlib.decompress(row["raw_zlib"])
    except zlib.error as exc:
        doc.error, doc.error_stage = f"stored raw bytes are corrupt ({exc}); fetch it again", "extract"
    return doc


@task(name="extract: stored raw documents", cache_policy=NO_CACHE, persist_result=False)
def reread_raw_documents(warehouse: Any, request: Reprocess) -> Extracted:
    """The stored bytes of earlier runs from `warehouse` (a `mediamon.warehouse.Warehouse`) as
    documents, without touching the network. Failed fetches have no bytes: they are left out
    (their quarantine rows stay until a run fetches them again) and counted in `problems`."""
    total = Extracted()
    without_bytes = 0
    for row in warehouse.iter_raw_documents(request.since, request.source):
        if row["raw_zlib"] is None:
            without_bytes += 1
            continue
        total.documents.append(raw_document_from_row(row))
    # A file stored under an earlier URL too (its manifest URL changed): its latest bytes, once.
    latest: dict[str, RawDocument] = {}
    for doc in total.documents:  # oldest first
        latest[doc.path or doc.url] = doc
    total.documents = list(latest.values())
    if without_bytes:
        total.problems.append(f"{without_bytes} stored documents have no bytes (failed fetches) and were not "
                              "reprocessed; the next `mediamon run` fetches them again")
    return total
