"""The whole flow, for real: Prefect run, DuckDB file under tmp_path, Parquet, GX."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from mediamon.config import Settings, SourceSpec

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_7210ad52eb561afc.txt"
SEED_FIRST = "This week saw Russian President Vladimir Putin’s visit to North Korea"
SEED_LAST = "starting with the North Atlantic Treaty Organization (NATO) electing a new leader."

pytestmark = pytest.mark.slow


def _settings(warehouse: Path, watchlist: Path | None = None) -> Settings:
    return Settings(config_path=None, warehouse_dir=warehouse, workers=1, lock_timeout_seconds=5,
                    watchlist_path=watchlist)


@pytest.fixture(scope="module")
def seed_run(prefect_harness, tmp_path_factory):
    from flows.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("seedrun")
    seeds = root / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds / SEED.name)
    watchlist = root / "watchlist.toml"
    watchlist.write_text('[[entity]]\nname = "Korean Peninsula"\ntype = "LOC"\nid = "watch:peninsula"\n'
                         'aliases = ["Korean peninsula"]\n')
    settings = _settings(root / "wh", watchlist)
    first = run_pipeline(settings, [SourceSpec(name="seeds", location=str(seeds))])
    second = run_pipeline(settings, [SourceSpec(name="seeds", location=str(seeds))])
    return settings, first, second


def _con(settings: Settings) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.duckdb_path), read_only=True)


def test_seed_is_exactly_one_clean_article(seed_run) -> None:
    settings, first, _ = seed_run
    assert (first.documents_in, first.articles_new, first.quarantined) == (1, 1, 0)
    with _con(settings) as con:
        rows = con.execute("SELECT title, publisher, published_at, body, image_credit, dq_status, dq_failures "
                           "FROM articles").fetchall()
    assert len(rows) == 1
    title, publisher, published_at, body, image_credit, dq_status, failures = rows[0]
    assert title == "RECAP: What signals did Putin-Kim meeting send?"
    assert publisher == "Breaking The News"
    assert published_at is None
    assert image_credit == "EPA-EFE/KCNA"
    assert dq_status == "warn" and "published_at_present" in failures
    paragraphs = body.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith(SEED_FIRST) and paragraphs[-1].endswith(SEED_LAST)
    for chrome in ["Breaking The News", "Download our app", "Play Store", "EPA-EFE/KCNA", "Related News",
                   "Starmer", "Trump agree", "Terms of Use", "TeleTrader", "©", "cookies"]:
        assert chrome not in body, chrome
    assert body.count("RECAP: What signals") == 0


def test_seed_missing_date_is_a_recorded_warning(seed_run) -> None:
    settings, first, _ = seed_run
    assert first.dq_warnings.get("published_at_present") == 1
    with _con(settings) as con:
        ok = con.execute("SELECT success, unexpected_count FROM dq_results WHERE run_id = ? "
                         "AND expectation = 'published_at_present'", [first.run_id]).fetchall()
        boiler = con.execute("SELECT success FROM dq_results WHERE run_id = ? "
                             "AND expectation = 'no_boilerplate_markers'", [first.run_id]).fetchall()
    assert ok == [(False, 1)]
    assert boiler == [(True,)]


def _entities(settings: Settings) -> dict[str, tuple[str, set[str]]]:
    with _con(settings) as con:
        rows = con.execute("""
            SELECT e.canonical_name, e.entity_type, list(DISTINCT m.surface)
            FROM mentions m JOIN entities e USING (entity_id) GROUP BY ALL""").fetchall()
    return {name: (kind, set(surfaces)) for name, kind, surfaces in rows}


def test_seed_entities_fold_and_skip_related_news(seed_run) -> None:
    settings, _, _ = seed_run
    ents = _entities(settings)
    by_type = {}
    for name, (kind, _) in ents.items():
        by_type.setdefault(kind, set()).add(name)
    assert {"Vladimir Putin", "Kim Jong-un", "Xi Jinping"} <= by_type["PERSON"]
    assert "Putin" in ents["Vladimir Putin"][1] and "Kim" in ents["Kim Jong-un"][1]
    assert not ({"Putin", "Kim", "Kim's", "Xi"} & by_type["PERSON"])
    places = by_type.get("GPE", set()) | by_type.get("LOC", set())
    for place in ["Russia", "North Korea", "Soviet Union", "Moscow", "Pyongyang", "Beijing", "China",
                  "Ukraine", "United States", "Japan", "South Korea"]:
        assert any(place in p for p in places), place
    nato = [n for n, (k, s) in ents.items() if k == "ORG" and ("NATO" in s or "NATO" in n)]
    assert len(nato) == 1
    assert {"NATO", "North Atlantic Treaty Organization"} <= ents[nato[0]][1] | {nato[0]}
    for name in ents:
        for stranger in ["Starmer", "Trump", "Zelensky", "Cherkasy", "Belgorod"]:
            assert stranger not in name


def test_mention_offsets_point_into_the_body(seed_run) -> None:
    settings, _, _ = seed_run
    with _con(settings) as con:
        body, title = con.execute("SELECT body, title FROM articles").fetchone()
        mentions = con.execute("SELECT surface, start_char, end_char, in_title FROM mentions").fetchall()
    assert mentions
    for surface, start, end, in_title in mentions:
        assert (title if in_title else body)[start:end] == surface


def test_second_run_adds_nothing_but_a_run_row(seed_run) -> None:
    settings, first, second = seed_run
    assert (second.articles_new, second.articles_unchanged, second.quarantined) == (0, 1, 0)
    with _con(settings) as con:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("articles", "mentions", "entities", "quarantine", "runs", "raw_documents")}
        runs = con.execute("SELECT run_id, status, documents_in, counts FROM runs ORDER BY started_at").fetchall()
    assert counts["articles"] == 1 and counts["quarantine"] == 0 and counts["runs"] == 2
    assert counts["raw_documents"] == 1
    assert [r[0] for r in runs] == [first.run_id, second.run_id]
    assert all(r[1] == "completed" and r[2] == 1 for r in runs)
    assert json.loads(runs[1][3])["articles_unchanged"] == 1


@pytest.mark.parametrize("table", ["articles", "mentions", "entities", "article_clusters"])
def test_parquet_matches_duckdb(seed_run, table: str) -> None:
    settings, _, _ = seed_run
    folder = settings.parquet_dir / table
    with _con(settings) as con:
        expected = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        via_duckdb = con.execute(
            f"SELECT count(*) FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = true)").fetchone()[0]
    assert expected > 0
    assert via_duckdb == expected
    assert pq.read_table(folder).num_rows == expected
    assert pl.read_parquet(folder / "**" / "*.parquet", hive_partitioning=True).height == expected
    assert all(p.name.startswith("seen_date=") for p in folder.iterdir())


def test_watchlist_entity_is_tagged_with_its_id(seed_run) -> None:
    settings, _, _ = seed_run
    with _con(settings) as con:
        rows = con.execute("""SELECT m.surface, m.source, e.canonical_name, e.external_id
                              FROM mentions m JOIN entities e USING (entity_id)
                              WHERE m.source = 'watchlist'""").fetchall()
    assert rows == [("Korean Peninsula", "watchlist", "Korean Peninsula", "watch:peninsula")]


def test_seed_is_a_singleton_cluster_and_views_answer(seed_run) -> None:
    settings, _, _ = seed_run
    with _con(settings) as con:
        clusters = con.execute("SELECT cluster_size, is_original FROM article_clusters").fetchall()
        daily = con.execute("SELECT sum(mentions) FROM v_entity_daily").fetchone()[0]
        mentions = con.execute("SELECT count(*) FROM mentions").fetchone()[0]
        latest = con.execute("SELECT count(*) FROM v_latest").fetchone()[0]
    assert clusters == [(1, True)]
    assert daily == mentions and latest == 1
