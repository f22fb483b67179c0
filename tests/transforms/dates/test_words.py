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
