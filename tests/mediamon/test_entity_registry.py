"""The cross-document registry in a real DuckDB warehouse: learned per load, re-points history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from expectations.runner import DQ_RESULTS_SCHEMA
from mediamon.entity_registry import refresh_registry
from mediamon.warehouse import LoadBatch, LoadCounts, RunRecord, Warehouse
from transforms.entities.tagging import entity_id_for
from transforms.schema import ARTICLES, ENTITIES, MENTIONS, QUARANTINE, TEMPLATE_LINES, frame


def _article(article_id: str, version: int = 0) -> dict[str, object]:
    url = f"https://e.org/{article_id}"
    return {"article_id": article_id, "url": url, "canonical_url": url, "source": "t", "title": "T",
            "body": f"{article_id} {version}", "word_count": 1, "content_hash": f"h-{article_id}-{version}",
            "dq_status": "pass",
            "dq_failures": [], "run_id": "r", "doc_key": url, "authors": [], "tags": [],
            "fetched_at": datetime(2024, 1, 1, tzinfo=UTC)}


def _load(wh: Warehouse, run_id: str, tagged: dict[str, list[tuple[str, str]]], version: int = 0) -> None:
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
        frame([_article(a, version) for a in tagged], ARTICLES), frame([], QUARANTINE),
        frame(mentions, MENTIONS),
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


def _state(wh: Warehouse) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    return _state_of(wh.con)


def _state_of(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    registry = con.execute("SELECT entity_id, resolved_id, status, candidates FROM entity_registry "
                              "ORDER BY ALL").fetchall()
    mentions = con.execute("SELECT article_id, start_char, tagged_entity_id, entity_id, entity_type "
                              "FROM mentions ORDER BY ALL").fetchall()
    return registry, mentions


def _expected(tagged: dict[str, list[tuple[str, str]]]) -> dict[str, tuple[str, str]]:
    """Pure recount of the live articles: tagged entity id -> (resolved id, status) for registry rows."""
    from transforms.entities.registry import EntityStats, name_key, resolve

    articles: dict[str, set[str]] = {}
    names: dict[str, tuple[str, str]] = {}
    beside: dict[str, set[str]] = {}
    for article_id, pairs in tagged.items():
        ids = {entity_id_for(n, k): (n, k) for n, k in pairs}
        names.update(ids)
        for entity_id, (name, _kind) in ids.items():
            articles.setdefault(entity_id, set()).add(article_id)
            if len(name.split()) == 1 and any(k == "PERSON" and len(n.split()) > 1
                                              and name_key(n.split()[-1]) == name_key(name)
                                              for n, k in ids.values()):
                beside.setdefault(entity_id, set()).add(article_id)
    stats = [EntityStats(i, n, k, None, len(articles[i]), len(beside.get(i, ())))
             for i, (n, k) in names.items()]
    return {r.entity_id: (r.resolved_id, r.status) for r in resolve(stats)}


def test_registry_refreshed_per_load_matches_a_recount_of_the_whole_warehouse(tmp_path: Path) -> None:
    """Each load relearns only the names it touched; after many loads (new articles, articles whose
    text changed, names that differ only by case folding) the registry is what a recount of every
    article decides, and re-learning every name changes nothing."""
    import random

    rng = random.Random(7)
    surnames = ["Brennan", "Haley", "Strauss", "STRAUSS", "Okafor", "Lind", "Moreau", "Sato", "Quist"]
    first = ["Ada", "Tom", "Nikki", "Lena"]

    def name() -> tuple[str, str]:
        surname = rng.choice(surnames)
        if rng.random() < 0.5:
            return f"{rng.choice(first)} {surname}", rng.choice(["PERSON"] * 5 + ["ORG"])
        return surname, rng.choice(["PERSON", "PERSON", "ORG", "PRODUCT"])

    live: dict[str, list[tuple[str, str]]] = {}
    with Warehouse(tmp_path) as wh:
        for n in range(12):
            load: dict[str, list[tuple[str, str]]] = {}
            for _ in range(rng.randint(1, 5)):
                # Now and then a stored article comes back with other text (its mentions are replaced).
                article_id = rng.choice(sorted(live)) if live and rng.random() < 0.3 else f"a{len(live)}-{n}"
                load[article_id] = [name() for _ in range(rng.randint(1, 3))]
            _load(wh, f"r{n}", load, version=n)
            live.update(load)
            registry, mentions = _state(wh)
            assert {e: (r, s) for e, r, s, _c in registry} == _expected(live), f"after load {n}"
        # Every name relearned at once: nothing moves.
        everything = [i for (i,) in wh.con.execute("SELECT entity_id FROM entities").fetchall()]
        with wh.con.cursor() as cur:
            cur.execute("BEGIN")
            moved = refresh_registry(cur, datetime.now(UTC), touched=everything)["mentions_repointed"]
            assert _state_of(cur) == (registry, mentions)
            cur.execute("ROLLBACK")
    assert moved == 0
    assert any(s == "surname" for _, s in _expected(live).values())  # the data exercise the rules
    assert any(s == "type" for _, s in _expected(live).values())


def test_articles_leaving_the_window_are_counted_out(tmp_path: Path) -> None:
    """When the newest day moves, the entities of articles that fell out of the 365-day window are
    relearned too, though no new article mentions them."""
    with Warehouse(tmp_path) as wh:
        _load(wh, "r1", {"a1": [("Ada Brennan", "PERSON")], "a2": [("Ada Brennan", "PERSON")],
                         "a3": [("Brennan", "PERSON")]})
        assert _counted(wh) == {("Ada Brennan", "PERSON"): 3}
        # Those articles are now 400 days old; a new article about someone else arrives.
        wh.con.execute("UPDATE articles SET first_seen_at = first_seen_at - INTERVAL 400 DAY, "
                       "seen_date = seen_date - INTERVAL 400 DAY")
        _load(wh, "r2", {"b1": [("Okafor", "ORG")]})
        registry = wh.con.execute("SELECT count(*) FROM entity_registry").fetchone()[0]
        assert _counted(wh) == {("Ada Brennan", "PERSON"): 2, ("Brennan", "PERSON"): 1, ("Okafor", "ORG"): 1}
    assert registry == 0


def test_an_article_whose_text_changed_takes_its_old_names_out_of_the_count(tmp_path: Path) -> None:
    """Its old mentions are replaced: the names they carried are relearned, though the new text
    does not mention them."""
    with Warehouse(tmp_path) as wh:
        _load(wh, "r1", {"a1": [("Tom Brennan", "PERSON")], "a2": [("Tom Brennan", "PERSON")],
                         "a3": [("Brennan", "PERSON")]})
        assert _counted(wh) == {("Tom Brennan", "PERSON"): 3}
        _load(wh, "r2", {"a1": [("Okafor", "ORG")]}, version=1)
        counted = _counted(wh)
    assert counted == {("Tom Brennan", "PERSON"): 1, ("Brennan", "PERSON"): 1, ("Okafor", "ORG"): 1}
