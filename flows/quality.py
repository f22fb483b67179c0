"""The data-quality gate: GX suites decide what is kept, warned about, dropped or quarantined.

`check_articles` runs the articles suite (critical → quarantine), `check_tagged` the mentions
and entities suites on the tagger's output (critical → rows dropped), `field_health` the
per-site fill-rate watch, and `publish_quality` writes GX Data Docs and a Prefect artifact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from expectations.runner import DQ_RESULTS_SCHEMA, build_data_docs, run_suite
from mediamon.field_health import field_health as field_health  # re-exported: it lives there, GX-free
from transforms.dates.parsing import EARLIEST_PLAUSIBLE
from transforms.extraction.clean import quarantine_row
from transforms.entities.languages import has_person_model, ner_language
from transforms.schema import ARTICLES, frame

if TYPE_CHECKING:
    from mediamon.warehouse import Warehouse


@dataclass
class Gate:
    kept: list[dict[str, object]] = field(default_factory=list)
    quarantined: list[dict[str, object]] = field(default_factory=list)
    dq_results: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=DQ_RESULTS_SCHEMA))
    warnings_by_check: dict[str, int] = field(default_factory=dict)


def ner_model_available(article: dict[str, object]) -> bool:
    """True when the article's language has a person/organisation model (the tagger's own routing)."""
    language = article.get("language")
    text = f"{article.get('title') or ''}\n{article.get('body') or ''}"
    return has_person_model(ner_language(language if isinstance(language, str) else None, text))


@task(name="quality: articles suite", cache_policy=NO_CACHE, persist_result=False)
def check_articles(articles: list[dict[str, object]], run_id: str, min_words: int,
                   languages: tuple[str, ...]) -> Gate:
    gate = Gate()
    if not articles:
        return gate
    allowed = set(languages)
    checked = frame(articles, ARTICLES).with_columns(
        language_ok=pl.lit(True) if not allowed else pl.col("language").is_in(list(allowed)).fill_null(False),
        ner_model_ok=pl.Series([ner_model_available(a) for a in articles], dtype=pl.Boolean))
    outcome = run_suite("articles", checked.drop("dq_failures", "authors", "tags"),
                        {"now": datetime.now(UTC), "min_words": min_words, "earliest_date": EARLIEST_PLAUSIBLE},
                        run_id)
    for a in articles:
        key = str(a["article_id"])
        critical = outcome.critical(key)
        if critical:
            gate.quarantined.append(quarantine_row(a, "quality", [f.check for f in outcome.failures[key]],
                                                   "; ".join(f.why for f in critical), run_id))
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


@dataclass
class TagGate:
    """The mentions and entities suites' outcome: what is loaded, and what was found."""

    mentions: pl.DataFrame
    entities: pl.DataFrame
    dq_results: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=DQ_RESULTS_SCHEMA))
    # "mentions.entity_type_known" -> rows kept with that warning; "mentions.surface_non_empty
    # (dropped)" -> rows dropped by that critical check.
    warnings_by_check: dict[str, int] = field(default_factory=dict)


@task(name="quality: mentions and entities suites", cache_policy=NO_CACHE, persist_result=False)
def check_tagged(mentions: pl.DataFrame, entities: pl.DataFrame, articles: list[dict[str, object]],
                 run_id: str) -> TagGate:
    """Run the GX mentions and entities suites on a chunk's tagger output (`articles`: those kept).

    Critical failures drop the rows (an entity that fails takes its mentions with it); warnings
    keep them. Both are counted per check and recorded in dq_results.
    """
    counts: dict[str, int] = {}
    results: list[pl.DataFrame] = []

    def tally(suite: str, outcome: Any, dropped: set[Any]) -> None:
        for key, failures in outcome.failures.items():
            for f in failures:
                name = f"{suite}.{f.check}" + (" (dropped)" if key in dropped else "")
                counts[name] = counts.get(name, 0) + 1
        if outcome.results:
            results.append(pl.DataFrame(outcome.results, schema=DQ_RESULTS_SCHEMA))

    entity_view = entities.select("entity_id", "canonical_name", "entity_type")
    e_out = run_suite("entities", entity_view, {}, run_id, key="entity_id")
    bad_entities = {k for k in e_out.failures if e_out.critical(k)}
    tally("entities", e_out, bad_entities)
    entity_bad = pl.col("entity_id").is_null() | pl.col("entity_id").is_in(list(bad_entities - {None}))
    entities = entities.filter(~entity_bad) if bad_entities else entities

    article_ids = [str(a["article_id"]) for a in articles]
    checked = mentions.with_columns(
        mention_key=pl.concat_str([pl.col("article_id").fill_null("?"), pl.col("in_title").cast(pl.String),
                                   pl.col("start_char").cast(pl.String),
                                   # a dateline mention's offsets are into dateline_place, not the body
                                   pl.col("in_dateline").fill_null(False).cast(pl.String)],
                                  separator=":").fill_null("?"),
        article_known=pl.col("article_id").is_in(article_ids).fill_null(False),
        entity_known=pl.col("entity_id").is_in(entities["entity_id"].to_list()).fill_null(False),
        span_ok=(pl.col("end_char") >= pl.col("start_char")).fill_null(False),
    )
    m_out = run_suite("mentions", checked.select("mention_key", "surface", "entity_type", "start_char",
                                                 "article_known", "entity_known", "span_ok"),
                      {}, run_id, key="mention_key")
    bad_mentions = {k for k in m_out.failures if m_out.critical(k)}
    tally("mentions", m_out, bad_mentions)
    if bad_mentions:
        checked = checked.filter(~pl.col("mention_key").is_in(list(bad_mentions)))
    dq = pl.concat(results) if results else pl.DataFrame(schema=DQ_RESULTS_SCHEMA)
    return TagGate(checked.select(mentions.columns), entities, dq, counts)


def publish_quality(warehouse: Warehouse, run_id: str) -> Path | None:
    """After a run: GX Data Docs under <warehouse>/dq/ and a Prefect markdown artifact of the run's checks.

    Neither changes the data; a failure to write them is logged and returns None.
    """
    from prefect import get_run_logger
    from prefect.artifacts import create_markdown_artifact

    index: Path | None = None
    try:
        index = build_data_docs(warehouse.directory / "dq")
    except Exception as exc:  # a rendering problem must not fail a run whose data is committed
        get_run_logger().warning("could not write the GX Data Docs: %s", exc)
    try:
        rows = warehouse.con.execute("""
            SELECT suite, expectation, severity, count(*) AS batches, sum(element_count) AS checked,
                   sum(unexpected_count) AS failed
            FROM dq_results WHERE run_id = ? GROUP BY suite, expectation, severity
            ORDER BY suite, CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                     expectation""",
            [run_id]).fetchall()
        warehouse.release()
        create_markdown_artifact(quality_markdown(run_id, rows, index), key="mediamon-data-quality",
                                 description=f"mediamon data-quality checks, run {run_id}")
    except Exception as exc:
        get_run_logger().warning("could not publish the data-quality artifact: %s", exc)
    return index


def quality_markdown(run_id: str, rows: list[tuple[Any, ...]], index: Path | None) -> str:
    """The run's checks as markdown: one line per (suite, check) with its severity and counts."""
    lines = [f"# Data quality, run {run_id}", ""]
    if not rows:
        return "\n".join([*lines, "No checks ran (no new or changed documents)."])
    by_severity: dict[str, int] = {}
    for _, _, severity, _, _, failed in rows:
        by_severity[severity] = by_severity.get(severity, 0) + int(failed or 0)
    lines += ["Failures by severity: " + ", ".join(f"{k} {v}" for k, v in sorted(by_severity.items())), "",
              "| suite | check | severity | rows checked | failed |", "|---|---|---|---:|---:|"]
    lines += [f"| {suite} | {check} | {severity} | {checked} | {failed} |"
              for suite, check, severity, _, checked, failed in rows]
    if index is not None:
        lines += ["", f"GX Data Docs: `{index}`"]
    return "\n".join(lines)
