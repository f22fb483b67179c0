"""Web sources through the extract stage against a real local server: one fetch per story across
sources, unreachable single pages as failed documents, fetch_state rows, and whose date wins."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sources.collect import collect
from mediamon.config import FetchConfig, Settings, SourceSpec
from transforms.extraction.clean import clean_batch

BODY = ("<p>The regional council agreed on Monday to extend the tram line to the northern districts after "
        "months of discussion about the cost, the route through the old town and the noise.</p>")
PAGES = {
    "/news/jsonld": ('<html><head><title>Tram</title><script type="application/ld+json">{"@context": '
                     '"https://schema.org", "@type": "NewsArticle", "headline": "Tram", '
                     '"datePublished": "2024-03-01T08:00:00Z"}</script></head><body><article><h1>Tram</h1>'
                     + BODY + "</article></body></html>"),
    "/news/meta": ('<html><head><title>Bridge</title><meta property="article:published_time" '
                   'content="2024-03-02T08:00:00Z"></head><body><article><h1>Bridge</h1>' + BODY
                   + "</article></body></html>"),
    "/news/nodate": ("<html><head><title>Harbour</title></head><body><article><h1>Harbour</h1>" + BODY
                     + "</article></body></html>"),
}
FEED_DATE = "Sat, 09 Mar 2024 12:00:00 GMT"


def _feed(server: Any, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>{p}</title><link>{server.url(p)}</link><pubDate>{FEED_DATE}</pubDate></item>"
                    for p in paths)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Local</title>{items}'
            "</channel></rss>").encode()


def _sitemap(server: Any, paths: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{server.url(p)}</loc></url>" for p in paths)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def _settings(tmp_path: Path) -> Settings:
    # Fast backoff is not configurable in [fetch]; two tries keep the failure cases short.
    return Settings(config_path=None, warehouse_dir=tmp_path / "wh", fetch=FetchConfig(max_tries=2))


def _serve(server: Any) -> None:
    server.route("/robots.txt", body=b"User-agent: *\nAllow: /\n", content_type="text/plain")
    for path, html in PAGES.items():
        server.route(path, body=html.encode())


def test_story_in_a_feed_source_and_a_sitemap_source_is_fetched_once(fault_server: Any,
                                                                      tmp_path: Path) -> None:
    _serve(fault_server)
    fault_server.route("/feed.xml", body=_feed(fault_server, ["/news/jsonld", "/news/meta"]),
                       content_type="application/rss+xml")
    fault_server.route("/sitemap.xml", body=_sitemap(fault_server, ["/news/meta?utm_source=x", "/news/nodate"]),
                       content_type="application/xml")
    sources = [SourceSpec(name="feed", location=fault_server.url("/feed.xml")),
               SourceSpec(name="sitemap", location=fault_server.url("/sitemap.xml"))]
    got = collect(sources, _settings(tmp_path), {})
    urls = [d.url.removeprefix(fault_server.base_url) for d in got.documents]
    assert sorted(urls) == sorted(PAGES)
    for path in PAGES:
        assert len(fault_server.requests_for(path)) == 1, path
    # The shared story goes to the source that listed it first.
    assert {d.url.removeprefix(fault_server.base_url): d.source for d in got.documents}["/news/meta"] == "feed"
    assert len(fault_server.requests_for("/robots.txt")) == 1  # one fetcher for the whole run
    assert got.problems == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_single_pages_become_failed_documents_not_warnings(fault_server: Any,
                                                                      tmp_path: Path) -> None:
    _serve(fault_server)
    refused = f"http://127.0.0.1:{_closed_port()}/2024/03/story"
    sources = [SourceSpec(name="gone", location=fault_server.url("/news/gone")),
               SourceSpec(name="refused", location=refused),
               SourceSpec(name="down-feed", location=fault_server.url("/rss.xml")),
               SourceSpec(name="ok", location=fault_server.url("/news/nodate"))]
    got = collect(sources, _settings(tmp_path), {})
    docs = {d.source: d for d in got.documents}
    assert set(docs) == {"gone", "refused", "ok"}
    assert (docs["gone"].error, docs["gone"].error_stage, docs["gone"].raw) == ("HTTP 404", "fetch", None)
    # robots.txt is asked first: the connection failure surfaces there, one line, retried next run.
    assert "connection failed" in docs["refused"].error and "retried next run" in docs["refused"].error
    assert docs["ok"].error is None and docs["ok"].raw == PAGES["/news/nodate"].encode()
    # A feed is a listing: failing, it is a source-level warning, not a document. The single pages are
    # documents (quarantined); as their sources got nothing at all, each also gets one warning line.
    assert [p for p in got.problems if "source 'down-feed'" in p and "HTTP 404" in p]
    assert got.failed_sources == ["gone", "refused", "down-feed"] and len(got.problems) == 3
    # Every location has a fetch_state row with its outcome; failures keep no validators.
    rows = got.cache_updates
    assert (rows[fault_server.url("/news/gone")].last_status, rows[fault_server.url("/news/gone")].source) == \
        (404, "gone")
    assert rows[refused].last_status is None and rows[refused].last_error == docs["refused"].error
    assert rows[fault_server.url("/rss.xml")].last_error == "HTTP 404"
    assert rows[fault_server.url("/rss.xml")].source == "down-feed"
    assert rows[fault_server.url("/news/nodate")].etag and rows[fault_server.url("/news/nodate")].last_error is None
    assert all(rows[u].etag is None for u in (refused, fault_server.url("/news/gone"), fault_server.url("/rss.xml")))


@pytest.mark.parametrize(
    ("path", "published_at", "source"),
    [
        pytest.param("/news/jsonld", datetime(2024, 3, 1, 8, tzinfo=UTC), "jsonld", id="page-jsonld-wins"),
        pytest.param("/news/meta", datetime(2024, 3, 2, 8, tzinfo=UTC), "meta", id="page-meta-wins"),
        pytest.param("/news/nodate", datetime(2024, 3, 9, 12, tzinfo=UTC), "feed", id="feed-date-fills-in"),
    ],
)
def test_page_date_wins_over_feed_date(fault_server: Any, tmp_path: Path, path: str, published_at: datetime,
                                       source: str) -> None:
    _serve(fault_server)
    fault_server.route("/feed.xml", body=_feed(fault_server, [path]), content_type="application/rss+xml")
    got = collect([SourceSpec(name="feed", location=fault_server.url("/feed.xml"))],
                             _settings(tmp_path), {})
    (doc,) = got.documents
    assert (doc.published_hint, doc.published_hint_source) == (datetime(2024, 3, 9, 12, tzinfo=UTC), "feed")
    (article,) = clean_batch(got.documents, "run-1").articles
    assert (article["published_at"], article["published_at_source"]) == (published_at, source)
