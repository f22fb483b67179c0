"""Wire conventions: datelines (standalone and inline), correction notices, slug lines, capitals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from transforms.extraction.wire_copy import (
    Dateline,
    correction_of,
    date_line,
    dateline_of,
    is_all_caps,
    is_slug_line,
    place_line,
    split_inline_dateline,
)

REFERENCE = datetime(2024, 5, 4, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("OSLO 2001-03-14", Dateline("OSLO", date(2001, 3, 14), None), id="iso"),
        pytest.param("SAN JOSE, Costa Rica 2001-03-14", Dateline("SAN JOSE, Costa Rica", date(2001, 3, 14), None),
                     id="place-and-country"),
        pytest.param("PORTLAND, Maine 2001-03-14", Dateline("PORTLAND, Maine", date(2001, 3, 14), None),
                     id="place-and-state"),
        pytest.param("ST. PAUL, Minn. 2001-03-14", Dateline("ST. PAUL, Minn.", date(2001, 3, 14), None),
                     id="abbreviations"),
        pytest.param("LIMA, March 14 (Andina)", Dateline("LIMA", date(2024, 3, 14), "Andina"),
                     id="month-day-agency-year-inferred"),
        pytest.param("LIMA, 14 March 2019 -", Dateline("LIMA", date(2019, 3, 14), None), id="day-month-year"),
        pytest.param("Results of the weekend games 2001-03-14", None, id="sentence-is-no-dateline"),
        pytest.param("OSLO", None, id="place-alone"),
    ],
)
def test_standalone_dateline(line: str, expected: Dateline | None) -> None:
    assert dateline_of(line, REFERENCE) == expected


@pytest.mark.parametrize(
    ("paragraph", "place", "day", "agency", "rest"),
    [
        pytest.param("OTTAWA (Agencia) - The budget passed.", "OTTAWA", None, "Agencia", "The budget passed.",
                     id="caps-place-agency"),
        pytest.param("Potsdam, 3. Mai (xyz) - Der Landtag tagt.", "Potsdam", date(2024, 5, 3), "xyz",
                     "Der Landtag tagt.", id="german-date-without-year"),
        pytest.param("LYON, 12 mars (ABC) — Le conseil a voté.", "LYON", date(2024, 3, 12), "ABC",
                     "Le conseil a voté.", id="french-em-dash"),
        pytest.param("OTTAWA, Jan 5 - The budget passed.", "OTTAWA", date(2024, 1, 5), None,
                     "The budget passed.", id="caps-place-date-no-agency"),
    ],
)
def test_inline_dateline(paragraph: str, place: str, day: date | None, agency: str | None, rest: str) -> None:
    found = split_inline_dateline(paragraph, REFERENCE)
    assert found == (Dateline(place, day, agency), rest)


@pytest.mark.parametrize(
    "paragraph",
    [
        pytest.param("The minister (a former banker) - he said - resigned.", id="lower-case-start"),
        pytest.param("Ottawa - The budget passed.", id="title-case-without-agency-or-date"),
    ],
)
def test_no_inline_dateline(paragraph: str) -> None:
    assert split_inline_dateline(paragraph, REFERENCE) is None


def test_date_without_year_is_the_latest_day_not_after_the_reference() -> None:
    found = split_inline_dateline("OSLO, Dec 30 (Nt) - Snow.", datetime(2025, 1, 2, tzinfo=UTC))
    assert found is not None and found[0].day == date(2024, 12, 30)


def test_place_line_and_date_line() -> None:
    assert place_line("WEST HAVEN, Conn.") == "WEST HAVEN, Conn."
    assert place_line("The story starts here.") is None
    assert date_line("2001-03-14") == date(2001, 3, 14)
    assert date_line("The game on 2001-03-14 was cancelled") is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("[CORRECTED 14:06 GMT]", ("CORRECTED 14:06 GMT", ""), id="bracketed"),
        pytest.param("UPDATE 2-Markets slide on rate fears", ("UPDATE 2", "Markets slide on rate fears"),
                     id="update-prefix"),
        pytest.param("(Corrects spelling of name in paragraph 3)",
                     ("Corrects spelling of name in paragraph 3", ""), id="parenthesised"),
        pytest.param("Update on the harvest: yields are up.", None, id="ordinary-sentence"),
    ],
)
def test_correction_notice(line: str, expected: tuple[str, str] | None) -> None:
    assert correction_of(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("BC-NORWAY-BUDGET/", True, id="slug"),
        pytest.param("US-ELECTION/RESULTS", True, id="slash-slug"),
        pytest.param("Oslo", False, id="word"),
        pytest.param("2-1", False, id="score"),
        pytest.param("Norway wins 2-1", False, id="sentence"),
    ],
)
def test_slug_line(line: str, expected: bool) -> None:
    assert is_slug_line(line) is expected


def test_all_caps() -> None:
    assert is_all_caps("SKIING - NORWAY TAKE RELAY GOLD.")
    assert not is_all_caps("Skiing - Norway take relay gold.")
    assert not is_all_caps("2-1")
