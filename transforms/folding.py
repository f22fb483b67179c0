"""Folding text for tolerant matching, fast: the one definition the watchlist, topics and search share.

Folded text is the article's words, casefolded, accents removed (NFKD, combining marks dropped),
separated by single spaces: every run of characters that are not letters or digits becomes one
space, and a dot between two letters or digits is dropped ("S.A." folds like "SA", "U.S" like "us").

`fold_text(text)` returns the folded text and a function from a folded position back to the
position in `text` of the character it came from. It runs at C speed for the common case: one
`str.translate` per text with a per-character table, then a pass over the few spots where the
length changes (runs of punctuation, inner dots, "ß" -> "ss").
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# Characters whose fold is not one character ("ß" -> "ss", "ﬁ" -> "fi"), by folded form.
_FOLD_TABLE: dict[int, str] = {}
_SINGLE_TABLE: dict[int, str] = {}  # the same without the expanding characters (they stay as they are)
_EXPANDING: set[str] = set()
_IRREGULAR_BASE = r"(?<=[^\W_])\.(?=[^\W_])|[ .]{2,}|\."


def fold_char(char: str) -> str:
    """One character folded: "" is never returned for a letter or digit; others become " " (a dot stays)."""
    if char == ".":
        return "."
    if not char.isalnum():
        return " "
    out = "".join(part.casefold() for part in unicodedata.normalize("NFKD", char)
                  if not unicodedata.combining(part))
    return out


def _table_for(text: str) -> set[str]:
    """Make sure every character of `text` is in the table; returns those of them that expand."""
    if text.isascii():
        return set()  # ASCII is in the table from the start and never expands
    missing = [c for c in set(text) if ord(c) not in _FOLD_TABLE]
    for char in missing:
        folded = fold_char(char)
        _FOLD_TABLE[ord(char)] = folded
        if len(folded) != 1:
            _EXPANDING.add(char)
        else:
            _SINGLE_TABLE[ord(char)] = folded
    if not _EXPANDING:
        return set()
    return _EXPANDING.intersection(text)


@lru_cache(maxsize=256)
def _irregular(expanding: frozenset[str]) -> re.Pattern[str]:
    if not expanding:
        return re.compile(_IRREGULAR_BASE)
    return re.compile(_IRREGULAR_BASE + "|[" + "".join(re.escape(c) for c in sorted(expanding)) + "]")


def fold_text(text: str) -> tuple[str, Callable[[int], int]]:
    """(folded text, folded position -> position in `text`); see the module docstring."""
    expanding = _table_for(text)
    # Expanding characters stay as they are here; the pass below replaces them.
    translated = text.translate(_SINGLE_TABLE)
    pieces: list[str] = []
    seg_folded = [0]
    seg_orig = [0]
    seg_linear = [True]
    folded_pos = orig_pos = 0
    for match in _irregular(frozenset(expanding)).finditer(translated):
        start, end = match.span()
        pieces.append(translated[orig_pos:start])
        folded_pos += start - orig_pos
        found = match.group()
        if found == "." and 0 < start and end < len(translated) and translated[start - 1].isalnum() \
                and translated[end].isalnum():
            replacement = ""  # a dot inside a word
        elif found[0] in " .":
            replacement = " "
        else:
            replacement = _FOLD_TABLE[ord(found)]
        # Every character of the replacement points at the first character it replaces.
        seg_folded.append(folded_pos)
        seg_orig.append(start)
        seg_linear.append(False)
        pieces.append(replacement)
        folded_pos += len(replacement)
        seg_folded.append(folded_pos)
        seg_orig.append(end)
        seg_linear.append(True)
        orig_pos = end
    pieces.append(translated[orig_pos:])
    folded = "".join(pieces)

    def to_original(position: int) -> int:
        k = bisect.bisect_right(seg_folded, position) - 1
        return seg_orig[k] + (position - seg_folded[k]) if seg_linear[k] else seg_orig[k]

    return folded, to_original


def fold_words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    _table_for(text)
    folded = text.translate(_FOLD_TABLE)
    if "." in folded:
        folded = _INNER_DOT.sub("", folded).replace(".", " ")
    return folded.split()


_INNER_DOT = re.compile(r"(?<=[^\W_])\.(?=[^\W_])")
_table_for("".join(chr(i) for i in range(1, 128)) + "\u00e9")
