"""Cross-document boilerplate templates: lines a publisher repeats on many pages.

A site's chrome (menus, footers, "Related" headlines, newsletter boxes) recurs
across its pages while article prose does not. We fingerprint every line or
text block of every document, count in how many distinct documents of one
publisher each fingerprint occurs, and call the frequent ones boilerplate.

Storage is a plain counter so the warehouse table is trivial:
`boilerplate_fingerprints(publisher, fingerprint, doc_count, last_seen)`.

    counts = count_fingerprints(docs)                   # {publisher: {fingerprint: doc_count}}
    counts = merge_counts(stored_counts, counts)         # add a new batch to what is stored
    known  = select_boilerplate(counts, min_docs=3)      # {publisher: frozenset(fingerprint)}
    shared = select_shared_boilerplate(counts)           # CMS chrome common to many publishers
    parse_text_dump(text, known_boilerplate=known[publisher] | shared)

Each publisher's counter also holds `DOCUMENTS_KEY` -> number of documents
seen, so a stored table reproduces the selection exactly.

Why long prose lines are treated differently: a background paragraph or a
quote is legitimately reused across a few follow-up stories, while a
disclaimer is on nearly every page. So a fingerprint of a prose line (its
fingerprint starts with "p") only counts as boilerplate when it occurs in
at least `prose_share` of the publisher's documents as well as in
`min_docs`; short lines (menus, headings, credits) need only `min_docs`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping

from transforms.boilerplate import WORD, stop_density

# Reserved fingerprint under which each publisher's document count is kept.
DOCUMENTS_KEY = "#documents"
# A line of this many words with sentence punctuation is prose (see module docstring).
PROSE_WORDS = 15

_DIGITS = re.compile(r"\d")
_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_PROSE_END = re.compile(r"""[.!?…]["'“”»«)\]]*$""")


def normalise_line(line: str) -> str:
    """Fold case, Unicode forms, digits (to 0) and whitespace; trim punctuation at the edges."""
    text = unicodedata.normalize("NFKC", line).casefold()
    text = _DIGITS.sub("0", text)
    text = _SPACE.sub(" ", text).strip()
    return _EDGE_PUNCT.sub("", text)


def is_prose(line: str) -> bool:
    """True for a line that reads like article prose: long, sentence-final, normal stop-word share."""
    words = WORD.findall(line)
    return (
        len(words) >= PROSE_WORDS
        and _PROSE_END.search(line.strip()) is not None
        and stop_density(words) >= 0.2
    )


def line_fingerprint(line: str) -> str:
    """Stable 17-char fingerprint of a line or text block: "p"/"s" (prose/short) + 16 hex digits.

    Lines differing only in case, whitespace, digits or edge punctuation share
    a fingerprint ("© 2024 Foo GmbH" == "© 2025 Foo GmbH"). Works on HTML
    text blocks as well as on dump lines.
    """
    digest = hashlib.blake2b(normalise_line(line).encode("utf-8"), digest_size=8).hexdigest()
    return ("p" if is_prose(line) else "s") + digest


def split_lines(text: str) -> list[str]:
    """Non-empty, stripped lines of a text dump (the unit template learning counts)."""
    return [s for s in (line.strip() for line in text.splitlines()) if s]


def count_fingerprints(docs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, dict[str, int]]:
    """Per publisher, the number of distinct documents each fingerprint occurs in.

    `docs` is (publisher, lines-or-blocks of one document). Lines without a
    letter (page numbers, bare dates) are skipped: they carry no template
    signal the line classifier lacks. Each publisher's dict also holds
    `DOCUMENTS_KEY` -> the number of its documents.
    """
    counts: dict[str, dict[str, int]] = {}
    for publisher, lines in docs:
        per_publisher = counts.setdefault(publisher, {})
        per_publisher[DOCUMENTS_KEY] = per_publisher.get(DOCUMENTS_KEY, 0) + 1
        seen = {line_fingerprint(line) for line in lines if WORD.search(line)}
        for fingerprint in seen:
            per_publisher[fingerprint] = per_publisher.get(fingerprint, 0) + 1
    return counts


def merge_counts(
    old: Mapping[str, Mapping[str, int]], new: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    """Add two counters from `count_fingerprints` (e.g. the stored table and a new batch)."""
    merged = {publisher: dict(counter) for publisher, counter in old.items()}
    for publisher, counter in new.items():
        target = merged.setdefault(publisher, {})
        for fingerprint, count in counter.items():
            target[fingerprint] = target.get(fingerprint, 0) + count
    return merged


def select_boilerplate(
    counts: Mapping[str, Mapping[str, int]], min_docs: int = 3, prose_share: float = 0.5
) -> dict[str, frozenset[str]]:
    """Per publisher, fingerprints seen in >= `min_docs` documents (prose lines: also >= `prose_share`)."""
    selected: dict[str, frozenset[str]] = {}
    for publisher, counter in counts.items():
        n_docs = counter.get(DOCUMENTS_KEY, 0)
        chosen = frozenset(
            fingerprint
            for fingerprint, count in counter.items()
            if fingerprint != DOCUMENTS_KEY
            and count >= min_docs
            and (not fingerprint.startswith("p") or count >= prose_share * n_docs)
        )
        if chosen:
            selected[publisher] = chosen
    return selected


def select_shared_boilerplate(
    counts: Mapping[str, Mapping[str, int]], min_publishers: int = 5
) -> frozenset[str]:
    """Short-line fingerprints that recur across >= `min_publishers` publishers (CMS chrome).

    "Schreibe einen Kommentar", "Skip to content", "Teilen" are the same on
    unrelated sites. Prose lines never count here: an agency story printed by
    several publishers is content everywhere. Pass the result, unioned with
    the publisher's own set, as `known_boilerplate`.
    """
    spread: dict[str, int] = {}
    for counter in counts.values():
        for fingerprint in counter:
            if fingerprint.startswith("s"):
                spread[fingerprint] = spread.get(fingerprint, 0) + 1
    return frozenset(fp for fp, n in spread.items() if n >= min_publishers)


def learn_fingerprints(docs: list[tuple[str, list[str]]], min_docs: int = 3) -> dict[str, frozenset[str]]:
    """Boilerplate fingerprints per publisher from (publisher, lines) documents, in one go."""
    return select_boilerplate(count_fingerprints(docs), min_docs=min_docs)


def merge_fingerprints(
    old: Mapping[str, Mapping[str, int]], new_docs: Iterable[tuple[str, Iterable[str]]]
) -> dict[str, dict[str, int]]:
    """Stored counts plus a new batch of (publisher, lines) documents -> updated counts.

    The result maps publisher -> {fingerprint: doc_count} (with `DOCUMENTS_KEY`),
    i.e. exactly the rows of `boilerplate_fingerprints`; feed it to
    `select_boilerplate` for the frozensets `parse_text_dump` takes.
    Re-counting a document already counted inflates its lines: callers pass
    only documents not seen before (the warehouse knows which).
    """
    return merge_counts(old, count_fingerprints(new_docs))
