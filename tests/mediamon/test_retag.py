"""mediamon/retag.py on a real DuckDB warehouse: the worker-process path gives what the in-process one does."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

import mediamon.retag as retag
from mediamon.warehouse import Warehouse
from transforms.monitoring.retag import Topic
from transforms.entities.watchlist import parse_watchlist

WATCHLIST = parse_watchlist('[[entity]]\nname = "Orbital Freight"\nid = "c:orbital"\nexclude = ["juice"]\n'
                            '[[entity]]\nname = "Tram"\ncontext = ["council"]\n')
TOPICS = [Topic.parse("trams", "tram* AND NOT bridge"), Topic.parse("juice", '"apple juice" OR cider')]
BODIES = ["Orbital Freight builds the tram depot; the council agreed.", "Orbital Freight apple juice and cider.",
          "The bridge is closed; the tram runs.", "Nothing to see here."]


def _warehouse(path: Path) -> None:
    at = datetime(2024, 5, 1, 9, tzinfo=UTC)
    with Warehouse(path) as wh:
        for i in range(40):
            body = BODIES[i % len(BODIES)]
            wh.con.execute("""INSERT INTO articles (article_id, url, canonical_url, title, body, word_count,
                                  first_seen_at, seen_date, updated_at, content_hash, dq_status, run_id)
                              VALUES (?, ?, ?, ?, ?, 9, ?, ?, ?, ?, 'pass', 'r1')""",
                           [f"a{i:02d}", f"https://e.example/{i}", f"https://e.example/{i}", f"Story {i}", body,
                            at, at.date(), at, f"h{i}"])


def _state(path: Path) -> tuple[list[tuple], list[tuple]]:
    with duckdb.connect(str(path / "mediamon.duckdb"), read_only=True) as con:
        mentions = con.execute("SELECT article_id, entity_id, surface, start_char, in_title FROM mentions "
                               "ORDER BY ALL").fetchall()
        topics = con.execute("SELECT article_id, topic, matched_terms FROM article_topics ORDER BY ALL").fetchall()
    return mentions, topics


@pytest.mark.slow
def test_worker_processes_match_like_one_process(tmp_path: Path, monkeypatch) -> None:
    _warehouse(tmp_path / "one")
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    with Warehouse(tmp_path / "one") as wh:
        one = retag.retag_stored_articles(wh.con, WATCHLIST, TOPICS, "r2", workers=1)
    monkeypatch.setattr(retag, "PARALLEL_FROM", 1)
    monkeypatch.setattr(retag, "READ_BATCH", 7)
    with Warehouse(tmp_path / "two") as wh:
        two = retag.retag_stored_articles(wh.con, WATCHLIST, TOPICS, "r2", workers=2)
    assert _state(tmp_path / "one") == _state(tmp_path / "two")
    mentions, topics = _state(tmp_path / "one")
    # Body 0: Orbital Freight and Tram (context "council"); body 1: excluded ("juice"); body 2: no context.
    assert {(m[0], m[2]) for m in mentions if m[0] in ("a00", "a01", "a02")} == {
        ("a00", "Orbital Freight"), ("a00", "tram")}
    assert len(mentions) == 20
    assert {t[1] for t in topics} == {"trams", "juice"}
    for counts in (one, two):
        assert counts["watchlist"]["articles_retagged"] == 10
        assert counts["topics"]["fresh_articles"] == 40
