"""Folding text for tolerant matching, fast: the one definition the watchlist, topics and search share.

Folded text is the article's words, casefolded, accents removed (NFKD, combining marks dropped),
separated by single spaces: every run of characters that are not letters or digits becomes one
space, and a dot between two letters or digits is dropped ("S.A." folds like "SA", "U.S" like "us").

`fold_text(text)` returns the folded text and a function from a folded position back to the
position in `text` of the character it came from. It runs at C speed for the common case: one
`str.translate` per text with a per-character table, then a pass over the few spots where the
length changes (runs of punctuation, inner dots, "ß" -> "ss").

`casefree(text)` is another folding, for speed alone: the text as re.IGNORECASE compares it, so a
case-sensitive search of it finds what an IGNORECASE search of the text finds, much faster.
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
# (Each pattern starts with its literal character, so the engine jumps from candidate to candidate.)
_IRREGULAR_BASE = r"(\.(?=[^\W_])(?<=[^\W_]\.))|([ .]{2,}|\.)"


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
    segments = _Segments(translated, expanding)
    return folded, segments.to_original


class _Segments:
    """The folded -> original position map, built lazily up to the largest position asked for:
    stretches where the folded text and `translated` (same positions as the original) run in step."""

    def __init__(self, translated: str, expanding: set[str]) -> None:
        self.translated = translated
        self.matches = _irregular(frozenset(expanding)).finditer(translated)
        self.seg_folded = [0]
        self.seg_orig = [0]
        self.seg_linear = [1]
        self.folded_pos = self.orig_pos = 0
        self.done = False

    def _extend(self, position: int) -> None:
        seg_folded, seg_orig, seg_linear = self.seg_folded, self.seg_orig, self.seg_linear
        folded_pos, orig_pos = self.folded_pos, self.orig_pos
        for match in self.matches:
            start, end = match.span()
            folded_pos += start - orig_pos
            group = match.lastindex
            length = 0 if group == 1 else 1 if group == 2 else len(_FOLD_TABLE[ord(self.translated[start])])
            # Every character of the replacement points at the first character it replaces.
            seg_folded += (folded_pos, folded_pos + length)
            seg_orig += (start, end)
            seg_linear += (0, 1)
            folded_pos += length
            orig_pos = end
            if folded_pos > position:
                break
        else:
            self.done = True
        self.folded_pos, self.orig_pos = folded_pos, orig_pos

    def to_original(self, position: int) -> int:
        if not self.done and position >= self.folded_pos:
            self._extend(position)
        k = bisect.bisect_right(self.seg_folded, position) - 1
        return self.seg_orig[k] + (position - self.seg_folded[k]) if self.seg_linear[k] else self.seg_orig[k]


def fold_words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    _table_for(text)
    folded = text.translate(_FOLD_TABLE)
    if "." in folded:
        folded = _INNER_DOT.sub("", folded).replace(".", " ")
    return folded.split()


_INNER_DOT = re.compile(r"\.(?=[^\W_])(?<=[^\W_]\.)")
_SPACES = re.compile(" {2,}")
_table_for("".join(chr(i) for i in range(1, 128)) + "\u00e9")


# Letters Python's re.IGNORECASE takes as equal beyond their lower case (its `re._casefix`
# table): "ı" matches "i", "ſ" matches "s", the Greek symbol and old Cyrillic forms their letters.
# Each group is written as its lowest member by `casefree`.
_CASE_GROUPS = (
    "iı", "sſ", "µ\u03bc", "\u0345\u03b9\u1fbe", "\u0390\u1fd3", "\u03b0\u1fe3", "\u03b2\u03d0",
    "\u03b5\u03f5", "\u03b8\u03d1", "\u03ba\u03f0", "\u03c0\u03d6", "\u03c1\u03f1", "\u03c2\u03c3",
    "\u03c6\u03d5", "в\u1c80", "д\u1c81", "о\u1c82", "с\u1c83", "т\u1c84\u1c85", "ъ\u1c86", "ѣ\u1c87",
    "\u1c88\ua64b", "\u1e61\u1e9b", "\ufb05\ufb06",
)
_CASE_CANON = {ord(c): min(group) for group in _CASE_GROUPS for c in group if c != min(group)}
_CASE_VARIANT = re.compile("[" + "".join(map(chr, _CASE_CANON)) + "]")


def casefree(text: str) -> str:
    """`text` as re.IGNORECASE compares it, one character for one: lower case ("İ" as "i", its
    simple lower case) with the letters IGNORECASE takes as equal made one ("ı" as "i").

    A case-sensitive search of `casefree(text)` for a pattern of lower-case words finds what an
    IGNORECASE search of `text` finds, many times faster over a long text: Python's re only skips
    ahead by a word's first letter without IGNORECASE; with it, every word is tried at every position.
    """
    text = text.replace("İ", "i").lower()
    if _CASE_VARIANT.search(text):
        text = text.translate(_CASE_CANON)
    return text
