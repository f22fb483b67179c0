"""The data-quality gate: GX suites decide what is kept, warned about or quarantined."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from expectations.runner import DQ_RESULTS_SCHEMA, run_suite
from transforms.schema import ARTICLES, frame

EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)


@dataclass
class Gate:
    kept: list[dict[str, object]] = field(default_factory=list)
    quarantined: list[dict[str, object]] = field(default_factory=list)
    dq_results: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=DQ_RESULTS_SCHEMA))
    warnings_by_check: dict[str, int] = field(default_factory=dict)


@task(name="quality: articles suite", cache_policy=NO_CACHE, persist_result=False)
def check_articles(articles: list[dict[str, object]], run_id: str, min_words: int,
                   languages: tuple[str, ...]) -> Gate:
    gate = Gate()
    if not articles:
        return gate
    allowed = set(languages)
    checked = frame(articles, ARTICLES).with_columns(
        language_ok=pl.lit(True) if not allowed else pl.col("language").is_in(list(allowed)).fill_null(False))
    outcome = run_suite("articles", checked.drop("dq_failures", "authors", "tags"),
                        {"now": datetime.now(UTC), "min_words": min_words, "earliest_date": EARLIEST_PLAUSIBLE},
                        run_id)
    for a in articles:
        key = str(a["article_id"])
        critical = outcome.critical(key)
        if critical:
            gate.quarantined.append({
                "doc_key": a["doc_key"], "url": a["url"], "path": a.get("path"), "source": a["source"],
                "stage": "quality", "reasons": [f.check for f in outcome.failures[key]],
                "detail": "; ".join(f.why for f in critical), "run_id": run_id,
                "quarantined_at": datetime.now(UTC),
            })
            continue
        warned = outcome.warnings(key)
        a["dq_status"] = "warn" if warned else "pass"
        a["dq_failures"] = [f.check for f in warned]
        for f in warned:
            gate.warnings_by_check[f.check] = gate.warnings_by_check.get(f.check, 0) + 1
        gate.kept.append(a)
    gate.dq_results = pl.DataFrame(outcome.results, schema=DQ_RESULTS_SCHEMA) if outcome.results \
        else gate.dq_results
    return gate
