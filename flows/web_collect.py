"""Web sources (feeds, sitemaps, URL lists, WARC files, single pages) for the extract stage.

The fetching itself lives in `flows/fetch.py` and `flows/web_sources.py`; this
module adapts configured sources to the pipeline's `Extracted` batches: one at a time
(`read_web_source`) or all web sources of a run together (`read_web_sources`, one fetch per story).
Fetch state (ETag / Last-Modified / content hash per URL) comes in as `cache` (loaded from
the warehouse's `fetch_state` table) and goes out as `Extracted.cache_updates`, which the
pipeline saves in the same warehouse after a successful load.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict

from flows.extract import Extracted
from flows.fetch import CacheEntry, FetchConfig
from flows.web_sources import WebCollection, WebSourceSpec, collect_web_source, collect_web_sources
from mediamon.config import Settings, SourceSpec


def fetch_settings(settings: Settings) -> FetchConfig:
    """The fetcher's settings from the `[fetch]` table of the config."""
    return FetchConfig(**asdict(settings.fetch))


def read_web_source(spec: SourceSpec, settings: Settings,
                    cache: Mapping[str, CacheEntry] | None = None) -> Extracted:
    """Collect one web source; raises `SourceError` when its location cannot be read at all.

    Unchanged URLs (304 or same content hash as in `cache`) are counted, not returned.
    """
    collection = collect_web_source(spec.location, spec.name, fetch_settings(settings), cache or {},
                                    publisher=spec.publisher)
    return _extracted(collection)


def read_web_sources(specs: Sequence[SourceSpec], settings: Settings,
                     cache: Mapping[str, CacheEntry] | None = None) -> list[Extracted]:
    """Collect several web sources in one go, one `Extracted` each, in order.

    They share one fetcher, so a story listed by more than one of them is fetched once (for
    the first); a source that cannot be read at all is a problem line in its `Extracted`.
    """
    collections = collect_web_sources(
        [WebSourceSpec(location=s.location, source=s.name, publisher=s.publisher) for s in specs],
        fetch_settings(settings), cache or {})
    out = []
    for spec, collection in zip(specs, collections, strict=True):
        got = _extracted(collection)
        if collection.error is not None:
            got.problems.insert(0, collection.error)
            got.failed_sources.append(spec.name)
        out.append(got)
    return out


def _extracted(collection: WebCollection) -> Extracted:
    return Extracted(documents=collection.documents, problems=list(collection.problems),
                     unchanged=len(collection.unchanged_urls), cache_updates=dict(collection.cache_updates))
