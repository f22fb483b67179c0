"""Web sources (feeds, sitemaps, URL lists, WARC files, single pages) for the extract stage.

The fetching itself lives in `flows/fetch.py` and `flows/web_sources.py`; this
module adapts one configured source to the pipeline's `Extracted` batch.
Fetch state (ETag / Last-Modified / content hash per URL) comes in as `cache` (loaded from
the warehouse's `fetch_state` table) and goes out as `Extracted.cache_updates`, which the
pipeline saves in the same warehouse after a successful load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

from flows.extract import Extracted
from flows.fetch import CacheEntry, FetchSettings
from flows.web_sources import collect_web_source
from mediamon.config import Settings, SourceSpec


def fetch_settings(settings: Settings) -> FetchSettings:
    """The fetcher's settings from the `[fetch]` table of the config."""
    return FetchSettings(**asdict(settings.fetch))


def read_web_source(spec: SourceSpec, settings: Settings,
                    cache: Mapping[str, CacheEntry] | None = None) -> Extracted:
    """Collect one web source; raises `SourceError` when its location cannot be read at all.

    Unchanged URLs (304 or same content hash as in `cache`) are counted, not returned.
    """
    collection = collect_web_source(spec.location, spec.name, fetch_settings(settings), cache or {},
                                    publisher=spec.publisher)
    return Extracted(documents=collection.documents, problems=list(collection.problems),
                     unchanged=len(collection.unchanged_urls), cache_updates=dict(collection.cache_updates))
