import pytest

from transforms.extraction.table_rows import is_row, name_cells


def cells(line: str) -> list[tuple[str, bool]]:
    return [(line[c.start : c.end], c.scored) for c in name_cells(line, 0, len(line))]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("RIVERTON 4 Lake Harbor 1", [("RIVERTON", True), ("Lake Harbor", True)], id="result"),
        pytest.param("Norbury Rovers 3 2 1 0 7 4 7", [("Norbury Rovers", True)], id="standings"),
        pytest.param("K. Adeyemi 4-38", [("K. Adeyemi", True)], id="bowling-figures"),
        pytest.param("3. Ana Lindqvist (Sweden) 10.24", [("Ana Lindqvist", False), ("Sweden", False)],
                     id="ranked-with-country"),
        pytest.param("J. Okoro c Brandt b Hale 12", [("J. Okoro", False), ("Brandt", False), ("Hale", True)],
                     id="scorecard"),
        pytest.param("March 96 April 96", [], id="calendar-heading"),
        pytest.param("OSLOBURG 1999-01-02", [("OSLOBURG", False)], id="dateline-is-not-a-score"),
    ],
)
def test_name_cells(line, expected):
    assert is_row(line)
    assert cells(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("The club said on Friday that 3 players would miss the match.", id="prose"),
        pytest.param("Results of games played on Sunday:", id="no-number"),
        pytest.param("", id="empty"),
    ],
)
def test_prose_is_not_a_row(line):
    assert not is_row(line)
