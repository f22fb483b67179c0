"""Publication and modification dates of a page, with where each came from.

Trust order for `published_at` (the label is stored with the date):
`jsonld` (datePublished of the article object) > `meta` (article:published_time,
itemprop=datePublished, Dublin Core ...) > `url` (/2019/10/17/) > `feed` / `sitemap`
hints > `text` (a dateline near the headline; then htmldate's scan of the page with
sidebars, footers and teaser lists cut away) > `http` (Last-Modified, in html_article).
A URL date earlier than the metadata date wins: CMSs re-stamp "published" on update.

Never invented: no year-only or month-only value becomes a day, nothing after the
fetch time or before 1995, no copyright line, no January-1st placeholder, no date
from a sidebar, teaser list or comment. "Updated" dates go to `modified_at`.

`published_at` is UTC; `published_on` is the publisher's calendar day (the offset
written on the page, or for a bare UTC stamp the day the URL or dateline shows).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

import htmldate
from lxml import html as lxml_html

from transforms.article import Hints
from transforms.date_parsing import find_text_dates, parse_machine_date, plausible
from transforms.page_meta import PageMeta

PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "date_published",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "published-date",
    "pubdate",
    "publication_date",
    "publication-date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "article_date_original",
    "originalpublicationdate",
    "original-publish-date",
    "citation_publication_date",
    "citation_date",
    "datecreated",
    "date_created",
    "release_date",
    "displaydate",
    "dateposted",
    "cxenseparse:recs:publishtime",
    "date",
    "dc.date",
    "dcterms.date",
    "created",
    "creation_date",
    "article:post_date",
    "bt:pubdate",
    "og:pubdate",
    "content_date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "article:modified",
    "datemodified",
    "date_modified",
    "last-modified",
    "lastmodified",
    "dc.date.modified",
    "dcterms.modified",
    "modified_time",
    "og:article:modified_time",
    "article.updated",
    "updated_time",
)
# Dates in URLs: /2019/10/17/, /2019-10-17-, /20191017/.
_URL_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d\d)[/_.-]([01]?\d)[/_.-]([0-3]?\d)(?!\d)|/((?:19|20)\d\d)([01]\d)([0-3]\d)(?=[/_.-])"
)
# Containers whose dates belong to other stories, comments or the site.
_FOREIGN_CONTAINER = re.compile(
    r"related|teaser|sidebar|aside|comment|kommentar|footer|recommend|empfehl|newsletter|widget|"
    r"popular|latest|more-|weitere|also|tag-?cloud|archive|archiv|calendar|kalender|event|"
    r"breadcrumb|nav|menu|cookie|consent|copyright|promo|ad-|advert|anzeige|social|share|"
    r"slider|carousel|trending|meistgelesen|mostread|most-read|rail|card",
    re.I,
)
_FOREIGN_TAGS = {"aside", "footer", "nav", "form", "select", "option", "button"}
# Narrower: containers that list other stories or comments, pruned before htmldate's scan.
_OTHER_STORIES = re.compile(
    r"related|teaser|sidebar|comment|kommentar|recommend|empfehl|popular|latest|weitere|"
    r"archive|archiv|calendar|kalender|trending|meistgelesen|most-?read",
    re.I,
)
# Elements that typically carry the article's own dateline.
_DATE_CONTAINER = re.compile(
    r"date|datum|time|zeit|publish|posted|byline|dateline|timestamp|meta|info|author|autor|"
    r"fecha|data|created|stamp|post-?head|entry-?head|article-?head|header|subline|kicker",
    re.I,
)
_UPDATED_WORDS = re.compile(
    r"aktualisiert|update|geändert|modifi|mis à jour|actualiz|aggiornat|bijgewerkt|zuletzt|last\s+edit|"
    r"stand:|edited|revised",
    re.I,
)
_PUBLISHED_WORDS = re.compile(r"veröffentlicht|publi|erstellt|erschienen|posted|gepostet|datum|date", re.I)
_COPYRIGHT = re.compile(r"©|\(c\)|copyright", re.I)
# How far after the headline a plain-text date may sit and still be the article's own.
_NEAR_HEADLINE_CHARS = 600
# How many elements after the headline a bare date element may sit.
_FOLLOWING_ELEMENTS = 60
EXTENSIVE = True


@dataclass(frozen=True)
class DateFinding:
    """The dates found for one page; `published_source` is one of transforms.article.DATE_SOURCES."""

    published_at: datetime | None = None  # UTC
    published_source: str | None = None
    modified_at: datetime | None = None  # UTC
    published_on: date | None = None  # the publication day in the page's own time zone


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
    path = path[path.find("/") :] if "/" in path else ""
    for match in _URL_DATE.finditer(path):
        year, month, day = (
            (match.group(1), match.group(2), match.group(3))
            if match.group(1)
            else (match.group(4), match.group(5), match.group(6))
        )
        try:
            found = datetime(int(year), int(month), int(day), tzinfo=UTC)
        except ValueError:
            continue
        if plausible(found, latest):
            return found
    return None


def _placeholder(value: datetime | None) -> datetime | None:
    """None for midnight on January 1st: a CMS default or a year-only value, not a publication."""
    if value is not None and value.month == 1 and value.day == 1 and not (value.hour or value.minute):
        return None
    return value


def _jsonld_dates(page: PageMeta, latest: datetime) -> tuple[datetime | None, datetime | None]:
    published = modified = None
    for obj in page.article_objects():
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = obj.get(key)
            if isinstance(value, str) and published is None:
                published = _placeholder(plausible(parse_machine_date(value), latest))
        value = obj.get("dateModified")
        if isinstance(value, str) and modified is None:
            modified = plausible(parse_machine_date(value), latest)
        if published:
            break
    return published, modified


def _meta_dates(
    page: PageMeta, tree: lxml_html.HtmlElement, latest: datetime
) -> tuple[datetime | None, datetime | None]:
    published = modified = None
    for name in PUBLISHED_META:
        for value in page.meta.get(name, ()):
            published = _placeholder(plausible(parse_machine_date(value), latest))
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


def _text_dates(
    tree: lxml_html.HtmlElement, latest: datetime, day_first: bool
) -> tuple[datetime | None, datetime | None]:
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
        published = _date_near_headline(tree, latest, day_first) or _date_element_after_headline(
            tree, latest, day_first
        )
    return published, modified


def _own_text(container: lxml_html.HtmlElement) -> str:
    """Text of a container without the sidebars, teaser lists and footers nested in it."""
    parts: list[str] = [container.text or ""]
    for child in container:
        if isinstance(child.tag, str) and (
            child.tag in _FOREIGN_TAGS or _OTHER_STORIES.search(_class_id(child))
        ):
            parts.append(child.tail or "")
            continue
        if isinstance(child.tag, str):
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return " ".join(parts)


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
    text = " ".join(_own_text(container).split())
    head_text = " ".join(headline.text_content().split())
    start = text.find(head_text) if head_text else 0
    start = max(start, 0)
    window = text[max(0, start - 200) : start + len(head_text) + _NEAR_HEADLINE_CHARS]
    for offset, found in find_text_dates(window, day_first):
        before = window[max(0, offset - 30) : offset]
        if _COPYRIGHT.search(before) or _UPDATED_WORDS.search(before):
            continue
        if plausible(found, latest):
            return found
    return None


def _date_element_after_headline(
    tree: lxml_html.HtmlElement, latest: datetime, day_first: bool
) -> datetime | None:
    """The first short element after the headline whose text is essentially a date ("17/02/2022",
    "14.01.2022 um 09:25"): a dateline without telling class names."""
    headline = _headline(tree)
    if headline is None:
        return None
    checked = 0
    for element in _following(headline):
        checked += 1
        if checked > _FOLLOWING_ELEMENTS:
            break
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        own = " ".join((element.text or "").split())
        if not own or len(own) > 60:
            continue
        dates = find_text_dates(own, day_first)
        if not dates or _COPYRIGHT.search(own) or _UPDATED_WORDS.search(own):
            continue
        if _in_foreign_container(element):
            continue
        found = plausible(dates[0][1], latest)
        if found:
            return found
    return None


def _following(element: lxml_html.HtmlElement):  # type: ignore[no-untyped-def]
    """Elements after `element` in document order (its descendants, then what follows it)."""
    yield from element.iterdescendants()
    node = element
    while node is not None:
        for sibling in node.itersiblings():
            yield sibling
            yield from sibling.iterdescendants()
        node = node.getparent()


def _without_foreign_containers(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """A copy of the page without the sidebars, footers, teaser lists and comments around the article.

    Containers inside the headline's <article> stay: an article footer carries its own dateline.
    """
    pruned = copy.deepcopy(tree)
    body = pruned.find("body")
    total = len(body.text_content()) if body is not None else 0
    headline = _headline(pruned)
    own_article = next((a for a in headline.iterancestors("article")), None) if headline is not None else None
    doomed = []
    for element in pruned.iter("aside", "footer", "nav", "div", "section", "ul", "ol"):
        if element.tag not in ("aside", "footer", "nav") and not _OTHER_STORIES.search(_class_id(element)):
            continue
        # A wrapper named "page-with-sidebar" holds the article too: keep big containers.
        if total and len(element.text_content()) > 0.5 * total:
            continue
        if own_article is not None and any(a is own_article for a in element.iterancestors("article")):
            continue
        if headline is not None and any(a is element for a in headline.iterancestors()):
            continue
        doomed.append(element)
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    return pruned


def _htmldate_fallback(tree: lxml_html.HtmlElement, url: str, latest: datetime) -> datetime | None:
    """htmldate's scan of the page markup and text, for pages our own rules found nothing on.

    Its copyright-year guess comes back as January 1st; that is an invented day, so refused.
    """
    tree = _without_foreign_containers(tree)
    try:
        found = htmldate.find_date(
            tree,
            url=url or None,
            original_date=True,
            extensive_search=EXTENSIVE,
            outputformat="%Y-%m-%d",
            max_date=latest.strftime("%Y-%m-%d"),
        )
    except (ValueError, TypeError):
        return None
    if not found:
        return None
    value = datetime.strptime(found, "%Y-%m-%d").replace(tzinfo=UTC)
    if value.month == 1 and value.day == 1:
        return None
    return plausible(value, latest)


def _page_offset(page: PageMeta) -> timedelta | None:
    """The first non-zero UTC offset written in the page's date metadata (the publisher's zone)."""
    values: list[str] = []
    for name in PUBLISHED_META + MODIFIED_META:
        values.extend(page.meta.get(name, ()))
    for obj in page.article_objects()[:2]:
        values.extend(v for k in ("datePublished", "dateModified") if isinstance(v := obj.get(k), str))
    for value in values:
        parsed = parse_machine_date(value)
        offset = parsed.utcoffset() if parsed else None
        if offset:
            return offset
    return None


def _aware(value: datetime | None) -> datetime | None:
    """Naive datetimes from sources are UTC by contract; make them comparable."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def find_dates(
    tree: lxml_html.HtmlElement,
    page: PageMeta,
    hints: Hints,
    fetched_at: datetime | None = None,
    day_first: bool = True,
) -> DateFinding:
    """A parsed page, its head metadata and the source's hints -> published/modified dates.

    fetched_at bounds every date (nothing after the fetch); defaults to now.
    day_first decides ambiguous numeric dates (03/04/2019); False for US-style pages.
    """
    # One day of slack: pages in time zones east of UTC stamp "tomorrow" before we do.
    latest = (_aware(fetched_at) or datetime.now(UTC)) + timedelta(days=1)
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
    if (
        published is not None
        and in_url is not None
        and in_url.date() < published.date()
        and (published.date() - in_url.date()) > timedelta(days=1)
    ):
        published, source = in_url, "url"
    if published is None and in_url is not None:
        published, source = in_url, "url"
    hinted = _aware(hints.published_at)
    if published is None and hinted is not None and plausible(hinted, latest):
        published, source = hinted, hints.published_at_source or "feed"
    # The visible dateline is only a fallback: where it disagrees with the metadata it is most
    # often the last update (measured on the dev corpus), and updates belong in modified_at.
    text_published, text_modified = _text_dates(tree, latest, day_first)
    if published is None and text_published is not None:
        published, source = text_published, "text"
    if published is None:
        fallback = _htmldate_fallback(tree, hints.url, latest)
        if fallback is not None:
            published, source = fallback, "text"
    modified = modified or text_modified
    if modified is not None and published is not None and modified < published:
        modified = None
    if published is None:
        return DateFinding(modified_at=modified.astimezone(UTC) if modified else None)
    local_offset = _page_offset(page)
    if (
        local_offset is not None
        and published.utcoffset() == timedelta(0)
        and (published.hour or published.minute)
    ):
        # A UTC timestamp on a page whose other dates carry the publisher's offset: the
        # publisher's calendar day is the one in that offset.
        published = published.astimezone(timezone(local_offset))
    published_on = published.date()
    if (
        source in ("jsonld", "meta")
        and published.utcoffset() == timedelta(0)
        and (published.hour or published.minute)
    ):
        # A UTC timestamp says nothing about the publisher's calendar day; a day written in the URL
        # or the visible dateline that a real UTC offset (-12 h .. +14 h) reaches is that day.
        for day in (in_url.date() if in_url else None, text_published.date() if text_published else None):
            if (
                day is not None
                and day != published_on
                and (published - timedelta(hours=12)).date()
                <= day
                <= (published + timedelta(hours=14)).date()
            ):
                published_on = day
                break
    return DateFinding(
        published.astimezone(UTC), source, modified.astimezone(UTC) if modified else None, published_on
    )
