"""clean_batch: every document becomes an article row or a quarantine row with a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from transforms.article import Article
from transforms.extraction.clean import clean_batch, published_day, refresh_derived, split_repeated_urls
from transforms.document import RawDocument

SEED = Path(__file__).resolve().parents[3] / "seeds" / "000_7210ad52eb561afc.txt"
NOW = datetime(2025, 1, 1, tzinfo=UTC)
ARTICLE_HTML = """<html><head><title>Council approves new harbour bridge - Example Times</title>
<meta property="og:site_name" content="Example Times"></head><body><article><h1>Council approves new harbour bridge</h1>
<p>The city council approved the new harbour bridge on Tuesday after a long debate about its cost and the
 effect on shipping traffic in the old port, which many residents had worried about for years.</p>
<p>Construction is planned to start next spring and should take about three years, the mayor said, adding that
 the federal government will pay for almost half of the total budget of the project.</p>
</article><footer>© 2024 Example Times. All rights reserved.</footer></body></html>"""


def _doc(raw: bytes | None, kind: str | None = None, **extra: object) -> RawDocument:
    return RawDocument(url="https://example.org/story", source="t", fetched_at=NOW, raw=raw, kind=kind,
                       **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "kind", "reason"),
    [
        pytest.param(b"", None, "empty", id="empty-file"),
        pytest.param(bytes(range(256)) * 40, None, "not a page", id="random-bytes"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, None, "PNG", id="png-image"),
        pytest.param(b"<html><head><script>var a = 1;</script></head><body><script>go()</script></body></html>",
                     "html", "no article text", id="scripts-only"),
        pytest.param(b"<div>" * 200_000 + b"deep" + b"</div>" * 200_000, "html", "", id="200k-nested-divs"),
    ],
)
def test_bad_input_is_quarantined_with_a_reason(raw: bytes, kind: str | None, reason: str) -> None:
    out = clean_batch([_doc(raw, kind)], "r1")
    assert out.articles == [] or out.articles[0]["word_count"] < 5
    if out.quarantined:
        (row,) = out.quarantined
        assert row["stage"] == "clean" and row["reasons"]
        assert reason.lower() in " ".join(row["reasons"]).lower()


def test_document_that_could_not_be_read_keeps_its_reason() -> None:
    doc = _doc(None, error="file listed in manifest.jsonl does not exist: x.html", error_stage="extract")
    (row,) = clean_batch([doc], "r1").quarantined
    assert (row["stage"], row["reasons"]) == ("extract", ["file listed in manifest.jsonl does not exist: x.html"])


def test_latin1_page_without_charset_decodes_cleanly() -> None:
    html = ARTICLE_HTML.replace("harbour bridge on Tuesday", "Brücke über den Fluß am Dienstag")
    out = clean_batch([_doc(html.encode("latin-1"), "html")], "r1")
    (article,) = out.articles
    assert "Brücke über den Fluß" in article["body"]
    assert "Ã" not in article["body"]


def test_html_article_row() -> None:
    (a,) = clean_batch([_doc(ARTICLE_HTML.encode(), "html")], "r1").articles
    assert a["title"] == "Council approves new harbour bridge"
    assert a["publisher"] == "Example Times"
    assert "All rights reserved" not in a["body"]
    assert a["word_count"] > 40 and a["language"] == "en"
    assert a["published_at"] is None  # the copyright year is not a publication date


def test_seed_dump_row_and_manifest_publisher_override() -> None:
    doc = _doc(SEED.read_bytes(), "text")
    (a,) = clean_batch([doc], "r1").articles
    assert (a["publisher"], a["publisher_source"]) == ("Breaking The News", "title")
    doc = _doc(SEED.read_bytes(), "text", publisher_hint="BTN Override")
    (a,) = clean_batch([doc], "r1").articles
    assert (a["publisher"], a["publisher_source"]) == ("BTN Override", "manifest")


def test_repeated_url_keeps_first_and_quarantines_the_rest() -> None:
    a = {"article_id": "x", "url": "u", "doc_key": "p1", "source": "s"}
    b = {"article_id": "x", "url": "u", "doc_key": "p2", "source": "s"}
    kept, repeated = split_repeated_urls([a, b], "r1")
    assert kept == [a]
    assert repeated[0]["doc_key"] == "p2" and "same URL" in repeated[0]["reasons"][0]


def test_refresh_derived_recounts() -> None:
    row = refresh_derived({"title": "t", "body": "one two three"})
    assert row["word_count"] == 3 and row["content_hash"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Norway wins relay gold.", 4, id="spaced-words"),
        pytest.param("東京都は月曜日に新しい予算を発表した。", 18, id="japanese-counts-characters"),
        pytest.param("รัฐบาลประกาศงบประมาณใหม่", 24, id="thai-counts-characters"),
        pytest.param("東京で G7 summit が開かれた", 10, id="mixed-adds-both"),
        pytest.param("서울시는 새 예산을 발표했다", 4, id="korean-is-spaced"),
    ],
)
def test_word_count_per_script(text: str, expected: int) -> None:
    from transforms.extraction.clean import word_count

    assert word_count(text) == expected


def test_a_brief_is_an_article_not_quarantine() -> None:
    brief = b"NORWAY WINS RELAY GOLD.\n\nOSLO 2001-03-14\n\nNorway won the men's relay on Wednesday.\n"
    out = clean_batch([_doc(brief, "text")], "r1")
    assert out.quarantined == []
    (article,) = out.articles
    assert article["title"] == "NORWAY WINS RELAY GOLD."
    assert (article["text_kind"], article["text_kind_source"]) == ("text", "judged")
    assert article["dateline_place"] == "OSLO" and article["word_count"] < 50  # the quality gate warns body_short


def test_declared_kind_reaches_the_row() -> None:
    out = clean_batch([_doc(b"Weekly briefing\n\nThe council met.\n", "text", text_kind="text",
                            text_kind_source="manifest")], "r1")
    (article,) = out.articles
    assert (article["text_kind"], article["text_kind_source"]) == ("text", "manifest")


def test_non_article_page_is_quarantined_with_its_own_reason() -> None:
    page = (b"<html><head><title>Page not found</title></head><body><h1>Page not found</h1>"
            b"<p>Sorry, the page you are looking for does not exist on this server.</p></body></html>")
    (row,) = clean_batch([_doc(page, "html")], "r1").quarantined
    assert row["reasons"] == ["not an article: error page"]


@pytest.mark.parametrize(
    ("article", "expected"),
    [
        pytest.param(Article(published_at=datetime(2020, 4, 15, 19, 0, tzinfo=UTC), published_on=date(2020, 4, 16),
                             published_tz="+05:30", date_conflicts=["url:2020-04-14"]),
                     (date(2020, 4, 16), "+05:30", ["url:2020-04-14"]), id="extractor-local-day"),
        pytest.param(Article(published_at=datetime(2020, 4, 15, tzinfo=UTC)), (date(2020, 4, 15), None, []),
                     id="text-dump-day-as-written"),
        pytest.param(Article(), (None, None, []), id="no-date"),
    ],
)
def test_published_day_columns(article: Article, expected: tuple) -> None:
    row = published_day(article)
    assert (row["published_date"], row["published_tz"], row["published_date_conflicts"]) == expected
