"""The cross-document registry in a real DuckDB warehouse: learned per load, re-points history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from expectations.runner import DQ_RESULTS_SCHEMA
from mediamon.warehouse import LoadBatch, LoadCounts, RunRecord, Warehouse
from transforms.entities.tagging import entity_id_for
from transforms.schema import ARTICLES, ENTITIES, MENTIONS, QUARANTINE, TEMPLATE_LINES, frame


def _article(article_id: str) -> dict[str, object]:
    url = f"https://e.org/{article_id}"
    return {"article_id": article_id, "url": url, "canonical_url": url, "source": "t", "title": "T",
            "body": article_id, "word_count": 1, "content_hash": f"h-{article_id}", "dq_status": "pass",
            "dq_failures": [], "run_id": "r", "doc_key": url, "authors": [], "tags": [],
            "fetched_at": datetime(2024, 1, 1, tzinfo=UTC)}


def _load(wh: Warehouse, run_id: str, tagged: dict[str, list[tuple[str, str]]]) -> None:
    """Load one article per key, mentioning (name, type) pairs as the tagger would."""
    mentions, entities = [], {}
    for article_id, names in tagged.items():
        for i, (name, kind) in enumerate(names):
            entity_id = entity_id_for(name, kind)
            mentions.append({"article_id": article_id, "entity_id": entity_id, "surface": name,
                             "entity_type": kind, "start_char": i, "end_char": i + 1, "in_title": False,
                             "source": "ner", "in_dateline": False})
            entities[entity_id] = {"entity_id": entity_id, "canonical_name": name, "entity_type": kind,
                                   "aliases": [name], "external_id": None}
    run = RunRecord(run_id=run_id, started_at=datetime.now(UTC), sources=["t"], documents_in=len(tagged))
    wh.begin_run(run)
    counts = wh.load_chunk(run, LoadBatch(
        run.documents_in,
        frame([_article(a) for a in tagged], ARTICLES), frame([], QUARANTINE), frame(mentions, MENTIONS),
        frame(list(entities.values()), ENTITIES), pl.DataFrame(schema=DQ_RESULTS_SCHEMA), [],
        frame([], TEMPLATE_LINES)), LoadCounts())
    wh.finish_run(run, counts)


def _counted(wh: Warehouse) -> dict[tuple[str, str], int]:
    rows = wh.con.execute("""SELECT e.canonical_name, m.entity_type, count(*) FROM mentions m
                             JOIN entities e USING (entity_id) GROUP BY ALL""").fetchall()
    return {(name, kind): n for name, kind, n in rows}


def test_registry_folds_surnames_and_types_across_articles_and_follows_new_loads(tmp_path: Path) -> None:
    with Warehouse(tmp_path) as wh:
        _load(wh, "r1", {
            "a1": [("Ada Brennan", "PERSON")], "a2": [("Ada Brennan", "PERSON")],
            "a3": [("Brennan", "PERSON")], "a4": [("Brennan", "ORG")], "a5": [("Brennan", "PERSON")],
        })
        first = _counted(wh)
        # A second prominent Brennan arrives: the lone surname becomes ambiguous, history follows.
        _load(wh, "r2", {"b1": [("Tom Brennan", "PERSON")], "b2": [("Tom Brennan", "PERSON")]})
        second = _counted(wh)
        status = wh.con.execute("""SELECT r.status, r.candidates FROM entity_registry r
                                   JOIN entities e USING (entity_id) WHERE e.canonical_name = 'Brennan'
                                   AND e.entity_type = 'PERSON'""").fetchall()
        tagged = wh.con.execute("SELECT count(*) FROM mentions WHERE tagged_entity_id IS NULL").fetchone()[0]
    assert first == {("Ada Brennan", "PERSON"): 5}
    assert second == {("Ada Brennan", "PERSON"): 2, ("Brennan", "PERSON"): 3, ("Tom Brennan", "PERSON"): 2}
    assert status == [("ambiguous", ["Ada Brennan", "Tom Brennan"])]
    assert tagged == 0


def test_registry_counts_in_runs(tmp_path: Path) -> None:
    with Warehouse(tmp_path) as wh:
        _load(wh, "r1", {"a1": [("Ada Brennan", "PERSON")], "a2": [("Ada Brennan", "PERSON")],
                         "a3": [("Brennan", "PERSON")]})
        counts = wh.con.execute("SELECT counts->>'mentions_repointed' FROM runs").fetchone()[0]
    assert counts == "1"
