"""URL normalisation and safety checks (pure: no network, no DNS).

`normalize_url` maps the many spellings of one story's address to one key, so
a story listed twice, or in a feed and in a sitemap, is fetched once:
scheme and host lower-cased, default ports and fragments dropped, tracking
parameters (`utm_*`, `fbclid`, `gclid`, ...) removed, the query sorted.

The safety helpers decide from IP addresses; resolving a host name is I/O and
happens in `sources/fetch.py`, which hands the addresses to `is_private_address`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

FETCHABLE_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only identify a campaign or a click, never the content.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id",
    "oly_enc_id", "vero_id", "wt_mc", "wt.mc_id", "at_medium", "at_campaign", "ito", "ns_mchannel",
    "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "cmpid", "s_cid", "ocid", "soc_src", "soc_trk",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "__hs")

# Characters a path may keep unescaped (RFC 3986 pchar plus "/"), so re-quoting is idempotent.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def is_tracking_param(name: str) -> bool:
    """True when a query parameter name only tracks campaigns/clicks (case-insensitive)."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _normalize_host(host: str) -> str | None:
    host = host.strip().rstrip(".").lower()
    if not host:
        return None
    if any(ord(ch) > 127 for ch in host):
        # Internationalised names become their ASCII (punycode) form, as they go on the wire.
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host


def normalize_url(url: str, base: str | None = None) -> str | None:
    """The canonical key of an http(s) URL, or None when it is not a fetchable web address.

    `base` resolves relative links (as found in a feed or sitemap). Keeps the path's
    case and trailing slash (servers treat them as different resources).
    """
    url = url.strip()
    if not url:
        return None
    if base is not None and not _SCHEME_RE.match(url):
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in FETCHABLE_SCHEMES or not parts.hostname:
        return None
    host = _normalize_host(parts.hostname)
    if host is None:
        return None
    if ":" in host:  # IPv6 literal goes back into brackets
        host = f"[{host}]"
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    query = urlencode(sorted(pairs), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def url_host(url: str) -> str:
    """`host[:port]` of a URL as the fetcher groups requests (lower case; '' if none)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return ""
    if ":" in host:
        host = f"[{host}]"
    return host if port is None or port == DEFAULT_PORTS.get(parts.scheme.lower()) else f"{host}:{port}"


def url_hostname(url: str) -> str:
    """The bare host name or IP literal of a URL (no port, no brackets; '' if none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address when `host` is an IP literal (brackets allowed), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_private_address(address: str) -> bool:
    """True for loopback, private, link-local, reserved, multicast or unspecified addresses.

    Anything that is not a parseable address counts as private: refuse when unsure.
    """
    ip = ip_literal(address.split("%", 1)[0])  # drop an IPv6 zone id
    if ip is None:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                or ip.is_multicast or ip.is_unspecified)


def any_private(addresses: Iterable[str]) -> bool:
    """True when any resolved address of a host is non-public (or there are none)."""
    found = False
    for address in addresses:
        found = True
        if is_private_address(address):
            return True
    return not found
