import re
from datetime import UTC, date, datetime, timedelta

import pytest

from transforms.dates import parsing as date_parsing

from transforms.dates import page_dates as dates
from transforms.article import Hints
from transforms.dates.parsing import find_text_dates, is_unzoned, parse_machine_date
from transforms.dates.datelines import labelled_dates
from transforms.dates.page_dates import find_dates, url_date
from transforms.extraction.html_article import parse_tree
from transforms.extraction.page_meta import read_page_meta

FETCHED = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def _find(html: str, url: str = "https://example.org/news/story", **hints: object):
    tree = parse_tree(html)
    return find_dates(tree, read_page_meta(tree), Hints(url=url, **hints), fetched_at=FETCHED)  # type: ignore[arg-type]


def _page(head: str = "", body: str = "") -> str:
    text = "Text des Artikels. " * 30
    return f"<html><head><title>T</title>{head}</head><body>{body}<p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2019-10-17", datetime(2019, 10, 17, tzinfo=UTC), id="iso-date"),
        pytest.param("2019-10-17T10:30:00+02:00", datetime(2019, 10, 17, 8, 30, tzinfo=UTC), id="iso-offset"),
        pytest.param("2019-10-17T10:30:00Z", datetime(2019, 10, 17, 10, 30, tzinfo=UTC), id="iso-z"),
        pytest.param(
            "Thu, 17 Oct 2019 10:30:00 +0200", datetime(2019, 10, 17, 8, 30, tzinfo=UTC), id="rfc2822"
        ),
        pytest.param("17.10.2019", datetime(2019, 10, 17, tzinfo=UTC), id="german-numeric"),
        pytest.param(
            "17. Oktober 2019, 10:30 Uhr", datetime(2019, 10, 17, 10, 30, tzinfo=UTC), id="german-words"
        ),
        pytest.param("17 octobre 2019", datetime(2019, 10, 17, tzinfo=UTC), id="french"),
        pytest.param("17 de octubre de 2019", datetime(2019, 10, 17, tzinfo=UTC), id="spanish"),
        pytest.param("October 17, 2019", datetime(2019, 10, 17, tzinfo=UTC), id="english-mdy"),
        pytest.param("1571308200", datetime(2019, 10, 17, 10, 30, tzinfo=UTC), id="epoch"),
        pytest.param("2019", None, id="year-only-is-not-a-day"),
        pytest.param("Oktober 2019", None, id="month-only-is-not-a-day"),
        pytest.param("31.02.2019", None, id="impossible-day"),
        pytest.param("", None, id="empty"),
    ],
)
def test_parse_machine_date(value: str, expected: datetime | None) -> None:
    parsed = parse_machine_date(value)
    assert (parsed.astimezone(UTC) if parsed else None) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Mar 3, 2020 and March 4, 2020, marzo 5 2020, Mär 6 2020",
        "3. März 2021; 4 mars 2021; 5 de marzo de 2021; 6th march 2021",
        "SEPT. 9, 2019 — SEP 10 2019 — September 11th, 2019 — sept 12 2019",
        "Published May 1, 2023 5:30 p.m. ET | Updated Jan. 2nd 2024 at 10:15",
        "jun 1 2020 june 2 2020 juni 3 2020 junio 4 2020 czerwca 5 2020 června 6 2020",
        "31 października 2019, 1 listopada 2019, 2. prosince 2019, 17 dezembro 2019",
        "Marchand 3 2020; mayo 3 2020; dec 4, 2020december 5 2020",
    ],
)
def test_month_trie_matches_like_a_flat_alternation(text: str) -> None:
    """The prefix-tree month pattern finds exactly what the longest-first word list finds."""
    flat = "|".join(sorted((re.escape(w) for w in date_parsing.MONTHS), key=len, reverse=True))
    for pattern in (date_parsing._TEXT_DMY, date_parsing._TEXT_MDY):
        reference = re.compile(pattern.pattern.replace(date_parsing._MONTH_ALT, flat), pattern.flags)
        for sample in (text, text.upper(), text.title()):
            expected = [(m.span(), m.groupdict()) for m in reference.finditer(sample)]
            assert [(m.span(), m.groupdict()) for m in pattern.finditer(sample)] == expected
    assert find_text_dates(text)


def test_find_text_dates_reads_several_languages_in_order() -> None:
    found = find_text_dates("Veröffentlicht am 3. März 2021; aktualisiert 04.03.2021 um 10:15")
    assert [value.date() for _, value in found] == [date(2021, 3, 3), date(2021, 3, 4)]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://x.org/2019/10/17/story/", date(2019, 10, 17), id="slashes"),
        pytest.param("https://x.org/news/2019-10-17-story", date(2019, 10, 17), id="dashes"),
        pytest.param("https://x.org/20191017/story", date(2019, 10, 17), id="compact"),
        pytest.param("https://x.org/2019/10/story", None, id="month-only"),
        pytest.param("https://x.org/id/2019101712345", None, id="long-number"),
        pytest.param("https://2019-10-17.x.org/story", None, id="date-in-host-ignored"),
    ],
)
def test_url_date(url: str, expected: date | None) -> None:
    found = url_date(url, FETCHED)
    assert (found.date() if found else None) == expected


@pytest.mark.parametrize(
    ("html", "url", "expected_day", "expected_source"),
    [
        pytest.param(
            _page(
                '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": '
                '"2021-05-04T08:00:00+02:00", "dateModified": "2021-05-06T09:00:00+02:00"}</script>'
                '<meta property="article:published_time" content="2021-05-05T08:00:00+02:00">'
            ),
            "https://x.org/a",
            date(2021, 5, 4),
            "jsonld",
            id="jsonld-beats-meta",
        ),
        pytest.param(
            _page('<meta property="article:published_time" content="2021-05-05T08:00:00+02:00">'),
            "https://x.org/a",
            date(2021, 5, 5),
            "meta",
            id="meta",
        ),
        pytest.param(
            _page(body='<time itemprop="datePublished" datetime="2021-05-07">7. Mai</time>'),
            "https://x.org/a",
            date(2021, 5, 7),
            "meta",
            id="microdata",
        ),
        pytest.param(_page(), "https://x.org/2021/05/08/a", date(2021, 5, 8), "url", id="url"),
        pytest.param(
            _page(body='<h1>Titel</h1><div class="article-date">Veröffentlicht am 9. Mai 2021</div>'),
            "https://x.org/a",
            date(2021, 5, 9),
            "text",
            id="visible-dateline",
        ),
        pytest.param(
            _page(body='<h1>Titel</h1><p class="meta">Von Anna Muster | 10.05.2021</p>'),
            "https://x.org/a",
            date(2021, 5, 10),
            "text",
            id="byline-with-date",
        ),
    ],
)
def test_find_dates_provenance(html: str, url: str, expected_day: date, expected_source: str) -> None:
    found = _find(html, url)
    assert found.published_on == expected_day
    assert found.published_source == expected_source
    assert found.published_at is not None and found.published_at.tzinfo is not None
    assert found.published_at.utcoffset() == timedelta(0)


def test_modified_goes_to_modified_at_not_published() -> None:
    html = _page(
        '<meta property="article:published_time" content="2021-05-04T08:00:00Z">'
        '<meta property="article:modified_time" content="2021-06-01T08:00:00Z">'
    )
    found = _find(html)
    assert found.published_at == datetime(2021, 5, 4, 8, tzinfo=UTC)
    assert found.modified_at == datetime(2021, 6, 1, 8, tzinfo=UTC)


def test_visible_update_line_is_not_the_publication_date() -> None:
    found = _find(
        _page(
            body='<h1>T</h1><div class="date">Aktualisiert am 12.06.2021</div>'
            '<div class="date">Veröffentlicht am 10.06.2021</div>'
        )
    )
    assert found.published_on == date(2021, 6, 10)
    assert found.modified_at is not None and found.modified_at.date() == date(2021, 6, 12)


def test_time_of_day_is_kept_in_utc() -> None:
    found = _find(_page('<meta property="article:published_time" content="2021-05-04T23:30:00+02:00">'))
    assert found.published_at == datetime(2021, 5, 4, 21, 30, tzinfo=UTC)
    assert found.published_on == date(2021, 5, 4)  # the publisher's calendar day


def test_utc_stamp_takes_the_local_day_from_the_url() -> None:
    # 03:10 UTC on the 9th is the evening of the 8th in the US, as the URL says.
    found = _find(
        _page('<meta property="article:published_time" content="2023-11-09T03:10:00Z">'),
        "https://x.com/2023/11/08/story/",
    )
    assert found.published_on == date(2023, 11, 8)
    assert found.published_at == datetime(2023, 11, 9, 3, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "html",
    [
        pytest.param(_page(body="<footer>© 2019 Beispiel Verlag GmbH</footer>"), id="copyright-year-only"),
        pytest.param(
            _page(body="<h1>Titel</h1><footer><p class='date'>© 12.03.2019 Verlag</p></footer>"),
            id="copyright-line-in-footer",
        ),
        pytest.param(
            _page(
                body='<h1>Titel</h1><aside class="related"><ul><li><span class="date">01.02.2020'
                "</span> Anderer Artikel</li></ul></aside>"
            ),
            id="related-story-in-sidebar",
        ),
        pytest.param(
            _page(
                body='<h1>Titel</h1><div class="teaser-list"><time datetime="2020-02-01">1. Feb</time></div>'
            ),
            id="teaser-time-element",
        ),
        pytest.param(
            _page('<meta property="article:published_time" content="2030-01-01T00:00:00Z">'), id="future-date"
        ),
        pytest.param(
            _page('<meta property="article:published_time" content="1970-01-01T00:00:00Z">'), id="epoch-zero"
        ),
    ],
)
def test_never_invents_a_date(html: str) -> None:
    found = _find(html)
    assert found.published_at is None
    assert found.published_source is None


def test_feed_hint_used_only_when_page_has_nothing() -> None:
    hint = datetime(2021, 1, 2, 3, 4, tzinfo=UTC)
    empty = _find(_page(), published_at=hint, published_at_source="sitemap")
    assert (empty.published_at, empty.published_source) == (hint, "sitemap")
    with_meta = _find(
        _page('<meta property="article:published_time" content="2021-01-01T10:00:00Z">'),
        published_at=hint,
        published_at_source="feed",
    )
    assert with_meta.published_source == "meta"


def test_naive_hint_is_treated_as_utc() -> None:
    found = _find(_page(), published_at=datetime(2021, 1, 2, 3, 4), published_at_source="feed")
    assert found.published_at == datetime(2021, 1, 2, 3, 4, tzinfo=UTC)


def test_republished_page_keeps_the_url_day() -> None:
    # CMS re-stamped "published" a year later; the URL keeps the first publication day.
    found = _find(
        _page('<meta property="article:published_time" content="2022-03-01T10:00:00+01:00">'),
        "https://x.org/2021/02/03/story",
    )
    assert found.published_on == date(2021, 2, 3)
    assert found.published_source == "url"


def test_offset_kept_for_local_day() -> None:
    found = _find(_page('<meta name="date" content="Sat, 19 Oct 2019 00:04:00 +0200">'))
    assert found.published_on == date(2019, 10, 19)
    assert found.published_at == datetime(2019, 10, 18, 22, 4, tzinfo=UTC)


def _lang_page(head: str = "", body: str = "", lang: str = "de") -> str:
    text = "Text des Artikels. " * 30
    return f'<html lang="{lang}"><head><title>T</title>{head}</head><body>{body}<p>{text}</p></body></html>'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("20231102", date(2023, 11, 2), id="compact-yyyymmdd"),
        pytest.param("20231345", None, id="compact-impossible"),
    ],
)
def test_parse_machine_date_compact(value: str, expected: date | None) -> None:
    parsed = parse_machine_date(value)
    assert (parsed.date() if parsed else None) == expected


def test_value_without_offset_is_unzoned_and_compares_as_utc() -> None:
    parsed = parse_machine_date("2021-05-04T23:30:00")
    assert parsed is not None and is_unzoned(parsed)
    assert parsed == datetime(2021, 5, 4, 23, 30, tzinfo=UTC)
    zoned = parse_machine_date("2021-05-04T23:30:00Z")
    assert zoned is not None and not is_unzoned(zoned)


@pytest.mark.parametrize(
    ("url", "own_segment", "expected"),
    [
        pytest.param("https://x.org/2023/10/3-fragen-an-tina/", False, date(2023, 10, 3), id="loose"),
        pytest.param("https://x.org/2023/10/3-fragen-an-tina/", True, None, id="title-digit-is-no-day"),
        pytest.param("https://x.org/2023/10/03/fragen/", True, date(2023, 10, 3), id="own-segment"),
        pytest.param("https://x.org/news/2023-10-03", True, date(2023, 10, 3), id="own-segment-at-end"),
    ],
)
def test_url_date_own_segment(url: str, own_segment: bool, expected: date | None) -> None:
    found = url_date(url, FETCHED, own_segment=own_segment)
    assert (found.date() if found else None) == expected


@pytest.mark.parametrize(
    ("body", "published", "modified"),
    [
        pytest.param(
            "<p>Erschienen am: 13.10.2021 Herausgeber: Pressestelle</p>"
            "<p>Zuletzt geändert am: 15.10.2021</p>",
            date(2021, 10, 13),
            date(2021, 10, 15),
            id="german-labels",
        ),
        pytest.param(
            "<p>Published: November 2, 2023 6.55pm SAST</p>", date(2023, 11, 2), None, id="english-published"
        ),
        pytest.param("<p>Mise en ligne le 23 mai 2019</p>", date(2019, 5, 23), None, id="french-published"),
        pytest.param(
            "<p>Veröffentlicht am Montag, 3. März 2021</p>", date(2021, 3, 3), None, id="label-weekday-date"
        ),
        pytest.param(
            "<p>Update vom 03. Mai 2020, 16:05 Uhr</p><p>Stand: 5.11.2021</p>",
            None,
            None,
            id="update-is-not-published",
        ),
        pytest.param(
            '<div class="related"><p>Veröffentlicht am 01.02.2020</p></div>',
            None,
            None,
            id="teaser-list-skipped",
        ),
        pytest.param(
            "<footer>Diese Seite wurde zuletzt am 29. Januar 2020 um 13:22 Uhr geändert.</footer>",
            None,
            date(2020, 1, 29),
            id="wiki-footer-last-change",
        ),
        pytest.param(
            "<footer>Veröffentlicht am 01.02.2020 · Zuletzt geändert: 03.02.2020</footer>",
            None,
            date(2020, 2, 3),
            id="footer-publication-label-skipped",
        ),
        pytest.param(
            "<p>Published: 4 May 2021</p><footer>Published: 1 January 2019</footer>",
            date(2021, 5, 4),
            None,
            id="body-label-with-footer",
        ),
        pytest.param("<p>Am 3. März 2021 sprach der Minister.</p>", None, None, id="no-label-word"),
        pytest.param(
            "<p>Zuletzt aktualisiert am 7. Juni 2022</p><p>Erschienen am 6. Juni 2022</p>",
            date(2022, 6, 6),
            date(2022, 6, 7),
            id="both-labels-no-footer",
        ),
    ],
)
def test_labelled_dates(body: str, published: date | None, modified: date | None) -> None:
    found_published, found_modified = labelled_dates(parse_tree(_page(body=body)), FETCHED, True)
    assert (found_published.date() if found_published else None) == published
    assert (found_modified.date() if found_modified else None) == modified


@pytest.mark.parametrize(
    ("html", "url", "expected_day", "expected_source"),
    [
        pytest.param(
            _page('<meta name="date" content="2021-10-15">', "<p>Erschienen am: 13.10.2021</p>"),
            "https://x.org/a",
            date(2021, 10, 13),
            "text",
            id="labelled-publication-beats-bare-date-meta",
        ),
        pytest.param(
            _page(
                '<meta name="date" content="2020-02-12">', '<h1>Titel</h1><div class="date">05.02.2020</div>'
            ),
            "https://x.org/a",
            date(2020, 2, 5),
            "text",
            id="dateline-beats-bare-date-meta",
        ),
        pytest.param(
            _page('<meta name="date" content="2020-02-12">', "<h1>Titel</h1>"),
            "https://x.org/a",
            date(2020, 2, 12),
            "meta",
            id="bare-date-meta-without-dateline",
        ),
        pytest.param(
            _page(
                '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": '
                '"2023-11-03T10:25:56+00:00"}</script>'
                '<meta property="article:published_time" content="2023-11-06T14:25:00+00:00">',
                '<h1>Titel</h1><time class="entry-date" datetime="2023-11-06T15:25:00+01:00">'
                "6. November</time>",
            ),
            "https://x.org/a",
            date(2023, 11, 6),
            "meta",
            id="contradicting-metadata-the-shown-claim-wins",
        ),
        pytest.param(
            _page(
                '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": '
                '"2021-05-04T08:00:00+02:00"}</script>',
                '<h1>Titel</h1><div class="date">9. Mai 2021</div>',
            ),
            "https://x.org/a",
            date(2021, 5, 4),
            "jsonld",
            id="metadata-beats-a-dateline-no-claim-matches",
        ),
        pytest.param(
            _page(
                '<meta property="og:title" content="Die eigentliche Geschichte des Tages">'
                '<meta name="date" content="2020-02-12">',
                "<h1>Verbandsname e.V.</h1><h2>Die eigentliche Geschichte des Tages</h2>"
                '<div class="date">05.02.2020</div>',
            ),
            "https://x.org/a",
            date(2020, 2, 5),
            "text",
            id="headline-is-the-heading-matching-og-title",
        ),
        pytest.param(
            _page(body='<span property="schema:dateCreated" content="2022-01-28T12:45:46+00:00"></span>'),
            "https://x.org/a",
            date(2022, 1, 28),
            "meta",
            id="rdfa-date-created",
        ),
        pytest.param(
            _page('<meta property="article:published_time" content="2023-10-31T08:47:16+00:00">'),
            "https://x.org/2023/10/3-fragen-an-tina/",
            date(2023, 10, 31),
            "meta",
            id="digit-in-url-title-does-not-override-metadata",
        ),
        pytest.param(
            _page('<meta property="article:modified_time" content="2022-01-14T09:25:00+01:00">'),
            "https://x.org/a",
            date(2022, 1, 14),
            "meta",
            id="only-a-modified-date-is-used",
        ),
        pytest.param(
            _page(
                body="<footer>Diese Seite wurde zuletzt am 29. Januar 2020 um 13:22 Uhr geändert.</footer>"
            ),
            "https://x.org/a",
            date(2020, 1, 29),
            "text",
            id="only-a-visible-last-change-is-used",
        ),
        pytest.param(
            _page(body='<div class="subnav_true"><h1>Titel</h1><div class="date">04.02.2022</div></div>'),
            "https://x.org/a",
            date(2022, 2, 4),
            "text",
            id="foreign-word-inside-a-class-name-does-not-count",
        ),
        pytest.param(
            _page(
                '<meta name="date" content="2022-01-21T15:38:44+01:00">',
                '<p>Intro</p><time itemprop="datePublished" datetime="2022-01-27">27.01.2022</time>',
            ),
            "https://x.org/a",
            date(2022, 1, 27),
            "meta",
            id="itemprop-datepublished-beats-bare-date-meta",
        ),
        pytest.param(
            _page(
                body='<div class="meta"><span class="date">12.10.2020</span></div>'
                '<h1>Der Titel des Artikels</h1><div class="date">07.05.2020</div>'
            ),
            "https://x.org/a",
            date(2020, 5, 7),
            "text",
            id="dateline-at-the-headline-beats-the-first-on-the-page",
        ),
        pytest.param(
            _page('<meta name="date" content="2020-04-29T11:52:23+00:00">',
                  '<p>Intro</p><div class="date">28.04.2020, 21:38 Uhr</div>'),
            "https://x.org/a",
            date(2020, 4, 28),
            "text",
            id="bare-date-meta-after-a-visible-dateline-is-the-last-change",
        ),
        pytest.param(
            _page('<meta name="date" content="2020-02-11">',
                  '<p>Intro</p><div class="date">29.02.2020, 18:00 Uhr</div>'),
            "https://x.org/a",
            date(2020, 2, 11),
            "meta",
            id="bare-date-meta-before-a-visible-dateline-stands",
        ),
    ],
)
def test_find_dates_choices(html: str, url: str, expected_day: date, expected_source: str) -> None:
    found = _find(html, url)
    assert found.published_on == expected_day
    assert found.published_source == expected_source


def test_publication_date_wins_over_a_later_modified_date() -> None:
    found = _find(
        _page(
            '<meta property="article:published_time" content="2021-11-29T14:13:37+00:00">'
            '<meta property="article:modified_time" content="2022-01-12T14:27:30+00:00">',
            "<h1>Titel</h1><p class='date'>29.11.2021</p>",
        )
    )
    assert found.published_on == date(2021, 11, 29)
    assert found.modified_at == datetime(2022, 1, 12, 14, 27, 30, tzinfo=UTC)


def test_a_reissue_counts_on_the_day_the_page_shows() -> None:
    # First stamped in November, re-issued in January: the page prints the January day and its
    # last change confirms it. The November stamp is kept as a conflict, not dropped.
    found = _find(
        _page(
            '<meta property="article:published_time" content="2021-11-29T14:13:37+00:00">'
            '<meta property="article:modified_time" content="2022-01-12T14:27:30+00:00">',
            "<h1>Titel</h1><p class='date'>12.01.2022</p>",
        )
    )
    assert (found.published_on, found.published_source) == (date(2022, 1, 12), "text")
    assert found.conflicts == ("meta:2021-11-29",)


@pytest.mark.parametrize(
    ("head", "lang", "url", "expected_day", "expected_utc"),
    [
        pytest.param(
            '<meta property="article:published_time" content="2021-05-04T23:30:00">',
            "de",
            "https://x.org/a",
            date(2021, 5, 4),
            datetime(2021, 5, 4, 21, 30, tzinfo=UTC),
            id="local-time-read-in-the-language-zone",
        ),
        pytest.param(
            '<meta property="article:published_time" content="2021-05-04T22:30:00Z">',
            "de-DE",
            "https://x.org/a",
            date(2021, 5, 5),
            datetime(2021, 5, 4, 22, 30, tzinfo=UTC),
            id="utc-stamp-lands-on-the-german-day",
        ),
        pytest.param(
            '<meta property="article:published_time" content="2021-05-04T22:30:00Z">',
            "en",
            "https://x.org/a",
            date(2021, 5, 4),
            datetime(2021, 5, 4, 22, 30, tzinfo=UTC),
            id="english-has-no-zone",
        ),
        pytest.param(
            '<meta property="article:published_time" content="2023-11-02T15:27:17+00:00">',
            "en",
            "https://x.org/2023/11/02/story/",
            date(2023, 11, 2),
            datetime(2023, 11, 2, 15, 27, 17, tzinfo=UTC),
            id="url-day-agrees-nothing-moves",
        ),
    ],
)
def test_publisher_local_day(
    head: str, lang: str, url: str, expected_day: date, expected_utc: datetime
) -> None:
    body = '<h1>Titel</h1><p class="date">November 3, 2023</p>' if "2023" in head else ""
    found = _find(_lang_page(head, body, lang), url)
    assert found.published_on == expected_day
    assert found.published_at == expected_utc


def test_bare_day_stays_midnight_utc() -> None:
    found = _find(_lang_page(body='<h1>Titel</h1><div class="date">05.02.2020</div>', lang="de"))
    assert found.published_on == date(2020, 2, 5)
    assert found.published_at == datetime(2020, 2, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("head", "url", "expected"),
    [
        pytest.param('<meta property="article:published_time" content="2020-04-16T00:30:00+05:30">',
                     "https://example.org/news/story", (date(2020, 4, 16), "+05:30", ()), id="offset-day-kept"),
        pytest.param('<meta property="article:published_time" content="2020-04-16">',
                     "https://example.org/news/story", (date(2020, 4, 16), None, ()), id="bare-day-as-written"),
        pytest.param('<script type="application/ld+json">{"@type": "NewsArticle", '
                     '"datePublished": "2020-04-16T10:00:00+02:00"}</script>'
                     '<meta property="article:published_time" content="2020-04-18T10:00:00+02:00">',
                     "https://example.org/2020/04/16/story", (date(2020, 4, 16), "+02:00", ("meta:2020-04-18",)),
                     id="disagreeing-claims-listed"),
    ],
)
def test_published_day_offset_and_conflicts(head: str, url: str, expected: tuple) -> None:
    found = _find(_page(head), url)
    assert (found.published_on, found.published_tz, found.conflicts) == expected


@pytest.mark.parametrize(
    ("lang", "url", "expected_day"),
    [
        pytest.param("es", "https://diario.example.mx/nota", date(2023, 11, 8), id="country-code-ending"),
        pytest.param("es-CO", "https://diario.example.com/nota", date(2023, 11, 8), id="region-subtag"),
        pytest.param("es", "https://diario.example.com/nota", date(2023, 11, 9), id="no-country-stays-utc"),
        pytest.param("en", "https://radio.example.tv/story", date(2023, 11, 9), id="generic-country-ending"),
    ],
)
def test_utc_stamp_counts_in_the_outlets_country(lang: str, url: str, expected_day: date) -> None:
    # 04:15 UTC is the evening before in Mexico and Colombia; all zones of one country agree.
    head = '<meta property="article:published_time" content="2023-11-09T04:15:00Z">'
    found = _find(_lang_page(head, "", lang), url)
    assert found.published_on == expected_day
    assert found.published_at == datetime(2023, 11, 9, 4, 15, tzinfo=UTC)


def test_htmldate_fast_search_before_its_extensive_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # The extensive search reads dates out of running text: only when the markup has none.
    asked: list[bool] = []

    def fake_find_date(tree: object, **kwargs: object) -> str | None:
        asked.append(bool(kwargs["extensive_search"]))
        return "2021-10-16" if not kwargs["extensive_search"] else "2016-06-16"

    monkeypatch.setattr(dates.htmldate, "find_date", fake_find_date)
    found = _find(_page(body="<p>Kein Datum</p>"))
    assert (found.published_on, asked) == (date(2021, 10, 16), [False])


@pytest.mark.parametrize(
    ("head", "published", "modified"),
    [
        pytest.param('<meta name="publish_time" content="2021-03-04 09:00">', date(2021, 3, 4), None,
                     id="publish-time"),
        pytest.param('<meta property="og:regdate" content="2021-03-04T09:00:00+09:00">', date(2021, 3, 4), None,
                     id="og-regdate"),
        pytest.param(
            '<meta name="published_date" content="2021-03-04"><meta property="og:modified_time"'
            ' content="2021-03-06T10:00:00+01:00">',
            date(2021, 3, 4),
            date(2021, 3, 6),
            id="published-date-and-og-modified-time",
        ),
    ],
)
def test_meta_names_other_cms_write(head: str, published: date, modified: date | None) -> None:
    found = _find(_page(head))
    assert (found.published_on, found.published_source) == (published, "meta")
    assert (found.modified_at.date() if found.modified_at else None) == modified



def _plain_page(extra: str) -> str:
    # No headline, no dateline markup: only htmldate's extensive text search reads `extra`.
    text = "Text des Artikels ohne jedes Datum. " * 40
    return f"<html><head><title>T</title></head><body><p>{text}</p><p>{extra}</p></body></html>"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param("Stand der Dinge am 01.11.2023 nach der Sitzung", date(2023, 11, 1),
                     id="a-first-of-the-month-written-in-full"),
        pytest.param("Pressemitteilung Nr. 05/2023 der Stelle", None, id="month-and-year-are-no-day"),
    ],
)
def test_htmldate_first_of_the_month_must_be_written(extra: str, expected: date | None) -> None:
    # htmldate turns "05/2023" into May 1st: an invented day, refused.
    assert _find(_plain_page(extra)).published_on == expected


def test_a_class_word_of_the_headlines_own_block_does_not_prune() -> None:
    # The site calls its article block a "teaser": the byline box next to the headline is its own.
    text = "Text des Artikels ohne jedes Datum. " * 40
    html = (
        "<html><head><title>Ein Titel von genug Länge</title></head><body>"
        '<div class="related-list"><p>Andere Meldung</p><span>03.03.2020</span></div>'
        '<div class="teaser_blog"><div class="teaser_meta"><a href="/autor/x">A. Autor</a> / 07.11.2023</div>'
        f"<h2>Ein Titel von genug Länge</h2><p>{text}</p></div>"
        f"<div>{text * 3}</div></body></html>"
    )
    assert _find(html).published_on == date(2023, 11, 7)


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        pytest.param("31.10.23", True, datetime(2023, 10, 31, tzinfo=UTC), id="dotted"),
        pytest.param("31/10/23 14:05", True, datetime(2023, 10, 31, 14, 5, tzinfo=UTC), id="slash-and-time"),
        pytest.param("10/31/23", False, datetime(2023, 10, 31, tzinfo=UTC), id="us-month-first"),
        pytest.param("Version 1.2.19", True, None, id="not-only-a-date"),
        pytest.param("31.02.23", True, None, id="impossible-day"),
    ],
)
def test_parse_short_year_dateline(text: str, day_first: bool, expected: datetime | None) -> None:
    assert date_parsing.parse_short_year_dateline(text, day_first) == expected


def test_a_two_digit_year_dateline_under_the_headline() -> None:
    # The byline's date wins over a date the story's text mentions.
    body = (
        "<h1>Ein Titel von genug Länge</h1><div class='article-meta'>Von: A. Autor <span>|</span>"
        "<span>31.10.23</span></div><p>Das sagte ein Sprecher am Montag (30. Oktober 2023).</p>"
    )
    found = _find(_page(head="<meta property='og:title' content='Ein Titel von genug Länge'>", body=body))
    assert (found.published_on, found.published_source) == (date(2023, 10, 31), "text")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("発表 2019年6月24日 11時30分", datetime(2019, 6, 24, 11, 30), id="japanese"),
        pytest.param("2019년 6월 24일", datetime(2019, 6, 24), id="korean"),
        pytest.param("2019. június 24.", datetime(2019, 6, 24), id="hungarian-year-first"),
        pytest.param("24 июня 2019", datetime(2019, 6, 24), id="russian"),
        pytest.param("24 Haziran 2019 14:30", datetime(2019, 6, 24, 14, 30), id="turkish"),
        pytest.param("24 Ιουνίου 2019", datetime(2019, 6, 24), id="greek"),
        pytest.param("24. kesäkuuta 2019", datetime(2019, 6, 24), id="finnish"),
        pytest.param("2019年6月", None, id="cjk-month-is-not-a-day"),
        pytest.param("held in 2019. May 5 people came", None, id="year-first-only-in-hungarian"),
    ],
)
def test_find_text_dates_reads_more_scripts(text: str, expected: datetime | None) -> None:
    found = find_text_dates(text)
    assert (found[0][1].replace(tzinfo=None) if found else None) == expected


def test_labels_in_more_languages() -> None:
    # A Swedish publication label; a Finnish update line goes to modified, not published.
    body = (
        "<p>Publicerad 3 augusti 2020</p>"
        "<h1>Ein Titel von genug Länge</h1><span class='date'>Päivitetty 5.8.2020</span>"
    )
    published, _ = labelled_dates(parse_tree(_page(body=body)), FETCHED, True)
    found = _find(_page(body=body))
    assert (published.date(), found.published_on) == (date(2020, 8, 3), date(2020, 8, 3))
    assert found.modified_at is not None and found.modified_at.date() == date(2020, 8, 5)


@pytest.mark.parametrize(
    ("modified", "line", "expected"),
    [
        pytest.param("2023-03-06T09:00:00+01:00", "Aktualisiert am 06.03.2023", date(2023, 3, 6),
                     id="update-line-confirmed-by-the-last-change"),
        pytest.param("2023-02-01T09:00:00+01:00", "Aktualisiert am 06.03.2023", date(2023, 1, 10),
                     id="unconfirmed-update-line"),
        pytest.param("2023-03-06T09:00:00+01:00", "Lesezeit 4 Minuten", date(2023, 1, 10), id="no-line"),
    ],
)
def test_a_reissue_shown_by_an_update_line(modified: str, line: str, expected: date) -> None:
    # The page prints only its update day at the headline, and its metadata's last change is that
    # day: the story was re-issued then. The first stamp stays in the conflicts.
    head = (
        '<script type="application/ld+json">{"@type": "Article", "datePublished": "2023-01-10",'
        f' "dateModified": "{modified}"}}</script>'
    )
    found = _find(_page(head, f"<h1>Ein Titel von genug Länge</h1><span class='date'>{line}</span>"))
    assert found.published_on == expected
    assert ("jsonld:2023-01-10" in found.conflicts) == (expected != date(2023, 1, 10))


@pytest.mark.parametrize("label", ["Updated", "Uppdaterad", "Aktualisiert am"])
def test_an_update_line_is_an_update_in_every_language(label: str) -> None:
    # "date" inside "Updated" is no publication label.
    body = f"<h1>Ein Titel von genug Länge</h1><span class='date'>{label} 5 August 2020</span>"
    found = _find(_page(body=body))
    assert found.modified_at is not None and found.modified_at.date() == date(2020, 8, 5)


def test_warm_up_loads_what_htmldate_loads_for_an_unknown_string() -> None:
    # The workers' fork server calls it (mediamon.workers.preload): dateparser's locales are then
    # loaded before any worker forks, and a real date still parses after it.
    from htmldate.extractors import external_date_parser

    from transforms.dates.page_dates import warm_up_htmldate

    from dateparser.languages.loader import LocaleDataLoader

    warm_up_htmldate()
    assert len(LocaleDataLoader._loaded_locales) > 100  # every locale, as a string no date loads them
    assert external_date_parser("12 mars 2021", "%Y-%m-%d") == "2021-03-12"
