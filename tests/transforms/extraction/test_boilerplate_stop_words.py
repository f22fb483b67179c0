"""The stop lists are read from spaCy's files without importing spaCy, and are spaCy's lists."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from transforms.extraction.boilerplate import stop_words


@pytest.mark.parametrize("language", ["en", "de", "ru"])
def test_stop_words_are_spacys_list(language: str) -> None:
    module = importlib.import_module(f"spacy.lang.{language}.stop_words")
    assert stop_words(language) == frozenset(w.casefold() for w in module.STOP_WORDS)


def test_reading_stop_words_does_not_import_spacy() -> None:
    code = ("import sys; from transforms.extraction.boilerplate import stop_density, WORD; "
            "stop_density(WORD.findall('Der Hund und die Katze')); print('spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
