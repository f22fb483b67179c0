"""A search result's snippet: the passage of the body around the first match, matches in [brackets] (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from transforms.boolean_query import Atom, word_spans

SNIPPET_WORDS = 30
MARK_OPEN, MARK_CLOSE = "[", "]"


def _hits(text: str, atoms: Sequence[Atom], field: str) -> tuple[list[tuple[int, int]], list[tuple[str, int, int]]]:
    """Word-index spans of every atom occurrence in `text`, and the words of `text`."""
    spans = list(word_spans(text))
    tokens = [w for w, _, _ in spans]
    hits: list[tuple[int, int]] = []
    for atom in atoms:
        if field not in atom.fields:
            continue
        n = len(atom.terms)
        for i in range(len(tokens) - n + 1):
            if atom.kind == "prefix":
                if tokens[i].startswith(atom.terms[0]):
                    hits.append((i, i + 1))
            elif tuple(tokens[i:i + n]) == atom.terms:
                hits.append((i, i + n))
    return sorted(set(hits)), spans


def snippet(title: str, body: str, atoms: Sequence[Atom], words: int = SNIPPET_WORDS) -> str:
    """About `words` words of the body around its first match (the body's start when only the title
    or publisher matched), every match marked [like this], "…" where the text was cut."""
    hits, spans = _hits(body, atoms, "body")
    if not spans:
        return ""
    first = hits[0][0] if hits else 0
    lo = max(0, first - words // 3)
    hi = min(len(spans), lo + words)
    starts = {s for s, _ in hits if lo <= s < hi}
    ends = {e - 1 for s, e in hits if lo <= s < hi}
    out: list[str] = []
    pos = spans[lo][1]
    for i in range(lo, hi):
        _, start, end = spans[i]
        out.append(body[pos:start])
        out.append((MARK_OPEN if i in starts else "") + body[start:end] + (MARK_CLOSE if i in ends else ""))
        pos = end
    if hi == len(spans):
        out.append(body[pos:])  # the closing punctuation
    text = " ".join("".join(out).split())
    return ("…" if lo > 0 else "") + text + ("…" if hi < len(spans) else "")
