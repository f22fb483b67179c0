from datetime import UTC, date, datetime, timedelta

import pytest

from transforms.article import Hints
from transforms.date_parsing import find_text_dates, parse_machine_date
from transforms.dates import find_dates, url_date
from transforms.html_article import parse_tree
from transforms.page_meta import read_page_meta

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
