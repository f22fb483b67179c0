"""The tag stage's rows: article rows in as `TagInput`s, the tagger's batches out as mentions and entities frames."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import polars as pl

from transforms.schema import ENTITIES, MENTIONS, frame


def tag_inputs(articles: Sequence[dict[str, object]]) -> list[Any]:
    """Article rows as `transforms.entities.tagging.TagInput`s."""
    from transforms.entities.tagging import TagInput

    # `dateline_place` comes from wire-copy parsing; rows without it (older stages) tag title and body.
    return [TagInput(article_id=str(a["article_id"]), title=str(a.get("title") or ""),
                     body=str(a.get("body") or ""), language=a.get("language"),  # type: ignore[arg-type]
                     dateline_place=str(a.get("dateline_place") or "") or None)
            for a in articles]


# What tagging an article costs per character without a statistical model for its language
# (names by rule, KB and watchlist only), against 1 with one: NER is most of a worker's tag time.
RULES_ONLY_COST = 0.1


def tag_cost(item: Any) -> float:
    """A `TagInput`'s expected tagging time, in characters of NER-model text: what balances the
    tag batches between the workers (an English article costs many times a German one)."""
    from transforms.entities.languages import PIPELINES, normalise_language

    chars = len(item.title) + len(item.body) + 200  # + the per-article work every article has
    code = normalise_language(item.language)
    return chars if code is None or code in PIPELINES else chars * RULES_ONLY_COST


def merge_tagged(results: Sequence[tuple[list[Any], list[Any]]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Batch results (in input order) as mentions and entities frames; entities merged by id."""
    mentions = frame([asdict(m) for batch, _ in results for m in batch], MENTIONS)
    # The same entity from several batches: one row, the union of the aliases (as Tagger.tag does).
    merged: dict[str, dict[str, Any]] = {}
    for _, batch in results:
        for entity in batch:
            row = merged.get(entity.entity_id)
            if row is None:
                merged[entity.entity_id] = {**asdict(entity), "aliases": sorted(set(entity.aliases))}
            else:
                row["aliases"] = sorted(set(row["aliases"]) | set(entity.aliases))
                row["external_id"] = row["external_id"] or entity.external_id
    return mentions, frame(list(merged.values()), ENTITIES)
