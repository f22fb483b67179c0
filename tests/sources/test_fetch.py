"""The fetcher against a real fault-injecting server on 127.0.0.1 (see tests/fixtures/fault_server.py)."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest

from mediamon.config import FetchConfig
from sources.fetch import FetchRequest, cache_updates, fetch_urls, to_raw_document
from transforms.document import CacheEntry

FAST = FetchConfig(backoff_base=0.01, backoff_max=2.0, connect_timeout=2.0, read_timeout=0.5,
                     total_timeout=5.0)
CP1251_PAGE = "<html><head><title>Новости</title></head><body><p>Привет</p></body></html>".encode("cp1251")


def _site(server: Any, pages: list[tuple[str, bytes]]) -> None:
    server.route("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.route("/ok", body=pages[0][1])
    server.route("/flaky", body=pages[1][1], fail_first=2)
    server.route("/down", fail_first=99)
    server.route("/cut", body=pages[2][1], drop_after=200)
    server.route("/slow", body=b"<html>late</html>", delay=2.0)
    server.route("/r1", status=302, location="/r2")
    server.route("/r2", status=301, location=server.url("/r3"))
    server.route("/r3", status=307, location="/ok")
    server.route("/loop-a", status=302, location="/loop-b")
    server.route("/loop-b", status=302, location="/loop-a")
    for i in range(7):
        server.route(f"/hop{i}", status=302, location=f"/hop{i + 1}")
    server.route("/hop7", body=b"<html>end</html>")
    server.route("/big-chunked", size=12_000_000, chunked=True)
    server.route("/big-declared", size=12_000_000)
    server.route("/photo.jpg", body=b"\xff\xd8\xff" + b"\0" * 5000, content_type="image/jpeg")
    server.route("/report.pdf", body=b"%PDF-1.4" + b"\0" * 100, content_type="application/pdf")
    server.route("/cp1251", body=CP1251_PAGE, content_type="text/html; charset=windows-1251")
    server.route("/private/secret", body=b"<html>secret</html>")


def _fetch(server: Any, paths: list[str], settings: FetchConfig = FAST,
           cache: dict[str, CacheEntry] | None = None, allow_private: bool = True) -> list[Any]:
    requests = [FetchRequest(url=server.url(p), source="test", allow_private=allow_private) for p in paths]
    return fetch_urls(requests, settings, cache or {})


@pytest.mark.parametrize(
    ("path", "status", "error", "tries", "retry_next_run"),
    [
        pytest.param("/ok", 200, None, 1, False, id="plain-page"),
        pytest.param("/flaky", 200, None, 3, False, id="503-clears-after-two-tries"),
        pytest.param("/missing", 404, "HTTP 404", 1, False, id="404-not-retried"),
        pytest.param("/down", 503, "HTTP 503 after 3 tries; will be retried next run", 3, True,
                     id="503-persists"),
        pytest.param("/cut", None, "connection dropped", 3, True, id="dropped-mid-body"),
        pytest.param("/slow", None, "read timed out", 3, True, id="slow-times-out"),
        pytest.param("/loop-a", None, "redirect loop", 2, False, id="redirect-loop"),
        pytest.param("/hop0", None, "more than 5 redirects", 6, False, id="too-many-redirects"),
        pytest.param("/big-chunked", 200, "too large: over the 10 MB limit (stopped reading)", 1, False,
                     id="oversize-streamed"),
        pytest.param("/big-declared", 200, "too large: 12.0 MB", 1, False, id="oversize-declared"),
        pytest.param("/photo.jpg", 200, "not a page: content type image/jpeg", 1, False, id="image"),
        pytest.param("/report.pdf", 200, "not a page: content type application/pdf", 1, False, id="pdf"),
        pytest.param("/private/secret", None, "disallowed by robots.txt", 0, False, id="robots-disallow"),
    ],
)
def test_fault(fault_server: Any, corpus_pages: list[tuple[str, bytes]], path: str, status: int | None,
               error: str | None, tries: int, retry_next_run: bool) -> None:
    _site(fault_server, corpus_pages)
    (result,) = _fetch(fault_server, [path])
    assert result.status == status
    if error is None:
        assert result.error is None and result.body
    else:
        assert result.error is not None and result.error.startswith(error), result.error
        assert result.body is None
    assert result.tries == tries
    assert result.retry_next_run is retry_next_run


def test_good_pages_arrive_byte_for_byte(fault_server: Any, corpus_pages: list[tuple[str, bytes]]) -> None:
    _site(fault_server, corpus_pages)
    ok, flaky, cp1251 = _fetch(fault_server, ["/ok", "/flaky", "/cp1251"])
    assert ok.body == corpus_pages[0][1] and flaky.body == corpus_pages[1][1]
    # Decoding is downstream's job: bytes and the header's charset are passed through untouched.
    assert cp1251.body == CP1251_PAGE
    assert cp1251.content_type == "text/html; charset=windows-1251"
    assert ok.headers["etag"] and "date" in ok.headers


def test_redirect_chain_records_final_url(fault_server: Any, corpus_pages: list[tuple[str, bytes]]) -> None:
    _site(fault_server, corpus_pages)
    (result,) = _fetch(fault_server, ["/r1"])
    assert result.error is None and result.body == corpus_pages[0][1]
    assert result.final_url == fault_server.url("/ok")
    assert result.redirects == [fault_server.url(p) for p in ("/r2", "/r3", "/ok")]


def test_robots_fetched_once_and_disallowed_never_requested(fault_server: Any,
                                                             corpus_pages: list[tuple[str, bytes]]) -> None:
    _site(fault_server, corpus_pages)
    _fetch(fault_server, ["/ok", "/private/secret", "/flaky", "/cp1251"])
    assert len(fault_server.requests_for("/robots.txt")) == 1
    assert fault_server.requests_for("/private/secret") == []
    ua = fault_server.requests_for("/ok")[0].headers["user-agent"]
    assert ua.startswith("mediamon/") and "contact" in ua


def test_robots_unreachable_means_retry_next_run(fault_server: Any) -> None:
    fault_server.route("/robots.txt", fail_first=99)
    fault_server.route("/a", body=b"<html>a</html>")
    (result,) = _fetch(fault_server, ["/a"])
    assert result.error is not None and result.error.startswith("robots.txt unreachable (HTTP 503")
    assert result.retry_next_run and fault_server.requests_for("/a") == []


def test_missing_robots_allows_everything(fault_server: Any) -> None:
    fault_server.route("/a", body=b"<html>a</html>")
    (result,) = _fetch(fault_server, ["/a"])
    assert result.error is None


def test_robots_ignored_when_configured(fault_server: Any, corpus_pages: list[tuple[str, bytes]]) -> None:
    _site(fault_server, corpus_pages)
    settings = FetchConfig(**{**FAST.__dict__, "obey_robots": False})
    (result,) = _fetch(fault_server, ["/private/secret"], settings)
    assert result.error is None and fault_server.requests_for("/robots.txt") == []


def test_retry_after_is_honoured(fault_server: Any) -> None:
    fault_server.route("/busy", body=b"<html>ok</html>", fail_first=1, fail_status=429,
                       fail_headers={"Retry-After": "1"})
    (result,) = _fetch(fault_server, ["/busy"])
    assert result.error is None and result.tries == 2
    first, second = fault_server.requests_for("/busy")
    # backoff alone would wait at most backoff_base (0.01 s)
    assert second.started - first.started >= 0.9


def test_retry_after_longer_than_cap_defers_to_next_run(fault_server: Any) -> None:
    fault_server.route("/busy", fail_first=99, fail_status=429, fail_headers={"Retry-After": "3600"})
    (result,) = _fetch(fault_server, ["/busy"])
    assert result.tries == 1 and result.retry_next_run
    assert result.error == "HTTP 429 (server asked to wait 3600 s) after 1 try; will be retried next run"


def test_per_host_limit_never_exceeded(fault_server: Any) -> None:
    paths = [f"/p{i}" for i in range(12)]
    for path in paths:
        fault_server.route(path, body=b"<html>x</html>", delay=0.15)
    settings = FetchConfig(**{**FAST.__dict__, "per_host": 3, "obey_robots": False})
    results = _fetch(fault_server, paths, settings)
    assert all(r.error is None for r in results)
    assert fault_server.max_in_flight <= 3
    assert fault_server.max_in_flight >= 2  # the limit, not serial fetching, is what held it


def test_global_limit_applies_too(fault_server: Any) -> None:
    paths = [f"/p{i}" for i in range(6)]
    for path in paths:
        fault_server.route(path, body=b"<html>x</html>", delay=0.1)
    settings = FetchConfig(**{**FAST.__dict__, "per_host": 4, "max_concurrency": 1, "obey_robots": False})
    _fetch(fault_server, paths, settings)
    assert fault_server.max_in_flight == 1


def test_min_host_delay_spaces_request_starts(fault_server: Any) -> None:
    paths = [f"/p{i}" for i in range(4)]
    for path in paths:
        fault_server.route(path, body=b"<html>x</html>")
    settings = FetchConfig(**{**FAST.__dict__, "min_host_delay": 0.2, "obey_robots": False})
    _fetch(fault_server, paths, settings)
    starts = sorted(r.started for r in fault_server.log)
    assert len(starts) == 4
    # The server logs arrivals, which a busy machine shifts by some milliseconds either way; without
    # the delay the four requests arrive within a few milliseconds of each other.
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.15


def test_second_run_is_conditional_and_yields_nothing_new(fault_server: Any,
                                                          corpus_pages: list[tuple[str, bytes]]) -> None:
    fault_server.route("/etag", body=corpus_pages[0][1])
    fault_server.route("/lastmod", body=corpus_pages[1][1], etag=False,
                       last_modified="Tue, 10 Jun 2025 06:00:00 GMT")
    fault_server.route("/bare", body=corpus_pages[2][1], etag=False)  # no validators: content hash decides
    paths = ["/etag", "/lastmod", "/bare"]
    first = _fetch(fault_server, paths)
    assert [r.not_modified for r in first] == [False, False, False]
    cache = cache_updates(first, {})
    assert set(cache) == {fault_server.url(p) for p in paths}

    fault_server.reset_log()
    second = _fetch(fault_server, paths, cache=cache)
    assert [r.not_modified for r in second] == [True, True, True]
    assert [r.status for r in second] == [304, 304, 200]
    assert all(r.body is None and r.error is None for r in second)
    etag = cache[fault_server.url("/etag")].etag
    assert fault_server.requests_for("/etag")[0].headers["if-none-match"] == etag
    assert fault_server.requests_for("/lastmod")[0].headers["if-modified-since"] == \
        "Tue, 10 Jun 2025 06:00:00 GMT"
    assert cache_updates(second, cache) == {}  # nothing to persist either


def test_failures_are_not_cached(fault_server: Any) -> None:
    fault_server.route("/down", fail_first=99)
    results = _fetch(fault_server, ["/down", "/missing"])
    assert cache_updates(results, {}) == {}


def test_duplicates_fetched_once_but_keep_their_hints(fault_server: Any) -> None:
    fault_server.route("/story", body=b"<html>s</html>")
    requests = [FetchRequest(fault_server.url("/story?utm_source=feed"), title_hint="A", allow_private=True),
                FetchRequest(fault_server.url("/story#top"), title_hint="B", allow_private=True)]
    results = fetch_urls(requests, FAST, {})
    assert len(fault_server.requests_for("/story")) == 1
    assert [r.url for r in results] == [fault_server.url("/story")] * 2
    assert [r.request.title_hint for r in results] == ["A", "B"]


def test_private_address_refused_unless_allowed(fault_server: Any) -> None:
    fault_server.route("/a", body=b"<html>a</html>")
    (refused,) = _fetch(fault_server, ["/a"], allow_private=False)
    assert refused.error == "refused: 127.0.0.1 is a private or local address"
    assert fault_server.log == []  # not even robots.txt


def test_host_name_resolving_to_private_address_refused(fault_server: Any) -> None:
    fault_server.route("/a", body=b"<html>a</html>")
    port = fault_server.base_url.rsplit(":", 1)[1]
    (result,) = fetch_urls([FetchRequest(f"http://localhost:{port}/a")], FAST, {})
    assert result.error == "refused: localhost is a private or local address"
    assert fault_server.log == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        pytest.param("ftp://example.org/x", "not an http(s) URL", id="ftp"),
        pytest.param("javascript:void(0)", "not an http(s) URL", id="javascript"),
    ],
)
def test_non_web_schemes_refused(url: str, reason: str) -> None:
    (result,) = fetch_urls([url], FAST, {})
    assert result.error is not None and result.error.startswith(reason)


def test_to_raw_document_carries_everything(fault_server: Any) -> None:
    fault_server.route("/robots.txt", body=b"", content_type="text/plain")
    fault_server.route("/a", body=b"<html><link rel='canonical' href='/canon'></html>",
                       last_modified="Tue, 10 Jun 2025 06:00:00 GMT")
    published = datetime(2025, 6, 10, tzinfo=UTC)
    request = FetchRequest(fault_server.url("/a?utm_source=x"), source="s", allow_private=True,
                           title_hint="T", published_hint=published, published_hint_source="feed",
                           language_hint="de", publisher_hint="P")
    (result,) = fetch_urls([request], FAST, {})
    doc = to_raw_document(result, "feeds.test")
    assert (doc.url, doc.source, doc.http_status, doc.error) == (
        fault_server.url("/a"), "feeds.test", 200, None)
    assert doc.raw == b"<html><link rel='canonical' href='/canon'></html>"
    assert doc.content_type == "text/html; charset=utf-8" and doc.etag and doc.last_modified
    assert (doc.title_hint, doc.published_hint, doc.published_hint_source, doc.language_hint,
            doc.publisher_hint) == ("T", published, "feed", "de", "P")
    assert doc.extra["canonical_url"] == fault_server.url("/canon")
    assert doc.extra["listed_url"] == fault_server.url("/a?utm_source=x")


def test_failed_result_becomes_failed_document(fault_server: Any) -> None:
    (result,) = _fetch(fault_server, ["/missing"])
    doc = to_raw_document(result, "s")
    assert (doc.raw, doc.error, doc.error_stage, doc.http_status) == (None, "HTTP 404", "fetch", 404)


def test_fetch_urls_works_inside_a_running_loop(fault_server: Any) -> None:
    fault_server.route("/a", body=b"<html>a</html>")

    async def caller() -> list[Any]:
        return _fetch(fault_server, ["/a"])

    (result,) = asyncio.run(caller())
    assert result.error is None


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        pytest.param("gzip", gzip.compress, id="gzip"),
        pytest.param("deflate", zlib.compress, id="deflate-zlib"),
        pytest.param("deflate", lambda b: zlib.compress(b)[2:-4], id="deflate-raw"),
    ],
)
def test_compressed_page_is_decoded(fault_server: Any, corpus_pages: list[tuple[str, bytes]], encoding: str,
                                    compress: Any) -> None:
    page = corpus_pages[5][1]
    fault_server.route("/z", body=compress(page), headers={"Content-Encoding": encoding})
    (result,) = _fetch(fault_server, ["/z"])
    assert result.error is None and result.body == page
    assert fault_server.requests_for("/z")[0].headers["accept-encoding"] == "gzip, deflate"


def test_gzip_bomb_stops_at_the_limit(fault_server: Any) -> None:
    bomb = gzip.compress(b"<html>" + b"\0" * 30_000_000)  # ~30 kB on the wire
    fault_server.route("/bomb", body=bomb, headers={"Content-Encoding": "gzip"})
    settings = FetchConfig(**{**FAST.__dict__, "max_bytes": 1_000_000})
    (result,) = _fetch(fault_server, ["/bomb"], settings)
    assert result.error == "too large: over the 1 MB limit (stopped reading)"


def test_unknown_content_encoding_refused(fault_server: Any) -> None:
    fault_server.route("/br", body=b"\x0b\x02\x80", headers={"Content-Encoding": "br"})
    (result,) = _fetch(fault_server, ["/br"])
    assert result.error == "unsupported content encoding 'br'"
