"""People by first name in languages without a NER model (transforms/entities/person_names.py)."""

from __future__ import annotations

import pytest

from transforms.entities.person_names import find_people

PLACES = {"Paris", "Hamburg", "Berlin"}


def people(text: str) -> list[str]:
    return [text[s.start:s.end] for s in find_people(text, lambda word: word in PLACES)]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Gestern traf Bundeskanzlerin Angela Merkel den Minister.", ["Angela Merkel"],
                 id="title-before-name"),
    pytest.param("Frank-Walter Steinmeier sprach. Steinmeier sagte, es gehe weiter.",
                 ["Frank-Walter Steinmeier", "Steinmeier"], id="hyphenated-first-name-and-back-reference"),
    pytest.param("Die Schau von Iris van Herpen in Paris.", ["Iris van Herpen"], id="particle"),
    pytest.param("Nordkorea: Kim Jong Un taucht auf. Kim Jong Un: zurück.", ["Kim Jong Un", "Kim Jong Un"],
                 id="three-part-name-consistent"),
    pytest.param("Die Studie des Robert Koch-Institut und der Robert Bosch GmbH.", [],
                 id="organisation-named-after-a-person"),
    pytest.param("Beste Grüße aus dem Urlaub", [], id="letter-closing"),
    pytest.param("Im August Bayern zu besuchen lohnt sich.", [], id="month-is-not-a-first-name"),
    pytest.param("Paris Hilton und Hamburg Messe", [], id="places-do-not-start-or-end-names"),
    pytest.param("Aron Baum und Gianni Berg trafen sich. Aron und Gianni lachten.",
                 ["Aron Baum", "Gianni Berg"], id="first-names-alone-are-not-back-references"),
    pytest.param("Robert Motiv mit Nr. 1. Hans Motiv mit Nr. 2. Motiv ohne Rahmen.",
                 ["Robert Motiv", "Hans Motiv"], id="surname-of-two-names-is-ambiguous"),
    pytest.param("Lisa Wake schreibt für Wake News. Wake sagt nichts.", ["Lisa Wake"],
                 id="surname-starting-another-capitalised-run-is-not-referred-back"),
    pytest.param("Die Firma Siemens in München.", [], id="no-first-name-no-person"),
])
def test_find_people(text: str, expected: list[str]) -> None:
    assert people(text) == expected
