"""Definitions that apply to history, through real runs into a DuckDB file under tmp_path: a watchlist
entry added after a run is found in the stored articles by the next run, an edited topic re-tags
history, `mediamon reprocess --tags-only` applies an edited entry's context rule, and `mediamon search`
answers in every format. The pages are unchanged between runs, so nothing is parsed or tagged again."""

from __future__ import annotations

import csv
import io
import json
import os
import warnings
from pathlib import Path
from typing import Any

import duckdb
import pytest

from mediamon.cli import main
from mediamon.config import load_settings

pytestmark = pytest.mark.slow

PAGE = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>{lead}</p>
<p>The regional council met on Monday to discuss the plans for the northern districts, the cost of the
works, the route through the old town and the noise that residents have complained about for months.</p>
<p>A spokesperson said that the state would cover a large part of the budget and that tenders open soon,
adding that further meetings with residents are planned before the final vote in the autumn.</p>
</article></body></html>"""

PAGES = {
    "tram.html": ("Tram line to be extended",
                  "Orbital Freight will build the new tram depot, and its shares rose on the news."),
    "bridge.html": ("Bridge closed for repairs",
                    "The bridge is closed; Orbital Freight trucks must take the ring road instead."),
    "market.html": ("Farmers market reopens",
                    "Stalls sold fresh orbital freight apple juice, a local joke, and cider."),
}

CONFIG = """[warehouse]
path = "wh"
lock_timeout_seconds = 5
[pipeline]
workers = 1
[entities]
{watchlist}
[[sources]]
name = "pages"
location = "pages"
[[topics]]
name = "transport"
query = '{query}'
"""

WATCHLIST = """[[entity]]
name = "Orbital Freight"
id = "client:orbital"
exclude = ["apple juice"]
{extra}
"""


def _write_config(root: Path, query: str, watchlist: bool) -> Path:
    cfg = root / "mediamon.toml"
    cfg.write_text(CONFIG.format(query=query, watchlist='watchlist = "watchlist.toml"' if watchlist else ""))
    return cfg


def _rows(root: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(root / "wh" / "mediamon.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def _last_retag(root: Path) -> dict[str, Any]:
    counts = _rows(root, "SELECT counts FROM runs ORDER BY started_at DESC LIMIT 1")[0][0]
    return json.loads(counts)["retag"]


def _watch_mentions(root: Path) -> list[tuple[str, str]]:
    return _rows(root, """SELECT a.title, m.surface FROM mentions m JOIN articles a USING (article_id)
                          WHERE m.source = 'watchlist' ORDER BY a.title, m.in_title DESC, m.start_char""")


def _topics(root: Path) -> list[tuple[str, str, list[str]]]:
    return _rows(root, """SELECT a.title, t.topic, t.matched_terms FROM article_topics t
                          JOIN articles a USING (article_id) ORDER BY a.title""")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    pages.mkdir()
    for name, (title, lead) in PAGES.items():
        (pages / name).write_text(PAGE.format(title=title, lead=lead), encoding="utf-8")
    return tmp_path


def test_definitions_apply_to_history(prefect_harness, root: Path, capsys) -> None:
    from flows.pipeline import run_pipeline

    # Run 1: a topic, no watchlist.
    cfg = _write_config(root, "tram* OR bridge", watchlist=False)
    first = run_pipeline(load_settings(cfg))
    assert first.articles_new == 3
    assert _watch_mentions(root) == []
    assert _topics(root) == [("Bridge closed for repairs", "transport", ["bridge"]),
                             ("Tram line to be extended", "transport", ["tram*"])]
    assert _last_retag(root)["topics"]["fresh_articles"] == 3

    # Run 2: the watchlist entry is added; the pages did not change, so only matching runs.
    (root / "watchlist.toml").write_text(WATCHLIST.format(extra=""))
    cfg = _write_config(root, "tram* OR bridge", watchlist=True)
    second = run_pipeline(load_settings(cfg))
    assert (second.articles_new, second.articles_unchanged) == (0, 3)
    # Found in history; the "apple juice" one is excluded.
    assert _watch_mentions(root) == [("Bridge closed for repairs", "Orbital Freight"),
                                     ("Tram line to be extended", "Orbital Freight")]
    watch = _last_retag(root)["watchlist"]
    assert (watch["articles_checked"], watch["articles_retagged"], watch["mentions_added"]) == (3, 2, 2)
    assert watch["reason"] == "added: client:orbital"
    entity = _rows(root, "SELECT canonical_name, external_id FROM entities WHERE external_id = 'client:orbital'")
    assert entity == [("Orbital Freight", "client:orbital")]

    # Run 3: nothing changed: nothing re-tagged.
    run_pipeline(load_settings(cfg))
    assert "watchlist" not in _last_retag(root)
    assert len(_watch_mentions(root)) == 2

    # Run 4: the topic is edited: history is re-tagged with the new query.
    cfg = _write_config(root, "tram* AND NOT bridge OR juice", watchlist=True)
    run_pipeline(load_settings(cfg))
    assert _topics(root) == [("Farmers market reopens", "transport", ["juice"]),
                             ("Tram line to be extended", "transport", ["tram*"])]
    topics = _last_retag(root)["topics"]
    assert topics["reason"] == "changed: transport"
    assert topics["history_articles_retagged"] == 2  # bridge out, market in

    # The entry gets a context rule; reprocess --tags-only applies it without NER or extraction.
    (root / "watchlist.toml").write_text(WATCHLIST.format(extra='context = ["shares"]'))
    capsys.readouterr()
    with warnings.catch_warnings():
        saved = dict(os.environ)
        try:
            assert main(["reprocess", "--tags-only", "--config", str(cfg)]) == 0
        finally:
            os.environ.clear()
            os.environ.update(saved)
    out = capsys.readouterr().out
    assert "1 re-tagged" in out and "changed: client:orbital" in out
    assert _watch_mentions(root) == [("Tram line to be extended", "Orbital Freight")]
    assert _rows(root, "SELECT sources FROM runs ORDER BY started_at DESC LIMIT 1") == [
        (["reprocess --tags-only"],)]
    daily = _rows(root, "SELECT topic, sum(articles) FROM v_topic_daily GROUP BY ALL")
    assert daily == [("transport", 2)]
    parquet = root / "wh" / "parquet" / "article_topics"
    with duckdb.connect() as con:
        assert con.execute(f"SELECT count(*) FROM read_parquet('{parquet}/**/*.parquet')").fetchone()[0] == 2

    # Search: same language, newest first, every format.
    assert main(["search", "--config", str(cfg), "orbital freight AND NOT juice", "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert sorted(h["title"] for h in hits) == ["Bridge closed for repairs", "Tram line to be extended"]
    assert all("[Orbital] [Freight]" in h["snippet"] for h in hits)
    assert main(["search", "--config", str(cfg), '"apple juice"', "--format", "csv"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == ["day", "publisher", "title", "snippet", "url", "matched_terms"]
    assert [r[2] for r in table[1:]] == ["Farmers market reopens"] and table[1][5] == '"apple juice"'
    assert main(["search", "--config", str(cfg), "title:bridge", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "Bridge closed for repairs" in out and "(1 row)" in out
    assert main(["search", "--config", str(cfg), "bridge AND (", "--format", "json"]) == 1
    assert "position 13" in capsys.readouterr().err
