"""Web sources (feeds, sitemaps, URL lists, WARC files, single pages) for the extract stage.

The fetching itself lives in `flows/fetch.py` and `flows/web_sources.py`; this
module adapts one configured source to the pipeline's `Extracted` batch.
Fetch state (ETag / Last-Modified per URL) is not persisted across runs yet:
every run fetches unconditionally.
"""

from __future__ import annotations

from dataclasses import asdict

from flows.extract import Extracted
from flows.fetch import FetchSettings
from flows.web_sources import collect_web_source
from mediamon.config import Settings, SourceSpec


def fetch_settings(settings: Settings) -> FetchSettings:
    """The fetcher's settings from the `[fetch]` table of the config."""
    return FetchSettings(**asdict(settings.fetch))


def read_web_source(spec: SourceSpec, settings: Settings) -> Extracted:
    """Collect one web source; raises `SourceError` when its location cannot be read at all."""
    collection = collect_web_source(spec.location, spec.name, fetch_settings(settings), {},
                                    publisher=spec.publisher)
    return Extracted(documents=collection.documents, problems=list(collection.problems),
                     unchanged=len(collection.unchanged_urls))
