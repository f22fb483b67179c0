"""The extract stage: turn configured sources into raw documents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.local_folder import page_kind, read_folder, read_page_file
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


def read_source(spec: SourceSpec, settings: Settings, cache: Mapping[str, Any] | None = None) -> Extracted:
    """Read one source; a source that cannot be read at all raises `SourceError`.

    `cache` holds the fetch validators (url -> CacheEntry) from earlier runs, for web sources.
    """
    location = spec.location
    if "://" not in location:
        path = Path(location)
        if path.is_dir():
            folder = read_folder(path, spec.name, spec.publisher, settings.fetch.max_bytes)
            return Extracted(folder.documents, folder.problems, folder.skipped_files)
        if not path.exists():
            raise SourceError(f"source '{spec.name}': {path} does not exist")
        if page_kind(path) is not None and not _is_listing(path):
            page = read_page_file(path, spec.name, spec.publisher, settings.fetch.max_bytes)
            return Extracted(page.documents, page.problems)
    from flows.web_collect import read_web_source

    return read_web_source(spec, settings, cache)


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
                    cache: Mapping[str, Any] | None = None) -> Extracted:
    """Read every source; unreadable sources become problems, `cache` feeds conditional web requests."""
    total = Extracted()
    for spec in sources:
        try:
            got = read_source(spec, settings, cache)
        except SourceError as exc:
            total.problems.append(str(exc))
            continue
        total.documents.extend(got.documents)
        total.problems.extend(got.problems)
        total.skipped_files += got.skipped_files
        total.unchanged += got.unchanged
        total.cache_updates.update(got.cache_updates)
    return total
