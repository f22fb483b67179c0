"""Dates a reader sees on the page: datelines under the headline, <time> elements, labelled lines.

`visible_dates` reads the article's own dateline (publication and "updated" lines) and
`labelled_dates` the first date the page labels as published ("Veröffentlicht am",
"Erschienen:", "Published:", "Mise en ligne") or as last changed ("Zuletzt geändert",
"Letzte Änderung", "last modified"). Dates inside sidebars, teaser lists, comments and
footers belong to other stories or to the site and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache

from lxml import html as lxml_html

from transforms.extraction.body import elements_after
from transforms.dates.parsing import (
    find_text_dates,
    parse_machine_date,
    parse_short_year_dateline,
    plausible,
)
from transforms.dates.words import MODIFIED_WORDS, PUBLISHED_WORDS, alternation
from transforms.folding import casefree

# Containers whose dates belong to other stories, comments or the site.
# Each word must start a class-name part ("nav-main", "site_nav"): inside a word it means something
# else ("subnav_true" wraps the whole page, "head-" is no "ad-", "prevent" no "event").
_FOREIGN_CONTAINER = re.compile(
    r"(?<![a-z])(?:related|teaser|sidebar|aside|comment|kommentar|footer|recommend|empfehl|newsletter|"
    r"widget|popular|latest|more-|weitere|also|tag-?cloud|archive|archiv|calendar|kalender|event|"
    r"breadcrumb|nav|menu|cookie|consent|copyright|promo|ad-|advert|anzeige|social|share|"
    r"slider|carousel|trending|meistgelesen|mostread|most-read|rail|card)",
    re.I,
)
FOREIGN_TAGS = {"aside", "footer", "nav", "form", "select", "option", "button"}
# Narrower: containers that list other stories or comments, pruned before htmldate's scan.
OTHER_STORIES = re.compile(
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
_UPDATED_WORDS = re.compile(alternation(MODIFIED_WORDS), re.I)
# An element that starts by naming its date ("Datum:", "Published") is not an update line.
_PUBLISHED_WORDS = re.compile(r"(?<!\w)" + alternation((*PUBLISHED_WORDS, "datum", "date")), re.I)
_COPYRIGHT = re.compile(r"©|\(c\)|copyright", re.I)
# How far after the headline a plain-text date may sit and still be the article's own.
_NEAR_HEADLINE_CHARS = 600
# How many elements after the headline a bare date element may sit.
_FOLLOWING_ELEMENTS = 60
# A heading shorter than this ("News", "Home") is not matched against the page title.
_MIN_HEADLINE_CHARS = 12
# How many siblings before the headline may carry its dateline.
_PRECEDING_SIBLINGS = 4


def class_id(element: lxml_html.HtmlElement) -> str:
    """An element's class, id and itemprop in one string, for container-name tests."""
    return f"{element.get('class') or ''} {element.get('id') or ''} {element.get('itemprop') or ''}"


@lru_cache(maxsize=16384)
def _other_stories_name(names: str) -> bool:
    """`OTHER_STORIES` on a `class_id` string; pages repeat a few class names thousands of times."""
    return OTHER_STORIES.search(names) is not None


@lru_cache(maxsize=16384)
def _date_container_name(names: str) -> bool:
    """`_DATE_CONTAINER` on a `class_id` string: the dateline scans ask it of every element."""
    return _DATE_CONTAINER.search(names) is not None


def _in_foreign_container(element: lxml_html.HtmlElement, stop: int = 8) -> bool:
    node: lxml_html.HtmlElement | None = element
    depth = 0
    while node is not None and depth < stop:
        tag = node.tag if isinstance(node.tag, str) else ""
        names = class_id(node)
        # <aside class="meta"> next to the text holds the article's own byline and date.
        own_meta = tag == "aside" and _DATE_CONTAINER.search(names) and not _FOREIGN_CONTAINER.search(names)
        if tag in FOREIGN_TAGS and not own_meta:
            return True
        if tag in ("article", "main", "body"):
            return False
        if _FOREIGN_CONTAINER.search(names):
            return True
        node = node.getparent()
        depth += 1
    return False


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def headline_element(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The article's headline element, or None.

    The <h1>/<h2> (or a lower heading marked itemprop=headline) whose text is the page's
    og:title or sits in its <title> (sites give the site name the <h1> and the story an <h2>);
    else the first <h1> with text, preferring one inside <article> or <main>.
    """
    titles = [_fold(v) for v in tree.xpath('//meta[@property="og:title"]/@content | //title/text()')]
    titles = [t for t in titles if len(t) >= _MIN_HEADLINE_CHARS]
    if titles:
        headings = [
            (h, _fold(h.text_content()))
            for h in tree.xpath('//h1 | //h2 | //h3[@itemprop="headline"] | //h4[@itemprop="headline"]')
            if len(h.text_content().strip()) >= _MIN_HEADLINE_CHARS
        ]
        for matches in (
            lambda text: text == titles[0],
            lambda text: any(text in title for title in titles),
        ):
            for heading, text in headings:
                if matches(text):
                    return heading
    for xpath in ("//article//h1", "//main//h1", "//h1"):
        found = [h for h in tree.xpath(xpath) if h.text_content().strip()]
        if found:
            return found[0]
    return None


_DATELINE_TAGS = ("time", "span", "div", "p", "small", "li", "abbr", "dd", "header", "address")


def _element_date(
    element: lxml_html.HtmlElement, latest: datetime, day_first: bool
) -> tuple[bool, datetime] | None:
    """(is_update, date) for a <time> or dateline-like element of the article itself, else None."""
    tag = element.tag
    if tag == "time":
        value = element.get("datetime") or ""
        text = " ".join(element.text_content().split())
        found = plausible(parse_machine_date(value), latest) if value else None
        if found is None and text:
            dates = find_text_dates(text, day_first)
            found = plausible(dates[0][1], latest) if dates else None
    else:
        if not isinstance(tag, str) or not _date_container_name(class_id(element)):
            return None
        text = " ".join(element.text_content().split())
        if not text or len(text) > 200:
            return None
        dates = find_text_dates(text, day_first)
        found = plausible(dates[0][1], latest) if dates else None
    if found is None or _COPYRIGHT.search(text) or _in_foreign_container(element):
        return None
    context = text + " " + class_id(element)
    parent = element.getparent()
    if parent is not None:
        context += " " + " ".join((parent.text or "").split())[:60]
    is_update = bool(_UPDATED_WORDS.search(context)) and not _PUBLISHED_WORDS.search(text[:25])
    return is_update, found


def dateline_after_headline(
    tree: lxml_html.HtmlElement, latest: datetime, day_first: bool
) -> datetime | None:
    """The first publication date in a <time> or dateline element after the headline, else None.

    Stricter than `visible_dates`: a date above the headline is as often the site's "today"
    or a navigation entry as the article's own.
    """
    headline = headline_element(tree)
    if headline is None:
        return None
    for is_update, day in _dates_after(headline, latest, day_first):
        if not is_update:
            return day
    return _dateline_above_headline(headline, latest, day_first) or _date_element_after_headline(
        tree, latest, day_first
    )


def update_line_after_headline(
    tree: lxml_html.HtmlElement, latest: datetime, day_first: bool
) -> datetime | None:
    """The date of an update line ("Aktualisiert: 11.04.2020") in a <time> or dateline element
    right after the headline, before any publication dateline; else None."""
    headline = headline_element(tree)
    if headline is None:
        return None
    for is_update, day in _dates_after(headline, latest, day_first):
        return day if is_update else None
    return None


def _dates_after(
    headline: lxml_html.HtmlElement, latest: datetime, day_first: bool
) -> Iterator[tuple[bool, datetime]]:
    """(is_update, date) of each <time> or dateline element within a few elements after the headline."""
    for checked, element in enumerate(_following(headline)):
        if checked > _FOLLOWING_ELEMENTS:
            break
        if element.tag not in _DATELINE_TAGS:
            continue
        read = _element_date(element, latest, day_first)
        if read is not None:
            yield read


def _dateline_above_headline(
    headline: lxml_html.HtmlElement, latest: datetime, day_first: bool
) -> datetime | None:
    """A dateline element just above the headline in the same header block (date, then <h1>)."""
    child = headline
    for _ in range(2):
        for sibling in list(child.itersiblings(preceding=True))[:_PRECEDING_SIBLINGS]:
            if not isinstance(sibling.tag, str):
                continue
            for element in sibling.iter(*_DATELINE_TAGS):
                read = _element_date(element, latest, day_first)
                if read is not None and not read[0]:
                    return read[1]
        parent = child.getparent()
        # Climb once more only out of a wrapper that holds little besides the headline.
        if parent is None or parent.tag in ("body", "article", "main") or len(parent) > 3:
            break
        child = parent
    return None


def visible_dates(
    tree: lxml_html.HtmlElement, latest: datetime, day_first: bool
) -> tuple[datetime | None, datetime | None]:
    """A parsed page -> (published, modified) from its visible dateline, either may be None.

    Reads <time> elements and dateline-like elements outside sidebars, teasers and footers in
    document order; lines saying "updated" go to modified. Without any, a date written just
    after the headline counts as published.
    """
    published = modified = None
    candidates: list[tuple[bool, datetime]] = []  # (is_update, date) in document order
    for element in tree.iter(*_DATELINE_TAGS):
        read = _element_date(element, latest, day_first)
        if read is not None:
            candidates.append(read)
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
            child.tag in FOREIGN_TAGS or OTHER_STORIES.search(class_id(child))
        ):
            parts.append(child.tail or "")
            continue
        if isinstance(child.tag, str):
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return " ".join(parts)


def _date_near_headline(tree: lxml_html.HtmlElement, latest: datetime, day_first: bool) -> datetime | None:
    """A date written in plain text just before or after the headline (a dateline without markup)."""
    headline = headline_element(tree)
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
    headline = headline_element(tree)
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
        short = parse_short_year_dateline(own, day_first) if not dates else None
        if not (dates or short) or _COPYRIGHT.search(own) or _UPDATED_WORDS.search(own):
            continue
        if _in_foreign_container(element):
            continue
        found = plausible(dates[0][1] if dates else short, latest)
        if found:
            return found
    return None


def _following(element: lxml_html.HtmlElement) -> Iterator[lxml_html.HtmlElement]:
    """Elements after `element` in document order (its descendants, then what follows it)."""
    yield from element.iterdescendants()
    yield from elements_after(element)


# Words that label the date right after them as the publication ("Veröffentlicht am: 3. März 2021",
# "Published: Nov 2, 2023", "Mise en ligne le ...") or as the last change.
_PUBLISHED_WORDS_ALT = alternation(PUBLISHED_WORDS)
_PUBLISHED_LABEL = re.compile(
    r"(?<!\w)" + _PUBLISHED_WORDS_ALT + r"(?:\s+(?:am|on|le|el|il|op|den|at))?\s*:?\s*(?:\w{2,10}\.?,?\s+)?$",
    re.I,
)
_MODIFIED_WORDS_ALT = (
    r"(?:zuletzt\s+(?:geändert|aktualisiert|bearbeitet)|letzte\s+änderung|last\s+(?:modified|edited|"
    r"updated)|dernière\s+mise\s+à\s+jour|última\s+actualización|ultimo\s+aggiornamento)"
)
_MODIFIED_SENTENCE_ALT = r"(?:wurde\s+zuletzt\s+am|was\s+last\s+modified\s+on)"
_MODIFIED_LABEL = re.compile(
    r"(?<!\w)" + _MODIFIED_WORDS_ALT + r"(?:\s+(?:am|on|le|el|il))?\s*:?\s*(?:\w{2,10}\.?,?\s+)?$|"
    r"(?<!\w)" + _MODIFIED_SENTENCE_ALT + r"\s*$",
    re.I,
)
_SKIPPED_TAGS = {"script", "style", "noscript", "template", "select", "option", "button", "form"}
# Characters before a date searched for its label.
_LABEL_REACH = 40


def _reader_text(element: lxml_html.HtmlElement, parts: list[str], keep_footers: bool) -> None:
    """Collect the text a reader sees, leaving out teaser lists and comments (and footers unless kept)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag or tag in _SKIPPED_TAGS:
        parts.append(element.tail or "")
        return
    footer_like = tag in ("aside", "nav") or (tag == "footer" and not keep_footers)
    if footer_like or _other_stories_name(class_id(element)):
        # A break, so a label before the skipped block never reaches a date after it.
        parts.append(" | " + (element.tail or ""))
        return
    parts.append(element.text or "")
    for child in element:
        _reader_text(child, parts, keep_footers)
    parts.append(" " + (element.tail or ""))


def _reader_texts(
    element: lxml_html.HtmlElement, without_footers: list[str], with_footers: list[str]
) -> None:
    """`_reader_text` for both footer settings in one walk: footers only go to `with_footers`."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag or tag in _SKIPPED_TAGS:
        without_footers.append(element.tail or "")
        with_footers.append(element.tail or "")
        return
    if tag in ("aside", "nav") or _other_stories_name(class_id(element)):
        without_footers.append(" | " + (element.tail or ""))
        with_footers.append(" | " + (element.tail or ""))
        return
    if tag == "footer":
        without_footers.append(" | " + (element.tail or ""))
        _reader_text(element, with_footers, keep_footers=True)
        return
    without_footers.append(element.text or "")
    with_footers.append(element.text or "")
    for child in element:
        _reader_texts(child, without_footers, with_footers)
    without_footers.append(" " + (element.tail or ""))
    with_footers.append(" " + (element.tail or ""))


# The words every label above starts with: a page without any has no labelled date, and the
# (costly) scan of its whole text for dates can be skipped. No word-start test here: a label
# search sees a 40-character window, which may start inside a word. Searched in `casefree` text
# (what IGNORECASE compares): the same hits at a tenth of the cost on a whole page's text.
_PUBLISHED_WORD = re.compile(casefree(_PUBLISHED_WORDS_ALT))
_MODIFIED_WORD = re.compile(casefree(_MODIFIED_WORDS_ALT + "|" + _MODIFIED_SENTENCE_ALT))


def labelled_dates(
    tree: lxml_html.HtmlElement, latest: datetime, day_first: bool
) -> tuple[datetime | None, datetime | None]:
    """A parsed page -> (published, modified): the first date the page's text labels as its
    publication, and the first it labels as its last change; either may be None.

    Labels are read in the language-neutral way pages write them: a label word, an optional
    preposition and weekday, then the date. Sidebars, teaser lists and comments are skipped;
    footers only for the publication label (wikis state "last modified" in the footer).
    """
    body = tree.find("body")
    if body is None:
        return None, None
    without_footers: list[str] = []
    with_footers: list[str] = []
    _reader_texts(body, without_footers, with_footers)
    dates_in: dict[str, list[tuple[int, datetime]]] = {}
    found: list[datetime | None] = []
    for parts, word, label in (
        (without_footers, _PUBLISHED_WORD, _PUBLISHED_LABEL),
        (with_footers, _MODIFIED_WORD, _MODIFIED_LABEL),
    ):
        text = " ".join("".join(parts).split())
        value = None
        if word.search(casefree(text)):
            if text not in dates_in:  # the two texts are the same when the page has no footer
                dates_in[text] = find_text_dates(text, day_first)
            for offset, candidate in dates_in[text]:
                if label.search(text[max(0, offset - _LABEL_REACH) : offset]):
                    value = plausible(candidate, latest)
                    if value is not None:
                        break
        found.append(value)
    return found[0], found[1]
