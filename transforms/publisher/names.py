"""Who published a page: the outlet's name as readers know it, and where we got it.

Order (`publisher_source` labels from transforms.article.PUBLISHER_SOURCES):
`manifest` (a configured override, always wins) > `table` (the shipped domain table,
extended by config: curated names) > the best-supported name the page itself gives
(transforms.publisher.evidence: og:site_name, JSON-LD publisher, the title's site part,
application-name, the copyright holder, each judged against the domain and the headline)
> `domain` (registered domain).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from lxml import html as lxml_html

from transforms.identity import registered_domain
from transforms.extraction.page_meta import PageMeta
from transforms.publisher.evidence import PublisherEvidence

# Title separators between headline and site name, longest first.
TITLE_SEPARATORS = (" | ", " || ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " « ", " / ", ": ")


@lru_cache(maxsize=1)
def shipped_table() -> dict[str, str]:
    """The shipped domain -> outlet name table (transforms/data/publishers.csv)."""
    text = resources.files("transforms").joinpath("data/publishers.csv").read_text(encoding="utf-8")
    return {
        row["domain"].strip().lower(): row["name"].strip()
        for row in csv.DictReader(text.splitlines())
        if row.get("domain") and row.get("name")
    }


def publisher_table(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The shipped table with config entries merged over it (domains lower-cased, no 'www.')."""
    table = dict(shipped_table())
    for domain, name in (extra or {}).items():
        table[_bare_host(domain)] = name
    return table


def _bare_host(host: str) -> str:
    host = host.strip().lower()
    if "://" in host:
        host = urlsplit(host).hostname or ""
    return host[4:] if host.startswith("www.") else host


def table_lookup(url: str, table: Mapping[str, str]) -> str | None:
    """The table's name for a URL: the longest matching host suffix (news.sky.com before sky.com)."""
    host = _bare_host(urlsplit(url).hostname or "") if "://" in url else _bare_host(url)
    parts = host.split(".")
    for start in range(len(parts) - 1):
        name = table.get(".".join(parts[start:]))
        if name:
            return name
    return None


def _normal(value: str) -> str:
    return re.sub(r"[\W_]+", "", value.lower())


def split_title(title: str, site_names: list[str], domain: str | None) -> tuple[str, str | None]:
    """'Headline - Site' or 'Site | Headline' -> ('Headline', 'Site'); no site part -> (title, None).

    A part counts as the site when it matches a known site name or the domain, or when it is
    a short last segment after a separator (the common "Headline | Site" pattern).
    """
    title = " ".join(title.split())
    if not title:
        return "", None
    known = {_normal(name) for name in site_names if name}
    if domain:
        known.add(_normal(domain.split(".")[0]))
        known.add(_normal(domain))

    def is_known(part: str) -> bool:
        norm = _normal(part)
        return bool(norm) and any(
            norm == k or (len(k) >= 4 and (norm.startswith(k) or k.startswith(norm) or k in norm))
            for k in known
        )

    for separator in TITLE_SEPARATORS:
        if separator not in title:
            continue
        head, _, tail = title.rpartition(separator)
        if head and is_known(tail):
            return head.strip(), tail.strip()
        first, _, rest = title.partition(separator)
        if rest and is_known(first):
            return rest.strip(), first.strip()
    for separator in TITLE_SEPARATORS[:6]:
        if separator not in title:
            continue
        head, _, tail = title.rpartition(separator)
        words = tail.split()
        # An unknown short last segment after a pipe or dash is the site name in most CMS templates.
        if (
            head
            and 0 < len(words) <= 4
            and len(tail) <= 40
            and len(head) >= len(tail)
            and not tail.rstrip().endswith(("?", "!", "."))
            and separator.strip() in "|-–—·•»"
        ):
            return head.strip(), tail.strip()
    return title, None


def resolve_publisher(
    page: PageMeta,
    url: str,
    table: Mapping[str, str],
    manifest: str | None = None,
    title_site: str | None = None,
    tree: lxml_html.HtmlElement | None = None,
    headline: str | None = None,
) -> tuple[str | None, str | None]:
    """Page metadata, URL, domain table, override and title site part -> (publisher, source label).

    tree (the parsed page) adds the copyright holder and the page's own spelling of its domain;
    headline (the article title) marks a site name that only repeats it.
    """
    if manifest and manifest.strip():
        return manifest.strip(), "manifest"
    from_table = table_lookup(url, table) if url else None
    if from_table:
        return from_table, "table"
    host = _bare_host(urlsplit(url).hostname or "") if url.startswith(("http://", "https://")) else ""
    domain = registered_domain(url) if host else None
    evidence = PublisherEvidence(host, domain, url, headline or "")
    evidence.add_page(page, title_site, tree)
    best = evidence.best()
    if best is not None:
        return best
    return (domain, "domain") if domain else (None, None)
