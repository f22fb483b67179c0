"""Rules for HTTP responses, as pure functions the fetcher applies.

    RetryPolicy(tries, base, cap)     which answers are tried again, and how long to wait first
    retry_after_seconds(header)       how long a 429/503 asks us to wait
    backoff_seconds(attempt, ...)     exponential backoff with jitter
    content_type_refusal(ctype, ...)  why a Content-Type is not wanted (images, PDFs, ...)
    find_canonical(html, base)        the page's <link rel=canonical>
    BodyDecoder                       Content-Encoding (gzip/deflate) undone in bounded steps

No network here: the fetcher (`sources/fetch.py`) and the alert webhook (`mediamon/raise_alerts.py`)
do the I/O and ask these.
"""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

# Transient answers: request timeout, too early, too many requests, server errors behind a gateway.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/vnd.wap.xhtml+xml",
                        "text/plain", "application/xml", "text/xml"})
# Feeds and sitemaps, including `.xml.gz` sitemaps that servers label as gzip or octet-stream.
LISTING_TYPES = PAGE_TYPES | {"application/rss+xml", "application/atom+xml", "application/rdf+xml",
                              "application/x-rss+xml", "application/gzip", "application/x-gzip",
                              "application/octet-stream", "text/rss+xml"}
# A configured location itself may also be a JSON agency feed (sources/jsonl.py).
JSON_TYPES = frozenset({"application/json", "application/x-ndjson", "application/jsonl",
                        "application/jsonlines", "application/x-jsonlines", "text/json"})

_CANONICAL_RE = re.compile(rb"<link\b[^>]*?\brel\s*=\s*[\"']?canonical\b[^>]*>", re.I)
_HREF_RE = re.compile(rb"\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent/bad."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Wait before retry number `attempt` (1-based): uniform in [c/2, c], c = min(cap, base * 2^(n-1))."""
    ceiling = min(cap, base * 2 ** (attempt - 1))
    return (rng or random).uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class RetryPolicy:
    """When an HTTP request is tried again and how long to wait first: one policy for the
    fetcher and the alert webhook.

    A timeout, a dropped connection or a status in `RETRY_STATUSES` is tried again, at most
    `tries` times in all, after an exponential, jittered backoff (`backoff_seconds`) or the
    server's Retry-After when that is longer. A Retry-After over `cap` is not waited for: the
    caller gives up for now and tries again next run.
    """

    tries: int = 3
    base: float = 0.5  # seconds before the second try (at most; jitter halves it at worst)
    cap: float = 30.0  # longest wait, Retry-After included

    @staticmethod
    def retryable(status: int) -> bool:
        """True for an HTTP status worth another try."""
        return status in RETRY_STATUSES

    def wait(self, attempt: int, retry_after: float | None = None,
             rng: random.Random | None = None) -> float | None:
        """Seconds to wait after failed try number `attempt` (1-based); None when the server
        asks for longer than `cap`."""
        if retry_after is not None and retry_after > self.cap:
            return None
        wait = backoff_seconds(attempt, self.base, self.cap, rng)
        return wait if retry_after is None else max(wait, retry_after)


def content_type_refusal(content_type: str | None, accept: str) -> str | None:
    """Why a response of this Content-Type is not wanted, or None when it is.

    `accept` is "page" (HTML and text only), "listing" (feeds, sitemaps, gzip too) or "any"
    (a configured location: a listing, a page or JSON).
    An absent Content-Type is accepted: downstream sniffs the bytes.
    """
    if not content_type:
        return None
    mime = content_type.split(";", 1)[0].strip().lower()
    allowed = PAGE_TYPES if accept == "page" else LISTING_TYPES | (JSON_TYPES if accept == "any" else set())
    if mime in allowed or (accept != "page" and mime.endswith("+xml")):
        return None
    return f"not a page: content type {mime}"


def find_canonical(body: bytes, base: str) -> str | None:
    """The `<link rel=canonical href>` in the first 200 kB of an HTML page, absolute; else None."""
    tag = _CANONICAL_RE.search(body[:200_000])
    if tag is None:
        return None
    href = _HREF_RE.search(tag.group(0))
    if href is None:
        return None
    raw = next(g for g in href.groups() if g is not None).decode("latin-1").strip()
    return urljoin(base, raw) if raw else None


class BodyDecoder:
    """Undo a Content-Encoding chunk by chunk, never producing more than `limit` + 1 bytes.

    Raises ValueError for an encoding it does not know (we only ask for gzip and deflate)
    or a corrupt stream. A gzip bomb stops at the limit instead of filling memory.
    """

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise ValueError(f"unsupported content encoding {content_encoding!r}")
        self.limit = limit
        self.produced = 0
        self._raw_deflate = False
        # wbits 47 reads both gzip and zlib headers; bare deflate is retried below.
        self._inflater = zlib.decompressobj(wbits=47) if codings else None
        self._started = False

    def feed(self, chunk: bytes) -> bytes:
        """Decoded bytes for this wire chunk (at most what keeps the total at limit + 1)."""
        if self._inflater is None:
            out = chunk
        else:
            room = self.limit + 1 - self.produced
            try:
                out = self._inflater.decompress(chunk, max(room, 1))
            except zlib.error:
                if self._started or self._raw_deflate:
                    raise ValueError("corrupt compressed body") from None
                # Some servers send raw deflate without the zlib header.
                self._raw_deflate = True
                self._inflater = zlib.decompressobj(wbits=-15)
                return self.feed(chunk)
            self._started = True
        self.produced += len(out)
        return out
