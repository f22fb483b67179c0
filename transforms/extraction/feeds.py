"""Feeds, sitemaps and URL lists from bytes into article links with hints (pure).

    sniff_listing(bytes)   -> "feed" | "sitemap" | "page" | "urllist"
    parse_feed(bytes, url) -> Listing   RSS 0.9x/1.0/2.0 and Atom, via feedparser
    parse_sitemap(bytes, url) -> Listing   urlset (incl. Google News) or sitemapindex
    parse_url_list(text)   -> list[str]  one URL a line, '#' starts a comment
    kind_from_url(url)     -> "feed" | "sitemap" | "urllist" | "warc" | None   a guess, no fetching

Each `ListingEntry` carries what the listing knew about the story (title,
publication date in UTC, language); the fetcher passes it on as hints. Bytes may
be gzip-compressed (`.xml.gz`); `gunzip_bounded` unpacks them without letting a
gzip bomb exhaust memory. Nothing here touches the network: feedparser is only
ever given bytes, and lxml is told not to resolve entities or load DTDs.
"""

from __future__ import annotations

import calendar
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from urllib.parse import unquote, urlsplit

import feedparser
from dateutil import parser as date_parser
from lxml import etree

from transforms.urls import normalize_url

GZIP_MAGIC = b"\x1f\x8b"
# First element of an XML document, after the prolog, comments, PIs and DOCTYPE.
_PROLOG_RE = re.compile(rb"^(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*", re.S | re.I)
_TAG_RE = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_FEED_ROOTS = {b"rss", b"rdf", b"feed", b"channel"}
_SITEMAP_ROOTS = {b"urlset", b"sitemapindex"}
# What feed and sitemap URLs look like in the wild (feeds.bbci.co.uk/news/rss.xml, /feed/,
# /?feed=rss2, /sitemap-news.xml.gz, feeds.feedburner.com/Name).
_FEED_WORD_RE = re.compile(r"(?:^|[/._?=&])(?:rss\d?|atom|feeds?|rdf)(?:$|[/._?=&])", re.I)
_SITEMAP_WORD_RE = re.compile(r"sitemap", re.I)


@dataclass(frozen=True)
class ListingEntry:
    """One link found in a feed or sitemap, normalised, with what the listing said about it."""

    url: str
    title: str | None = None
    published_at: datetime | None = None  # UTC
    published_source: str | None = None  # "feed" | "sitemap"
    language: str | None = None
    # Sitemap <lastmod>: when the page last changed, not when it was published.
    modified_at: datetime | None = None


@dataclass
class Listing:
    """What a feed or sitemap holds: article entries, child sitemaps, and parse problems."""

    kind: str  # "feed" | "sitemap" | "sitemapindex"
    entries: list[ListingEntry] = field(default_factory=list)
    child_sitemaps: list[str] = field(default_factory=list)
    title: str | None = None
    language: str | None = None
    problems: list[str] = field(default_factory=list)


def gunzip_bounded(data: bytes, max_bytes: int) -> bytes:
    """`data` unpacked when it is gzip (by magic bytes), else unchanged.

    Raises ValueError when the result would exceed `max_bytes` or the gzip is corrupt.
    """
    if not data.startswith(GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise ValueError(f"not valid gzip ({exc})") from exc
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise ValueError(f"unpacks to over the {max_bytes / 1e6:.0f} MB limit")
    if not inflater.eof:
        raise ValueError("not valid gzip (truncated: the compressed data ends early)")
    return out


def _first_tag(data: bytes) -> bytes | None:
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    # UTF-16 listings are rare; look at them through a lossy ASCII view.
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        head = head.decode("utf-16", errors="ignore").encode("ascii", errors="ignore")
    prolog = _PROLOG_RE.match(head)
    rest = head[prolog.end() if prolog else 0:]
    match = _TAG_RE.match(rest)
    return match.group(2).lower() if match else None


def _looks_like_url_list(data: bytes) -> bool:
    lines = [ln.strip() for ln in data[:65536].splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith(b"#")]
    if not lines or b"<" in data[:512]:
        return False
    return all(ln.lower().startswith((b"http://", b"https://")) and b" " not in ln for ln in lines[:200])


def sniff_listing(data: bytes) -> str:
    """What fetched bytes are: "feed", "sitemap", "urllist" or (anything else) "page"."""
    try:
        data = gunzip_bounded(data[:1_000_000], 1_000_000) if data.startswith(GZIP_MAGIC) else data
    except ValueError:
        pass  # a truncated gzip prefix still unpacks partially in most cases; else treat as page
    tag = _first_tag(data)
    if tag in _FEED_ROOTS:
        return "feed"
    if tag in _SITEMAP_ROOTS:
        return "sitemap"
    if tag is None and _looks_like_url_list(data):
        return "urllist"
    return "page"


def _utc_from_struct(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


def parse_date(value: str | None) -> datetime | None:
    """A W3C/ISO or RFC 822 date string as UTC; naive dates are taken as UTC; None if unparseable."""
    if not value or not value.strip():
        return None
    try:
        parsed: datetime = date_parser.parse(value.strip())
    except (ValueError, OverflowError):
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _clean(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())
    return text or None


def parse_feed(data: bytes, url: str) -> Listing:
    """Entries of an RSS/Atom feed fetched from `url` (relative links resolve against it)."""
    parsed = feedparser.parse(data, response_headers={"content-location": url})
    listing = Listing(kind="feed", title=_clean(parsed.feed.get("title")),
                      language=_clean(parsed.feed.get("language")))
    if parsed.bozo and not parsed.entries:
        listing.problems.append(f"feed {url} could not be parsed ({parsed.get('bozo_exception')})")
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            # Atom entries may carry only rel="alternate" links, or an id that is a URL.
            link = next((lk.get("href") for lk in entry.get("links", []) if lk.get("href")), None)
            link = link or (entry.get("id") if str(entry.get("id", "")).startswith("http") else None)
        normal = normalize_url(str(link), base=url) if link else None
        if normal is None:
            continue
        published = _utc_from_struct(entry.get("published_parsed")) or _utc_from_struct(
            entry.get("updated_parsed"))
        listing.entries.append(ListingEntry(
            url=normal,
            title=_clean(entry.get("title")),
            published_at=published,
            published_source="feed" if published else None,
            language=_clean(entry.get("language")) or listing.language,
        ))
    return listing


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *path: str) -> str | None:
    """Text of the first descendant following local names `path` (namespace-agnostic)."""
    current = [element]
    for name in path:
        current = [child for node in current for child in node if _local(child.tag) == name]
        if not current:
            return None
    return _clean(current[0].text)


def parse_sitemap(data: bytes, url: str, max_entries: int = 50_000) -> Listing:
    """Entries of a sitemap (`urlset`, Google News extension included) or a sitemap index.

    `data` may be gzip-compressed. Raises nothing: broken XML yields the entries read so far
    plus a problem line.
    """
    try:
        data = gunzip_bounded(data, 100_000_000)
    except ValueError as exc:
        return Listing(kind="sitemap", problems=[f"sitemap {url}: {exc}"])
    listing = Listing(kind="sitemap")
    context = etree.iterparse(BytesIO(data), events=("end",), resolve_entities=False, no_network=True,
                              load_dtd=False, huge_tree=False, recover=True)
    try:
        for _, element in context:
            name = _local(element.tag)
            if name not in ("url", "sitemap"):
                continue
            loc = normalize_url(_child_text(element, "loc") or "", base=url)
            if loc is not None and name == "sitemap":
                listing.kind = "sitemapindex"
                listing.child_sitemaps.append(loc)
            elif loc is not None and len(listing.entries) < max_entries:
                published = parse_date(_child_text(element, "news", "publication_date"))
                listing.entries.append(ListingEntry(
                    url=loc,
                    title=_child_text(element, "news", "title"),
                    published_at=published,
                    published_source="sitemap" if published else None,
                    language=_child_text(element, "news", "publication", "language"),
                    modified_at=parse_date(_child_text(element, "lastmod")),
                ))
            element.clear()  # keep memory flat on 50,000-entry sitemaps
    except etree.XMLSyntaxError as exc:
        listing.problems.append(f"sitemap {url}: XML error ({exc}); kept {len(listing.entries)} entries")
    if len(listing.entries) >= max_entries:
        listing.problems.append(f"sitemap {url}: stopped at {max_entries} entries")
    return listing


def parse_listing(data: bytes, url: str) -> Listing:
    """Feed or sitemap, whichever the bytes are (a page yields an empty feed listing + problem)."""
    kind = sniff_listing(data)
    if kind == "sitemap":
        return parse_sitemap(data, url)
    if kind == "feed":
        return parse_feed(gunzip_bounded(data, 100_000_000) if data.startswith(GZIP_MAGIC) else data, url)
    return Listing(kind="feed", problems=[f"{url} is neither a feed nor a sitemap (looks like a {kind})"])


def parse_url_list(text: str, base: str | None = None) -> list[str]:
    """Normalised URLs of a URL list, in order, duplicates dropped; '#' starts a comment line."""
    urls: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        normal = normalize_url(line.split()[0], base=base)
        if normal is not None and normal not in seen:
            seen.add(normal)
            urls.append(normal)
    return urls


def kind_from_url(url: str) -> str | None:
    """What a URL probably is, from its name alone: "warc", "sitemap", "feed", "urllist", or None.

    None means "no sign of a listing": most likely an article page, but only fetching can
    tell. Used where the network may not be touched (`mediamon sources`) or did not answer.
    """
    parts = urlsplit(url.strip())
    path = unquote(parts.path).lower()
    name = path.rsplit("/", 1)[-1]
    if name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz")):
        return "warc"
    if _SITEMAP_WORD_RE.search(name) or (name.endswith((".xml", ".xml.gz")) and "sitemap" in path):
        return "sitemap"
    host_labels = (parts.hostname or "").lower().split(".")
    if (_FEED_WORD_RE.search(path) or _FEED_WORD_RE.search(parts.query)
            or host_labels[0] in ("feeds", "feed", "rss")
            or name.endswith((".rss", ".atom", ".rdf", ".xml", ".xml.gz"))):
        return "feed"
    if name.endswith((".txt", ".urls", ".lst")):
        return "urllist"
    return None
