"""Publication and modification dates of a page, with where each came from.

Trust order for `published_at` (the label is stored with the date):
`jsonld` (datePublished of the article object) > `meta` (article:published_time,
itemprop=datePublished, Dublin Core ...) > `url` (/2019/10/17/) > `feed` / `sitemap`
hints > `text` (a dated byline near the headline) > `http` (Last-Modified).

Never invented: no year-only or month-only value becomes a day, nothing after the
fetch time or before 1995, no copyright line, no date from a sidebar, teaser list
or comment. "Updated" dates go to `modified_at`, not `published_at`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lxml import html as lxml_html

from transforms.article import Hints
from transforms.date_parsing import find_text_dates, parse_machine_date, plausible
from transforms.page_meta import PageMeta

PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "article:published",
    "datepublished", "date_published", "publishdate", "publish-date", "publish_date", "published_time",
    "published-date", "pubdate", "publication_date", "publication-date", "dc.date.issued",
    "dcterms.issued", "dc.date.created", "dcterms.created", "sailthru.date", "parsely-pub-date",
    "article.published", "article_date_original", "originalpublicationdate", "original-publish-date",
    "citation_publication_date", "citation_date", "datecreated", "date_created", "release_date",
    "displaydate", "dateposted", "cxenseparse:recs:publishtime", "date", "dc.date", "dcterms.date",
    "created", "creation_date", "article:post_date", "bt:pubdate", "og:pubdate", "content_date",
)
MODIFIED_META = (
    "article:modified_time", "og:updated_time", "article:modified", "datemodified", "date_modified",
    "last-modified", "lastmodified", "dc.date.modified", "dcterms.modified", "modified_time",
    "og:article:modified_time", "article.updated", "updated_time",
)
# Dates in URLs: /2019/10/17/, /2019-10-17-, /20191017/.
_URL_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d\d)[/_.-]([01]?\d)[/_.-]([0-3]?\d)(?!\d)|/((?:19|20)\d\d)([01]\d)([0-3]\d)(?=[/_.-])")
# Containers whose dates belong to other stories, comments or the site.
_FOREIGN_CONTAINER = re.compile(
    r"related|teaser|sidebar|aside|comment|kommentar|footer|recommend|empfehl|newsletter|widget|"
    r"popular|latest|more-|weitere|also|tag-?cloud|archive|archiv|calendar|kalender|event|"
    r"breadcrumb|nav|menu|cookie|consent|copyright|promo|ad-|advert|anzeige|social|share|"
    r"slider|carousel|trending|meistgelesen|mostread|most-read|rail|card", re.I)
_FOREIGN_TAGS = {"aside", "footer", "nav", "form", "select", "option", "button"}
# Elements that typically carry the article's own dateline.
_DATE_CONTAINER = re.compile(
    r"date|datum|time|zeit|publish|posted|byline|dateline|timestamp|meta|info|author|autor|"
    r"fecha|data|created|stamp|post-?head|entry-?head|article-?head|header|subline|kicker", re.I)
_UPDATED_WORDS = re.compile(
    r"aktualisiert|update|geändert|modifi|mis à jour|actualiz|aggiornat|bijgewerkt|zuletzt|last\s+edit|"
    r"stand:|edited|revised", re.I)
_PUBLISHED_WORDS = re.compile(
    r"veröffentlicht|publi|erstellt|erschienen|posted|gepostet|am\s|vom\s|datum|date", re.I)
_COPYRIGHT = re.compile(r"©|\(c\)|copyright", re.I)
# How far after the headline a plain-text date may sit and still be the article's own.
_NEAR_HEADLINE_CHARS = 600


@dataclass(frozen=True)
class DateFinding:
    """The dates found for one page; `published_source` is one of transforms.article.DATE_SOURCES."""

    published_at: datetime | None = None
    published_source: str | None = None
    modified_at: datetime | None = None


def _class_id(element: lxml_html.HtmlElement) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''} {element.get('itemprop') or ''}"


def _in_foreign_container(element: lxml_html.HtmlElement, stop: int = 8) -> bool:
    node: lxml_html.HtmlElement | None = element
    depth = 0
    while node is not None and depth < stop:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _FOREIGN_TAGS:
            return True
        if tag in ("article", "main", "body"):
            return False
        if _FOREIGN_CONTAINER.search(_class_id(node)):
            return True
        node = node.getparent()
        depth += 1
    return False


def url_date(url: str, latest: datetime) -> datetime | None:
    """A full date written in the URL path, or None (a year/month alone does not count)."""
    path = url.split("?", 1)[0].split("://", 1)[-1]
    path = path[path.find("/"):] if "/" in path else ""
    for match in _URL_DATE.finditer(path):
        year, month, day = (match.group(1), match.group(2), match.group(3)) if match.group(1) \
            else (match.group(4), match.group(5), match.group(6))
        try:
            found = datetime(int(year), int(month), int(day), tzinfo=UTC)
        except ValueError:
            continue
        if plausible(found, latest):
            return found
    return None


def _jsonld_dates(page: PageMeta, latest: datetime) -> tuple[datetime | None, datetime | None]:
    published = modified = None
    for obj in page.article_objects():
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = obj.get(key)
            if isinstance(value, str) and published is None:
                published = plausible(parse_machine_date(value), latest)
        value = obj.get("dateModified")
        if isinstance(value, str) and modified is None:
            modified = plausible(parse_machine_date(value), latest)
        if published:
            break
    return published, modified


def _meta_dates(page: PageMeta, tree: lxml_html.HtmlElement,
                latest: datetime) -> tuple[datetime | None, datetime | None]:
    published = modified = None
    for name in PUBLISHED_META:
        for value in page.meta.get(name, ()):
            published = plausible(parse_machine_date(value), latest)
            if published:
                break
        if published:
            break
    if published is None:
        # Microdata on body elements: <time itemprop="datePublished" datetime="...">.
        for element in tree.xpath('//*[@itemprop="datePublished" or @itemprop="dateCreated"]'):
            value = element.get("datetime") or element.get("content") or element.text_content()
            published = plausible(parse_machine_date(value or ""), latest)
            if published:
                break
    for name in MODIFIED_META:
        for value in page.meta.get(name, ()):
            modified = plausible(parse_machine_date(value), latest)
            if modified:
                break
        if modified:
            break
    if modified is None:
        for element in tree.xpath('//*[@itemprop="dateModified"]'):
            value = element.get("datetime") or element.get("content") or element.text_content()
            modified = plausible(parse_machine_date(value or ""), latest)
            if modified:
                break
    return published, modified


def _headline(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    for xpath in ("//article//h1", "//main//h1", "//h1"):
        found = tree.xpath(xpath)
        if found:
            return found[0]
    return None


def _text_dates(tree: lxml_html.HtmlElement, latest: datetime,
                day_first: bool) -> tuple[datetime | None, datetime | None]:
    """Dates from <time> elements and dateline-like elements that are not in foreign containers."""
    published = modified = None
    candidates: list[tuple[bool, datetime]] = []  # (is_update, date) in document order
    for element in tree.iter("time", "span", "div", "p", "small", "li", "abbr", "dd", "header", "address"):
        tag = element.tag
        if tag == "time":
            value = element.get("datetime") or ""
            text = " ".join(element.text_content().split())
            found = plausible(parse_machine_date(value), latest) if value else None
            if found is None and text:
                dates = find_text_dates(text, day_first)
                found = plausible(dates[0][1], latest) if dates else None
        else:
            if not _DATE_CONTAINER.search(_class_id(element)):
                continue
            text = " ".join(element.text_content().split())
            if not text or len(text) > 200:
                continue
            dates = find_text_dates(text, day_first)
            found = plausible(dates[0][1], latest) if dates else None
        if found is None or _in_foreign_container(element):
            continue
        context = text + " " + _class_id(element)
        parent = element.getparent()
        if parent is not None:
            context += " " + " ".join((parent.text or "").split())[:60]
        if _COPYRIGHT.search(text):
            continue
        is_update = bool(_UPDATED_WORDS.search(context)) and not _PUBLISHED_WORDS.search(text[:25])
        candidates.append((is_update, found))
        if len(candidates) >= 6:
            break
    for is_update, found in candidates:
        if not is_update and published is None:
            published = found
        elif is_update and modified is None:
            modified = found
    if published is None:
        published = _date_near_headline(tree, latest, day_first)
    return published, modified


def _date_near_headline(tree: lxml_html.HtmlElement, latest: datetime, day_first: bool) -> datetime | None:
    """A date written in plain text just before or after the headline (a dateline without markup)."""
    headline = _headline(tree)
    if headline is None:
        return None
    container = headline.getparent()
    # Climb until the container holds some text besides the headline, but not the whole page.
    for _ in range(3):
        if container is None or container.tag == "body":
            break
        text = " ".join(container.text_content().split())
        if len(text) > len(" ".join(headline.text_content().split())) + 40:
            break
        container = container.getparent()
    if container is None or _in_foreign_container(container):
        return None
    text = " ".join(container.text_content().split())
    head_text = " ".join(headline.text_content().split())
    start = text.find(head_text) if head_text else 0
    start = max(start, 0)
    window = text[max(0, start - 200):start + len(head_text) + _NEAR_HEADLINE_CHARS]
    for offset, found in find_text_dates(window, day_first):
        before = window[max(0, offset - 30):offset]
        if _COPYRIGHT.search(before) or _UPDATED_WORDS.search(before):
            continue
        if plausible(found, latest):
            return found
    return None


def find_dates(tree: lxml_html.HtmlElement, page: PageMeta, hints: Hints,
               fetched_at: datetime | None = None, day_first: bool = True) -> DateFinding:
    """A parsed page, its head metadata and the source's hints -> published/modified dates.

    fetched_at bounds every date (nothing after the fetch); defaults to now.
    day_first decides ambiguous numeric dates (03/04/2019); False for US-style pages.
    """
    # One day of slack: pages in time zones east of UTC stamp "tomorrow" before we do.
    latest = (fetched_at or datetime.now(UTC)) + timedelta(days=1)
    jsonld_published, jsonld_modified = _jsonld_dates(page, latest)
    meta_published, meta_modified = _meta_dates(page, tree, latest)
    in_url = url_date(hints.url, latest)
    modified = jsonld_modified or meta_modified

    published: datetime | None = None
    source: str | None = None
    for value, label in ((jsonld_published, "jsonld"), (meta_published, "meta")):
        if value is not None:
            published, source = value, label
            break
    # A URL date that is earlier than the metadata date is the original publication: the CMS
    # re-stamps "published" on republishing, the URL keeps the first day.
    if published is not None and in_url is not None and in_url.date() < published.date() \
            and (published - in_url) > timedelta(days=1):
        published, source = in_url, "url"
    if published is None and in_url is not None:
        published, source = in_url, "url"
    if published is None and hints.published_at is not None and plausible(hints.published_at, latest):
        published, source = hints.published_at, hints.published_at_source or "feed"
    text_modified = None
    if published is None:
        text_published, text_modified = _text_dates(tree, latest, day_first)
        if text_published is not None:
            published, source = text_published, "text"
    if published is None and modified is not None:
        # A page that only states when it was updated: the first version is at least that old, but
        # the update day is not the publication day; leave published empty.
        pass
    modified = modified or text_modified
    if modified is not None and published is not None and modified < published:
        modified = None
    return DateFinding(published, source if published else None, modified)
