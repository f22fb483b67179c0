"""transforms/folding.py against the plain character-by-character definition it speeds up."""

import unicodedata

import pytest

from transforms.dates.words import MODIFIED_WORDS, PUBLISHED_WORDS
from transforms.extraction.boilerplate import _CHROME_PATTERNS
from transforms.folding import fold_text, fold_words

CHROME_PATTERNS = [pattern for patterns in _CHROME_PATTERNS.values() for pattern in patterns]


def reference(text: str) -> tuple[str, list[int]]:
    """The definition: accents dropped, casefolded, a dot inside a word dropped, other runs of
    non-alphanumerics one space; index[i] = position in `text` of folded character i."""
    out: list[str] = []
    index: list[int] = []
    in_gap = False
    for pos, char in enumerate(text):
        if char == "." and 0 < pos < len(text) - 1 and text[pos - 1].isalnum() and text[pos + 1].isalnum():
            continue
        if not char.isalnum():
            if not in_gap:
                out.append(" ")
                index.append(pos)
                in_gap = True
            continue
        in_gap = False
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            for folded in part.casefold():
                out.append(folded)
                index.append(pos)
    return "".join(out), index


@pytest.mark.parametrize("text", [
    pytest.param("Apple, Inc. (AAPL) rose 3.5% in the U.S. today.", id="punctuation-dots-numbers"),
    pytest.param("Nestlé S.A. und die Straße; ǅ ﬁnance İstanbul", id="accents-expansions"),
    pytest.param("  leading and trailing ...  ", id="edges"),
    pytest.param(".a.b. ..c a..b a . b", id="dot-runs"),
    pytest.param("x\u0301y e\u0301", id="combining-marks"),
    pytest.param("snake_case__name -- em—dash", id="underscore-dashes"),
    pytest.param("", id="empty"),
    pytest.param("Größe ß.ß ẞ", id="sharp-s-next-to-dot"),
    pytest.param("東京 2024年 Zürich-Oerlikon", id="cjk-and-hyphen"),
])
def test_fold_text_is_the_reference(text: str) -> None:
    folded, to_original = fold_text(text)
    expected, index = reference(text)
    assert folded == expected
    assert [to_original(i) for i in range(len(folded))] == index
    assert fold_words(text) == expected.split()


# Every character Python has (surrogates left out), for checking `casefree` against re itself.
_ALL_CHARACTERS = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


def test_casefree_groups_are_the_letters_re_ignorecase_takes_as_equal() -> None:
    from re._casefix import _EXTRA_CASES

    from transforms.folding import casefree

    for code, equals in _EXTRA_CASES.items():
        assert {casefree(chr(c)) for c in (code, *equals)} == {casefree(chr(code))}


def test_casefree_text_searched_case_sensitively_finds_what_ignorecase_finds() -> None:
    """Every letter, escape and character class of the patterns searched in casefree text (the
    label-word gates, the loose chrome pass): the characters it accepts with IGNORECASE are exactly
    those whose casefree form it accepts case-sensitively; casefree keeps every position."""
    import re

    from transforms.dates import datelines
    from transforms.extraction import boilerplate
    from transforms.folding import casefree

    folded = casefree(_ALL_CHARACTERS)
    assert len(folded) == len(_ALL_CHARACTERS)
    patterns = [
        boilerplate._LOOSE_CHROME.pattern,
        datelines._PUBLISHED_WORD.pattern,
        datelines._MODIFIED_WORD.pattern,
    ]
    atoms = {"."}
    for pattern in patterns:
        atoms |= set(re.findall(r"\\.|\[[^\]]*\]", pattern))
        atoms |= {re.escape(c) for c in re.sub(r"\\.|\[[^\]]*\]", "", pattern) if c.isalpha()}
    for letter in {c for word in (*PUBLISHED_WORDS, *MODIFIED_WORDS) for c in word if c.isalpha()}:
        atoms.add(re.escape(letter))  # the words as written, before casefree
    for atom in sorted(atoms):
        ignorecase = [m.start() for m in re.finditer(atom, _ALL_CHARACTERS, re.I)]
        sensitive = [m.start() for m in re.finditer(casefree(atom) if atom.isalpha() else atom, folded)]
        assert ignorecase == sensitive, atom
