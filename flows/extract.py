"""The extract stage: turn configured sources into raw documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from mediamon.config import Settings, SourceSpec
from mediamon.errors import SourceError
from transforms.document import RawDocument


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
    from flows.local_folder import read_folder

    location = spec.location
    out = Extracted()
    if "://" not in location:
        path = Path(location)
        if path.is_dir():
            folder = read_folder(path, spec.name, spec.publisher, settings.fetch.max_bytes)
            return Extracted(folder.documents, folder.problems, folder.skipped_files)
        if not path.exists():
            raise SourceError(f"source '{spec.name}': {path} does not exist")
        if path.is_file() and path.suffix.lower() in (".html", ".htm", ".txt", ".gz") \
                and not path.name.lower().endswith((".warc.gz", ".xml.gz")) and not _is_url_list(path):
            folder = read_folder(path.parent, spec.name, spec.publisher, settings.fetch.max_bytes)
            out.documents = [d for d in folder.documents if d.path and Path(d.path).resolve() == path.resolve()]
            return out
    from flows.web_collect import read_web_source

    return read_web_source(spec, settings, cache)


def _is_url_list(path: Path) -> bool:
    """A .txt file whose non-comment lines are all http(s) URLs is a URL list, not a page dump."""
    if path.suffix.lower() != ".txt":
        return False
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            lines = [ln.strip() for _, ln in zip(range(200), fh, strict=False)]
    except OSError:
        return False
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    return bool(lines) and all(ln.startswith(("http://", "https://")) and " " not in ln for ln in lines)


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
