"""Stable identifiers and hashes: the same story always gets the same key."""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit


@cache
def _extractor() -> Any:
    """The bundled public-suffix snapshot only: never fetch the list at run time. Made on first use:
    tldextract imports requests (0.2 s), which hashing a document (a re-run's check) does not need."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def canonical_key(url: str) -> str:
    """The URL an article is keyed by: scheme and host lower-cased, fragment and default port dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port and (scheme, parts.port) not in {("http", 80), ("https", 443)} else None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((scheme, netloc, parts.path or ("/" if netloc else ""), parts.query, ""))


def article_id_for(canonical_url: str) -> str:
    """16 hex chars of SHA-1 over the normalised canonical URL."""
    return hashlib.sha1(canonical_key(canonical_url).encode("utf-8")).hexdigest()[:16]


def content_hash(title: str, body: str) -> str:
    """Hash of what an analyst reads: a changed title or body is a new version."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()[:32]


def bytes_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:32]


def registered_domain(url: str) -> str | None:
    """'www.bbc.co.uk/news' -> 'bbc.co.uk'; None for file:// and other non-web URLs."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    ext = _extractor()(parts.hostname)
    return ext.top_domain_under_public_suffix or parts.hostname
