"""The report page builder (transforms/monitoring/report_charts.py): frames in, safe self-contained HTML out."""

from __future__ import annotations

from datetime import UTC, date, datetime

import lxml.html
import polars as pl
import pytest

from transforms.monitoring.alert_rules import Since, resolve_period
from transforms.monitoring.report_charts import ReportData, change_text, link, render_report, top_entities

DAYS = [date(2024, 5, d) for d in range(1, 8)]


def data(**changes: object) -> ReportData:
    base = ReportData(
        generated_at=datetime(2024, 5, 8, 6, tzinfo=UTC), warehouse="/wh/mediamon.duckdb",
        period=resolve_period(DAYS, Since(days=7)), data_days=DAYS, articles=3,
        volume=pl.DataFrame({"day": [DAYS[0], DAYS[1], DAYS[1]], "publisher": ["A", "A", "B"],
                             "articles": [1, 1, 1]}),
        entity_counts=pl.DataFrame({"entity_id": ["p", "o"],
                                    "canonical_name": ["Ada <b>Lovelace</b>", "Acme"],
                                    "entity_type": ["PERSON", "ORG"], "mentions": [4, 2],
                                    "previous_mentions": [2, 0]}),
        stories=pl.DataFrame({"title": ["<script>alert(1)</script>", "Fine"],
                              "url": ["javascript:alert(1)", "https://example.org/a?x=1&y=2"],
                              "publisher": ["A", "B"], "day": [DAYS[0], DAYS[1]], "outlets": [2, 1],
                              "mentions": [5, 1], "entities": ["Ada", ""]}))
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def test_page_is_self_contained_and_escapes_warehouse_text() -> None:
    page = render_report(data())
    dom = lxml.html.fromstring(page)
    assert not dom.xpath("//script/@src | //link/@href")
    assert page.count("<script>alert(1)</script>") == 0 and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "javascript:" not in "".join(dom.xpath("//a/@href"))
    assert dom.xpath('//a[@href="https://example.org/a?x=1&y=2"]')
    # Charts only where there is data: volume, people, organisations; no places, no watchlist chart.
    ids = dom.xpath('//div[contains(@class, "plotly-graph-div")]/@id')
    assert ids == ["chart-volume", "chart-entities-people", "chart-entities-organisations"]
    assert "No places mentioned." in page and "No watchlist entities" in page


def test_empty_warehouse_page_has_no_charts_and_says_what_to_do() -> None:
    page = render_report(data(empty_reason="the warehouse holds no articles yet"))
    assert "No articles yet" in page and "The warehouse holds no articles yet." in page
    assert "mediamon run" in page and "Plotly" not in page


def test_period_without_articles_is_the_empty_page() -> None:
    empty = data(period=resolve_period(DAYS, Since(start=date(2030, 1, 1))))
    page = render_report(empty)
    assert "No articles in this period" in page and "no articles since 2030-01-01" in page
    assert empty.empty_reason is None  # rendering does not change the data


@pytest.mark.parametrize("mentions, previous, text", [
    (5, 0, "new"), (0, 0, "±0"), (6, 4, "+2 (+50%)"), (3, 4, "−1 (−25%)"), (4, 4, "±0"),
])
def test_change_text(mentions: int, previous: int, text: str) -> None:
    assert change_text(mentions, previous) == text


def test_top_entities_by_type_with_change() -> None:
    top = top_entities(data().entity_counts, ["PERSON"])
    assert top.select("canonical_name", "mentions", "change").rows() == [("Ada <b>Lovelace</b>", 4, 2)]


@pytest.mark.parametrize("url, linked", [
    ("https://a.example/x", True), ("HTTP://a.example", True), ("javascript:alert(1)", False),
    ("file:///etc/passwd", False), (None, False),
])
def test_only_web_urls_become_links(url: str | None, linked: bool) -> None:
    assert link(url, "t").startswith("<a ") is linked


def test_share_without_a_person_model_is_shown() -> None:
    coverage = pl.DataFrame({"language": ["de", "en", "es"], "articles": [6, 3, 1],
                             "without_model": [6, 0, 1]})
    page = render_report(data(articles=10, ner_coverage=coverage))
    dom = lxml.html.fromstring(page)
    note = dom.get_element_by_id("ner-model-missing").text_content()
    assert "7 of 10 articles (70%)" in note and "(de 6, es 1)" in note
    assert "no person/org model" in page


def test_no_share_line_when_every_language_has_a_model() -> None:
    coverage = pl.DataFrame({"language": ["en"], "articles": [3], "without_model": [0]})
    page = render_report(data(ner_coverage=coverage))
    assert 'id="ner-model-missing"' not in page and "no person/org model" not in page
