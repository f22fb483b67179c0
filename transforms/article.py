"""The record every extractor returns, whatever the input looked like.

HTML pages (`html_article`) and page-text dumps (`text_dump`) both turn one
document into an `Article`. The clean stage turns a batch of them into the
`articles` frame; the warehouse never sees extractor internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# Where `published_at` came from, best first. The warehouse stores the label.
DATE_SOURCES = ("jsonld", "meta", "url", "feed", "sitemap", "dateline", "text", "http")
# Where `publisher` came from.
PUBLISHER_SOURCES = ("og", "jsonld", "title", "manifest", "table", "domain", "text")


@dataclass(frozen=True)
class Hints:
    """What the source knew about a document before it was parsed."""

    url: str
    content_type: str | None = None  # HTTP Content-Type header, charset included
    publisher: str | None = None  # manifest/config override: always wins
    title: str | None = None  # from a feed or sitemap entry
    published_at: datetime | None = None  # from a feed or sitemap entry (UTC)
    published_at_source: str | None = None  # "feed" or "sitemap"
    language: str | None = None
    http_last_modified: datetime | None = None  # Last-Modified header (UTC)


@dataclass
class Article:
    """One extracted article. Datetimes are timezone-aware UTC or None."""

    title: str = ""
    body: str = ""
    publisher: str | None = None
    publisher_source: str | None = None
    published_at: datetime | None = None
    published_at_source: str | None = None
    # The publication day in the publisher's own calendar (published_at is UTC: 00:30 in Berlin
    # is the previous day in UTC). Optional, added by the HTML extractor.
    published_on: date | None = None
    # The UTC offset written with the chosen date ("+05:30", "+00:00"); None for a local time or a bare day.
    published_tz: str | None = None
    # Other publication claims on the page naming another day ("url:2019-10-17"); empty when all agree.
    date_conflicts: list[str] = field(default_factory=list)
    modified_at: datetime | None = None
    authors: list[str] = field(default_factory=list)
    agency: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    image_credit: str | None = None
    tags: list[str] = field(default_factory=list)
    # Plain text only (transforms.extraction.plain_text): what the text is ("text" = clean copy kept whole,
    # "page-text" = a page dump with chrome), who said so ("manifest", "source" or "judged"),
    # and the wire header read off it: the dateline's place, correction notices, the slug line.
    text_kind: str | None = None
    text_kind_source: str | None = None
    dateline_place: str | None = None
    correction: str | None = None
    slug_line: str | None = None
