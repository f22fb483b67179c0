"""The one list of publication/update words, as the dump date rule reads it."""

import pytest

from transforms.dates.words import MODIFIED_WORDS, PUBLISHED_WORDS, alternation
from transforms.dates.dump_dates import find_date


@pytest.mark.parametrize(
    ("line", "modified", "labelled"),
    [
        pytest.param("Aktualisiert am 12.03.2020", True, True, id="de-updated"),
        pytest.param("Mis à jour le 12 mars 2020", True, True, id="fr-updated"),
        pytest.param("Publicado el 12 de marzo de 2020", False, True, id="es-published"),
        pytest.param("Veröffentlicht am 12.03.2020, aktualisiert am 13.03.2020", False, True, id="both"),
        pytest.param("Standard edition 12.03.2020", False, False, id="word-inside-word"),
        pytest.param("12.03.2020", False, False, id="bare"),
    ],
)
def test_dump_lines_are_labelled_from_the_shared_lists(line: str, modified: bool, labelled: bool) -> None:
    mention = find_date(line)
    assert mention is not None
    assert (mention.modified, mention.labelled) == (modified, labelled)


def test_alternation_prefers_the_longest_phrase_and_folds_spaces() -> None:
    import re

    pattern = re.compile(alternation(MODIFIED_WORDS), re.I)
    assert pattern.match("last  modified").group(0) == "last  modified"
    assert not set(PUBLISHED_WORDS) & set(MODIFIED_WORDS)


# Every character Python has (surrogates left out), for checking `casefree` against re itself.
_ALL_CHARACTERS = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


def test_casefree_groups_are_the_letters_re_ignorecase_takes_as_equal() -> None:
    from re._casefix import _EXTRA_CASES

    from transforms.dates.words import casefree

    for code, equals in _EXTRA_CASES.items():
        assert {casefree(chr(c)) for c in (code, *equals)} == {casefree(chr(code))}


def test_casefree_text_searched_case_sensitively_finds_what_ignorecase_finds() -> None:
    """For every letter of the label words: the characters an IGNORECASE search accepts for it are
    exactly those whose casefree form is the letter's (and casefree keeps every position)."""
    import re

    from transforms.dates.words import casefree

    folded = casefree(_ALL_CHARACTERS)
    assert len(folded) == len(_ALL_CHARACTERS)
    letters = {c for word in (*PUBLISHED_WORDS, *MODIFIED_WORDS) for c in word if c.isalpha()}
    for letter in sorted(letters):
        ignorecase = {m.start() for m in re.finditer(re.escape(letter), _ALL_CHARACTERS, re.I)}
        sensitive = {m.start() for m in re.finditer(re.escape(casefree(letter)), folded)}
        assert ignorecase == sensitive, letter
    assert [m.start() for m in re.finditer(r"\s", folded)] == [
        m.start() for m in re.finditer(r"\s", _ALL_CHARACTERS)
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("VERÖFFENTLICHT am 3. Mai", id="upper-umlaut"),
        pytest.param("PUBLİSHED on May 3", id="dotted-capital-i"),
        pytest.param("yayinlandi 3 Mayıs", id="dotless-i-written-as-i"),
        pytest.param("Poſted by", id="long-s"),
        pytest.param("ОПУБЛИКОВАНО 3 мая", id="cyrillic-upper"),
        pytest.param("Last\u00a0Modified", id="no-break-space"),
        pytest.param("ΣΑΣ published", id="final-sigma-context"),
        pytest.param("nothing labelled here", id="none"),
    ],
)
def test_casefree_label_gate_agrees_with_ignorecase(text: str) -> None:
    import re

    from transforms.dates.words import casefree

    for words in (PUBLISHED_WORDS, MODIFIED_WORDS):
        ignorecase = re.compile(alternation(words), re.I)
        sensitive = re.compile(casefree(alternation(words)))
        assert (ignorecase.search(text) is None) == (sensitive.search(casefree(text)) is None)
