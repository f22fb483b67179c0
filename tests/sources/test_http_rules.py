from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime

import pytest

from sources.http_rules import (
    BodyDecoder,
    RetryPolicy,
    backoff_seconds,
    content_type_refusal,
    find_canonical,
    retry_after_seconds,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("120", 120.0, id="seconds"),
        pytest.param("Tue, 10 Jun 2025 06:00:30 GMT", 30.0, id="http-date"),
        pytest.param("Tue, 10 Jun 2025 05:00:00 GMT", 0.0, id="date-in-past"),
        pytest.param("soon", None, id="garbage"),
        pytest.param(None, None, id="absent"),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    now = datetime(2025, 6, 10, 6, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(value, now) == expected


@pytest.mark.parametrize("attempt", [1, 2, 3, 10])
def test_backoff_is_exponential_jittered_and_capped(attempt: int) -> None:
    ceiling = min(3.0, 0.5 * 2 ** (attempt - 1))
    waits = [backoff_seconds(attempt, 0.5, 3.0) for _ in range(50)]
    assert all(ceiling / 2 <= w <= ceiling for w in waits)
    assert len(set(waits)) > 1  # jitter


@pytest.mark.parametrize(
    ("status", "retried"),
    [pytest.param(s, True, id=str(s)) for s in (408, 425, 429, 500, 502, 503, 504)]
    + [pytest.param(s, False, id=str(s)) for s in (400, 401, 403, 404, 410, 501)],
)
def test_one_retry_policy_for_fetcher_and_webhook(status: int, retried: bool) -> None:
    assert RetryPolicy.retryable(status) is retried


@pytest.mark.parametrize(
    ("retry_after", "low", "high"),
    [
        pytest.param(None, 0.5, 1.0, id="backoff-only"),
        pytest.param(7.0, 7.0, 7.0, id="retry-after-longer-than-backoff"),
        pytest.param(0.1, 0.5, 1.0, id="backoff-longer-than-retry-after"),
    ],
)
def test_retry_policy_wait(retry_after: float | None, low: float, high: float) -> None:
    wait = RetryPolicy(tries=3, base=0.5, cap=10.0).wait(2, retry_after)
    assert wait is not None and low <= wait <= high


def test_retry_after_over_the_cap_is_left_for_the_next_run() -> None:
    assert RetryPolicy(tries=3, base=0.5, cap=10.0).wait(1, 11.0) is None


@pytest.mark.parametrize(
    ("content_type", "accept", "refused"),
    [
        pytest.param("text/html; charset=utf-8", "page", False, id="html"),
        pytest.param("application/xhtml+xml", "page", False, id="xhtml"),
        pytest.param(None, "page", False, id="unlabelled"),
        pytest.param("image/png", "page", True, id="image"),
        pytest.param("video/mp4", "page", True, id="video"),
        pytest.param("application/octet-stream", "page", True, id="octet-stream-page"),
        pytest.param("application/octet-stream", "listing", False, id="octet-stream-sitemap-gz"),
        pytest.param("application/rss+xml", "listing", False, id="rss"),
        pytest.param("application/x-gzip", "listing", False, id="gzip-listing"),
        pytest.param("application/pdf", "listing", True, id="pdf-listing"),
    ],
)
def test_content_type_refusal(content_type: str | None, accept: str, refused: bool) -> None:
    assert (content_type_refusal(content_type, accept) is not None) is refused


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(b'<link rel="canonical" href="/a">', "https://z.example/a", id="relative"),
        pytest.param(b"<LINK HREF='https://z.example/b' REL=canonical>", "https://z.example/b",
                     id="upper-href-first"),
        pytest.param(b'<link rel="alternate" href="/c">', None, id="not-canonical"),
    ],
)
def test_find_canonical(html: bytes, expected: str | None) -> None:
    assert find_canonical(html, "https://z.example/x") == expected


@pytest.mark.parametrize(
    ("encoding", "wire"),
    [
        pytest.param(None, b"<html>plain</html>", id="identity"),
        pytest.param("gzip", gzip.compress(b"<html>plain</html>"), id="gzip"),
        pytest.param("x-gzip", gzip.compress(b"<html>plain</html>"), id="x-gzip"),
        pytest.param("deflate", zlib.compress(b"<html>plain</html>"), id="deflate"),
        pytest.param("deflate", zlib.compress(b"<html>plain</html>")[2:-4], id="raw-deflate"),
    ],
)
def test_body_decoder_in_small_chunks(encoding: str | None, wire: bytes) -> None:
    decoder = BodyDecoder(encoding, limit=1000)
    out = b"".join(decoder.feed(wire[i:i + 3]) for i in range(0, len(wire), 3))
    assert out == b"<html>plain</html>"


def test_body_decoder_bounded() -> None:
    decoder = BodyDecoder("gzip", limit=1000)
    out = decoder.feed(gzip.compress(b"\0" * 1_000_000))
    assert len(out) == 1001 and decoder.produced > decoder.limit


@pytest.mark.parametrize("encoding", [pytest.param("br", id="brotli"),
                                      pytest.param("gzip, br", id="stacked")])
def test_body_decoder_refuses_what_it_did_not_ask_for(encoding: str) -> None:
    with pytest.raises(ValueError, match="unsupported content encoding"):
        BodyDecoder(encoding, limit=10)
