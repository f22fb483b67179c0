"""What a page says about itself in its head: meta tags, JSON-LD, title, canonical link.

`read_page_meta` walks a parsed lxml tree once and returns a `PageMeta` that the
date, publisher and author resolvers read; none of them touch the tree again
for head metadata.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

# JSON-LD types that describe the article itself (not the site, a breadcrumb or a video).
ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "report",
    "scholarlyarticle",
    "techarticle",
    "socialmediaposting",
    "creativework",
    "webpage",
    "itempage",
    "medicalwebpage",
    "review",
    "newsmediaorganization_article",
    "posting",
    "discussionforumposting",
    "event",
    "pressrelease",
    "satiricalarticle",
    "advertisercontentarticle",
}
_WS = re.compile(r"\s+")
_JSON_COMMENT = re.compile(r"^\s*(?://[^\n]*\n|/\*.*?\*/)", re.S)


@dataclass
class PageMeta:
    """Head metadata, keys lower-cased. `meta` maps a name/property to all its values, in order."""

    title: str = ""
    meta: dict[str, list[str]] = field(default_factory=dict)
    jsonld: list[dict[str, Any]] = field(default_factory=list)  # flattened objects, @graph expanded
    canonical_url: str | None = None
    html_lang: str | None = None

    def first(self, *names: str) -> str | None:
        """The first non-empty value of the first meta name that has one."""
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return value.strip()
        return None

    def article_objects(self) -> list[dict[str, Any]]:
        """JSON-LD objects describing an article-like thing, most specific types first."""
        scored: list[tuple[int, int, dict[str, Any]]] = []
        for index, obj in enumerate(self.jsonld):
            types = {t.lower() for t in jsonld_types(obj)}
            if not types & ARTICLE_TYPES:
                continue
            generic = bool(types & {"webpage", "creativework", "itempage", "medicalwebpage", "event"})
            scored.append((1 if generic else 0, index, obj))
        return [obj for _, _, obj in sorted(scored, key=lambda item: (item[0], item[1]))]


def clean_text(value: str | None) -> str:
    """Collapse whitespace; None -> ''."""
    return _WS.sub(" ", value or "").strip()


def jsonld_types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [k for k in kind if isinstance(k, str)]
    return []


def _walk_jsonld(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_jsonld(item, depth + 1)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _walk_jsonld(data["@graph"], depth + 1)
        if "@type" in data:
            yield data
        # Some sites wrap the article in mainEntity of a WebPage.
        main = data.get("mainEntity")
        if isinstance(main, (dict, list)):
            yield from _walk_jsonld(main, depth + 1)


def _load_json(text: str) -> Any:
    text = text.strip()
    text = _JSON_COMMENT.sub("", text)
    if text.startswith("<!--"):
        text = text[4:].rsplit("-->", 1)[0]
    if text.endswith(";"):
        text = text[:-1]
    try:
        return json.loads(text)
    except ValueError:
        # Raw newlines and tabs inside strings are the most common JSON-LD defect.
        try:
            return json.loads(re.sub(r"[\n\r\t]+", " ", text))
        except ValueError:
            return None


def read_page_meta(tree: lxml_html.HtmlElement) -> PageMeta:
    """A parsed page -> its `PageMeta` (meta tags, JSON-LD objects, <title>, canonical, lang)."""
    page = PageMeta()
    page.html_lang = (tree.get("lang") or tree.get("xml:lang") or "").strip() or None
    for element in tree.iter("meta", "title", "link", "script"):
        tag = element.tag
        if tag == "meta":
            key = (
                element.get("property")
                or element.get("name")
                or element.get("itemprop")
                or element.get("http-equiv")
            )
            value = element.get("content")
            if key and value is not None:
                page.meta.setdefault(key.strip().lower(), []).append(clean_text(value))
        elif tag == "title":
            if (
                not page.title
                and element.getparent() is not None
                and element.getparent().tag in ("head", "html")
            ):
                page.title = clean_text(element.text_content())
        elif tag == "link":
            rel = (element.get("rel") or "").lower().split()
            if "canonical" in rel and not page.canonical_url:
                href = (element.get("href") or "").strip()
                if href.startswith(("http://", "https://")):
                    page.canonical_url = href
        elif tag == "script" and (element.get("type") or "").lower().strip() == "application/ld+json":
            data = _load_json(element.text or "")
            if data is not None:
                page.jsonld.extend(_walk_jsonld(data))
    if not page.title:
        title = tree.find(".//title")
        if title is not None:
            page.title = clean_text(title.text_content())
    return page


def jsonld_names(value: Any) -> list[str]:
    """A JSON-LD person/organization value (str, dict or list of them) -> the names in it."""
    names: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str):
            names.append(clean_text(item))
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, str):
                names.append(clean_text(name))
            elif isinstance(name, list):
                names.extend(clean_text(n) for n in name if isinstance(n, str))
            elif item.get("givenName") or item.get("familyName"):
                names.append(clean_text(f"{item.get('givenName', '')} {item.get('familyName', '')}"))
    return [n for n in names if n]


def jsonld_types_of(value: Any) -> list[str]:
    """Types of a JSON-LD value or list of values, lower-cased."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, dict):
            out.extend(t.lower() for t in jsonld_types(item))
    return out


def tags_from(page: PageMeta) -> list[str]:
    """Article tags: article:tag, keywords meta, JSON-LD keywords; de-duplicated, order kept."""
    raw: list[str] = list(page.meta.get("article:tag", []))
    for name in ("news_keywords", "keywords"):
        for value in page.meta.get(name, []):
            raw.extend(value.split(","))
    for obj in page.article_objects()[:1]:
        keywords = obj.get("keywords")
        if isinstance(keywords, str):
            raw.extend(keywords.split(","))
        elif isinstance(keywords, list):
            raw.extend(k for k in keywords if isinstance(k, str))
    seen: set[str] = set()
    tags: list[str] = []
    for tag in raw:
        tag = clean_text(tag)
        key = tag.lower()
        if tag and len(tag) <= 80 and key not in seen:
            seen.add(key)
            tags.append(tag)
    return tags[:50]
