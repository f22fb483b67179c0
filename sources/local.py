"""Local folders and page files: listed first, read a chunk at a time (a plain path and a
`file://` URL alike).

    plan_folder(folder, source, ...) -> FolderPlan      every page file under a folder, not read yet
    plan_page_file(path, source, ...) -> FolderPlan     one page file (with its manifest entry)
    PendingPage.read() -> RawDocument                   the bytes, when the pipeline's chunk comes

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

from sources.kinds import page_kind
from transforms.document import RawDocument
from transforms.feeds import GZIP_MAGIC, gunzip_bounded
from transforms.plain_text import TEXT_KINDS

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


def _parse_time(value: object) -> datetime | None:
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
            fetched_at=_parse_time(entry.get("fetched_at")) or self.listed_at,
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
    pending: list[PendingPage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped_files: int = 0


def plan_folder(folder: Path, source: str, publisher: str | None = None,
                max_bytes: int = 10_000_000, text_kind: str | None = None) -> FolderPlan:
    """Every page file under `folder`, listed but not read: memory stays flat however big the folder."""
    return _plan(folder, source, publisher, max_bytes, _iter_pages(folder), include_unlisted_entries=True,
                 text_kind=text_kind)


def plan_page_file(path: Path, source: str, publisher: str | None = None,
                   max_bytes: int = 10_000_000, text_kind: str | None = None) -> FolderPlan:
    """One page file (with its manifest entry), listed but not read."""
    return _plan(path.parent, source, publisher, max_bytes, iter([path]), include_unlisted_entries=False,
                 text_kind=text_kind)


def _plan(folder: Path, source: str, publisher: str | None, max_bytes: int, paths: Iterator[Path],
          include_unlisted_entries: bool, text_kind: str | None = None) -> FolderPlan:
    plan = FolderPlan()
    entries, plan.problems = read_manifest(folder)
    now = datetime.now(UTC)
    seen: set[Path] = set()
    for path in paths:
        if path.name == MANIFEST_NAME:
            continue
        resolved = path.resolve()
        entry = entries.get(resolved)
        if page_kind(path) is None and entry is None:
            plan.skipped_files += 1
            continue
        seen.add(resolved)
        plan.pending.append(PendingPage(path, entry, source, publisher, max_bytes, now, text_kind))
    if include_unlisted_entries:
        for resolved, entry in entries.items():
            if resolved not in seen:
                plan.pending.append(PendingPage(resolved, entry, source, publisher, max_bytes, now, text_kind))
    return plan
