"""transforms/folding.py against the plain character-by-character definition it speeds up."""

import unicodedata

import pytest

from transforms.folding import fold_text, fold_words


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
