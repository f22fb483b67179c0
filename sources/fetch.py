"""A polite, resumable async HTTP fetcher (httpx): pages in, `FetchResult`s out.

    fetch_many(requests, settings, cache) -> [FetchResult]      async, order kept
    fetch_urls(urls | requests, settings, cache) -> [FetchResult]  sync wrapper for a Prefect task
    Fetcher                                                      several rounds sharing robots/limits/stats
    to_raw_document(result, source) -> RawDocument
    cache_updates(results, cache) -> {url: CacheEntry}           changed validators only
    fetch_state_rows(results, cache, source) -> {url: CacheEntry}  validators plus last status/error

Rules it keeps: a global and a per-host limit on requests in flight, a minimum
delay between request starts to one host (raised to the host's Crawl-delay),
robots.txt fetched once per host per run and obeyed, connect/read/total
timeouts, at most `max_redirects` redirects with loop detection, retries on
429/5xx and connection errors with exponential backoff, jitter and
Retry-After, bodies streamed and cut at `max_bytes`, non-page content types
refused before their body is read, links to private addresses refused unless
the request allows them, and conditional requests from the cache (a 304 or an
unchanged content hash is reported as `not_modified`).

A failure is data: the result carries a one-line `error`, and
`retry_next_run` when the cause is transient. Failures are never cached, so
the next run tries them again. Fetch state (`CacheEntry`, one `fetch_state` row per URL)
is loaded and saved by the warehouse.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import socket
import threading
import time
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from mediamon.config import FetchConfig
from sources.http_rules import (
    REDIRECT_STATUSES,
    BodyDecoder,
    RetryPolicy,
    content_type_refusal,
    find_canonical,
    retry_after_seconds,
)
from sources.robots import MAX_ROBOTS_BYTES, RobotsRules, parse_robots, robots_url
from transforms.document import CacheEntry, RawDocument
from transforms.urls import any_private, ip_literal, is_private_address, normalize_url, url_host, url_hostname

T = TypeVar("T")

HEADERS_OF_INTEREST = ("content-type", "etag", "last-modified", "date", "content-length",
                       "content-language", "x-robots-tag")
MAX_CRAWL_DELAY = 10.0  # seconds; a larger robots.txt Crawl-delay is capped so a run can finish


@dataclass(frozen=True)
class FetchRequest:
    """One URL to fetch and what is known about it beforehand."""

    url: str
    source: str = ""
    accept: str = "page"  # "page" | "listing" (feeds, sitemaps, .xml.gz) | "any"
    allow_private: bool = False  # may it (or a redirect) reach a private/loopback address?
    conditional: bool = True  # send If-None-Match / If-Modified-Since from the cache
    title_hint: str | None = None
    published_hint: datetime | None = None
    published_hint_source: str | None = None  # "feed" | "sitemap"
    language_hint: str | None = None
    publisher_hint: str | None = None


@dataclass
class FetchResult:
    """The outcome of one request: bytes and headers, or a one-line error."""

    url: str  # normalised requested URL: the cache key
    request: FetchRequest
    fetched_at: datetime
    final_url: str | None = None  # after redirects
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # HEADERS_OF_INTEREST present, lower-case
    body: bytes | None = None  # None on error and when not_modified
    content_hash: str | None = None
    not_modified: bool = False  # 304, or the same content hash as the cache
    error: str | None = None
    retry_next_run: bool = False  # transient failure (timeouts, 429/5xx, robots unreachable)
    tries: int = 0  # HTTP attempts, all hops included
    redirects: list[str] = field(default_factory=list)
    canonical_url: str | None = None  # <link rel=canonical>, when cheap to see
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


@dataclass
class HostStats:
    """Per-host counters for the run summary."""

    requests: int = 0  # HTTP exchanges, retries and robots.txt included
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    retries: int = 0
    robots_disallowed: int = 0
    bytes: int = 0
    max_in_flight: int = 0
    seconds: float = 0.0  # summed request durations


@dataclass
class _Answer:
    """One HTTP exchange (one try, one hop)."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    location: str | None = None


@dataclass
class _HostState:
    slots: asyncio.Semaphore
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    delay: float = 0.0
    next_start: float = 0.0
    in_flight: int = 0


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Fetcher:
    """One run's fetching state: limits, robots.txt per host, DNS answers and per-host stats.

    Use as `async with Fetcher(settings, cache) as fetcher: results = await fetcher.fetch(reqs)`;
    several `fetch` calls (a sitemap index, then its sitemaps, then their pages) share it.
    """

    def __init__(self, settings: FetchConfig, cache: Mapping[str, CacheEntry] | None = None) -> None:
        self.settings = settings
        self.cache: Mapping[str, CacheEntry] = cache or {}
        self.host_stats: dict[str, HostStats] = {}
        self._global = asyncio.Semaphore(settings.max_concurrency)
        self._hosts: dict[str, _HostState] = {}
        self._robots: dict[str, asyncio.Task[RobotsRules]] = {}
        self._private: dict[str, asyncio.Task[bool]] = {}
        self._rng = random.Random()
        self._retry = RetryPolicy(settings.max_tries, settings.backoff_base, settings.backoff_max)
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(connect=settings.connect_timeout, read=settings.read_timeout,
                                  write=settings.read_timeout, pool=settings.total_timeout),
            limits=httpx.Limits(max_connections=settings.max_concurrency,
                                max_keepalive_connections=settings.max_concurrency),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate",
                     "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
            trust_env=False, proxy=settings.proxy,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for task in [*self._robots.values(), *self._private.values()]:
            task.cancel()
        await self._client.aclose()

    async def fetch(self, requests: Sequence[FetchRequest]) -> list[FetchResult]:
        """Results in request order; requests for the same normalised URL are fetched once."""
        by_key: dict[str, asyncio.Task[FetchResult]] = {}
        tasks: list[asyncio.Task[FetchResult]] = []
        for request in requests:
            key = normalize_url(request.url) or request.url
            if key not in by_key:
                by_key[key] = asyncio.ensure_future(self._fetch_one(request))
            tasks.append(by_key[key])
        done = await asyncio.gather(*tasks)
        # A duplicate shares the first request's outcome but keeps its own hints.
        return [res if res.request is req else replace(res, request=req)
                for res, req in zip(done, requests, strict=True)]

    # --- one URL -------------------------------------------------------------------------

    async def _fetch_one(self, request: FetchRequest) -> FetchResult:
        started = time.monotonic()
        url = normalize_url(request.url)
        result = FetchResult(url=url or request.url.strip(), request=request, fetched_at=datetime.now(UTC))
        if url is None:
            result.error = f"not an http(s) URL: {request.url.strip()[:200]}"
            return result
        stats = self._stats(url)
        cached = self.cache.get(url) if request.conditional else None
        headers: dict[str, str] = {}
        if cached is not None and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached is not None and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        current, visited = url, {url}
        while True:
            refusal = await self._refusal(current, request)
            if refusal is not None:
                result.error, result.retry_next_run = refusal
                if refusal[0].startswith("disallowed by robots.txt"):
                    stats.robots_disallowed += 1
                break
            answer = await self._with_retries(current, headers, request.accept, result)
            if answer.location is None:
                self._finish(result, answer, cached)
                break
            target = urljoin(current, answer.location).split("#", 1)[0]
            if urlsplit(target).scheme.lower() not in ("http", "https"):
                result.error = f"redirected to a non-http(s) URL: {target[:200]}"
                break
            if target in visited:
                result.error = f"redirect loop: {' -> '.join([url, *result.redirects, target])[:300]}"
                break
            if len(result.redirects) >= self.settings.max_redirects:
                result.error = f"more than {self.settings.max_redirects} redirects (last: {target[:200]})"
                break
            visited.add(target)
            result.redirects.append(target)
            current = target
        result.final_url = current
        result.fetched_at = datetime.now(UTC)
        result.seconds = time.monotonic() - started
        if result.error is not None:
            stats.failed += 1
        elif result.not_modified:
            stats.not_modified += 1
        else:
            stats.ok += 1
        return result

    def _finish(self, result: FetchResult, answer: _Answer, cached: CacheEntry | None) -> None:
        result.status, result.headers = answer.status, answer.headers
        if answer.error is not None:
            result.error, result.retry_next_run = answer.error, answer.retryable
            if answer.retryable:
                result.error += f" after {result.tries} {'try' if result.tries == 1 else 'tries'}" \
                    "; will be retried next run"
            return
        if answer.status == 304:
            result.not_modified = True
            result.content_hash = cached.content_hash if cached else None
            return
        body = answer.body or b""
        result.content_hash = hashlib.sha256(body).hexdigest()
        if cached is not None and cached.content_hash == result.content_hash:
            result.not_modified = True
            return
        result.body = body
        if "html" in (answer.headers.get("content-type") or "text/html"):
            result.canonical_url = find_canonical(body, result.final_url or result.url)

    async def _refusal(self, url: str, request: FetchRequest) -> tuple[str, bool] | None:
        """(reason, retry_next_run) when `url` must not be fetched, else None."""
        if not request.allow_private:
            try:
                private = await self.is_private_host(url_hostname(url))
            except OSError as exc:
                return f"could not resolve host {url_hostname(url)} ({exc.strerror or exc})", True
            if private:
                return f"refused: {url_hostname(url)} is a private or local address", False
        if self.settings.obey_robots:
            rules = await self._robots_for(_origin(url))
            if not rules.allowed(url, self.settings.user_agent):
                if rules.disallow_all and rules.reason:
                    return rules.reason, True
                return "disallowed by robots.txt", False
        return None

    async def is_private_host(self, hostname: str) -> bool:
        """True when `hostname` is, or resolves to, a non-public address (raises OSError if unresolvable)."""
        if ip_literal(hostname) is not None:
            return is_private_address(hostname)
        if hostname not in self._private:
            self._private[hostname] = asyncio.ensure_future(self._resolve_private(hostname))
        return await self._private[hostname]

    @staticmethod
    async def _resolve_private(hostname: str) -> bool:
        infos = await asyncio.get_running_loop().getaddrinfo(hostname, None, type=socket.SOCK_STREAM)
        return any_private(str(info[4][0]) for info in infos)

    async def _robots_for(self, origin: str) -> RobotsRules:
        if origin not in self._robots:
            self._robots[origin] = asyncio.ensure_future(self._load_robots(origin))
        return await self._robots[origin]

    async def _load_robots(self, origin: str) -> RobotsRules:
        url = robots_url(origin)
        probe = FetchResult(url=url, request=FetchRequest(url), fetched_at=datetime.now(UTC))
        answer = _Answer()
        for _ in range(self.settings.max_redirects + 1):
            answer = await self._with_retries(url, {}, "robots", probe)
            if answer.location is None:
                break
            url = urljoin(url, answer.location)
        rules = parse_robots(answer.status, answer.body, answer.error)
        delay = rules.crawl_delay(self.settings.user_agent)
        if delay:
            host = self._host(url_host(origin))
            host.delay = max(host.delay, min(delay, MAX_CRAWL_DELAY))
        return rules

    # --- one hop, with retries -------------------------------------------------------------

    async def _with_retries(self, url: str, headers: dict[str, str], accept: str,
                            result: FetchResult) -> _Answer:
        answer = _Answer()
        policy = self._retry
        for attempt in range(1, policy.tries + 1):
            result.tries += 1
            answer = await self._exchange(url, headers, accept)
            if not answer.retryable or attempt == policy.tries:
                return answer
            wait = policy.wait(attempt, answer.retry_after, self._rng)
            if wait is None:
                # Waiting longer would hold the run up; the server asked for later, so ask next run.
                answer.error = f"{answer.error} (server asked to wait {answer.retry_after or 0:.0f} s)"
                return answer
            self._stats(url).retries += 1
            await asyncio.sleep(wait)
        return answer

    def _host(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = _HostState(asyncio.Semaphore(self.settings.per_host), delay=self.settings.min_host_delay)
            self._hosts[host] = state
        return state

    def _stats(self, url: str) -> HostStats:
        return self.host_stats.setdefault(url_host(url), HostStats())

    async def _take_turn(self, host: _HostState) -> None:
        """Wait until this host's minimum delay since the previous request start has passed."""
        async with host.turn:
            loop = asyncio.get_running_loop()
            wait = host.next_start - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            host.next_start = loop.time() + host.delay

    async def _exchange(self, url: str, headers: dict[str, str], accept: str) -> _Answer:
        host, stats = self._host(url_host(url)), self._stats(url)
        async with self._global, host.slots:
            await self._take_turn(host)
            host.in_flight += 1
            stats.requests += 1
            stats.max_in_flight = max(stats.max_in_flight, host.in_flight)
            started = time.monotonic()
            try:
                async with asyncio.timeout(self.settings.total_timeout):
                    return await self._request(url, headers, accept, stats)
            except TimeoutError:
                return _Answer(error=f"timed out after {self.settings.total_timeout:g} s", retryable=True)
            except httpx.ConnectTimeout:
                return _Answer(error="connect timed out", retryable=True)
            except httpx.ReadTimeout:
                return _Answer(error=f"read timed out (no data for {self.settings.read_timeout:g} s)",
                               retryable=True)
            except httpx.TimeoutException as exc:
                return _Answer(error=f"timed out ({type(exc).__name__})", retryable=True)
            except httpx.RemoteProtocolError as exc:
                return _Answer(error=f"connection dropped ({_short(exc)})", retryable=True)
            except httpx.NetworkError as exc:
                return _Answer(error=f"connection failed ({_short(exc)})", retryable=True)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                return _Answer(error=f"request failed ({_short(exc)})")
            finally:
                host.in_flight -= 1
                stats.seconds += time.monotonic() - started

    async def _request(self, url: str, headers: dict[str, str], accept: str, stats: HostStats) -> _Answer:
        async with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            kept = {k: response.headers[k] for k in HEADERS_OF_INTEREST if k in response.headers}
            answer = _Answer(status=status, headers=kept)
            if status in REDIRECT_STATUSES and "location" in response.headers:
                answer.location = response.headers["location"]
                return answer
            if status == 304:
                return answer
            if RetryPolicy.retryable(status):
                answer.error, answer.retryable = f"HTTP {status}", True
                answer.retry_after = retry_after_seconds(response.headers.get("retry-after"))
                return answer
            if status >= 300 or status < 200:
                answer.error = f"HTTP {status}" + (" without a Location header" if status < 400 else "")
                return answer
            limit = MAX_ROBOTS_BYTES if accept == "robots" else self.settings.max_bytes
            if accept != "robots":
                refusal = content_type_refusal(kept.get("content-type"), accept)
                if refusal is not None:
                    answer.error = refusal
                    return answer
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit and accept != "robots":
                answer.error = f"too large: {int(declared) / 1e6:.1f} MB, over the {limit / 1e6:g} MB limit"
                return answer
            try:
                decoder = BodyDecoder(response.headers.get("content-encoding"), limit)
            except ValueError as exc:
                answer.error = str(exc)
                return answer
            chunks: list[bytes] = []
            # Read wire bytes and decode them ourselves, so a compressed bomb stops at the limit too.
            async for raw in response.aiter_raw():
                stats.bytes += len(raw)
                try:
                    chunks.append(decoder.feed(raw))
                except ValueError as exc:
                    answer.error = str(exc)
                    return answer
                if decoder.produced > limit:
                    if accept == "robots":  # RFC 9309: use the first 500 KiB
                        break
                    answer.error = f"too large: over the {limit / 1e6:g} MB limit (stopped reading)"
                    return answer
            answer.body = b"".join(chunks)[:limit]
            return answer


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


async def fetch_many(requests: Sequence[FetchRequest], settings: FetchConfig,
                     cache: Mapping[str, CacheEntry]) -> list[FetchResult]:
    """Fetch all `requests` under `settings`; one result per request, in order."""
    async with Fetcher(settings, cache) as fetcher:
        return await fetcher.fetch(requests)


def run_sync(awaitable: Awaitable[T]) -> T:
    """Run a coroutine to completion from sync code, even when an event loop already runs here."""
    async def main() -> T:
        return await awaitable

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    # Called from inside a loop (e.g. an async Prefect task): use a private loop in a thread.
    box: dict[str, T | BaseException] = {}

    def worker() -> None:
        try:
            box["value"] = asyncio.run(main())
        except BaseException as exc:  # handed back to the caller below
            box["error"] = exc

    thread = threading.Thread(target=worker, name="mediamon-fetch")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def fetch_urls(requests: Sequence[FetchRequest | str], settings: FetchConfig | None = None,
               cache: Mapping[str, CacheEntry] | None = None, source: str = "") -> list[FetchResult]:
    """Sync `fetch_many`: plain strings become page requests for `source`."""
    reqs = [r if isinstance(r, FetchRequest) else FetchRequest(url=r, source=source) for r in requests]
    return run_sync(fetch_many(reqs, settings or FetchConfig(), cache or {}))


def cache_updates(results: Iterable[FetchResult], cache: Mapping[str, CacheEntry]) -> dict[str, CacheEntry]:
    """New cache entries from successful page results (failures are not cached: retried next run)."""
    updates: dict[str, CacheEntry] = {}
    for result in results:
        if result.error is not None or not result.request.conditional:
            continue
        old = cache.get(result.url) or CacheEntry()
        entry = CacheEntry(
            etag=result.headers.get("etag") or (old.etag if result.status == 304 else None),
            last_modified=result.headers.get("last-modified")
            or (old.last_modified if result.status == 304 else None),
            content_hash=result.content_hash or old.content_hash,
        )
        if entry != old:
            updates[result.url] = entry
    return updates


def fetch_state_rows(results: Iterable[FetchResult], cache: Mapping[str, CacheEntry],
                     source: str | None = None) -> dict[str, CacheEntry]:
    """A `fetch_state` row for every result, failures included (to show in `mediamon sources`).

    Validators change only on success; a failure keeps the earlier ones, so the URL is simply
    tried again next run. Listings (`conditional=False`) never get validators: they are read
    unconditionally on every run.
    """
    results = list(results)
    rows: dict[str, CacheEntry] = {}
    updated = cache_updates(results, cache)
    for result in results:
        if result.request.conditional:
            validators = updated.get(result.url) or cache.get(result.url) or CacheEntry()
        else:
            validators = CacheEntry()
        status = 304 if result.not_modified and result.status is None else result.status
        rows[result.url] = replace(validators, last_status=status, last_error=result.error,
                                   fetched_at=result.fetched_at,
                                   source=source if source is not None else result.request.source or None)
    return rows


def to_raw_document(result: FetchResult, source: str) -> RawDocument:
    """A fetch result as the `RawDocument` the pipeline stores (error set when it failed)."""
    request = result.request
    extra = {"tries": str(result.tries)}
    if result.redirects:
        extra["redirects"] = " ".join(result.redirects)
    if result.canonical_url:
        extra["canonical_url"] = result.canonical_url
    if result.content_hash:
        extra["content_hash"] = result.content_hash
    if "date" in result.headers:
        extra["http_date"] = result.headers["date"]
    if result.retry_next_run:
        extra["retry_next_run"] = "1"
    if request.url.strip() != result.url:
        extra["listed_url"] = request.url.strip()
    return RawDocument(
        url=result.url,
        source=source,
        fetched_at=result.fetched_at,
        raw=result.body if result.error is None else None,
        content_type=result.headers.get("content-type"),
        http_status=result.status,
        etag=result.headers.get("etag"),
        last_modified=result.headers.get("last-modified"),
        final_url=result.final_url,
        publisher_hint=request.publisher_hint,
        title_hint=request.title_hint,
        published_hint=request.published_hint,
        published_hint_source=request.published_hint_source,
        language_hint=request.language_hint,
        error=result.error,
        error_stage="fetch" if result.error is not None else None,
        extra=extra,
    )
