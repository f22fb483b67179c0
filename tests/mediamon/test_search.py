"""The search index on a real DuckDB warehouse: batches, re-indexing a changed article, compaction,
filters and order."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import mediamon.search as search_module
from mediamon.errors import WarehouseError
from mediamon.search import search, update_search_index
from mediamon.warehouse import Warehouse

STORIES = [
    ("Tram line extended", "The council agreed to extend the tram line to the northern districts.", "Daily Example"),
    ("Bridge closed", "The old bridge is closed; trams and buses take the ring road.", "Example Post"),
    ("Budget passed", "Parliament passed the budget for schools and hospitals.", "Daily Example"),
    ("Zürich votes", "Voters in Zürich backed the climate law on Sunday.", "Neue Zeitung"),
]


def _add(con, i: int, title: str, body: str, publisher: str, day: int) -> None:
    at = datetime(2024, 5, 1, 9, tzinfo=UTC) + timedelta(days=day)
    con.execute("""INSERT OR REPLACE INTO articles (article_id, url, canonical_url, publisher, title, body,
                       word_count, published_at, first_seen_at, seen_date, updated_at, content_hash, dq_status,
                       run_id) VALUES (?, ?, ?, ?, ?, ?, 9, ?, ?, ?, ?, ?, 'pass', 'r1')""",
                [f"a{i}", f"https://e.example/{i}", f"https://e.example/{i}", publisher, title, body, at, at,
                 at.date(), at, f"h{i}-{hash(body)}"])


def _titles(root: Path, query: str, **kwargs) -> list[str]:
    return [h.title for h in search(root, query, **kwargs).hits]


@pytest.fixture
def root(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr(search_module, "INDEX_BATCH", 2)  # several batches: several posting lists per term
    with Warehouse(tmp_path) as wh:
        for i, (title, body, publisher) in enumerate(STORIES):
            _add(wh.con, i, title, body, publisher, day=i)
        assert update_search_index(wh.con)["articles_indexed"] == 4
    return tmp_path


def test_queries_filters_and_order(root: Path) -> None:
    assert _titles(root, "tram*") == ["Bridge closed", "Tram line extended"]  # newest first
    assert _titles(root, "tram* AND NOT bridge") == ["Tram line extended"]
    assert _titles(root, '"ring road"') == ["Bridge closed"]
    assert _titles(root, '"road ring"') == []  # candidates by words, checked by the matcher
    assert _titles(root, "zurich") == ["Zürich votes"]
    assert _titles(root, "publisher:example AND title:budget") == ["Budget passed"]
    assert _titles(root, "the", publisher="daily%") == ["Budget passed", "Tram line extended"]
    assert _titles(root, "the", since=datetime(2024, 5, 3).date()) == ["Zürich votes", "Budget passed"]
    assert _titles(root, "the", limit=1) == ["Zürich votes"]
    hit = search(root, "climate").hits[0]
    assert hit.snippet == "Voters in Zürich backed the [climate] law on Sunday."
    assert hit.matched_terms == ("climate",)


def test_a_changed_article_is_reindexed_and_compaction_keeps_answers(root: Path, monkeypatch) -> None:
    with Warehouse(root) as wh:
        _add(wh.con, 0, "Tram line cancelled", "The council dropped the plan for the northern districts.",
             "Daily Example", day=0)
        assert update_search_index(wh.con)["articles_indexed"] == 1
    assert _titles(root, "extend") == []  # the old words no longer find it
    assert _titles(root, "dropped") == ["Tram line cancelled"]
    before = {q: _titles(root, q) for q in ("tram*", "council", "the", "the NOT budget")}
    monkeypatch.setattr(search_module, "COMPACT_MIN_ROWS", 0)
    monkeypatch.setattr(search_module, "COMPACT_RATIO", 0)
    with Warehouse(root) as wh:
        assert update_search_index(wh.con)["compacted"] is True
        per_term = wh.con.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM search_postings GROUP BY term_id)")
        assert per_term.fetchone()[0] == 1
    assert {q: _titles(root, q) for q in before} == before


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="no warehouse"):
        search(tmp_path / "none", "x")


@contextmanager
def _writer_holding(root: Path, seconds: float) -> Iterator[None]:
    """Another process holds the file for writing (as a run committing a chunk does) for `seconds`."""
    hold = ("import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(float(sys.argv[2])); con.close(); time.sleep(60)")
    writer = subprocess.Popen([sys.executable, "-c", hold, str(root / "mediamon.duckdb"), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "held"
        yield
    finally:
        writer.kill()
        writer.wait()


def test_a_warehouse_held_by_a_writer_is_a_clean_error(root: Path) -> None:
    with _writer_holding(root, 60), pytest.raises(WarehouseError, match="in use by another mediamon run"):
        search(root, "tram*")


def test_search_waits_for_a_commit_to_let_go(root: Path) -> None:
    # A run holds the file only while it commits a chunk: search waits for that, like every reader.
    with _writer_holding(root, 1.0):
        assert search(root, "tram*", timeout=30).hits


def test_a_run_indexes_one_batch_per_hold_of_the_warehouse(tmp_path: Path, monkeypatch) -> None:
    """apply_definitions lets go of the file between index batches and while it tokenises, so a
    reader waits for one batch's reads or writes only."""
    from types import SimpleNamespace

    from mediamon.retag import apply_definitions

    monkeypatch.setattr(search_module, "INDEX_BATCH", 2)
    with Warehouse(tmp_path) as wh:
        held_while_tokenising = []
        tokenise = search_module._batch_terms

        def batch_terms(rows):
            held_while_tokenising.append(wh._con is not None)
            return tokenise(rows)

        monkeypatch.setattr(search_module, "_batch_terms", batch_terms)
        for i, (title, body, publisher) in enumerate(STORIES):
            _add(wh.con, i, title, body, publisher, day=i)
        wh.release()
        holds = len(wh.holds)
        counts = apply_definitions(wh, SimpleNamespace(watchlist_path=None, topics=[], workers=1), "r2")
        assert counts["search_index"]["articles_indexed"] == 4
        assert held_while_tokenising == [False, False]
        # re-tagging; each batch's read and its write; the last look and the compaction check
        assert len(wh.holds) - holds == 6
    assert _titles(tmp_path, "tram*") == ["Bridge closed", "Tram line extended"]
    with Warehouse(tmp_path) as wh:
        assert update_search_index(wh.con)["articles_indexed"] == 0  # nothing left behind
