"""The tag stage: named entities for the kept articles, in worker processes."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from transforms.schema import ENTITIES, MENTIONS, frame


@task(name="tag: named entities", cache_policy=NO_CACHE, persist_result=False)
def tag_articles(articles: list[dict[str, object]], workers: int, watchlist: Path | None
                 ) -> tuple[pl.DataFrame, pl.DataFrame]:
    from transforms.entities import TagInput, tag_parallel

    inputs = [TagInput(article_id=str(a["article_id"]), title=str(a.get("title") or ""),
                       body=str(a.get("body") or ""), language=a.get("language"))  # type: ignore[arg-type]
              for a in articles]
    # tag_parallel itself stays in-process when the documents fit in one batch.
    mentions, entities = tag_parallel(inputs, workers=workers, watchlist_path=watchlist)
    return frame([asdict(m) for m in mentions], MENTIONS), frame([asdict(e) for e in entities], ENTITIES)
