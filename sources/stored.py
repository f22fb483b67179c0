"""The raw bytes earlier runs stored, as documents again: what `mediamon reprocess` reads.

    reread(warehouse, Reprocess(...)) -> Extracted   the stored bytes, no network
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sources.collect import Extracted
from transforms.document import RawDocument


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


def reread(warehouse: Any, request: Reprocess) -> Extracted:
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
