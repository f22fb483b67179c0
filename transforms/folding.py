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
# Group 1: a dot inside a word (dropped); 2: a run of gaps, or a lone dot (one space); 3: expanding.
_IRREGULAR_BASE = r"((?<=[^\W_])\.(?=[^\W_]))|([ .]{2,}|\.)"


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
    return re.compile(_IRREGULAR_BASE + "|([" + "".join(re.escape(c) for c in sorted(expanding)) + "])")


Folded = tuple[str, Callable[[int], int]]  # what fold_text returns


def fold_text(text: str) -> Folded:
    """(folded text, folded position -> position in `text`); see the module docstring. The folded
    text is made with C-level string operations; the position map only when first asked for."""
    expanding = _table_for(text)
    # Expanding characters stay as they are here: `translated` has the length of `text`.
    translated = text.translate(_SINGLE_TABLE)
    folded = translated
    if "." in folded:
        folded = _INNER_DOT.sub("", folded).replace(".", " ")
    if "  " in folded:
        folded = _SPACES.sub(" ", folded)
    if expanding:
        folded = folded.translate(_FOLD_TABLE)
    segments: list[list[int]] = []

    def to_original(position: int) -> int:
        if not segments:
            segments.extend(_segments(translated, expanding))
        seg_folded, seg_orig, seg_linear = segments
        k = bisect.bisect_right(seg_folded, position) - 1
        return seg_orig[k] + (position - seg_folded[k]) if seg_linear[k] else seg_orig[k]

    return folded, to_original


def _segments(translated: str, expanding: set[str]) -> tuple[list[int], list[int], list[int]]:
    """Where the folded text and `translated` (same positions as the original) stop running in step:
    (folded starts, original starts, linear flags) of each stretch, for `fold_text`'s map."""
    seg_folded = [0]
    seg_orig = [0]
    seg_linear = [1]
    folded_pos = orig_pos = 0
    for match in _irregular(frozenset(expanding)).finditer(translated):
        start, end = match.span()
        folded_pos += start - orig_pos
        group = match.lastindex
        length = 0 if group == 1 else 1 if group == 2 else len(_FOLD_TABLE[ord(translated[start])])
        # Every character of the replacement points at the first character it replaces.
        seg_folded += (folded_pos, folded_pos + length)
        seg_orig += (start, end)
        seg_linear += (0, 1)
        folded_pos += length
        orig_pos = end
    return seg_folded, seg_orig, seg_linear


def fold_words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    _table_for(text)
    folded = text.translate(_FOLD_TABLE)
    if "." in folded:
        folded = _INNER_DOT.sub("", folded).replace(".", " ")
    return folded.split()


_INNER_DOT = re.compile(r"(?<=[^\W_])\.(?=[^\W_])")
_SPACES = re.compile(" {2,}")
_table_for("".join(chr(i) for i in range(1, 128)) + "\u00e9")
