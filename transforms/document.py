"""A document as a source hands it over: bytes plus what is known about them.

Every source (local folder, feed, sitemap, URL list, WARC) produces
`RawDocument`s. A document that could not be obtained at all (missing file,
HTTP 404 after retries) still becomes a `RawDocument`, with `error` set, so it
can be quarantined: nothing is lost between the source and the warehouse.

`CacheEntry` is what a web fetch leaves for the next run (one `fetch_state` row per URL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class RawDocument:
    url: str
    source: str  # name of the configured source, e.g. "seeds" or "feeds.bbc"
    fetched_at: datetime  # UTC
    raw: bytes | None = None  # None when the document could not be obtained
    path: str | None = None  # local file it came from, if any
    # "html" or "text" (a page-text dump) when the source knows; otherwise sniffed.
    kind: str | None = None
    # For text: "text" (clean copy) or "page-text" (a dump with chrome) when the source says so,
    # and who said it ("manifest" or "source"); None: mediamon judges the text.
    text_kind: str | None = None
    text_kind_source: str | None = None
    content_type: str | None = None  # HTTP Content-Type, with charset
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None  # HTTP Last-Modified header, verbatim
    final_url: str | None = None  # after redirects
    publisher_hint: str | None = None  # manifest or config override
    title_hint: str | None = None  # from a feed/sitemap entry
    published_hint: datetime | None = None  # from a feed/sitemap entry (UTC)
    published_hint_source: str | None = None  # "feed" | "sitemap"
    language_hint: str | None = None
    error: str | None = None  # one-line reason when raw is None
    error_stage: str | None = None  # "extract" or "fetch"
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class CacheEntry:
    """One `fetch_state` row: the validators of the last successful fetch of a URL, for
    conditional requests, and how the latest fetch went, for `mediamon sources`."""

    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None  # sha256 hex of the body
    # The latest attempt, successful or not; not validators, so left out of comparisons.
    last_status: int | None = field(default=None, compare=False)
    last_error: str | None = field(default=None, compare=False)
    fetched_at: datetime | None = field(default=None, compare=False)
    source: str | None = field(default=None, compare=False)


# What a source may declare a text file to be: "text" (clean copy) or "page-text" (a dump with chrome).
TEXT_KINDS = ("text", "page-text")


def doc_key(doc: RawDocument) -> str:
    """What identifies a document across runs: its file for local files (`archive#offset` for a
    record of a WARC file), else its URL. Unique per input document: one key, one stored row."""
    return doc.path or doc.url
