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

    from transforms.folding import casefree

    for words in (PUBLISHED_WORDS, MODIFIED_WORDS):
        ignorecase = re.compile(alternation(words), re.I)
        sensitive = re.compile(casefree(alternation(words)))
        assert (ignorecase.search(text) is None) == (sensitive.search(casefree(text)) is None)
