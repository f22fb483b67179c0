"""The query language of [[topics]] and `mediamon search`: parsing, matching, errors with positions."""

import pytest

from transforms.monitoring.boolean_query import Document, QueryError, highlight_terms, parse_query

ARTICLE = Document.of(
    title="Zürich votes on the climate law",
    body="Voters in Zurich backed the new climate change law on Sunday. The U.S. embassy said nothing. "
         "Turnout was high; the Green party celebrated while opponents spoke of an expensive mistake.",
    publisher="Neue Zürcher Zeitung",
)


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        pytest.param("climate", ("climate",), id="word"),
        pytest.param("CLIMATE", ("CLIMATE",), id="case-tolerant"),
        pytest.param("zurich", ("zurich",), id="accent-tolerant-query-plain"),
        pytest.param("Zürich", ("Zürich",), id="accent-tolerant-query-accented"),
        pytest.param("climate AND law", ("climate", "law"), id="and"),
        pytest.param("climate law", ("climate", "law"), id="implicit-and"),
        pytest.param("climate AND football", (), id="and-fails"),
        pytest.param("football OR climate", ("climate",), id="or"),
        pytest.param("climate OR law", ("climate", "law"), id="or-reports-all"),
        pytest.param("climate AND NOT football", ("climate",), id="and-not"),
        pytest.param("climate NOT green", (), id="not-as-and-not"),
        pytest.param('"climate change law"', ('"climate change law"',), id="phrase"),
        pytest.param('"climate law"', ('"climate law"',), id="phrase-in-title"),
        pytest.param('"change climate"', (), id="phrase-order"),
        pytest.param("vot*", ("vot*",), id="prefix"),
        pytest.param("celebrat* AND (green OR red)", ("celebrat*", "green"), id="parentheses"),
        pytest.param("(football OR rugby) OR (climate AND NOT law)", (), id="nested-fails"),
        pytest.param("green NEAR/3 celebrated", ("green", "celebrated"), id="near"),
        pytest.param("celebrated NEAR/3 green", ("celebrated", "green"), id="near-either-order"),
        pytest.param("green NEAR/0 party", ("green", "party"), id="near-adjacent"),
        pytest.param("voters NEAR/2 mistake", (), id="near-too-far"),
        pytest.param('"expensive mistake" NEAR/5 (opponents OR critics)', ('"expensive mistake"', "opponents"),
                     id="near-phrase-and-or"),
        pytest.param("title:climate", ("title:climate",), id="title-field"),
        pytest.param("title:sunday", (), id="title-field-not-body"),
        pytest.param("title:(votes AND zurich)", ("title:votes", "title:zurich"), id="field-group"),
        pytest.param('publisher:"neue zurcher"', ('publisher:"neue zurcher"',), id="publisher-phrase"),
        pytest.param("publisher:climate", (), id="publisher-not-body"),
        pytest.param("u.s. embassy", ("u.s.", "embassy"), id="dotted-word"),
        pytest.param("climate-change", ("climate-change",), id="hyphenated-word-is-a-phrase"),
        pytest.param("climat", (), id="whole-words-only"),
        pytest.param("climate or football", (), id="lower-case-or-is-a-word"),
    ],
)
def test_match(query: str, terms: tuple[str, ...]) -> None:
    assert parse_query(query).match(ARTICLE) == terms


def test_near_needs_two_occurrences_of_the_same_word() -> None:
    assert parse_query("law NEAR/5 law").match(Document.of("", "the law and the law", "")) == ("law",)
    assert parse_query("law NEAR/5 law").match(Document.of("", "the law", "")) == ()


def test_phrase_does_not_span_title_and_body() -> None:
    doc = Document.of("Results from the climate", "change talks", "")
    assert parse_query('"climate change"').match(doc) == ()


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        pytest.param("", 1, "empty", id="empty"),
        pytest.param("climate AND", 12, "ends where", id="dangling-and"),
        pytest.param("OR climate", 1, "OR needs", id="leading-or"),
        pytest.param("(climate OR law", 1, "never closed", id="open-paren"),
        pytest.param("climate) OR law", 8, "no matching", id="close-paren"),
        pytest.param("()", 2, "empty group", id="empty-group"),
        pytest.param('climate AND "green party', 13, "quote is never closed", id="open-quote"),
        pytest.param("green NEAR party", 7, "NEAR/n", id="near-without-distance"),
        pytest.param("green NEAR/x party", 7, "NEAR/n", id="near-bad-distance"),
        pytest.param("green NEAR/3 (party AND state)", 7, "NEAR/3 needs", id="near-and-operand"),
        pytest.param("a NEAR/3 b NEAR/3 c", 12, "chained", id="near-chain"),
        pytest.param("author:smith", 1, "unknown field", id="unknown-field"),
        pytest.param("title:", 1, "needs a word", id="empty-field"),
        pytest.param("cli*mate", 1, "only end a word", id="inner-star"),
        pytest.param("climate AND ***", 13, "only end a word", id="stars-only"),
        pytest.param("climate AND *", 13, "no letters", id="star-only"),
        pytest.param('"--"', 1, "no letters", id="punctuation-phrase"),
        pytest.param("NOT trump", 1, "outside NOT", id="only-not"),
        pytest.param("climate OR NOT weather", 1, "outside NOT", id="or-branch-only-not"),
    ],
)
def test_errors_name_the_position(query: str, position: int, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.position == position
    assert message in str(caught.value)
    assert f"at position {position}" in str(caught.value)


def test_highlight_terms_leave_out_negated_ones() -> None:
    tree = parse_query('(climate OR "green party") AND NOT football')
    assert [a.text for a in highlight_terms(tree)] == ["climate", '"green party"']


@pytest.mark.parametrize("query", ["climate NOT weather", "NOT weather AND climate", "(a OR b) NOT c",
                                   "a NEAR/3 b NOT c"])
def test_a_negation_beside_a_word_is_a_query(query: str) -> None:
    assert parse_query(query) is not None
