"""Who published a page: the outlet's name as readers know it, and where we got it.

Order (`publisher_source` labels from transforms.article.PUBLISHER_SOURCES):
`manifest` (a configured override, always wins) > `og` (og:site_name) > `jsonld`
(publisher.name of the article) > `table` (the shipped domain table, extended by
config) > `title` (the "- Site" part of <title>) > `domain` (registered domain).
A value that is just a host name ("www.zeit.de") or a company's legal name
("Dow Jones & Company", "... GmbH") loses to the table, which knows the outlet.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from transforms.identity import registered_domain
from transforms.page_meta import PageMeta, jsonld_names

_DOMAIN_LIKE = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?$", re.I)
_LEGAL_NAME = re.compile(
    r"\b(?:GmbH|mbH|AG|SE|KG|KGaA|Inc|LLC|Ltd|Limited|PLC|S\.?A\.?|S\.?A\.?S|S\.?p\.?A|B\.?V|N\.?V|"
    r"Company|Corporation|Corp|Holding|Holdings|Verlag(?:sgesellschaft|sgruppe|shaus)?|"
    r"Mediengruppe|Medienhaus|Media Group|Publishing|Gruppe|Group|& Co)\b\.?",
    re.I,
)
# Title separators between headline and site name, longest first.
TITLE_SEPARATORS = (" | ", " || ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " « ", " / ", ": ")
_MAX_SITE_WORDS = 6


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


def looks_like_domain(value: str) -> bool:
    return bool(_DOMAIN_LIKE.match(value.strip()))


def looks_like_legal_name(value: str) -> bool:
    return bool(_LEGAL_NAME.search(value))


def _usable_name(value: str | None) -> str | None:
    if not value:
        return None
    value = " ".join(value.split()).strip(" |-–—:·")
    # "Site - a slogan about the site": the name is the first part.
    for separator in (" - ", " | ", " – ", " — ", ": "):
        head, _, tail = value.partition(separator)
        if tail and len(value.split()) > 4 and len(head.split()) <= 4:
            value = head.strip()
            break
    if not value or len(value) > 80 or len(value.split()) > _MAX_SITE_WORDS + 2:
        return None
    return value


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
) -> tuple[str | None, str | None]:
    """Page metadata, URL, domain table, override and title site part -> (publisher, source label)."""
    if manifest and manifest.strip():
        return manifest.strip(), "manifest"
    from_table = table_lookup(url, table) if url else None
    og = _usable_name(page.first("og:site_name", "application-name", "al:android:app_name"))
    if og and not (from_table and (looks_like_domain(og) or looks_like_legal_name(og))):
        return og, "og"
    jsonld = None
    for obj in page.article_objects():
        names = jsonld_names(obj.get("publisher")) or jsonld_names(obj.get("sourceOrganization"))
        if names:
            jsonld = _usable_name(names[0])
            break
    if jsonld is None:
        for obj in page.jsonld:
            types = obj.get("@type")
            types = [types] if isinstance(types, str) else (types or [])
            if any(
                isinstance(t, str) and t.lower() in ("newsmediaorganization", "organization") for t in types
            ):
                names = jsonld_names(obj)
                if names:
                    jsonld = _usable_name(names[0])
                    break
    if jsonld and not (from_table and (looks_like_domain(jsonld) or looks_like_legal_name(jsonld))):
        return jsonld, "jsonld"
    if from_table:
        return from_table, "table"
    title_name = _usable_name(title_site)
    if title_name and not looks_like_domain(title_name):
        return title_name, "title"
    if og:
        return og, "og"
    if jsonld:
        return jsonld, "jsonld"
    if title_name:
        return title_name, "title"
    domain = registered_domain(url) if url else None
    return (domain, "domain") if domain else (None, None)
