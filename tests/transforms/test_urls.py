from __future__ import annotations

import pytest

from transforms.urls import any_private, is_private_address, is_tracking_param, normalize_url, url_host


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("HTTP://Example.COM:80/a/b", "http://example.com/a/b", id="case-and-default-port"),
        pytest.param("https://example.com:443", "https://example.com/", id="https-default-port-empty-path"),
        pytest.param("https://example.com:8443/x", "https://example.com:8443/x", id="other-port-kept"),
        pytest.param("https://example.com/a#comments", "https://example.com/a", id="fragment-dropped"),
        pytest.param("https://example.com/a?utm_source=rss&utm_medium=feed&id=7",
                     "https://example.com/a?id=7", id="utm-dropped"),
        pytest.param("https://example.com/a?fbclid=XYZ&gclid=1&b=2&a=1", "https://example.com/a?a=1&b=2",
                     id="click-ids-dropped-query-sorted"),
        pytest.param("https://example.com/Path/To/", "https://example.com/Path/To/", id="path-case-kept"),
        pytest.param("https://example.com/stra%C3%9Fe", "https://example.com/stra%C3%9Fe",
                     id="escapes-kept"),
        pytest.param("https://example.com/straße", "https://example.com/stra%C3%9Fe", id="raw-unicode-path"),
        pytest.param("https://bücher.de/x", "https://xn--bcher-kva.de/x", id="idn-host-punycode"),
        pytest.param("https://example.com./x", "https://example.com/x", id="trailing-dot-host"),
        pytest.param("https://example.com/a?q=", "https://example.com/a?q=", id="blank-value-kept"),
        pytest.param("mailto:desk@example.com", None, id="mailto-refused"),
        pytest.param("javascript:alert(1)", None, id="javascript-refused"),
        pytest.param("ftp://example.com/file", None, id="ftp-refused"),
        pytest.param("file:///etc/passwd", None, id="file-refused"),
        pytest.param("", None, id="empty"),
        pytest.param("http://[::1]:8080/x", "http://[::1]:8080/x", id="ipv6-literal"),
        pytest.param("http://example.com:99999/", None, id="bad-port"),
    ],
)
def test_normalize_url(url: str, expected: str | None) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    ("link", "base", "expected"),
    [
        pytest.param("/politik/a.html", "https://zeitung.de/feed.xml", "https://zeitung.de/politik/a.html",
                     id="root-relative"),
        pytest.param("b.html", "https://zeitung.de/ressort/feed.xml", "https://zeitung.de/ressort/b.html",
                     id="relative"),
        pytest.param("//cdn.zeitung.de/x", "https://zeitung.de/", "https://cdn.zeitung.de/x",
                     id="scheme-relative"),
        pytest.param("https://other.de/y", "https://zeitung.de/", "https://other.de/y", id="absolute-wins"),
    ],
)
def test_normalize_url_resolves_against_base(link: str, base: str, expected: str) -> None:
    assert normalize_url(link, base=base) == expected


def test_same_story_spelled_differently_is_one_key() -> None:
    spellings = [
        "https://www.Zeitung.de/a?b=2&a=1",
        "https://www.zeitung.de:443/a?a=1&b=2&utm_campaign=x#top",
        "HTTPS://www.zeitung.de/a?a=1&b=2&fbclid=abc",
    ]
    assert len({normalize_url(u) for u in spellings}) == 1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("utm_source", True, id="utm"),
        pytest.param("UTM_Medium", True, id="utm-case"),
        pytest.param("fbclid", True, id="fbclid"),
        pytest.param("gclid", True, id="gclid"),
        pytest.param("id", False, id="id"),
        pytest.param("page", False, id="page"),
    ],
)
def test_is_tracking_param(name: str, expected: bool) -> None:
    assert is_tracking_param(name) is expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        pytest.param("127.0.0.1", True, id="loopback"),
        pytest.param("10.1.2.3", True, id="rfc1918-10"),
        pytest.param("192.168.0.5", True, id="rfc1918-192"),
        pytest.param("172.16.0.1", True, id="rfc1918-172"),
        pytest.param("169.254.169.254", True, id="link-local-metadata"),
        pytest.param("0.0.0.0", True, id="unspecified"),
        pytest.param("::1", True, id="ipv6-loopback"),
        pytest.param("fe80::1%eth0", True, id="ipv6-link-local-zone"),
        pytest.param("::ffff:10.0.0.1", True, id="ipv4-mapped-private"),
        pytest.param("fc00::1", True, id="ipv6-unique-local"),
        pytest.param("93.184.216.34", False, id="public-v4"),
        pytest.param("2606:2800:220:1::1", False, id="public-v6"),
        pytest.param("not-an-ip", True, id="garbage-refused"),
    ],
)
def test_is_private_address(address: str, expected: bool) -> None:
    assert is_private_address(address) is expected


def test_any_private_needs_every_address_public() -> None:
    assert any_private(["93.184.216.34", "10.0.0.1"]) is True
    assert any_private(["93.184.216.34"]) is False
    assert any_private([]) is True  # no answer: refuse


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://Example.com/a", "example.com", id="default-port"),
        pytest.param("http://127.0.0.1:8080/a", "127.0.0.1:8080", id="port"),
        pytest.param("https://example.com:443/", "example.com", id="explicit-default"),
    ],
)
def test_url_host(url: str, expected: str) -> None:
    assert url_host(url) == expected
