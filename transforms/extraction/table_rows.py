"""Results tables, standings and scorecards in plain text: finding their rows and the names in them.

Sports results, standings and market tables are where a monitoring client's clubs,
players and companies are named, and they defeat a model trained on prose:
``DETROIT 4 Kansas City 1`` (home team in capitals), ``P. Simmons 4-38``,
``Forfar 3 2 0 1 7 4 6``. A *row* is a line with a number column and almost no
lower-case words; its *name cells* are the runs of capitalised words between the
numbers, brackets and the few lower-case link words ("beat", "c", "b", "lbw").

Pure functions on strings; offsets are offsets into the text given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_NUMBER = re.compile(r"^[-+(]?\$?\d[\d.,:/\-–]*%?\)?[.,]?$")
_TOKEN = re.compile(r"\S+")
# A capitalised word, an initial ("P."), an all-caps word; apostrophes and hyphens inside.
_NAME_WORD = re.compile(r"^(?:[^\W\d_]\.)+$|^[^\W\d_][^\W\d_'’.\-]*(?:[-'’][^\W\d_]+)*\.?$")
# Lower-case words that may join names inside a name ("de", "van") rather than end one.
_PARTICLES = frozenset("de da del der di du la le van von bin al el ul".split())
# Calendar words head dates, not names ("July 96", "May 27-29").
_CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday".split()
)
# A date after a place is a dateline ("LONDON 1996-08-30"), not a score.
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}/\d{1,2}/\d{2,4}$")
MAX_LOWER_WORDS = 3
MAX_ROW_TOKENS = 24


@dataclass(frozen=True)
class NameCell:
    """A run of name words in a row: ``text[start:end]``; ``scored`` when a number follows it."""

    start: int
    end: int
    scored: bool


def _is_number(token: str) -> bool:
    return bool(_NUMBER.match(token))


def is_row(line: str) -> bool:
    """True for a table row: a number column, few tokens, at most a few lower-case words."""
    tokens = line.split()
    if not tokens or len(tokens) > MAX_ROW_TOKENS:
        return False
    if not any(_is_number(t) for t in tokens):
        return False
    lower = [t for t in tokens if t[:1].islower() and t.strip(".,;:").lower() not in _PARTICLES]
    return len(lower) <= MAX_LOWER_WORDS and not line.rstrip().endswith(("?", "!"))


def row_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every table row line in ``text``."""
    position = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        if is_row(stripped):
            yield position, position + len(stripped)
        position += len(line)


def name_cells(text: str, start: int, end: int) -> list[NameCell]:
    """The name cells of the row ``text[start:end]``."""
    cells: list[NameCell] = []
    current: list[tuple[int, int]] = []

    def close(next_token: str | None) -> None:
        while current and current[-1][1] - current[-1][0] == 1:
            current.pop()  # a lone trailing letter is a column marker, not a name ("Proleter (Z)")
        if current:
            first = text[current[0][0] : current[0][1]].strip(".").lower()
            if not (len(current) == 1 and first in _CALENDAR):
                scored = next_token is not None and _is_number(next_token) and not _DATE.match(next_token)
                cells.append(NameCell(current[0][0], current[-1][1], scored))
        current.clear()

    for match in _TOKEN.finditer(text, start, end):
        token = match.group()
        bare = token.strip(",;:()[]\"")
        offset = match.start() + token.find(bare) if bare else match.start()
        if bare and _NAME_WORD.match(bare) and (bare[0].isupper() or (current and bare in _PARTICLES)):
            if token.startswith(("(", "[")) and current:
                close(None)
            current.append((offset, offset + len(bare)))
            closes = token.endswith((",", ";", ":", ")", "]"))
            if closes or (token.startswith(("(", "[")) and token.endswith(")")):
                close(None)
            continue
        close(bare or token)
    close(None)
    return cells
