"""Configured sources into raw documents: the table from a location's kind to its reader.

    collect(sources, settings, cache, lazy) -> Extracted   every source of a run
    read_source(spec, settings, cache) -> Extracted         one source; SourceError when unreadable

`kinds.detect` names what a location is; `READERS` says who reads that kind. A reader takes
the sources of its kind and returns one `Extracted` each, in order. A new kind of source is
one module plus one entry here. Local kinds are read one source at a time; every web kind
(and a URL, whose kind only fetching tells) goes to one web reader, so all web sources of a run
share one fetcher (limits, robots.txt) and a story listed by several of them is fetched once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from mediamon.config import Settings, SourceSpec
from mediamon.errors import SourceError
from sources import jsonl, local
from sources.kinds import detect, local_path
from transforms.document import CacheEntry, RawDocument, doc_key


@dataclass
class Extracted:
    documents: list[RawDocument] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped_files: int = 0
    not_modified: int = 0  # web URLs the server (304) or the content hash says did not change
    cache_updates: dict[str, CacheEntry] = field(default_factory=dict)  # url -> fetch_state row to persist
    # files and archive records listed, read chunk by chunk
    pending: list[local.PendingPage | local.PendingRecord] = field(default_factory=list)
    failed_sources: list[str] = field(default_factory=list)  # names of sources that yielded nothing at all

    @property
    def total(self) -> int:
        """Documents in: those already read plus the files still to read."""
        return len(self.documents) + len(self.pending)


# A reader: the sources of its kind (with the run's fetch cache) -> one Extracted each, in order.
Reader = Callable[[Sequence[SourceSpec], Settings, Mapping[str, CacheEntry]], list[Extracted]]


def _one_at_a_time(read: Callable[[SourceSpec, Path, Settings], Extracted]) -> Reader:
    """A reader of local sources, one source (a path) at a time; an unreadable one is a problem line."""
    def reader(specs: Sequence[SourceSpec], settings: Settings,
               cache: Mapping[str, CacheEntry]) -> list[Extracted]:
        out = []
        for spec in specs:
            path = local_path(spec.location)
            assert path is not None
            try:
                out.append(read(spec, path, settings))
            except SourceError as exc:
                out.append(Extracted(problems=[str(exc)], failed_sources=[spec.name]))
        return out
    return reader


def _planned(plan: local.FolderPlan) -> Extracted:
    return Extracted(problems=plan.problems, skipped_files=plan.skipped_files, pending=plan.pending)


def _read_folder(spec: SourceSpec, path: Path, settings: Settings) -> Extracted:
    return _planned(local.plan_folder(path, spec.name, spec.publisher, settings.fetch.max_bytes, spec.kind))


def _read_page_file(spec: SourceSpec, path: Path, settings: Settings) -> Extracted:
    return _planned(local.plan_page_file(path, spec.name, spec.publisher, settings.fetch.max_bytes, spec.kind))


def _read_warc(spec: SourceSpec, path: Path, settings: Settings) -> Extracted:
    return _planned(local.plan_warc(path, spec.name, spec.publisher, settings.fetch.max_bytes))


def _read_jsonl(spec: SourceSpec, path: Path, settings: Settings) -> Extracted:
    read = jsonl.read_jsonl(path, spec.name, spec.publisher, settings.fetch.max_bytes)
    return Extracted(documents=read.documents, problems=read.problems)


def _read_web(specs: Sequence[SourceSpec], settings: Settings,
              cache: Mapping[str, CacheEntry]) -> list[Extracted]:
    """Feeds, sitemaps, URL lists and pages, all in one go through one fetcher."""
    from sources import web  # here: a run of local files only (mediamon/precheck.py) needs no HTTP client

    collections = web.collect_web_sources(
        [web.WebSourceSpec(location=s.location, source=s.name, publisher=s.publisher) for s in specs],
        settings.fetch, cache)
    out = []
    for spec, collection in zip(specs, collections, strict=True):
        got = Extracted(documents=collection.documents, problems=list(collection.problems),
                        not_modified=len(collection.not_modified_urls), cache_updates=dict(collection.cache_updates))
        if collection.error is not None:
            got.problems.insert(0, collection.error)
            got.failed_sources.append(spec.name)
        out.append(got)
    return out


READERS: dict[str, Reader] = {
    "folder": _one_at_a_time(_read_folder),
    "page": _one_at_a_time(_read_page_file),
    "warc": _one_at_a_time(_read_warc),
    "jsonl": _one_at_a_time(_read_jsonl),
    # A local feed, sitemap or URL list names web pages; a URL is known only once fetched.
    "feed": _read_web,
    "sitemap": _read_web,
    "urllist": _read_web,
    "url": _read_web,
}


def reader_kind(location: str) -> str:
    """The `READERS` key for a location, without touching the network; SourceError when it
    names nothing mediamon can read."""
    path = local_path(location)
    if path is None:
        return "url"
    kind = detect(location, offline=True)
    if kind == "missing":
        scheme = urlsplit(location).scheme
        if "://" in location and scheme.lower() != "file":
            raise SourceError(f"{location} is not a location mediamon can read: "
                              f"'{scheme}://' is not http://, https:// or file://")
        raise SourceError(f"{location} does not exist")
    if kind not in READERS:
        raise SourceError(f"{location} could not be read ({kind})")
    return kind


def _read_all(sources: Sequence[SourceSpec], settings: Settings, cache: Mapping[str, CacheEntry],
              lazy: bool) -> list[Extracted]:
    """One Extracted per source, in order; local files only listed (`pending`) when `lazy`."""
    parts: list[Extracted | None] = [None] * len(sources)
    groups: dict[int, tuple[Reader, list[int]]] = {}  # one call per reader, in first-seen order
    for i, spec in enumerate(sources):
        try:
            reader = READERS[reader_kind(spec.location)]
        except SourceError as exc:
            parts[i] = Extracted(problems=[f"source '{spec.name}': {exc}"], failed_sources=[spec.name])
            continue
        groups.setdefault(id(reader), (reader, []))[1].append(i)
    for reader, indexes in groups.values():
        for i, got in zip(indexes, reader([sources[i] for i in indexes], settings, cache), strict=True):
            if not lazy:
                got.documents.extend(p.read() for p in got.pending)
                got.pending = []
            parts[i] = got
    return [got if got is not None else Extracted() for got in parts]


def read_source(spec: SourceSpec, settings: Settings, cache: Mapping[str, CacheEntry] | None = None) -> Extracted:
    """Read one source, its files read too; a source that cannot be read at all raises `SourceError`.

    `cache` holds the fetch validators (url -> CacheEntry) from earlier runs, for web sources.
    """
    (got,) = _read_all([spec], settings, cache or {}, lazy=False)
    if got.failed_sources:
        raise SourceError(got.problems[0] if got.problems else f"source '{spec.name}': nothing could be read")
    return got


def collect(sources: Sequence[SourceSpec], settings: Settings,
            cache: Mapping[str, CacheEntry] | None = None, lazy: bool = False) -> Extracted:
    """Read every source; unreadable sources become problems, `cache` feeds conditional web requests.

    With `lazy`, local files are listed in `pending` and read later, a chunk at a time (how a run
    reads them); without it they are read here.
    """
    parts = _read_all(sources, settings, cache or {}, lazy)
    total = Extracted()
    seen: dict[str, str] = {}  # document key -> the source that read it first
    for spec, got in zip(sources, parts, strict=True):
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
        total.not_modified += got.not_modified
        total.cache_updates.update(got.cache_updates)
    return total


def _drop_repeats(got: Extracted, source: str, seen: dict[str, str]) -> None:
    """Keep one document per key in a run (each is one stored row): a file or archive record that
    two sources (or two manifest lines) name is read once, for the first, and said so."""
    repeated: dict[str, int] = {}

    def first_time(key: str) -> bool:
        if key in seen:
            repeated[seen[key]] = repeated.get(seen[key], 0) + 1
            return False
        seen[key] = source
        return True

    got.documents = [d for d in got.documents if first_time(doc_key(d))]
    got.pending = [p for p in got.pending if first_time(p.key)]
    for first, n in repeated.items():
        who = "itself" if first == source else f"source '{first}'"
        got.problems.append(f"source '{source}': {n} documents already read in this run by {who}; read once")


def _failed_entirely(got: Extracted) -> bool:
    """A source that got nothing: it could not be read, or every page it named failed to fetch
    (host down, refused, 404), with nothing unchanged since the last run."""
    if got.failed_sources:
        return True
    if got.pending or got.not_modified or not got.documents:
        return False
    return all(d.raw is None and d.error_stage == "fetch" for d in got.documents)
