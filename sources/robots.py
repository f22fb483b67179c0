"""robots.txt rules from the bytes and status the fetcher got (pure).

Follows RFC 9309 on what a missing or unreachable file means:
a 4xx answer (no robots.txt) allows everything; a 5xx answer or a network
failure means "assume complete disallow" for this run, so the host's pages are
reported as failed and retried next run rather than fetched against the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

MAX_ROBOTS_BYTES = 500_000  # RFC 9309: parse at least 500 KiB; ignore what follows


@dataclass
class RobotsRules:
    """Whether URLs on one host may be fetched, and the host's Crawl-delay if any."""

    parser: RobotFileParser | None  # None: no rules to apply
    allow_all: bool = False
    disallow_all: bool = False
    reason: str | None = None  # why everything is disallowed, for the failed document

    def allowed(self, url: str, user_agent: str) -> bool:
        """True when `user_agent` may fetch `url` under these rules."""
        if self.disallow_all:
            return False
        if self.allow_all or self.parser is None:
            return True
        return self.parser.can_fetch(user_agent, url)

    def crawl_delay(self, user_agent: str) -> float | None:
        """The Crawl-delay (seconds) that applies to `user_agent`, if the file sets one."""
        if self.parser is None:
            return None
        try:
            delay = self.parser.crawl_delay(user_agent)
        except (TypeError, ValueError):
            return None
        return float(delay) if delay is not None else None


def parse_robots(status: int | None, body: bytes | None, error: str | None = None) -> RobotsRules:
    """Rules from a robots.txt response (`status`, `body`) or a fetch `error` (status None)."""
    if status is None:  # the host itself did not answer (refused, DNS, timeout): say that
        return RobotsRules(None, disallow_all=True,
                           reason=f"{error or 'no answer'}; not fetched, will be retried next run")
    if status >= 500 or status == 429:
        return RobotsRules(None, disallow_all=True,
                           reason=f"robots.txt unreachable (HTTP {status}); not fetched, "
                                  "will be retried next run")
    if 400 <= status < 500 or body is None:
        return RobotsRules(None, allow_all=True)
    if status >= 300:  # redirects are followed by the fetcher; one left over means it gave up
        return RobotsRules(None, allow_all=True)
    parser = RobotFileParser()
    text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
    parser.parse(text.splitlines())
    return RobotsRules(parser)


def robots_url(origin: str) -> str:
    """The robots.txt URL of an origin like 'https://example.org' or 'http://127.0.0.1:8080'."""
    return origin.rstrip("/") + "/robots.txt"
