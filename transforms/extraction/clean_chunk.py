"""The clean stage's work across a whole chunk, after its batches come back from the workers.

Runs in the flow process (polars is not imported in the workers): site templates learned from
the chunk's articles plus the lines stored by earlier chunks and runs leave the bodies, the
columns derived from the body follow, and a URL an earlier document of the run claimed stays
with that document (the later one becomes a quarantine row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from transforms.extraction.clean import CleanBatch, refresh_derived, split_repeated_urls
from transforms.extraction.site_templates import apply_templates, template_rows
from transforms.schema import TEMPLATE_LINES, frame

# What a run remembers of the document that claimed an article_id (its URL) first.
CLAIM_FIELDS = ("article_id", "doc_key", "url", "path", "source")


@dataclass
class CleanedChunk:
    """A chunk after the clean stage."""

    articles: list[dict[str, object]]
    quarantined: list[dict[str, object]]
    template_lines: pl.DataFrame  # this chunk's (site, fingerprint, article_id) rows, to store
    claims: dict[object, dict[str, object]]  # article_id -> this chunk's document that claimed it


def claim(row: Mapping[str, object]) -> dict[str, object]:
    """The `CLAIM_FIELDS` of an article row (or a skipped document's description)."""
    return {k: row.get(k) for k in CLAIM_FIELDS}


def chunk_lines(batches: Sequence[CleanBatch]) -> pl.DataFrame:
    """The chunk's (site, fingerprint, article_id) template-line rows: which stored lines
    `finish_clean` needs (those of the same site and fingerprint), and what the load stores."""
    return frame(template_rows([a for b in batches for a in b.articles]), TEMPLATE_LINES)


def finish_clean(batches: Sequence[CleanBatch], stored_lines: pl.DataFrame,
                 earlier_claims: Mapping[object, dict[str, object]], run_id: str,
                 lines: pl.DataFrame | None = None) -> CleanedChunk:
    """A chunk's cleaned batches (in order) -> its articles without template paragraphs, with
    derived columns, and without URLs an earlier document of the run (`earlier_claims`) holds.

    `lines` are the chunk's own template lines (`chunk_lines`, computed here when None);
    `stored_lines` the stored lines that share a site and fingerprint with them.
    """
    articles = [a for b in batches for a in b.articles]
    quarantined = [q for b in batches for q in b.quarantined]
    articles, template_rows = apply_templates(articles, stored_lines, new_rows=lines)
    articles = [refresh_derived(a) for a in articles]
    # Each earlier claim once, however many documents of this chunk repeat its URL: a claim
    # listed twice would be split off as its own repeat and shift the chunk's articles.
    earlier = list({a["article_id"]: earlier_claims[a["article_id"]] for a in articles
                    if a["article_id"] in earlier_claims}.values())
    kept, repeated = split_repeated_urls(earlier + articles, run_id)
    articles = kept[len(earlier):]
    quarantined.extend(repeated)
    return CleanedChunk(articles, quarantined, template_rows, {a["article_id"]: claim(a) for a in articles})
