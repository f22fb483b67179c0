"""Clean text: the judgment (chrome or not), the wire header, and every story line kept."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from transforms.extraction.plain_text import judge_text_kind, lead_title, parse_plain_text, parse_text
from transforms.extraction.text_dump import parse_text_dump

RESULTS_STORY = """SKIING - NORWAY TAKE RELAY GOLD AT HOME.

Kari Nordmann

OSLO 2001-03-14

Norway won the men's relay on Wednesday in front of a home crowd of 30,000.

Results:

1. Norway 1:32:10.4

2. Sweden 1:32:40.1

3. Finland 1:33:02.9

Standings after three of five races (tabulate under points):

W L P

Norway 3 0 9

Sweden 2 1 6

Q: What next? A: The sprint on Friday.
"""

PAGE_DUMP = """Norway take relay gold - The Daily Example
Home
News
Sport
Weather
Norway take relay gold
Norway won the men's relay on Wednesday in front of a home crowd, the third gold of the week.
The team led from the first leg and never looked back, its coach said after the race ended.
Related stories
Sweden name squad for sprint
Share on Facebook
© 2001 The Daily Example. All rights reserved.
"""


def test_wire_story_is_judged_clean_and_kept_whole() -> None:
    assert judge_text_kind(RESULTS_STORY) == "text"
    article = parse_plain_text(RESULTS_STORY, "https://x.example/1")
    assert article.title == "SKIING - NORWAY TAKE RELAY GOLD AT HOME."  # in the case it was written
    assert article.authors == ["Kari Nordmann"]
    assert article.dateline_place == "OSLO"
    assert article.published_on == date(2001, 3, 14)
    assert article.published_at == datetime(2001, 3, 14, tzinfo=UTC)  # the day written, in UTC too
    assert article.published_at_source == "dateline"
    lines = article.body.splitlines()
    assert lines[0].startswith("Norway won the men's relay")
    for row in ("1. Norway 1:32:10.4", "W L P", "Sweden 2 1 6", "Q: What next? A: The sprint on Friday.",
                "Results:"):
        assert row in lines, row
    for header in ("OSLO", "Kari Nordmann", "SKIING"):
        assert header not in article.body


def test_page_dump_shows_chrome() -> None:
    assert judge_text_kind(PAGE_DUMP) == "page-text"


def test_seed_is_a_page_dump_and_reads_as_before(seed_text: str) -> None:
    assert judge_text_kind(seed_text) == "page-text"
    routed = parse_text(seed_text)
    golden = parse_text_dump(seed_text)
    assert (routed.title, routed.body, routed.publisher) == (golden.title, golden.body, golden.publisher)
    assert (routed.text_kind, routed.text_kind_source) == ("page-text", "judged")


@pytest.mark.parametrize(
    ("kind", "source", "expected_kind", "expected_source"),
    [
        pytest.param("text", "manifest", "text", "manifest", id="declared-clean"),
        pytest.param("page-text", "source", "page-text", "source", id="declared-dump"),
        pytest.param(None, None, "text", "judged", id="judged"),
        pytest.param("bogus", "manifest", "text", "judged", id="unknown-kind-judged"),
    ],
)
def test_declared_kind_wins(kind: str | None, source: str | None, expected_kind: str,
                            expected_source: str) -> None:
    article = parse_text(RESULTS_STORY, kind=kind, kind_source=source)
    assert (article.text_kind, article.text_kind_source) == (expected_kind, expected_source)


def test_declared_page_text_is_line_classified() -> None:
    # The same clean story declared a dump loses its short table rows to the line classifier.
    assert "W L P" not in parse_text(RESULTS_STORY, kind="page-text", kind_source="manifest").body


def test_inline_dateline_agency_and_correction() -> None:
    text = ("[CORRECTED 14:06 GMT]\n\nBC-NORWAY-BUDGET/\n\nNorway raises spending\n\n"
            "OSLO, March 14 (Nt) - Norway's government raised spending on Wednesday.\n\n"
            "The opposition said it would vote against the plan.\n")
    article = parse_plain_text(text, reference=datetime(2001, 3, 20, tzinfo=UTC))
    assert article.title == "Norway raises spending"
    assert article.correction == "CORRECTED 14:06 GMT"
    assert article.slug_line == "BC-NORWAY-BUDGET/"
    assert (article.dateline_place, article.agency, article.published_on) == ("OSLO", "Nt", date(2001, 3, 14))
    assert article.body.startswith("Norway's government raised spending on Wednesday.")
    assert "CORRECTED" not in article.body and "BC-NORWAY" not in article.body


def test_place_and_date_on_two_lines_without_headline() -> None:
    text = ("WEST HAVEN, Conn.\n\n2001-03-14\n\nShares of Example Corp rose 5 percent on Wednesday after "
            "the company agreed to be bought. Analysts welcomed the deal.\n\nThe deal closes in May.\n")
    article = parse_plain_text(text)
    assert article.dateline_place == "WEST HAVEN, Conn."
    assert article.published_on == date(2001, 3, 14)
    # No headline: the first sentence stands in for one.
    assert article.title == "Shares of Example Corp rose 5 percent on Wednesday after the company agreed to be bought."
    assert article.body.startswith("Shares of Example Corp")


def test_newsletter_without_dateline() -> None:
    text = ("Weekly briefing\n\nThe council met on Monday and agreed the budget for next year.\n"
            "It also named a new chair.\n\n- Item one: roads\n- Item two: schools\n")
    article = parse_plain_text(text)
    assert article.title == "Weekly briefing"
    assert article.published_at is None and article.dateline_place is None
    # Lines of one paragraph stay lines; paragraphs are separated by a blank line.
    assert article.body == ("The council met on Monday and agreed the budget for next year.\nIt also named a "
                            "new chair.\n\n- Item one: roads\n- Item two: schools")


def test_a_one_line_flash_is_all_body() -> None:
    article = parse_plain_text("OSLO 2001-03-14\n\nNorway wins relay gold.\n")
    assert article.body == "Norway wins relay gold."
    assert article.title == "Norway wins relay gold."  # no headline line: the sentence is the title


def test_lead_title_cuts_long_sentences() -> None:
    title = lead_title("word " * 60 + "end.")
    assert len(title) <= 122 and title.endswith("…")
