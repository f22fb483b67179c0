"""One HTML page -> one `Article`: body, title, dates, publisher, authors, language, credits.

The page is parsed once with lxml; head metadata (`page_meta`), dates (`dates`),
publisher (`publisher`), authors (`authors`) and the body (`body`) all read the
same tree. Raises ValueError with a one-line reason when the markup cannot be
parsed at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from lxml import etree
from lxml import html as lxml_html
from trafilatura.utils import is_dubious_html, repair_faulty_html

from transforms.article import Article, Hints
from transforms.extraction.authors import clean_authors
from transforms.extraction.body import extract_body
from transforms.dates.parsing import EARLIEST_PLAUSIBLE
from transforms.dates.page_dates import find_dates
from transforms.language import detect_language
from transforms.extraction.page_meta import PageMeta, clean_text, jsonld_names, read_page_meta, tags_from
from transforms.publisher.names import (
    publisher_table,
    registered_domain,
    resolve_publisher,
    split_title,
    table_lookup,
)

_BYLINE_CLASS = re.compile(r"author|byline|autor|verfasser|writer|auteur|firma", re.I)
_FOREIGN = re.compile(
    r"related|teaser|sidebar|comment|kommentar|footer|recommend|widget|popular|"
    r"newsletter|more-|weitere|nav|menu|promo",
    re.I,
)
_CREDIT = re.compile(
    r"(?:©|\(c\)|copyright|foto|fotos|bild|photo|image|credit|quelle|source|grafik|picture)\s*[:©]?\s*"
    r"([^|\n]{2,120})$",
    re.I,
)
_US_STYLE = re.compile(r"^en[-_]us$", re.I)
# Elements marked as the author or byline, in document order. Selected through the attributes
# (`//@class[...]/..`): libxml2 then tests only elements that carry one, less than half the cost
# of testing every element.
_BYLINE_ELEMENTS = etree.XPath(
    '(//@rel[.="author"] | //@itemprop[.="author"]'
    ' | //@class[contains(., "author") or contains(., "byline") or contains(., "autor")])/..'
)


def _html_parser() -> lxml_html.HTMLParser:
    """trafilatura's parser settings, with each element's Python class chosen inside lxml.

    lxml.html calls a Python function for every element Python touches, to give <form>, <input>
    and <select> their form API; trafilatura's passes and our rules touch thousands of elements
    per page and none uses that API. Every element is a plain `HtmlElement` (same methods).
    """
    parser = lxml_html.HTMLParser(
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml_html.HtmlElement,
            comment=lxml_html.HtmlComment,
            pi=lxml_html.HtmlProcessingInstruction,
            entity=lxml_html.HtmlEntity,
        )
    )
    return parser


_PARSER = _html_parser()


def _parse_bytes(html: str) -> lxml_html.HtmlElement | None:
    try:
        return lxml_html.fromstring(html.encode("utf8", "surrogatepass"), parser=_PARSER)
    except Exception:  # noqa: BLE001 - as trafilatura's loader: an unparseable page is None
        return None


def parse_tree(html: str) -> lxml_html.HtmlElement:
    """HTML text -> lxml document tree; ValueError when nothing parseable is in it.

    The steps of trafilatura's loader (`trafilatura.utils.load_html`) with our parser: it repairs
    what libxml2 trips over (a doctype on the first line, XML-invalid characters, a self-closing
    <html/>), parsing without that loses whole pages; then the text, else its UTF-8 bytes.
    """
    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    tree: lxml_html.HtmlElement | None = None
    bytes_tried = False
    try:
        tree = lxml_html.fromstring(html, parser=_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree, bytes_tried = _parse_bytes(html), True
    except Exception:  # noqa: BLE001, S110 - the bytes get their try below
        pass
    if (tree is None or len(tree) < 1) and not bytes_tried:
        tree = _parse_bytes(html)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        # No "html" in the first characters and next to nothing parsed: not an HTML page.
        tree = None
    if tree is None:
        raise ValueError("HTML could not be parsed: no element tree in the document")
    return tree


def _title(
    page: PageMeta, tree: lxml_html.HtmlElement, hints: Hints, site_names: list[str], domain: str | None
) -> tuple[str, str | None]:
    """Best headline without the site suffix, and the site part found in <title>."""
    _, title_site = split_title(page.title, site_names, domain)
    candidates: list[str] = []
    for obj in page.article_objects()[:1]:
        headline = obj.get("headline") or obj.get("name")
        if isinstance(headline, str):
            candidates.append(clean_text(headline))
    og_title = page.first("og:title", "twitter:title")
    if og_title:
        candidates.append(og_title)
    h1 = tree.xpath("//article//h1 | //main//h1")
    h1 = h1 or tree.xpath("//h1")
    if h1:
        candidates.append(clean_text(h1[0].text_content()))
    if page.title:
        candidates.append(page.title)
    if hints.title:
        candidates.append(clean_text(hints.title))
    for candidate in candidates:
        if candidate and len(candidate) >= 3:
            headline, site = split_title(candidate, site_names, domain)
            if headline:
                return headline, title_site or site
    return "", title_site


def _authors(page: PageMeta, tree: lxml_html.HtmlElement, outlet: list[str]) -> tuple[list[str], str | None]:
    raw: list[str] = []
    for obj in page.article_objects()[:1]:
        raw.extend(jsonld_names(obj.get("author")) + jsonld_names(obj.get("creator")))
    for name in ("author", "article:author", "dc.creator", "sailthru.author", "parsely-author", "byl"):
        raw.extend(v for v in page.meta.get(name, []) if not v.startswith("http"))
    names, agency = clean_authors(raw, outlet)
    if names:
        return names, agency
    # No structured author: read the first byline element that is not in a teaser or sidebar.
    bylines: list[str] = []
    for element in _BYLINE_ELEMENTS(tree):
        if (
            _BYLINE_CLASS.search(
                f"{element.get('class') or ''} {element.get('rel') or ''} {element.get('itemprop') or ''}"
            )
            is None
        ):
            continue
        if any(
            _FOREIGN.search(f"{a.get('class') or ''} {a.get('id') or ''}") or a.tag in ("aside", "footer")
            for a in element.iterancestors()
        ):
            continue
        text = clean_text(element.text_content())
        if text and len(text) <= 120:
            bylines.append(text)
        if len(bylines) >= 2:
            break
    byline_names, byline_agency = clean_authors(bylines, outlet)
    return byline_names, agency or byline_agency


def _image_credit(page: PageMeta, tree: lxml_html.HtmlElement) -> str | None:
    for obj in page.article_objects()[:1]:
        image = obj.get("image")
        image = image[0] if isinstance(image, list) and image else image
        if isinstance(image, dict):
            for key in ("creditText", "copyrightHolder", "author", "creator"):
                names = jsonld_names(image.get(key))
                if names:
                    return names[0]
    for figure in tree.xpath("(//article//figure | //main//figure | //figure)[position() <= 3]"):
        for element in figure.iter():
            if not isinstance(element.tag, str):
                continue
            marker = f"{element.get('class') or ''} {element.get('itemprop') or ''}".lower()
            text = clean_text(element.text_content())
            if not text:
                continue
            if (
                any(word in marker for word in ("credit", "copyright", "source", "author", "quelle"))
                and len(text) <= 120
            ):
                return (
                    re.sub(
                        r"^(?:©|\(c\)|foto|bild|photo|credit|quelle|source)\s*[:©]?\s*", "", text, flags=re.I
                    ).strip()
                    or None
                )
            if element.tag == "figcaption":
                match = _CREDIT.search(text)
                if match:
                    return match.group(1).strip(" )]") or None
    return None


def _language(page: PageMeta, body: str, hints: Hints) -> str | None:
    detected = detect_language(body) if body else None
    if detected:
        return detected
    if hints.language:
        return hints.language
    declared = page.html_lang or page.first("og:locale", "content-language", "language")
    if declared:
        code = declared.replace("_", "-").split("-")[0].lower()
        if len(code) == 2 and code.isalpha():
            return code
    return None


def title_and_publisher(
    tree: lxml_html.HtmlElement, page: PageMeta, hints: Hints, publishers: Mapping[str, str] | None = None
) -> tuple[str, str | None, str | None, list[str]]:
    """A parsed page -> (headline, publisher, publisher_source, the site names seen for author cleaning)."""
    url = hints.url or page.canonical_url or ""
    table = publisher_table(publishers)
    domain = registered_domain(url) if url.startswith(("http://", "https://")) else None
    site_names = [n for n in (page.first("og:site_name"), hints.publisher) if n]
    table_name = table_lookup(url, table) if domain else None
    if table_name:
        site_names.append(table_name)
    title, title_site = _title(page, tree, hints, site_names, domain)
    # A saved page without its URL still names itself in its canonical link or og:url.
    site_url = url if domain else _own_url(page)
    publisher, publisher_source = resolve_publisher(
        page, site_url, table, hints.publisher, title_site, tree=tree, headline=title
    )
    return title, publisher, publisher_source, site_names


def parse_html(
    html: str,
    hints: Hints,
    publishers: Mapping[str, str] | None = None,
    fetched_at: datetime | None = None,
) -> Article:
    """HTML text and what the source knew (hints) -> an `Article`.

    publishers: extra domain -> name entries from config, merged over the shipped table.
    fetched_at: when the page was fetched (defaults to now); no date after it is believed.
    """
    tree = parse_tree(html)
    page = read_page_meta(tree)
    url = hints.url or page.canonical_url or ""
    title, publisher, publisher_source, site_names = title_and_publisher(tree, page, hints, publishers)

    locale = page.html_lang or page.first("og:locale") or ""
    found = find_dates(
        tree,
        page,
        hints,
        fetched_at=fetched_at,
        day_first=not _US_STYLE.match(locale),
    )
    published_at, published_source = found.published_at, found.published_source
    if published_at is None:
        published_at, published_source = _http_date(hints, fetched_at)

    authors, agency = _authors(page, tree, [*site_names, publisher or ""])
    body = extract_body(tree, url or None)
    # The headline is the title field; repeated as the body's first block it only duplicates it.
    if body.paragraphs and title and _same_text(body.paragraphs[0], title):
        body.removed.insert(0, body.paragraphs.pop(0))
    body_text = "\n\n".join(body.paragraphs)
    return Article(
        title=title,
        body=body_text,
        publisher=publisher,
        publisher_source=publisher_source,
        published_at=published_at,
        published_at_source=published_source if published_at else None,
        published_on=found.published_on
        if found.published_at
        else (published_at.date() if published_at else None),
        published_tz=found.published_tz if found.published_at else ("+00:00" if published_at else None),
        date_conflicts=list(found.conflicts),
        modified_at=found.modified_at,
        authors=authors,
        agency=agency,
        language=_language(page, body_text, hints),
        canonical_url=page.canonical_url,
        image_credit=_image_credit(page, tree),
        tags=tags_from(page),
    )


def _own_url(page: PageMeta) -> str:
    """The page's own web address from its canonical link or og:url, else ''."""
    for candidate in (page.canonical_url, page.first("og:url")):
        if candidate and candidate.startswith(("http://", "https://")):
            return candidate
    return ""


def _same_text(first: str, second: str) -> bool:
    return re.sub(r"\W+", "", first).lower() == re.sub(r"\W+", "", second).lower()


def _http_date(hints: Hints, fetched_at: datetime | None) -> tuple[datetime | None, str | None]:
    """Last-Modified as a last resort, only when clearly older than the fetch.

    Dynamic pages send the render time as Last-Modified, which says nothing about the
    article; a value at least a day before the fetch is a real file date (static pages).
    Without a known fetch time it cannot be told apart from the crawl time, so it is not used.
    """
    fetched = fetched_at
    modified = hints.http_last_modified
    if modified is None or fetched is None:
        return None, None
    if modified.tzinfo is None:
        modified = modified.replace(tzinfo=UTC)
    if (fetched - modified).total_seconds() >= 86400 and modified >= EARLIEST_PLAUSIBLE:
        return modified, "http"
    return None, None
