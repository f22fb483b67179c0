"""A search result's snippet: the passage of the body around the first match, matches in [brackets] (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from transforms.monitoring.boolean_query import Atom, word_spans
from transforms.folding import fold_text

SNIPPET_WORDS = 30
MARK_OPEN, MARK_CLOSE = "[", "]"


def _first_hit(folded: str, atoms: Sequence[Atom]) -> int | None:
    """Folded position of the first body occurrence of any atom (plain string search, no word loop)."""
    padded = f" {folded} "
    first: int | None = None
    for atom in atoms:
        if "body" not in atom.fields:
            continue
        needle = " " + " ".join(atom.terms) + ("" if atom.kind == "prefix" else " ")
        at = padded.find(needle)
        if at != -1 and (first is None or at < first):
            first = at  # padded[at] is the space before the word: folded[at] is its first letter
    return first


def _mark(text: str, atoms: Sequence[Atom]) -> str:
    """`text` (a short passage) with every occurrence of the atoms in [brackets]."""
    spans = list(word_spans(text))
    tokens = [w for w, _, _ in spans]
    hits: set[tuple[int, int]] = set()
    for atom in atoms:
        if "body" not in atom.fields:
            continue
        n = len(atom.terms)
        for i in range(len(tokens) - n + 1):
            if atom.kind == "prefix":
                if tokens[i].startswith(atom.terms[0]):
                    hits.add((i, i + 1))
            elif tuple(tokens[i:i + n]) == atom.terms:
                hits.add((i, i + n))
    opens = {s for s, _ in hits}
    closes = {e - 1 for _, e in hits}
    out: list[str] = []
    pos = 0
    for i, (_, start, end) in enumerate(spans):
        out.append(text[pos:start])
        out.append((MARK_OPEN if i in opens else "") + text[start:end] + (MARK_CLOSE if i in closes else ""))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def snippet(title: str, body: str, atoms: Sequence[Atom], words: int = SNIPPET_WORDS,
            folded_body: tuple[str, Callable[[int], int]] | None = None) -> str:
    """About `words` words of the body around its first match (the body's start when only the title
    or publisher matched), every match marked [like this], "…" where the text was cut.
    `folded_body`: `fold_text(body)` when the caller has it already."""
    folded, to_original = folded_body or fold_text(body)
    if not folded.strip():
        return ""
    hit = _first_hit(folded, atoms)
    lo = 0 if hit is None else hit
    for _ in range(words // 3 if hit is not None else 0):  # a third of the words before the match
        if lo <= 1:
            lo = 0
            break
        lo = folded.rfind(" ", 0, lo - 1) + 1
    while lo < len(folded) and folded[lo] == " ":
        lo += 1
    parts = folded[lo:].split(" ", words)
    hi = lo + len(" ".join(parts[:words]))  # folded end (exclusive) of the last word shown
    start = to_original(lo) if lo > 0 else 0
    cut_end = len(parts) > words
    end = to_original(hi - 1) + 1 if cut_end else len(body)
    passage = " ".join(_mark(body[start:end], atoms).split())
    return ("…" if start > 0 else "") + passage + ("…" if cut_end else "")
