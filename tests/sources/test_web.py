"""Feeds, sitemaps, URL lists, WARC files and single pages, against a real local server."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mediamon.config import FetchConfig, Settings, SourceSpec
from mediamon.errors import SourceError
from sources.collect import collect, read_source
from sources.kinds import detect
from sources.local import read_warc
from sources.web import WebSourceSpec, collect_web_source, collect_web_sources

FAST = FetchConfig(backoff_base=0.01, backoff_max=2.0, connect_timeout=2.0, read_timeout=1.0,
                     total_timeout=5.0)
CP1251_PAGE = "<html><head><title>Новости</title></head><body><p>Привет</p></body></html>".encode("cp1251")


def _feed(server: Any) -> bytes:
    items = [
        ("Eins", "/news/1?utm_source=rss&utm_medium=feed", "Tue, 10 Jun 2025 06:30:00 +0200"),
        ("Eins nochmal", "/news/1#kommentare", ""),  # the duplicate entry
        ("Zwei", "/news/2", ""),
        ("Drei", "/news/3", ""),
        ("Bild", "/images/photo.jpg", ""),
        ("Kyrillisch", "/news/cp1251", ""),
        ("Geheim", "/private/x", ""),
        ("Immer kaputt", "/news/down", ""),
    ]
    body = "".join(f"<item><title>{t}</title><link>{server.url(p)}</link>"
                   + (f"<pubDate>{d}</pubDate>" if d else "") + "</item>" for t, p, d in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Lokal</title>'
            f"<language>de</language>{body}</channel></rss>").encode()


NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{base}/news/1</loc></url>
<url><loc>{base}/news/4</loc><news:news><news:publication><news:name>Lokal</news:name>
<news:language>de</news:language></news:publication>
<news:publication_date>2025-06-11T08:00:00+02:00</news:publication_date><news:title>Vier</news:title>
</news:news></url></urlset>"""


def _site(server: Any, pages: list[tuple[str, bytes]]) -> None:
    server.route("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.route("/feed.xml", body=_feed(server), content_type="application/rss+xml")
    server.route("/news/1", body=pages[0][1])
    server.route("/news/2", body=pages[1][1], fail_first=2)
    server.route("/news/4", body=pages[3][1])
    server.route("/news/5", body=pages[4][1])
    server.route("/news/down", fail_first=99)
    server.route("/news/cp1251", body=CP1251_PAGE, content_type="text/html; charset=windows-1251")
    server.route("/images/photo.jpg", body=b"\xff\xd8\xff" + b"\0" * 2000, content_type="image/jpeg")
    server.route("/private/x", body=b"<html>no</html>")
    server.route("/sitemap.xml", content_type="application/xml", body=(
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>/sitemap-news.xml.gz</loc></sitemap>"
        b"<sitemap><loc>/sitemap-pages.xml</loc></sitemap>"
        b"<sitemap><loc>/sitemap-missing.xml</loc></sitemap></sitemapindex>"))
    server.route("/sitemap-news.xml.gz", content_type="application/x-gzip",
                 body=gzip.compress(NEWS_SITEMAP.format(base=server.base_url).encode()))
    server.route("/sitemap-pages.xml", content_type="text/xml", body=(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{server.url('/news/5')}</loc><lastmod>2025-06-01</lastmod></url></urlset>").encode())


def _by_path(collection: Any, server: Any) -> dict[str, Any]:
    return {doc.url.removeprefix(server.base_url): doc for doc in collection.documents}


def test_feed_first_run_every_fault_lands_where_it_should(fault_server: Any,
                                                          corpus_pages: list[tuple[str, bytes]]) -> None:
    _site(fault_server, corpus_pages)
    run = collect_web_source(fault_server.url("/feed.xml"), "feeds.local", FAST, {}, publisher="Lokal")
    assert run.kind == "feed"
    docs = _by_path(run, fault_server)
    assert set(docs) == {"/news/1", "/news/2", "/news/3", "/images/photo.jpg", "/news/cp1251",
                         "/private/x", "/news/down"}
    assert len(fault_server.requests_for("/news/1")) == 1  # listed twice, fetched once
    one = docs["/news/1"]
    assert one.raw == corpus_pages[0][1] and one.error is None
    assert (one.title_hint, one.published_hint, one.published_hint_source, one.language_hint,
            one.publisher_hint) == ("Eins", datetime(2025, 6, 10, 4, 30, tzinfo=UTC), "feed", "de", "Lokal")
    assert docs["/news/2"].raw == corpus_pages[1][1] and docs["/news/2"].extra["tries"] == "3"
    assert docs["/news/cp1251"].raw == CP1251_PAGE
    expected_errors = {
        "/news/3": "HTTP 404",
        "/images/photo.jpg": "not a page: content type image/jpeg",
        "/private/x": "disallowed by robots.txt",
        "/news/down": "HTTP 503 after 3 tries; will be retried next run",
    }
    for path, error in expected_errors.items():
        assert (docs[path].error, docs[path].error_stage, docs[path].raw) == (error, "fetch", None)
    assert fault_server.requests_for("/private/x") == []
    # Every URL gets a fetch_state row with its outcome; only good pages get validators, so
    # failures are fetched again next run.
    rows = {url.removeprefix(fault_server.base_url): row for url, row in run.cache_updates.items()}
    assert set(rows) == {"/feed.xml", *docs}
    assert {p for p, row in rows.items() if row.etag} == {"/news/1", "/news/2", "/news/cp1251"}
    assert rows["/feed.xml"].content_hash is None  # a listing is never fetched conditionally
    assert (rows["/news/1"].last_status, rows["/news/1"].last_error, rows["/news/1"].source) == \
        (200, None, "feeds.local")
    assert (rows["/news/3"].last_status, rows["/news/3"].last_error) == (404, "HTTP 404")
    assert rows["/news/down"].last_error == expected_errors["/news/down"] and rows["/news/down"].etag is None
    assert all(row.fetched_at is not None for row in rows.values())
    stats = run.host_stats[fault_server.base_url.removeprefix("http://")]
    assert stats.ok == 4 and stats.failed == 4 and stats.robots_disallowed == 1
    assert stats.max_in_flight <= FAST.per_host


def test_feed_second_run_is_conditional_and_yields_nothing_new(fault_server: Any,
                                                               corpus_pages: list[tuple[str, bytes]]) -> None:
    _site(fault_server, corpus_pages)
    first = collect_web_source(fault_server.url("/feed.xml"), "feeds.local", FAST, {})
    fault_server.reset_log()
    second = collect_web_source(fault_server.url("/feed.xml"), "feeds.local", FAST, first.cache_updates)
    assert sorted(second.not_modified_urls) == sorted(u for u, row in first.cache_updates.items() if row.etag)
    assert all(doc.raw is None for doc in second.documents)  # only the failures, retried
    assert {d.url.removeprefix(fault_server.base_url) for d in second.documents} == {
        "/news/3", "/images/photo.jpg", "/private/x", "/news/down"}
    for path in ("/news/1", "/news/2", "/news/cp1251"):
        (request,) = fault_server.requests_for(path)
        assert request.headers["if-none-match"] == first.cache_updates[fault_server.url(path)].etag
    # Validators unchanged (CacheEntry equality ignores the status columns); statuses refreshed.
    assert {u: r for u, r in second.cache_updates.items() if r.etag} == \
        {u: r for u, r in first.cache_updates.items() if r.etag}
    assert {r.last_status for r in second.cache_updates.values() if r.etag} == {304}


def test_sitemap_index_with_gzipped_news_sitemap(fault_server: Any,
                                                 corpus_pages: list[tuple[str, bytes]]) -> None:
    _site(fault_server, corpus_pages)
    run = collect_web_source(fault_server.url("/sitemap.xml"), "sitemap.local", FAST, {})
    assert run.kind == "sitemap"
    docs = _by_path(run, fault_server)
    assert set(docs) == {"/news/1", "/news/4", "/news/5"}
    four = docs["/news/4"]
    assert (four.title_hint, four.published_hint, four.published_hint_source, four.language_hint) == (
        "Vier", datetime(2025, 6, 11, 6, 0, tzinfo=UTC), "sitemap", "de")
    assert four.raw == corpus_pages[3][1]
    assert docs["/news/5"].published_hint is None
    assert docs["/news/5"].extra["sitemap_lastmod"].startswith("2025-06-01")
    assert len(run.listings) == 4
    assert any("sitemap-missing.xml" in p and "HTTP 404" in p for p in run.problems)


def test_story_in_feed_and_sitemap_fetched_once(fault_server: Any,
                                                corpus_pages: list[tuple[str, bytes]]) -> None:
    _site(fault_server, corpus_pages)
    specs = [WebSourceSpec(fault_server.url("/feed.xml"), "feed"),
             WebSourceSpec(fault_server.url("/sitemap.xml"), "sitemap"),
             WebSourceSpec(fault_server.url("/gone.xml"), "broken")]
    feed, sitemap, broken = collect_web_sources(specs, FAST, {})
    assert len(fault_server.requests_for("/news/1")) == 1
    assert len(fault_server.requests_for("/robots.txt")) == 1  # one run, one robots.txt per host
    assert fault_server.url("/news/1") in {d.url for d in feed.documents}
    assert sitemap.duplicate_urls == [fault_server.url("/news/1")]
    assert {d.url for d in sitemap.documents} == {fault_server.url("/news/4"), fault_server.url("/news/5")}
    assert broken.documents == [] and broken.error is not None and "HTTP 404" in broken.error


def test_sitemap_index_bounded(fault_server: Any, corpus_pages: list[tuple[str, bytes]]) -> None:
    _site(fault_server, corpus_pages)
    run = collect_web_source(fault_server.url("/sitemap.xml"), "s", FAST, {}, max_sitemaps=1)
    assert len(run.listings) == 2 and any("over 1 sitemaps" in p for p in run.problems)


def test_single_page_url_is_one_document(fault_server: Any, corpus_pages: list[tuple[str, bytes]]) -> None:
    _site(fault_server, corpus_pages)
    run = collect_web_source(fault_server.url("/news/1"), "page", FAST, {})
    assert run.kind == "page" and [d.raw for d in run.documents] == [corpus_pages[0][1]]
    assert len(fault_server.requests_for("/news/1")) == 1
    again = collect_web_source(fault_server.url("/news/1"), "page", FAST, run.cache_updates)
    assert again.documents == [] and again.not_modified_urls == [fault_server.url("/news/1")]


def test_unreadable_location_is_a_source_error(fault_server: Any) -> None:
    with pytest.raises(SourceError, match=r"source 'feeds.x': .*/nothing.xml could not be fetched: HTTP 404"):
        collect_web_source(fault_server.url("/nothing.xml"), "feeds.x", FAST, {})
    with pytest.raises(SourceError, match="does not exist"):
        collect_web_source("/no/such/dir/feed.xml", "feeds.y", FAST, {})


def test_local_url_list(tmp_path: Path, fault_server: Any, corpus_pages: list[tuple[str, bytes]]) -> None:
    _site(fault_server, corpus_pages)
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# morning list\n{fault_server.url('/news/1')}\n\n{fault_server.url('/news/4')}\n"
                       f"{fault_server.url('/news/1')}?utm_source=x\n", encoding="utf-8")
    run = collect_web_source(str(listing), "list", FAST, {})
    assert run.kind == "urllist"
    assert sorted(d.url for d in run.documents) == [fault_server.url("/news/1"), fault_server.url("/news/4")]
    assert all(d.error is None for d in run.documents)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        pytest.param("/feed.xml", "feed", id="feed"),
        pytest.param("/sitemap.xml", "sitemap", id="sitemap-index"),
        pytest.param("/sitemap-news.xml.gz", "sitemap", id="gzipped-sitemap"),
        pytest.param("/news/1", "page", id="page"),
    ],
)
def test_detect_source_sniffs_urls(fault_server: Any, corpus_pages: list[tuple[str, bytes]], path: str,
                                   kind: str) -> None:
    _site(fault_server, corpus_pages)
    assert detect(fault_server.url(path), settings=FAST) == kind


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        pytest.param("urls.txt", b"https://a.example/1\n", "urllist", id="url-list"),
        pytest.param("empty-list.txt", b"# nothing yet\n", "urllist", id="url-list-comments-only"),
        pytest.param("feed.rss", b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>", "feed",
                     id="feed"),
        pytest.param("sitemap.xml.gz", gzip.compress(b"<urlset></urlset>"), "sitemap", id="gz-sitemap"),
        pytest.param("page.html", b"<!doctype html><html></html>", "page", id="page"),
        pytest.param("dump.txt", b"Menu\nThe council met on Monday.\n", "page", id="text-dump"),
        pytest.param("wire.jsonl", b'{"url": "https://a.example/1", "body": "x"}\n', "jsonl", id="jsonl"),
        pytest.param("crawl.warc.gz", b"", "warc", id="warc-by-name"),
    ],
)
def test_detect_source_local_files(tmp_path: Path, name: str, content: bytes, kind: str) -> None:
    (tmp_path / name).write_bytes(content)
    assert detect(str(tmp_path / name)) == kind
    assert detect((tmp_path / name).as_uri()) == kind


def test_detect_source_folder_and_missing(tmp_path: Path) -> None:
    assert detect(str(tmp_path)) == "folder"
    assert detect(tmp_path.as_uri()) == "folder"
    with pytest.raises(SourceError):
        detect(str(tmp_path / "missing"))
    assert detect(str(tmp_path / "missing"), offline=True) == "missing"


def _write_warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    records = [
        ("response", pages[0][0], "200 OK", "text/html; charset=utf-8", pages[0][1]),
        ("request", pages[0][0], None, None, b""),
        ("response", "https://z.example/logo.png", "200 OK", "image/png", b"\x89PNG" + b"\0" * 100),
        ("response", "https://z.example/old", "301 Moved Permanently", "text/html", b""),
        ("response", "https://z.example/gone", "404 Not Found", "text/html", b"<html>gone</html>"),
        ("response", pages[1][0], "200 OK", "text/html", pages[1][1]),
    ]
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for rec_type, uri, status, ctype, body in records:
            if rec_type == "request":
                http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "z.example")], is_http_request=True)
            else:
                http = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                                        protocol="HTTP/1.1")
            record = writer.create_warc_record(uri, rec_type, payload=io.BytesIO(body), http_headers=http,
                                               warc_headers_dict={"WARC-Date": "2025-06-10T07:00:00Z"})
            writer.write_record(record)


def test_read_warc_round_trip(tmp_path: Path, corpus_pages: list[tuple[str, bytes]]) -> None:
    path = tmp_path / "crawl.warc.gz"
    _write_warc(path, corpus_pages)
    docs = list(read_warc(path, "archive"))
    assert [d.error for d in docs] == [None, "HTTP 404 in the archive", None]
    first, gone, second = docs
    assert first.raw == corpus_pages[0][1] and second.raw == corpus_pages[1][1]
    assert first.fetched_at == datetime(2025, 6, 10, 7, 0, tzinfo=UTC)
    assert first.content_type == "text/html; charset=utf-8" and first.http_status == 200
    assert gone.url == "https://z.example/gone" and gone.error_stage == "fetch"
    assert detect(str(path)) == "warc"
    settings = Settings(config_path=None, warehouse_dir=tmp_path / "wh")
    got = read_source(SourceSpec(name="archive", location=str(path)), settings)
    assert [(d.path, d.raw, d.error) for d in got.documents] == [(d.path, d.raw, d.error) for d in docs]
    # A run lists the records and reads them a chunk at a time, seeking to each one.
    listed = collect([SourceSpec(name="archive", location=path.as_uri())], settings, {}, lazy=True)
    assert listed.documents == [] and len(listed.pending) == 3
    assert [p.read().raw for p in listed.pending] == [d.raw for d in docs]
