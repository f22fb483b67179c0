"""JSON Lines agency feeds: one story per line, or a JSON array of stories.

    read_jsonl(path, source, publisher, max_bytes) -> ItemsRead   a local .jsonl / .ndjson / .json file
    parse_items(data, origin, source, publisher) -> ItemsRead     the same from fetched bytes

Each item is `{"url", "title", "body", "published_at", ...}` (`language` and `publisher` are
read too). Its body is clean copy (`kind = "text"`: the wire-copy path of transforms/extraction/plain_text.py);
its title and publication time come along as hints, which win over what the text itself says.
A line or item that cannot be used (not JSON, no body, no URL, over the size limit) becomes a
document with `error` set, a quarantine row with a one-line reason: nothing is lost.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mediamon.errors import SourceError
from sources.local import parse_time
from transforms.document import RawDocument
from transforms.extraction.feeds import GZIP_MAGIC
from transforms.urls import normalize_url


@dataclass
class ItemsRead:
    documents: list[RawDocument] = field(default_factory=list)  # one per item, bad ones with `error`
    problems: list[str] = field(default_factory=list)  # one line each, for the run summary


def _text(item: dict[str, object], key: str) -> str | None:
    value = item.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def item_document(item: object, where: str, origin: str, source: str, publisher: str | None,
                  fetched_at: datetime, max_bytes: int) -> RawDocument:
    """One item as a text document; `where` ("line 3") names it in a quarantine reason."""
    doc = RawDocument(url=f"{origin}#{where.replace(' ', '-')}", source=source, fetched_at=fetched_at,
                      kind="text", publisher_hint=publisher, content_type="text/plain; charset=utf-8")
    if not isinstance(item, dict):
        return _bad(doc, f"{where} is not a JSON object")
    url = normalize_url(item["url"]) if isinstance(item.get("url"), str) else None
    if url is None:
        return _bad(doc, f"{where} has no http(s) \"url\"")
    doc.url = url
    body = _text(item, "body")
    if body is None:
        return _bad(doc, f"{where} has no \"body\" text")
    raw = body.encode("utf-8")
    if len(raw) > max_bytes:
        return _bad(doc, f"{where}: body is over the {max_bytes / 1e6:g} MB limit")
    doc.raw = raw
    doc.text_kind, doc.text_kind_source = "text", "source"
    doc.title_hint = _text(item, "title")
    doc.published_hint = parse_time(item.get("published_at"))
    doc.published_hint_source = "feed" if doc.published_hint else None
    doc.language_hint = _text(item, "language")
    doc.publisher_hint = publisher or _text(item, "publisher")
    return doc


def _bad(doc: RawDocument, reason: str) -> RawDocument:
    doc.error, doc.error_stage = reason, "extract"
    return doc


def _from_lines(lines: Iterable[bytes], origin: str, source: str, publisher: str | None,
                max_bytes: int) -> ItemsRead:
    read = ItemsRead()
    now = datetime.now(UTC)
    bad_dates = 0
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"line {lineno}"
        try:
            item: object = json.loads(line.strip())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            doc = RawDocument(url=f"{origin}#line-{lineno}", source=source, fetched_at=now, kind="text")
            read.documents.append(_bad(doc, f"{where} is not valid JSON ({_short(exc)})"))
            continue
        doc = item_document(item, where, origin, source, publisher, now, max_bytes)
        if doc.error is None and isinstance(item, dict) and item.get("published_at") and not doc.published_hint:
            bad_dates += 1
        read.documents.append(doc)
    if bad_dates:
        read.problems.append(f"{origin}: {bad_dates} items have a \"published_at\" that is not an ISO 8601 "
                             "time; their dates are read from the text")
    return read


def _short(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg.removesuffix(' starting at')} at column {exc.colno}"
    return "not UTF-8" if isinstance(exc, UnicodeDecodeError) else str(exc)[:80]


def parse_items(data: bytes, origin: str, source: str, publisher: str | None = None,
                max_bytes: int = 10_000_000) -> ItemsRead:
    """Items from fetched bytes: JSON Lines, or one JSON array of items."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"["):
        return _from_lines(data.splitlines(), origin, source, publisher, max_bytes)
    now = datetime.now(UTC)
    try:
        items = json.loads(head)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        doc = RawDocument(url=origin, source=source, fetched_at=now, kind="text")
        return ItemsRead([_bad(doc, f"the JSON array is not valid JSON ({_short(exc)})")])
    return ItemsRead([item_document(item, f"item {n}", origin, source, publisher, now, max_bytes)
                      for n, item in enumerate(items, 1)])


def _file_lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        gz = fh.read(2) == GZIP_MAGIC
    with (gzip.open(path, "rb") if gz else path.open("rb")) as lines:
        yield from lines


def read_jsonl(path: Path, source: str, publisher: str | None = None, max_bytes: int = 10_000_000) -> ItemsRead:
    """Every item of a local JSON Lines file (gzip too), or of a `.json` file holding an array."""
    origin = path.resolve().as_uri()
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
            if path.stat().st_size > max_bytes * 10:
                raise ValueError(f"a JSON array over {max_bytes * 10 / 1e6:g} MB; write it as JSON Lines")
            return parse_items(path.read_bytes(), origin, source, publisher, max_bytes)
        return _from_lines(_file_lines(path), origin, source, publisher, max_bytes)
    except (OSError, EOFError, ValueError) as exc:
        raise SourceError(f"source '{source}': {path} could not be read ({exc})") from exc
