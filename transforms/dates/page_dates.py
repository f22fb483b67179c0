"""Publication and modification dates of a page, with where each came from.

Trust order for `published_at` (the label is stored with the date):
1. `jsonld` (datePublished of the article object), then `meta` with a specific name
   (article:published_time, DC.date.issued, itemprop/RDFa datePublished ...). When these
   name different days, the one the page shows its readers (see 3) wins.
2. A visible line labelled as the publication ("Veröffentlicht am", "Erschienen:",
   "Published:", "Mise en ligne"), as `text`.
3. A bare `date` / `DC.date` meta: as often the last change as the publication, so the
   dateline shown at the headline wins over it when there is one.
4. `url` (/2019/10/17/); a URL day that is its own path segment and more than a day
   before the metadata day also beats 1-3: CMSs re-stamp "published" on update.
5. `feed` / `sitemap` hints, then the dateline at the headline, else the first visible
   dateline (`text`).
6. Only a modification date on the whole page (article:modified_time, "Letzte Änderung",
   a wiki's "zuletzt geändert"): used as the publication, labelled by where it came from.
   It is the best evidence there is of when the text appeared; a publication date, where
   one exists, always wins over it.
7. htmldate's scan of the page with sidebars, footers and teaser lists cut away (`text`):
   its fast search of the markup, then its extensive one of the text; then `http`
   (Last-Modified, in html_article).

Never invented: no year-only or month-only value becomes a day, nothing after the
fetch time or before 1995, no copyright line, no January-1st placeholder, no date
from a sidebar, teaser list or comment. "Updated" dates go to `modified_at` (and count as the
publication day only for a re-issued story, below).

`published_at` is UTC; `published_on` is the publisher's calendar day: the day written
with an offset or without one (local time), or for a UTC stamp the day in the offset the
page's other dates carry, else the URL's or dateline's day when an offset reaches it,
else the day in the outlet's country (region subtag or country-code ending) when all its
zones agree, else the day in the main time zone of the page's language (none for English,
Spanish or Portuguese). A re-issued story (the page shows a later day than its first stamp,
as its dateline or, with no dateline, as the update line at the headline, and its own last
change confirms that day) counts on the day shown. Every other publication claim naming
another day is listed in `DateFinding.conflicts`.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import htmldate
from lxml import etree
from lxml import html as lxml_html

from transforms.article import Hints
from transforms.dates.parsing import find_text_dates, is_unzoned, parse_machine_date, plausible
from transforms.dates.datelines import (
    OTHER_STORIES,
    class_id,
    dateline_after_headline,
    headline_element,
    labelled_dates,
    update_line_after_headline,
    visible_dates,
)
from transforms.extraction.page_meta import PageMeta

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
    "dcterms:issued",
    "dc:date.issued",
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
    # Further names that CMSs in other countries write (htmldate's list): unseen pages use them.
    "article:published_date",
    "article:publicationdate",
    "og:article:published",
    "og:datepublished",
    "og:publish_date",
    "og:question:published_time",
    "og:regdate",
    "article.created",
    "content_create_date",
    "dc.created",
    "dc:created",
    "dc.date.publication",
    "dcsext.articlefirstpublished",
    "rnews:datepublished",
    "published_date",
    "publisheddate",
    "publish_time",
    "rbpubdate",
    "pdate",
    "ptime",
    "doc_date",
    "field-name-post-date",
    "mediator_published_time",
    "vr:published_time",
    "twt-published-at",
    "shareaholic:article_published_time",
    "analyticsattributes.articledate",
    "dc:date",
    "timestamp",
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
    "dcterms:modified",
    "dc:date.modified",
    "modified_time",
    "og:article:modified_time",
    "article.updated",
    "updated_time",
    "og:modified_time",
    "article:modified_date",
    "article:post_modified",
    "bt:moddate",
    "dc.modified",
    "modificationdate",
    "revision_date",
)
# Dates in URLs: /2019/10/17/, /2019-10-17-, /20191017/.
_URL_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d\d)[/_.-]([01]?\d)[/_.-]([0-3]?\d)(?!\d)|/((?:19|20)\d\d)([01]\d)([0-3]\d)(?=[/_.-])"
)
# Elements whose itemprop or property names the date, in document order. Selected through the
# attributes (`//@itemprop[...]/..`): libxml2 then tests only elements that carry one, about a
# quarter of the cost of testing every element (`//*[@itemprop=...]`).
_PUBLISHED_MARKUP = etree.XPath(
    '(//@itemprop[.="datePublished" or .="dateCreated"]'
    ' | //@property[.="schema:datePublished" or .="schema:dateCreated" or .="dcterms:issued"'
    ' or .="dcterms:created"])/..'
)
_MODIFIED_MARKUP = etree.XPath(
    '(//@itemprop[.="dateModified" or .="dateUpdate"]'
    ' | //@property[.="schema:dateModified" or .="dcterms:modified"])/..'
)
# Generic meta names that as often carry the last change as the publication.
WEAK_META = frozenset(
    {"date", "dc.date", "dc:date", "dcterms.date", "created", "creation_date", "datecreated", "pubdate",
     "timestamp"}
)
# Main time zone of a language (or region subtag) for UTC stamps on pages that state no offset and
# no country. Spanish and Portuguese are left out: most of their outlets are in the Americas.
LANGUAGE_ZONES = {
    "de": "Europe/Berlin",
    "fr": "Europe/Paris",
    "it": "Europe/Rome",
    "nl": "Europe/Amsterdam",
    "pl": "Europe/Warsaw",
    "cs": "Europe/Prague",
    "sk": "Europe/Bratislava",
    "hu": "Europe/Budapest",
    "da": "Europe/Copenhagen",
    "sv": "Europe/Stockholm",
    "nb": "Europe/Oslo",
    "no": "Europe/Oslo",
    "fi": "Europe/Helsinki",
    "el": "Europe/Athens",
    "ja": "Asia/Tokyo",
    "ko": "Asia/Seoul",
}
REGION_ZONES = {"gb": "Europe/London", "ie": "Europe/Dublin", "at": "Europe/Vienna", "ch": "Europe/Zurich"}


@dataclass(frozen=True)
class DateFinding:
    """The dates found for one page; `published_source` is one of transforms.article.DATE_SOURCES."""

    published_at: datetime | None = None  # UTC
    published_source: str | None = None
    modified_at: datetime | None = None  # UTC
    published_on: date | None = None  # the publication day in the page's own time zone
    published_tz: str | None = None  # the UTC offset written with the chosen date ("+05:30"), None if none
    # Publication claims on the page that name another day than `published_on`: ["url:2019-10-17", ...].
    conflicts: tuple[str, ...] = ()


def url_date(url: str, latest: datetime, own_segment: bool = False) -> datetime | None:
    """A full date written in the URL path, or None (a year/month alone does not count).

    own_segment=True accepts only a day that is a path segment of its own (/2019/10/17/ or
    /2019-10-17/): in /2023/10/3-fragen-an/ the "3" starts the title and is no day.
    """
    path = url.split("?", 1)[0].split("#", 1)[0].split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    for match in _URL_DATE.finditer(path):
        year, month, day = (
            (match.group(1), match.group(2), match.group(3))
            if match.group(1)
            else (match.group(4), match.group(5), match.group(6))
        )
        if own_segment and path[match.end() : match.end() + 1] not in ("/", ""):
            continue
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


def _first_meta(page: PageMeta, name: str, latest: datetime) -> datetime | None:
    """The first plausible, non-placeholder date among the page's meta tags called `name`."""
    for value in page.meta.get(name, ()):
        found = _placeholder(plausible(parse_machine_date(value), latest))
        if found:
            return found
    return None


def _meta_dates(
    page: PageMeta, tree: lxml_html.HtmlElement, latest: datetime
) -> tuple[datetime | None, str | None, datetime | None]:
    """(published, the meta name it came from, modified) from head meta tags and body microdata."""
    published = modified = None
    published_name: str | None = None
    # Specific meta names, then body microdata, then the generic names (WEAK_META): a bare
    # "date" meta is as often the last change, a <time itemprop="datePublished"> never is.
    specific = [name for name in PUBLISHED_META if name not in WEAK_META]
    for name in specific:
        published = _first_meta(page, name, latest)
        if published:
            published_name = name
            break
    if published is None:
        # Microdata and RDFa on body elements: <time itemprop="datePublished" datetime="...">,
        # <span property="schema:dateCreated" content="...">.
        for element in _PUBLISHED_MARKUP(tree):
            value = element.get("datetime") or element.get("content") or element.text_content()
            published = _placeholder(plausible(parse_machine_date(value or ""), latest))
            if published:
                published_name = "itemprop"
                break
    if published is None:
        for name in PUBLISHED_META:
            if name in WEAK_META and (published := _first_meta(page, name, latest)):
                published_name = name
                break
    for name in MODIFIED_META:
        for value in page.meta.get(name, ()):
            modified = plausible(parse_machine_date(value), latest)
            if modified:
                break
        if modified:
            break
    if modified is None:
        for element in _MODIFIED_MARKUP(tree):
            value = element.get("datetime") or element.get("content") or element.text_content()
            modified = plausible(parse_machine_date(value or ""), latest)
            if modified:
                break
    return published, published_name, modified


def _publication_claims(page: PageMeta, latest: datetime) -> list[tuple[datetime, str]]:
    """Every publication date the head metadata states, with its source label, in trust order."""
    claims: list[tuple[datetime, str]] = []
    for obj in page.article_objects():
        value = obj.get("datePublished")
        if isinstance(value, str) and (found := _placeholder(plausible(parse_machine_date(value), latest))):
            claims.append((found, "jsonld"))
    for name in PUBLISHED_META:
        if name in WEAK_META:
            continue
        for value in page.meta.get(name, ()):
            if found := _placeholder(plausible(parse_machine_date(value), latest)):
                claims.append((found, "meta"))
    return claims


def _without_foreign_containers(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """A copy of the page without the sidebars, footers, teaser lists and comments around the article.

    Containers inside the headline's <article> stay: an article footer carries its own dateline.
    """
    pruned = copy.deepcopy(tree)
    body = pruned.find("body")
    total = len(body.text_content()) if body is not None else 0
    headline = headline_element(pruned)
    own_article = next((a for a in headline.iterancestors("article")), None) if headline is not None else None
    # A word that also names the headline's own block ("teaser_blog_text" around the <h1>) is how
    # this site styles its article blocks, not a sign of other stories. Page-wide wrappers
    # ("no-sidebars" on <body>) say nothing about the headline.
    own_words = {
        word.lower()
        for a in (headline.iterancestors() if headline is not None else ())
        if not total or len(a.text_content()) <= 0.5 * total
        for word in OTHER_STORIES.findall(class_id(a))
    }
    doomed = []
    for element in pruned.iter("aside", "footer", "nav", "div", "section", "ul", "ol"):
        if element.tag not in ("aside", "footer", "nav") and not (
            {word.lower() for word in OTHER_STORIES.findall(class_id(element))} - own_words
        ):
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

    Run on the page without sidebars, footers and teaser lists: its fast search of the markup
    first, then its extensive search of the text, which guesses more and is wrong more often.
    Its copyright-year guess comes back as January 1st, and a month and year alone ("05/2023",
    /2023/05/) as the 1st of that month; both are invented days, so refused (a 1st of the month
    counts only where the page writes it as a full date).
    """
    pruned = _without_foreign_containers(tree)
    for extensive in (False, True):
        found = _htmldate_day(pruned, url, latest, extensive)
        if found is not None and (found.day != 1 or _writes_day(pruned, found.date())):
            return found
    return None


def _writes_day(tree: lxml_html.HtmlElement, day: date) -> bool:
    """Whether the page writes `day` as a full date, in its text or in a date attribute."""
    text = tree.text_content()
    values = tree.xpath("//@datetime | //meta/@content")
    return any(
        found.date() == day
        for chunk in (text, *values)
        for _, found in find_text_dates(chunk)
    )


def warm_up_htmldate() -> None:
    """Load what htmldate's extensive search loads the first time a string is no date it knows:
    dateparser's data for every locale (about 2 s of CPU and 35 MB). The workers' fork server
    calls this once, so the workers share those pages instead of each loading its own copy."""
    from htmldate.extractors import external_date_parser  # htmldate's own entry to dateparser

    external_date_parser("no date in these words", "%Y-%m-%d")


def _htmldate_day(
    tree: lxml_html.HtmlElement, url: str, latest: datetime, extensive: bool
) -> datetime | None:
    """htmldate's day for the page (fast or extensive search), or None; January 1st is refused."""
    try:
        found = htmldate.find_date(
            tree,
            url=url or None,
            original_date=True,
            extensive_search=extensive,
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


def _language_zone(page: PageMeta) -> ZoneInfo | None:
    """The main time zone of the page's declared language, when that language has one.

    English is spoken from Hawaii to New Zealand, so it has none; a region subtag wins
    over the language ("en-GB", "de-AT").
    """
    declared = (page.html_lang or page.first("og:locale", "content-language") or "").replace("_", "-")
    parts = declared.lower().split("-")
    name = (REGION_ZONES.get(parts[1]) if len(parts) > 1 else None) or LANGUAGE_ZONES.get(parts[0])
    return ZoneInfo(name) if name else None


# Country-code endings sold as generic names: they say nothing about where the outlet is.
GENERIC_CCTLDS = frozenset(
    {"io", "co", "me", "tv", "fm", "ai", "ly", "to", "cc", "ws", "gg", "am", "nu", "so"}
)


@functools.lru_cache(maxsize=1)
def country_zones() -> dict[str, tuple[str, ...]]:
    """ISO 3166 country code -> its time zones, from the tz database's zone.tab (package tzdata)."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        try:  # the system's tz database (Debian: package tzdata)
            text = Path("/usr/share/zoneinfo/zone.tab").read_text(encoding="utf-8")
        except OSError:
            return {}
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith("#"):
            zones.setdefault(fields[0].upper(), []).append(fields[2])
    return {country: tuple(names) for country, names in zones.items()}


def page_country(page: PageMeta, url: str) -> str | None:
    """The outlet's country: the region subtag of the page language ("es-MX"), else the URL's
    country-code ending (".mx"; ".uk" is GB), else None."""
    declared = (page.html_lang or page.first("og:locale", "content-language") or "").replace("_", "-")
    parts = declared.split("-")
    if len(parts) > 1 and len(parts[1]) == 2 and parts[1].isalpha():
        return parts[1].upper()
    host = (urlsplit(url).hostname or "") if "://" in url else ""
    ending = host.rsplit(".", 1)[-1].lower() if "." in host else ""
    if len(ending) == 2 and ending.isalpha() and ending not in GENERIC_CCTLDS:
        return "GB" if ending == "uk" else ending.upper()
    return None


def _country_day(stamp: datetime, country: str | None) -> date | None:
    """The day of `stamp` in the country's zones when they all agree on it (else None)."""
    names = country_zones().get(country or "", ())
    days = {stamp.astimezone(ZoneInfo(name)).date() for name in names}
    return days.pop() if len(days) == 1 else None


def _reachable(stamp: datetime, day: date | None) -> bool:
    """Whether some real UTC offset (-12 h .. +14 h) puts the instant `stamp` on `day`."""
    return (
        day is not None
        and (stamp - timedelta(hours=12)).date() <= day <= (stamp + timedelta(hours=14)).date()
    )


def _local_day(
    published: datetime,
    page: PageMeta,
    url_day: date | None,
    visible_day: date | None,
    country: str | None = None,
) -> tuple[datetime, date]:
    """The publication instant in the publisher's zone, and the publisher's calendar day.

    A written offset is the publisher's. A time written without one is local time: the day
    is as written, the instant is read in the zone of the page's language when it has one
    (a bare day stays midnight UTC).
    A UTC stamp ("...Z", or "+00:00" from a CMS that stores UTC) is moved into the offset the
    page's other dates carry, else takes the day the URL or the dateline shows when a real
    offset reaches it, else the day in the outlet's country (its region subtag or country-code
    ending) when all the country's zones agree on it, else the day in the zone of the page's language.
    """
    zone = _language_zone(page)
    country_zone = country_zones().get(country or "", ())
    if len(country_zone) == 1:
        zone = ZoneInfo(country_zone[0])
    if is_unzoned(published):
        # A bare day stays midnight UTC (a day, not an instant); a local time gets the zone.
        has_time = bool(published.hour or published.minute)
        local = published.replace(tzinfo=zone) if zone is not None and has_time else published
        return local, published.date()
    if published.utcoffset() != timedelta(0) or not (published.hour or published.minute):
        return published, published.date()
    offset = _page_offset(page)
    if offset is not None:
        local = published.astimezone(timezone(offset))
        return local, local.date()
    for day in (url_day, visible_day):
        if day is not None and _reachable(published, day):
            return published, day
    in_country = _country_day(published, country)
    if in_country is not None:
        return published, in_country
    if zone is not None:
        local = published.astimezone(zone)
        return local, local.date()
    return published, published.date()


def _aware(value: datetime | None) -> datetime | None:
    """Naive datetimes from sources are UTC by contract; make them comparable."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _same_day(first: datetime | None, second: datetime | None) -> bool:
    return first is not None and second is not None and first.date() == second.date()


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
    meta_published, meta_name, meta_modified = _meta_dates(page, tree, latest)
    in_url = url_date(hints.url, latest)
    label_published, label_modified = labelled_dates(tree, latest, day_first)
    # The visible dateline is a walk over the whole page; most pages are decided without it.
    visible = functools.cache(lambda: visible_dates(tree, latest, day_first))

    # What a reader sees as the article's date: a line labelled as the publication, else the
    # dateline under the headline.
    shown = label_published or dateline_after_headline(tree, latest, day_first)

    published: datetime | None = None
    source: str | None = None
    if jsonld_published is not None:
        published, source = jsonld_published, "jsonld"
    elif meta_published is not None and meta_name not in WEAK_META:
        published, source = meta_published, "meta"
    if published is not None and shown is not None and not _same_day(published, shown):
        # The metadata contradicts itself (JSON-LD and Open Graph name different days): the claim
        # the page shows its readers is the one the publisher stands by.
        for claim, label in _publication_claims(page, latest):
            if _same_day(claim, shown):
                published, source = claim, label
                break
    last_change = jsonld_modified or meta_modified or label_modified
    url_day = url_date(hints.url, latest, own_segment=True)
    if published is not None and shown is None and last_change is not None and source in ("jsonld", "meta"):
        # No dateline at the headline, only an update line: the day the page prints for the story.
        shown = update_line_after_headline(tree, latest, day_first)
    if (
        published is not None
        and source in ("jsonld", "meta")
        and shown is not None
        and last_change is not None
        and published.date() < shown.date() <= last_change.date() + timedelta(days=1)
        and not _same_day(url_day, published)
    ):
        # A re-issued story: the page shows its readers a later day than its first stamp, and the
        # page's own last change confirms that day. The day printed is the outlet's; the first
        # stamp's day is kept in `conflicts`. A URL that carries the first day outvotes the page.
        published, source = shown, "text"
    if published is None and label_published is not None:
        published, source = label_published, "text"
    if published is None and meta_published is not None:
        # A bare "date" meta is as often the last change as the publication; a dateline
        # shown under the headline says which day the publisher means, and so does an
        # earlier dateline elsewhere on the page (the meta is then the last change).
        earlier = visible()[0] if shown is None else None
        if earlier is not None and earlier.date() >= meta_published.date():
            earlier = None
        seen = shown or earlier
        published, source = (seen, "text") if seen is not None else (meta_published, "meta")
    # A URL date that is earlier than the metadata date is the original publication: the CMS
    # re-stamps "published" on republishing, the URL keeps the first day.
    segment_url = url_date(hints.url, latest, own_segment=True)
    if (
        published is not None
        and segment_url is not None
        and (published.date() - segment_url.date()) > timedelta(days=1)
    ):
        published, source = segment_url, "url"
    if published is None and in_url is not None:
        published, source = in_url, "url"
    hinted = _aware(hints.published_at)
    if published is None and hinted is not None and plausible(hinted, latest):
        published, source = hinted, hints.published_at_source or "feed"
    if published is None and (seen := shown or visible()[0]) is not None:
        # The dateline at the headline is the article's; the page's first dateline may be a teaser's.
        published, source = seen, "text"
    modified = jsonld_modified or meta_modified or label_modified or visible()[1]
    if published is None and modified is not None:
        # No publication date anywhere on the page, only its last change: the best evidence
        # there is of when the text appeared (documented choice; the label says where it came from).
        published, source = modified, _modified_source(jsonld_modified, meta_modified)
    if published is None:
        fallback = _htmldate_fallback(tree, hints.url, latest)
        if fallback is not None:
            published, source = fallback, "text"
    if modified is not None and published is not None and modified < published:
        modified = None
    if published is None:
        return DateFinding(modified_at=modified.astimezone(UTC) if modified else None)
    seen = shown or visible()[0]
    url_day, seen_day = in_url.date() if in_url else None, seen.date() if seen else None
    # URL days and htmldate's finds are bare days (stored as UTC midnight): no offset was written.
    tz = written_offset(published) if source not in ("url", "text") else None
    country = page_country(page, hints.url)
    published, published_on = _local_day(published, page, url_day, seen_day, country)
    claims = [(jsonld_published, "jsonld"), (meta_published, "meta"), (label_published, "text"),
              (shown, "text"), (segment_url, "url"), (hinted, hints.published_at_source or "feed")]
    claim_days = [
        (label, _local_day(claim, page, url_day, seen_day, country)[1])
        for claim, label in claims
        if claim is not None
    ]
    conflicts = sorted({f"{label}:{day.isoformat()}" for label, day in claim_days if day != published_on})
    return DateFinding(
        published.astimezone(UTC), source, modified.astimezone(UTC) if modified else None, published_on,
        tz, tuple(conflicts),
    )


def written_offset(value: datetime) -> str | None:
    """The UTC offset a date was written with, as '+HH:MM' ('+00:00' for 'Z'); None when it had none."""
    if value.tzinfo is None or is_unzoned(value):
        return None
    offset = value.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _modified_source(jsonld_modified: datetime | None, meta_modified: datetime | None) -> str:
    if jsonld_modified is not None:
        return "jsonld"
    return "meta" if meta_modified is not None else "text"
