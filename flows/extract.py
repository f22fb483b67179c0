"""The extract stage as Prefect tasks: thin wrappers over `sources/`.

    extract_sources(sources, settings, cache) -> Extracted     read / fetch every source
    reread_raw_documents(warehouse, Reprocess(...)) -> Extracted  the stored bytes, no network
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from mediamon.config import Settings, SourceSpec
from sources.collect import Extracted, collect
from sources.stored import Reprocess, reread
from transforms.document import CacheEntry


@task(name="extract: read sources", cache_policy=NO_CACHE, persist_result=False)
def extract_sources(sources: list[SourceSpec], settings: Settings,
                    cache: Mapping[str, CacheEntry] | None = None, lazy: bool = False) -> Extracted:
    """Every source of the run (`sources.collect.collect`)."""
    return collect(sources, settings, cache, lazy)


@task(name="extract: stored raw documents", cache_policy=NO_CACHE, persist_result=False)
def reread_raw_documents(warehouse: Any, request: Reprocess) -> Extracted:
    """The stored raw bytes of earlier runs (`sources.stored.reread`)."""
    return reread(warehouse, request)
