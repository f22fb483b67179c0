"""Local folders, page files and WARC archives: listed first, read a chunk at a time (a plain
path and a `file://` URL alike).

    plan_folder(folder, source, ...) -> FolderPlan      every page file under a folder, not read yet
    plan_page_file(path, source, ...) -> FolderPlan     one page file (with its manifest entry)
    plan_warc(path, source, ...) -> FolderPlan          every HTML response record of a WARC/ARC file
    PendingPage.read() / PendingRecord.read() -> RawDocument   the bytes, when the pipeline's chunk comes

A folder holds `.html`/`.htm`/`.txt` files, any of them gzip-compressed
(`.gz`). `.txt` files are page-text dumps. An optional `manifest.jsonl` gives,
per file, `{"path", "url", "fetched_at", "publisher"}` (only `path` required).
Files not in the manifest get a `file://` URL.

Problems with the manifest itself (a line that is not JSON) are returned as
messages; a manifest entry whose file is missing becomes a `RawDocument` with
`error` set, so it is quarantined rather than lost.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sources.kinds import page_kind
from transforms.document import TEXT_KINDS, RawDocument
from transforms.extraction.feeds import GZIP_MAGIC, gunzip_bounded
from transforms.urls import normalize_url

MANIFEST_NAME = "manifest.jsonl"


def path_text(path: Path) -> str:
    """The path as text that can be stored: a file name that is not UTF-8 keeps its odd bytes as
    `\\xNN` escapes (still one distinct key per file) instead of failing the whole chunk."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return text


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time (a trailing Z too) in UTC; naive times are taken as UTC; None when absent or bad."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def read_manifest(folder: Path) -> tuple[dict[Path, dict[str, object]], list[str]]:
    """Map each listed file (resolved path) to its manifest entry; collect problems."""
    manifest = folder / MANIFEST_NAME
    entries: dict[Path, dict[str, object]] = {}
    problems: list[str] = []
    if not manifest.exists():
        return entries, problems
    with manifest.open(encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                problems.append(f"{manifest}: line {lineno} is not valid JSON; skipped it")
                continue
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                problems.append(f"{manifest}: line {lineno} has no \"path\"; skipped it")
                continue
            if "kind" in entry and entry["kind"] not in TEXT_KINDS:
                problems.append(f"{manifest}: line {lineno} has kind {entry['kind']!r}; use \"text\" or "
                                "\"page-text\" (mediamon judges the file itself meanwhile)")
                entry.pop("kind")
            entries[(folder / entry["path"]).resolve()] = entry
    return entries, problems


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, gunzipped when it is .gz; raises ValueError past `max_bytes`."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ValueError(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    data = path.read_bytes()
    if path.name.lower().endswith(".gz") and not data.startswith(GZIP_MAGIC):
        raise ValueError("file is not valid gzip (no gzip header)")
    try:
        return gunzip_bounded(data, max_bytes)
    except ValueError as exc:  # "not valid gzip (...)" / "unpacks to over the ... limit"
        raise ValueError(f"file {'is ' if str(exc).startswith('not ') else ''}{exc}") from exc


def _iter_pages(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
            yield path


@dataclass
class PendingPage:
    """A page file listed but not read yet: the pipeline reads its bytes chunk by chunk."""

    path: Path
    entry: dict[str, object] | None
    source: str
    publisher: str | None
    max_bytes: int
    listed_at: datetime
    text_kind: str | None = None  # the [[sources]] table's `kind`; a manifest entry's wins

    @property
    def key(self) -> str:
        """What identifies it in a run (two sources naming one file read it once)."""
        return str(self.path)

    def read(self) -> RawDocument:
        """The file as a `RawDocument` (with `error` set when it cannot be read)."""
        entry = self.entry or {}
        url = entry.get("url") if isinstance(entry.get("url"), str) else None
        publisher = self.publisher or (entry.get("publisher") if isinstance(entry.get("publisher"), str)
                                       else None)
        declared = entry.get("kind") if entry.get("kind") in TEXT_KINDS else None
        doc = RawDocument(
            url=url or self.path.resolve().as_uri(),
            source=self.source,
            fetched_at=parse_time(entry.get("fetched_at")) or self.listed_at,
            path=path_text(self.path),
            kind=page_kind(self.path),
            publisher_hint=publisher,
            text_kind=declared or self.text_kind,
            text_kind_source="manifest" if declared else ("source" if self.text_kind else None),
        )
        if not self.path.exists():
            doc.error = f"file listed in {MANIFEST_NAME} does not exist: {entry.get('path')}"
            doc.error_stage = "extract"
            return doc
        try:
            doc.raw = _read_bytes(self.path, self.max_bytes)
        except (OSError, ValueError) as exc:
            doc.error = f"{self.path.name}: {exc}"
            doc.error_stage = "extract"
        return doc


@dataclass
class FolderPlan:
    pending: list[PendingPage | PendingRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped_files: int = 0


def plan_folder(folder: Path, source: str, publisher: str | None = None,
                max_bytes: int = 10_000_000, text_kind: str | None = None) -> FolderPlan:
    """Every page file under `folder`, listed but not read: memory stays flat however big the folder."""
    return _plan(folder, source, publisher, max_bytes, _iter_pages(folder), whole_folder=True,
                 text_kind=text_kind)


def plan_page_file(path: Path, source: str, publisher: str | None = None,
                   max_bytes: int = 10_000_000, text_kind: str | None = None) -> FolderPlan:
    """One page file (with its manifest entry), listed but not read."""
    return _plan(path.parent, source, publisher, max_bytes, iter([path]), whole_folder=False,
                 text_kind=text_kind)


def _plan(folder: Path, source: str, publisher: str | None, max_bytes: int, paths: Iterator[Path],
          whole_folder: bool, text_kind: str | None = None) -> FolderPlan:
    """Files to read, with their manifest entries. A walk of the `whole_folder` skips (and counts)
    files that are not pages and adds manifest entries it did not find; a file named on its own
    is read whatever its name."""
    plan = FolderPlan()
    entries, plan.problems = read_manifest(folder)
    now = datetime.now(UTC)
    seen: set[Path] = set()
    for path in paths:
        if path.name == MANIFEST_NAME:
            continue
        resolved = path.resolve()
        entry = entries.get(resolved)
        if whole_folder and page_kind(path) is None and entry is None:
            plan.skipped_files += 1
            continue
        seen.add(resolved)
        plan.pending.append(PendingPage(path, entry, source, publisher, max_bytes, now, text_kind))
    if whole_folder:
        for resolved, entry in entries.items():
            if resolved not in seen:
                plan.pending.append(PendingPage(resolved, entry, source, publisher, max_bytes, now, text_kind))
    return plan


# -- WARC / ARC archives ---------------------------------------------------------------------------

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def _html_sniff(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")) or b"<html" in head


def _record_document(record: Any, archive: Path, offset: int, source: str, publisher: str | None,
                     max_bytes: int) -> RawDocument | None:
    """An HTML `response` record as a document; None for every other record (requests, images,
    redirects, dns: and other non-web records)."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    target = record.rec_headers.get_header("WARC-Target-URI") or ""
    url = normalize_url(target)
    if url is None:
        return None
    http = record.http_headers
    content_type = http.get_header("Content-Type")
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    status = int(http.get_statuscode() or 0)
    if 300 <= status < 400 or (content_type and mime not in HTML_TYPES):
        return None
    data = record.content_stream().read(max_bytes + 1)
    if not content_type and not _html_sniff(data):
        return None
    warc_date = record.rec_headers.get_header("WARC-Date") or ""
    try:
        fetched_at = datetime.fromisoformat(warc_date.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        fetched_at = datetime.now(UTC)
    doc = RawDocument(url=url, source=source, fetched_at=fetched_at, path=f"{archive}#{offset}", kind="html",
                      content_type=content_type, http_status=status or None, etag=http.get_header("ETag"),
                      last_modified=http.get_header("Last-Modified"), final_url=url, publisher_hint=publisher)
    if url != target:
        doc.extra["listed_url"] = target
    if status >= 400:
        doc.error, doc.error_stage = f"HTTP {status} in the archive", "fetch"
    elif len(data) > max_bytes:
        doc.error, doc.error_stage = f"too large: over the {max_bytes / 1e6:g} MB limit", "fetch"
    else:
        doc.raw = data
    return doc


def read_warc(path: Path, source: str, publisher: str | None = None,
              max_bytes: int = 10_000_000) -> Iterator[RawDocument]:
    """Every HTML `response` record of a WARC (or ARC) file as a document, record by record.

    `fetched_at` is the record's WARC-Date. Redirect responses are skipped; 4xx/5xx pages
    and bodies over `max_bytes` become documents with `error` set. Each document's `path` is
    `archive#offset` (the record's byte offset in the file): every record of an archive is a
    document of its own, with a key that stays the same from run to run.
    """
    from warcio.archiveiterator import ArchiveIterator  # only WARC sources need it

    with path.open("rb") as fh:
        records = ArchiveIterator(fh, arc2warc=True)
        for record in records:
            offset = records.offset  # where this record starts (get_record_offset() would consume it)
            doc = _record_document(record, path, offset, source, publisher, max_bytes)
            if doc is not None:
                yield doc


@dataclass
class PendingRecord:
    """An archive record listed but not read: the pipeline reads it (seeking to `offset`) when
    its chunk comes, so an archive of any size is held a chunk at a time."""

    archive: Path
    offset: int
    source: str
    publisher: str | None
    max_bytes: int

    @property
    def key(self) -> str:
        return f"{self.archive}#{self.offset}"

    def read(self) -> RawDocument:
        """The record as a `RawDocument` (with `error` set when it can no longer be read)."""
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        doc: RawDocument | None = None
        reason = "the archive changed since it was listed; the next run reads it again"
        try:
            with self.archive.open("rb") as fh:
                fh.seek(self.offset)
                for record in ArchiveIterator(fh, arc2warc=True):
                    doc = _record_document(record, self.archive, self.offset, self.source, self.publisher,
                                           self.max_bytes)
                    break
        except (OSError, ArchiveLoadFailed, ValueError, EOFError) as exc:
            reason = f"archive record could not be read ({exc})"
        if doc is None:
            doc = RawDocument(url=self.archive.resolve().as_uri() + f"#{self.offset}", source=self.source,
                              fetched_at=datetime.now(UTC), path=self.key, kind="html",
                              error=reason, error_stage="extract")
        return doc


def plan_warc(path: Path, source: str, publisher: str | None = None, max_bytes: int = 10_000_000) -> FolderPlan:
    """Every HTML response record of an archive, listed (one pass) but not kept in memory."""
    plan = FolderPlan()
    for doc in read_warc(path, source, publisher, max_bytes):
        offset = int((doc.path or "").rsplit("#", 1)[1])
        plan.pending.append(PendingRecord(path, offset, source, publisher, max_bytes))
    return plan
