"""Web sources into `RawDocument`s: feeds, sitemaps, URL lists, single pages, JSON agency feeds.

    collect_web_sources([WebSourceSpec], settings, cache) -> [WebCollection]   one fetcher for all
    collect_web_source(location, source, settings, cache) -> WebCollection

A location is an http(s) URL, or a local feed, sitemap or URL list (a path or `file://` URL)
whose pages are fetched; local folders, page files and WARC archives are read by
`sources/local.py`. A URL's kind is known only after fetching it, so it is fetched once,
sniffed (`kinds.fetched_kind`), and gone on from there: a page is the one document; a feed or
sitemap (index) lists the pages to fetch, with title/date/language hints; JSON (an agency feed)
is read item by item by `sources/jsonl.py`.

Links found in a listing may reach a private or loopback address only when the
listing itself is on one (a local test server, an intranet feed). Listings are
fetched unconditionally on every run, so a page that failed last run is seen,
and retried, again; pages are fetched conditionally from the cache.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from mediamon.config import FetchConfig
from mediamon.errors import SourceError
from sources import jsonl
from sources.fetch import (
    Fetcher,
    FetchRequest,
    FetchResult,
    HostStats,
    fetch_state_rows,
    run_sync,
    to_raw_document,
)
from sources.kinds import fetched_kind, local_kind, local_path
from transforms.document import CacheEntry, RawDocument
from transforms.extraction.feeds import (
    Listing,
    ListingEntry,
    gunzip_bounded,
    kind_from_url,
    parse_listing,
    parse_url_list,
)
from transforms.urls import url_hostname

MAX_SITEMAP_DEPTH = 3  # index -> index -> sitemap is as deep as real sites go


@dataclass
class WebCollection:
    """What one run of one source produced."""

    kind: str  # what the location turned out to be (see kinds.fetched_kind)
    documents: list[RawDocument] = field(default_factory=list)  # new or changed, and failed ones
    not_modified_urls: list[str] = field(default_factory=list)  # 304 or same content hash
    # fetch_state rows to persist after the run: validators plus last status/error, failures too
    cache_updates: dict[str, CacheEntry] = field(default_factory=dict)
    host_stats: dict[str, HostStats] = field(default_factory=dict)
    listings: list[str] = field(default_factory=list)  # feed/sitemap URLs read
    problems: list[str] = field(default_factory=list)  # listing-level trouble, one line each
    duplicate_urls: list[str] = field(default_factory=list)  # already collected by an earlier source
    error: str | None = None  # the location itself could not be read (collect_web_sources only)


@dataclass(frozen=True)
class WebSourceSpec:
    """One location to collect, under a source name."""

    location: str
    source: str
    publisher: str | None = None


def collect_web_source(location: str, source: str, settings: FetchConfig,
                       cache: Mapping[str, CacheEntry], publisher: str | None = None,
                       max_sitemaps: int = 50, max_pages: int = 10_000) -> WebCollection:
    """Read one source: fetch what it lists (or is) and return documents plus what to persist.

    Raises SourceError when the location itself cannot be read (a missing file, a feed, sitemap
    or URL list failing after retries). A failing page, the location itself included when its
    name does not say it is a listing (`kind_from_url`), is a document with `error` set.
    """
    (collection,) = collect_web_sources([WebSourceSpec(location, source, publisher)], settings, cache,
                                        max_sitemaps, max_pages, raise_errors=True)
    return collection


def collect_web_sources(specs: Sequence[WebSourceSpec], settings: FetchConfig,
                        cache: Mapping[str, CacheEntry], max_sitemaps: int = 50, max_pages: int = 10_000,
                        raise_errors: bool = False) -> list[WebCollection]:
    """Several sources in one run, one collection each (in order), sharing limits and robots.txt.

    A page listed by more than one source (a story in a feed and in a sitemap) is fetched
    once, for the first source; later ones list it in `duplicate_urls`. A source whose
    location cannot be read gets `error` set, unless `raise_errors` (then SourceError); its
    `cache_updates` still hold the failed fetch_state row.
    `host_stats` of every collection are those of the whole run.
    """
    async def run() -> list[WebCollection]:
        claimed: set[str] = set()
        collections: list[WebCollection] = []
        async with Fetcher(settings, cache) as fetcher:
            for spec in specs:
                try:
                    collection = await _collect(spec, fetcher, cache, max_sitemaps, max_pages, claimed)
                except SourceError as exc:
                    collection = WebCollection(kind="unknown", error=str(exc))
                if collection.error is not None and raise_errors:
                    raise SourceError(collection.error)
                collection.host_stats = fetcher.host_stats
                collections.append(collection)
        return collections

    return run_sync(run())


async def _collect(spec: WebSourceSpec, fetcher: Fetcher, cache: Mapping[str, CacheEntry],
                   max_sitemaps: int, max_pages: int, claimed: set[str]) -> WebCollection:
    source, publisher = spec.source, spec.publisher
    path = local_path(spec.location)
    if path is not None:
        return await _collect_local(path, spec, fetcher, cache, max_sitemaps, max_pages, claimed)
    first = await _fetch_location_result(fetcher, spec.location, source, publisher)
    if first.error is not None:
        return _unreachable(spec, first, cache, claimed)
    if first.not_modified:
        claimed.add(first.url)
        return WebCollection(kind="page", not_modified_urls=[first.url],
                             cache_updates=fetch_state_rows([first], cache, source))
    body = first.body or b""
    kind = fetched_kind(body)
    if kind == "jsonl":
        claimed.add(first.url)
        items = jsonl.parse_items(body, first.final_url or first.url, source, publisher,
                                  fetcher.settings.max_bytes)
        return WebCollection(kind=kind, documents=items.documents, problems=items.problems,
                             listings=[first.url], cache_updates=_listing_rows([first], source))
    if kind == "page":
        claimed.add(first.url)
        return WebCollection(kind="page", documents=[to_raw_document(first, source)],
                             cache_updates=fetch_state_rows([first], cache, source))
    try:
        links_private = await fetcher.is_private_host(url_hostname(first.final_url or first.url))
    except OSError:
        links_private = False
    collection = WebCollection(kind=kind, listings=[first.url], cache_updates=_listing_rows([first], source))
    if kind == "urllist":
        entries = [ListingEntry(url=u) for u in parse_url_list(body.decode("utf-8", "replace"), first.url)]
    else:
        listing = parse_listing(body, first.final_url or first.url)
        entries = await _expand(fetcher, listing, collection, links_private, max_sitemaps, source)
    await _fetch_pages(fetcher, entries, spec, links_private, cache, collection, max_pages, claimed)
    return collection


async def _fetch_location_result(fetcher: Fetcher, location: str, source: str,
                                 publisher: str | None) -> FetchResult:
    # The operator named this location, so it may be on a private address; its links may not.
    request = FetchRequest(url=location, source=source, accept="any", allow_private=True,
                           publisher_hint=publisher)
    return (await fetcher.fetch([request]))[0]


def _unreachable(spec: WebSourceSpec, first: FetchResult, cache: Mapping[str, CacheEntry],
                 claimed: set[str]) -> WebCollection:
    """A location that failed after retries: what its name says it is decides what happens.

    A feed, sitemap or URL list is a source-level problem (the run goes on without it); anything
    else is taken for a single article page and becomes a document with `error` set, so it is a
    quarantine row with the reason, fetched again next run. Either way `fetch_state` records it.
    """
    guessed = kind_from_url(first.url)
    if guessed is None:
        claimed.add(first.url)
        return WebCollection(kind="page", documents=[to_raw_document(first, spec.source)],
                             cache_updates=fetch_state_rows([first], cache, spec.source))
    return WebCollection(kind=guessed, cache_updates=_listing_rows([first], spec.source),
                         error=f"source '{spec.source}': {spec.location} could not be fetched: {first.error}")


def _listing_rows(results: Sequence[FetchResult], source: str) -> dict[str, CacheEntry]:
    """`fetch_state` rows for feeds and sitemaps: status only, never validators, because a
    listing is read unconditionally every run (a 304 on it would hide its pages)."""
    return {r.url: CacheEntry(last_status=r.status, last_error=r.error, fetched_at=r.fetched_at,
                              source=source) for r in results}


async def _collect_local(path: Path, spec: WebSourceSpec, fetcher: Fetcher, cache: Mapping[str, CacheEntry],
                         max_sitemaps: int, max_pages: int, claimed: set[str]) -> WebCollection:
    source, max_bytes = spec.source, fetcher.settings.max_bytes
    if not path.exists():
        raise SourceError(f"source '{source}': {spec.location} does not exist")
    kind = local_kind(path)
    if kind not in ("feed", "sitemap", "urllist"):
        raise SourceError(f"source '{source}': {spec.location} is a local {kind}, not a web source; "
                          "read it with sources.collect")
    try:
        data = gunzip_bounded(path.read_bytes(), max_bytes * 10)
    except (OSError, ValueError) as exc:
        raise SourceError(f"source '{source}': {path} could not be read ({exc})") from exc
    collection = WebCollection(kind=kind, listings=[path.resolve().as_uri()])
    # The operator's own file: its links may go anywhere, intranet included.
    if kind == "urllist":
        entries = [ListingEntry(url=u) for u in parse_url_list(data.decode("utf-8", "replace"))]
    else:
        listing = parse_listing(data, path.resolve().as_uri())
        entries = await _expand(fetcher, listing, collection, True, max_sitemaps, source)
    await _fetch_pages(fetcher, entries, spec, True, cache, collection, max_pages, claimed)
    return collection


async def _expand(fetcher: Fetcher, listing: Listing, collection: WebCollection, allow_private: bool,
                  max_sitemaps: int, source: str) -> list[ListingEntry]:
    """Entries of `listing` plus those of the sitemaps it indexes, recursively and bounded."""
    entries = list(listing.entries)
    collection.problems.extend(listing.problems)
    seen = set(collection.listings)
    pending = [u for u in listing.child_sitemaps if u not in seen]
    depth = 1
    while pending and depth <= MAX_SITEMAP_DEPTH:
        room = max_sitemaps - (len(collection.listings) - 1)
        if len(pending) > room:
            collection.problems.append(f"sitemap index lists over {max_sitemaps} sitemaps; read the first "
                                       f"{max(room, 0)}")
            pending = pending[:max(room, 0)]
        seen.update(pending)
        requests = [FetchRequest(url=u, accept="listing", allow_private=allow_private, conditional=False)
                    for u in pending]
        pending = []
        fetched = await fetcher.fetch(requests)
        collection.cache_updates.update(_listing_rows(fetched, source))
        for result in fetched:
            collection.listings.append(result.url)
            if result.error is not None or result.body is None:
                collection.problems.append(f"sitemap {result.url} could not be fetched: {result.error}")
                continue
            child = parse_listing(result.body, result.final_url or result.url)
            collection.problems.extend(child.problems)
            entries.extend(child.entries)
            pending.extend(u for u in child.child_sitemaps if u not in seen)
        depth += 1
    if pending:
        collection.problems.append(f"sitemap indexes nested deeper than {MAX_SITEMAP_DEPTH}; skipped "
                                   f"{len(pending)} sitemaps")
    return entries


def _merge(entries: list[ListingEntry]) -> list[ListingEntry]:
    """One entry per URL, in first-seen order; each hint from the first entry that has it."""
    merged: dict[str, ListingEntry] = {}
    for entry in entries:
        old = merged.get(entry.url)
        if old is None:
            merged[entry.url] = entry
            continue
        updates = {f.name: getattr(entry, f.name) for f in fields(entry)
                   if getattr(old, f.name) is None and getattr(entry, f.name) is not None}
        if updates.get("published_at") is not None:
            updates["published_source"] = entry.published_source
        if updates:
            merged[entry.url] = replace(old, **updates)
    return list(merged.values())


async def _fetch_pages(fetcher: Fetcher, entries: list[ListingEntry], spec: WebSourceSpec,
                       allow_private: bool, cache: Mapping[str, CacheEntry], collection: WebCollection,
                       max_pages: int, claimed: set[str]) -> None:
    unique = _merge(entries)
    if len(unique) > max_pages:
        collection.problems.append(f"source lists {len(unique)} pages; fetched the first {max_pages}")
        unique = unique[:max_pages]
    collection.duplicate_urls.extend(e.url for e in unique if e.url in claimed)
    unique = [e for e in unique if e.url not in claimed]
    claimed.update(e.url for e in unique)
    requests = [FetchRequest(url=e.url, source=spec.source, accept="page", allow_private=allow_private,
                             title_hint=e.title, published_hint=e.published_at,
                             published_hint_source=e.published_source if e.published_at else None,
                             language_hint=e.language, publisher_hint=spec.publisher)
                for e in unique]
    results = await fetcher.fetch(requests)
    for result, entry in zip(results, unique, strict=True):
        if result.not_modified:
            collection.not_modified_urls.append(result.url)
            continue
        doc = to_raw_document(result, spec.source)
        if entry.modified_at is not None:
            doc.extra["sitemap_lastmod"] = entry.modified_at.isoformat()
        collection.documents.append(doc)
    collection.cache_updates.update(fetch_state_rows(results, cache, spec.source))
