from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from transforms.extraction.feeds import (
    gunzip_bounded,
    kind_from_url,
    parse_feed,
    parse_listing,
    parse_sitemap,
    parse_url_list,
    sniff_listing,
)

BASE = "https://zeitung.example/feed.xml"

RSS20 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Zeitung</title><language>de-DE</language>
<item><title>Streik bei der Bahn</title><link>https://zeitung.example/a?utm_source=rss</link>
<pubDate>Tue, 10 Jun 2025 06:30:00 +0200</pubDate></item>
<item><title>Relativ</title><link>/b.html</link></item>
<item><title>Kein Link</title></item>
</channel></rss>"""

RSS091 = b"""<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><title>Alt</title>
<language>fr</language><item><title>Vieux</title><link>https://zeitung.example/old</link></item></channel></rss>"""

RSS10 = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://zeitung.example/"><title>RDF</title></channel>
<item rdf:about="https://zeitung.example/rdf1"><title>Eins</title><link>https://zeitung.example/rdf1</link>
<dc:date>2025-06-10T04:30:00Z</dc:date><dc:language>de</dc:language></item></rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>Atom</title><entry><title>Entry</title><link rel="alternate" href="https://zeitung.example/atom1"/>
<id>urn:x</id><updated>2025-06-09T10:00:00Z</updated><published>2025-06-08T10:00:00+02:00</published></entry>
</feed>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://zeitung.example/n1</loc><lastmod>2025-06-10T09:00:00Z</lastmod>
    <news:news><news:publication><news:name>Zeitung</news:name><news:language>de</news:language>
    </news:publication><news:publication_date>2025-06-10T08:00:00+02:00</news:publication_date>
    <news:title>Neue Regierung</news:title></news:news></url>
  <url><loc>https://zeitung.example/n2</loc><lastmod>2025-06-01</lastmod></url>
  <url><loc>mailto:x@y.z</loc></url>
</urlset>"""

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://zeitung.example/sitemap-news.xml.gz</loc></sitemap>
<sitemap><loc>/sitemap-2.xml</loc></sitemap></sitemapindex>"""


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(RSS20, "feed", id="rss20"),
        pytest.param(RSS091, "feed", id="rss091-doctype"),
        pytest.param(RSS10, "feed", id="rss10-rdf"),
        pytest.param(ATOM, "feed", id="atom"),
        pytest.param(NEWS_SITEMAP, "sitemap", id="urlset"),
        pytest.param(SITEMAP_INDEX, "sitemap", id="sitemapindex"),
        pytest.param(gzip.compress(NEWS_SITEMAP), "sitemap", id="gzipped-sitemap"),
        pytest.param(b"\xef\xbb\xbf<?xml version='1.0'?><!-- c --><rss/>", "feed", id="bom-comment"),
        pytest.param(b"<!doctype html><html><head><link rel=alternate type=application/rss+xml></head>",
                     "page", id="html-page"),
        pytest.param(b"# my list\nhttps://a.example/1\n\nhttp://b.example/2\n", "urllist", id="url-list"),
        pytest.param(b"hello world", "page", id="plain-text"),
    ],
)
def test_sniff_listing(data: bytes, expected: str) -> None:
    assert sniff_listing(data) == expected


def test_rss20_entries_links_titles_dates() -> None:
    listing = parse_feed(RSS20, BASE)
    assert [e.url for e in listing.entries] == ["https://zeitung.example/a", "https://zeitung.example/b.html"]
    first = listing.entries[0]
    assert first.title == "Streik bei der Bahn"
    assert first.published_at == datetime(2025, 6, 10, 4, 30, tzinfo=UTC)
    assert first.published_source == "feed"
    assert first.language == "de-DE"  # channel language inherited
    assert listing.entries[1].published_at is None and listing.entries[1].published_source is None


@pytest.mark.parametrize(
    ("data", "url", "title", "published", "language"),
    [
        pytest.param(RSS091, "https://zeitung.example/old", "Vieux", None, "fr", id="rss091"),
        pytest.param(RSS10, "https://zeitung.example/rdf1", "Eins", datetime(2025, 6, 10, 4, 30, tzinfo=UTC),
                     "de", id="rss10"),
        pytest.param(ATOM, "https://zeitung.example/atom1", "Entry", datetime(2025, 6, 8, 8, 0, tzinfo=UTC),
                     None, id="atom-published-over-updated"),
    ],
)
def test_feed_formats(data: bytes, url: str, title: str, published: datetime | None,
                      language: str | None) -> None:
    (entry,) = parse_feed(data, BASE).entries
    assert (entry.url, entry.title, entry.published_at) == (url, title, published)
    if language:
        assert entry.language == language


def test_news_sitemap_hints_and_lastmod_kept_apart() -> None:
    listing = parse_sitemap(gzip.compress(NEWS_SITEMAP), "https://zeitung.example/sitemap-news.xml.gz")
    assert listing.kind == "sitemap"
    n1, n2 = listing.entries  # the mailto: entry is dropped
    assert (n1.url, n1.title, n1.language) == ("https://zeitung.example/n1", "Neue Regierung", "de")
    assert n1.published_at == datetime(2025, 6, 10, 6, 0, tzinfo=UTC)
    assert n1.published_source == "sitemap"
    # <lastmod> says when the page changed, not when it was published
    assert n2.published_at is None and n2.modified_at == datetime(2025, 6, 1, tzinfo=UTC)


def test_sitemap_index_children_resolved() -> None:
    listing = parse_listing(SITEMAP_INDEX, "https://zeitung.example/sitemap.xml")
    assert listing.kind == "sitemapindex"
    assert listing.child_sitemaps == ["https://zeitung.example/sitemap-news.xml.gz",
                                      "https://zeitung.example/sitemap-2.xml"]
    assert listing.entries == []


def test_broken_sitemap_keeps_what_it_read() -> None:
    listing = parse_sitemap(NEWS_SITEMAP[:NEWS_SITEMAP.index(b"<url><loc>https://zeitung.example/n2")]
                            + b"<url><loc>https://zeitung.example/n2</loc>", "https://zeitung.example/s.xml")
    assert [e.url for e in listing.entries][:1] == ["https://zeitung.example/n1"]


def test_sitemap_does_not_expand_external_entities() -> None:
    evil = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
            b'<urlset><url><loc>https://zeitung.example/&x;</loc></url></urlset>')
    listing = parse_sitemap(evil, "https://zeitung.example/s.xml")
    assert all("etc" not in e.url and len(e.url) < 60 for e in listing.entries)


def test_page_is_not_a_listing() -> None:
    listing = parse_listing(b"<!doctype html><html><body>x</body></html>", "https://zeitung.example/")
    assert listing.entries == [] and "neither a feed nor a sitemap" in listing.problems[0]


def test_url_list_comments_blank_duplicates_and_junk() -> None:
    text = ("# Quellen\nhttps://a.example/1?utm_source=x\n\n  https://a.example/1  \n"
            "ftp://x/y\nhttp://b.example/2 note\n")
    assert parse_url_list(text) == ["https://a.example/1", "http://b.example/2"]


def test_gunzip_bounded_refuses_bombs() -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    with pytest.raises(ValueError, match="limit"):
        gunzip_bounded(bomb, 1_000_000)
    assert gunzip_bounded(gzip.compress(b"abc"), 10) == b"abc"
    assert gunzip_bounded(b"plain", 10) == b"plain"
    with pytest.raises(ValueError, match="gzip"):
        gunzip_bounded(b"\x1f\x8b" + b"junk" * 10, 100)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        pytest.param("https://feeds.bbci.co.uk/news/rss.xml", "feed", id="rss-xml"),
        pytest.param("https://example.org/feed/", "feed", id="wordpress-feed"),
        pytest.param("https://example.org/?feed=rss2", "feed", id="feed-query"),
        pytest.param("https://feeds.feedburner.com/SomeBlog", "feed", id="feeds-host"),
        pytest.param("https://example.org/feeds/all.atom.xml", "feed", id="atom"),
        pytest.param("https://example.org/sitemap-news.xml.gz", "sitemap", id="news-sitemap-gz"),
        pytest.param("https://example.org/sitemaps/2024-03.xml", "sitemap", id="sitemap-folder"),
        pytest.param("https://example.org/lists/watch.txt", "urllist", id="url-list"),
        pytest.param("/data/CC-NEWS-20240305-00001.warc.gz", "warc", id="warc"),
        pytest.param("https://example.org/2024/03/05/tram-line-extended", None, id="article-slug"),
        pytest.param("https://example.org/news/rss-reader-review.html", None, id="rss-word-in-slug"),
        pytest.param("https://example.org/news/feedback-on-the-plan", None, id="feed-prefix-in-slug"),
        pytest.param("http://127.0.0.1:8080/story", None, id="bare-page"),
    ],
)
def test_kind_from_url(url: str, kind: str | None) -> None:
    assert kind_from_url(url) == kind
