"""Apply what was learned across documents: paragraphs that recur on one site are its template.

A paragraph whose fingerprint occurs in at least `min_docs` distinct articles of
the same site (this run's plus the ones stored in `template_lines`) is that
site's chrome ("Foto: dpa", a newsletter box, a legal line) and leaves the body.
Guards: long paragraphs are never learned (syndicated prose repeats, chrome is
short), and an article never loses more than half of its words this way. Clean copy
(`text_kind` "text": agency stories, newsletters) has no chrome: it neither teaches nor
loses lines here, so a results table's repeated heading stays in every story.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

import polars as pl

from transforms.extraction.boilerplate import WORD, stop_density
from transforms.schema import TEMPLATE_LINES, frame

MAX_TEMPLATE_WORDS = 60
# A line is a site's template once this many distinct articles of the site carry it.
MIN_TEMPLATE_DOCS = 3
# A line of this many words with sentence punctuation is prose (see `is_prose`).
PROSE_WORDS = 15
_WORD = re.compile(r"\w+")
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


def fingerprint(line: str) -> str:
    """Stable 17-char fingerprint of a paragraph or line: "p"/"s" (prose/short) + 16 hex digits.

    Lines differing only in case, whitespace, digits or edge punctuation share
    a fingerprint ("© 2024 Foo GmbH" == "© 2025 Foo GmbH").
    """
    digest = hashlib.blake2b(normalise_line(line).encode("utf-8"), digest_size=8).hexdigest()
    return ("p" if is_prose(line) else "s") + digest


def template_rows(articles: Iterable[dict[str, object]]) -> list[dict[str, object]]:
    """(site, fingerprint, article_id) for every short paragraph of each article's body."""
    rows: dict[tuple[str, str, str], None] = {}
    for a in articles:
        site, article_id = a.get("site"), a.get("article_id")
        if not site or not article_id or a.get("text_kind") == "text":
            continue
        paragraphs = [p for p in str(a.get("body") or "").split("\n\n") if p.strip()]
        for line in paragraphs:
            if 0 < len(_WORD.findall(line)) <= MAX_TEMPLATE_WORDS:
                rows[(str(site), fingerprint(line), str(article_id))] = None
    return [{"site": s, "fingerprint": f, "article_id": i} for s, f, i in rows]


def learned_templates(rows: pl.DataFrame, min_docs: int = MIN_TEMPLATE_DOCS) -> dict[str, frozenset[str]]:
    """Per site, the fingerprints seen in at least `min_docs` distinct articles."""
    if rows.height == 0:
        return {}
    counted = (rows.unique().group_by("site", "fingerprint").agg(pl.col("article_id").n_unique().alias("n"))
               .filter(pl.col("n") >= min_docs))
    out: dict[str, set[str]] = defaultdict(set)
    for site, fp in counted.select("site", "fingerprint").iter_rows():
        out[site].add(fp)
    return {k: frozenset(v) for k, v in out.items()}


def strip_templates(body: str, known: frozenset[str]) -> tuple[str, list[str]]:
    """Body without known template paragraphs, and the paragraphs removed."""
    if not known:
        return body, []
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    kept, dropped = [], []
    for p in paragraphs:
        (dropped if len(_WORD.findall(p)) <= MAX_TEMPLATE_WORDS and fingerprint(p) in known else kept).append(p)
    total = sum(len(_WORD.findall(p)) for p in paragraphs)
    if not dropped or sum(len(_WORD.findall(p)) for p in kept) < total / 2:
        return body, []
    return "\n\n".join(kept), dropped


def apply_templates(articles: list[dict[str, object]], stored: pl.DataFrame, min_docs: int = MIN_TEMPLATE_DOCS,
                    new_rows: pl.DataFrame | None = None) -> tuple[list[dict[str, object]], pl.DataFrame]:
    """Learn from this batch plus `stored`, strip template paragraphs; return articles and new rows.

    `new_rows`: `template_rows(articles)` as a frame, when the caller computed it already."""
    if new_rows is None:
        new_rows = frame(template_rows(articles), TEMPLATE_LINES)
    known = learned_templates(pl.concat([stored.select(TEMPLATE_LINES.keys()), new_rows]), min_docs)
    for a in articles:
        if a.get("text_kind") == "text":
            continue
        site_known = known.get(str(a.get("site") or ""), frozenset())
        body, dropped = strip_templates(str(a.get("body") or ""), site_known)
        if dropped:
            a["body"] = body
    return articles, new_rows
