"""A re-run over unchanged local files is recorded without the pipeline (mediamon/precheck.py):
the same `runs` row and warehouse as a flow re-run, no Prefect, GX or spaCy loaded; anything new or
left to catch up goes through the flow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from mediamon.config import Settings, SourceSpec, load_settings
from mediamon.precheck import not_applicable, precheck_run
from mediamon.warehouse import RunRecord, Warehouse

REPO = Path(__file__).resolve().parents[2]
SENTENCE = ("The harbour board of Eastwick met on Tuesday to discuss item {i} of the plan for the new "
            "ferry pier and its budget.")


def _page(n: int, extra: str = "") -> str:
    body = " ".join(SENTENCE.format(i=i) for i in range(10))
    return f"""<!doctype html><html><head><title>Ferry pier plan {n} approved - Eastwick Courier</title>
<meta property="og:site_name" content="Eastwick Courier">
<meta property="article:published_time" content="2026-11-1{n}T08:00:00Z">
<link rel="canonical" href="https://courier.example.com/news/pier-{n}"></head>
<body><nav>Home | News | Sport</nav><article><h1>Ferry pier plan {n} approved</h1>
<p>{body} Story {n}.{extra}</p><p>Jonas Berg, the harbour master, said work starts in spring. {body}</p>
</article><footer>Copyright Eastwick Courier</footer></body></html>"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Three pages, an empty and a binary file (both quarantined), a config with a watchlist and a topic."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3):
        (pages / f"story{n}.html").write_text(_page(n), encoding="utf-8")
    (pages / "empty.html").write_bytes(b"")
    (pages / "binary.html").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "watchlist.toml").write_text(
        '[[entity]]\nname = "Jonas Berg"\ntype = "PERSON"\naliases = ["J. Berg"]\n', encoding="utf-8")
    (tmp_path / "mediamon.toml").write_text(
        '[warehouse]\npath = "wh"\n[pipeline]\nworkers = 1\nchunk_size = 2\n'
        '[entities]\nwatchlist = "watchlist.toml"\n'
        '[[topics]]\nname = "ferry"\nquery = "ferry AND pier"\n'
        '[[sources]]\nname = "pages"\nlocation = "pages"\n', encoding="utf-8")
    return tmp_path


def _settings(project: Path) -> Settings:
    return load_settings(project / "mediamon.toml", cwd=project)


def _flow_run(project: Path):  # type: ignore[no-untyped-def]
    from flows.pipeline import run_pipeline

    return run_pipeline(_settings(project))


def _fast_run(project: Path) -> subprocess.CompletedProcess[str]:
    """`mediamon run` in a fresh interpreter, printing which heavy packages it imported."""
    code = ("import sys; from mediamon.cli import main; code = main(['run', '--config', 'mediamon.toml']); "
            "print('loaded:', sorted({m.split('.')[0] for m in sys.modules} & "
            "{'prefect', 'great_expectations', 'spacy', 'flows', 'datasketch'})); sys.exit(code)")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True,
                          timeout=300)


def _query(project: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(project / "wh" / "mediamon.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


# What a run may change in the warehouse besides its `runs` row: the definitions' check time.
TABLE_STATE = {
    "articles": "SELECT count(*), bit_xor(hash(t)) FROM articles t",
    "quarantine": "SELECT count(*), bit_xor(hash(t)) FROM quarantine t",
    "raw_documents": "SELECT count(*), bit_xor(hash(t)) FROM raw_documents t",
    "mentions": "SELECT count(*), bit_xor(hash(t)) FROM mentions t",
    "entities": "SELECT count(*), bit_xor(hash(t)) FROM entities t",
    "article_clusters": "SELECT count(*), bit_xor(hash(t)) FROM article_clusters t",
    "article_lsh_bands": "SELECT count(*), bit_xor(hash(t)) FROM article_lsh_bands t",
    "article_topics": "SELECT count(*), bit_xor(hash(t)) FROM article_topics t",
    "field_health": "SELECT count(*), bit_xor(hash(t)) FROM field_health t",
    "dq_results": "SELECT count(*), bit_xor(hash(t)) FROM dq_results t",
    "search_docs": "SELECT count(*), bit_xor(hash(t)) FROM search_docs t",
    "tag_definitions": "SELECT count(*), bit_xor(hash(kind, key, fingerprint, definition, applied_at)) "
                       "FROM tag_definitions",
}


def _state(project: Path) -> dict[str, object]:
    state: dict[str, object] = {name: _query(project, sql) for name, sql in TABLE_STATE.items()}
    state["parquet"] = (project / "wh" / "parquet" / ".fingerprints.json").read_text(encoding="utf-8")
    return state


def _comparable(row: dict[str, object]) -> dict[str, object]:
    """A `runs` row without what differs between any two runs: ids, times and durations."""
    row = {k: v for k, v in row.items() if k not in ("run_id", "started_at", "finished_at")}
    counts = json.loads(str(row.pop("counts")))
    counts["stage_seconds"] = sorted(counts["stage_seconds"])  # which stages, not how long
    counts.pop("longest_writer_hold_seconds")
    counts["retag"].pop("seconds")
    counts["retag"]["search_index"].pop("seconds")
    return {**row, "counts": counts}


def _runs(project: Path) -> list[dict[str, object]]:
    with duckdb.connect(str(project / "wh" / "mediamon.duckdb"), read_only=True) as con:
        cur = con.execute("SELECT * FROM runs ORDER BY started_at")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@pytest.mark.slow
def test_a_rerun_with_nothing_new_matches_the_flow_without_loading_it(prefect_harness, project) -> None:
    first = _flow_run(project)
    assert (first.documents_in, first.articles_new, first.quarantined) == (5, 3, 2)
    before = _state(project)

    fast = _fast_run(project)
    assert fast.returncode == 0, fast.stderr
    assert "5 documents in, 3 articles (0 new, 0 updated, 3 unchanged, 0 duplicates), 2 quarantined" in fast.stdout
    assert "pipeline not started: nothing new since the last run" in fast.stdout
    assert "loaded: []" in fast.stdout, fast.stdout
    assert _state(project) == before

    # The same re-run through the flow: the same row, the same warehouse.
    again = _flow_run(project)
    assert again.skipped_unchanged == 5 and again.articles_unchanged == 3 and again.quarantined == 2
    assert _state(project) == before
    runs = _runs(project)
    assert [r["status"] for r in runs] == ["completed"] * 3
    assert _comparable(runs[1]) == _comparable(runs[2])
    # Each run checked the definitions (tag_definitions records the last run that did).
    assert _query(project, "SELECT DISTINCT run_id FROM tag_definitions") == [(runs[2]["run_id"],)]


@pytest.mark.slow
def test_anything_new_or_left_over_goes_through_the_flow(prefect_harness, project) -> None:
    _flow_run(project)
    settings = _settings(project)
    assert precheck_run(settings).finished  # nothing new: recorded here

    def falls_through(new: int, reason: str) -> None:
        runs = len(_runs(project))
        checked = precheck_run(_settings(project))
        assert not checked.finished and checked.new_documents == new and reason in checked.reason
        assert len(_runs(project)) == runs  # nothing written

    pages = project / "pages"
    original = (pages / "story1.html").read_text(encoding="utf-8")
    (pages / "story1.html").write_text(_page(1, " A correction was added."), encoding="utf-8")
    falls_through(1, "1 documents are new or changed")
    (pages / "story3.html").write_text(_page(3), encoding="utf-8")
    falls_through(2, "2 documents are new or changed")
    (pages / "story1.html").write_text(original, encoding="utf-8")
    (pages / "story3.html").unlink()

    watchlist = (project / "watchlist.toml").read_text(encoding="utf-8")
    (project / "watchlist.toml").write_text(watchlist.replace('"J. Berg"', '"J. Berg", "Berg"'), encoding="utf-8")
    falls_through(0, "the watchlist changed")
    (project / "watchlist.toml").write_text(watchlist, encoding="utf-8")
    config = (project / "mediamon.toml").read_text(encoding="utf-8")
    (project / "mediamon.toml").write_text(config.replace("ferry AND pier", "ferry OR pier"), encoding="utf-8")
    falls_through(0, "the topics changed")
    (project / "mediamon.toml").write_text(config, encoding="utf-8")

    # A killed run leaves its row 'running': the flow marks it interrupted and catches up.
    killed = RunRecord(run_id="killed", started_at=_runs(project)[-1]["finished_at"], sources=["pages"])
    with Warehouse(settings.warehouse_dir) as warehouse:
        warehouse.begin_run(killed)
    falls_through(0, "the last run did not finish (running)")
    with Warehouse(settings.warehouse_dir) as warehouse:
        warehouse.mark_interrupted("killed")  # what Ctrl-C leaves
    falls_through(0, "the last run did not finish (interrupted)")


def test_no_warehouse_yet_counts_every_document_as_new(project) -> None:
    checked = precheck_run(_settings(project))
    assert (checked.finished, checked.documents_in, checked.new_documents) == (False, 5, 5)
    assert checked.reason == "no warehouse yet" and not (project / "wh").exists()


@pytest.mark.parametrize(("changes", "location", "reason"), [
    pytest.param({"full": True}, "pages", "--full", id="full"),
    pytest.param({"dask_address": "tcp://127.0.0.1:8786"}, "pages", "[dask] address", id="dask"),
    pytest.param({}, "https://news.example.com/feed.xml", "is fetched", id="web-feed"),
    pytest.param({}, "urls.lst", "is fetched (urllist)", id="local-url-list"),
    pytest.param({}, "pages", "", id="local-folder"),
    pytest.param({}, "missing-folder", "", id="missing-path-is-a-problem-line-either-way"),
])
def test_which_runs_may_skip_the_pipeline(project, changes, location, reason) -> None:
    (project / "urls.lst").write_text("https://news.example.com/a\n", encoding="utf-8")
    settings = _settings(project).with_overrides(**changes)
    specs = [SourceSpec(name="s", location=str(project / location) if "://" not in location else location)]
    found = not_applicable(settings, specs)
    assert reason in found and bool(found) == bool(reason)
    if found:  # not counted: the pipeline decides as before
        assert precheck_run(settings, specs).new_documents is None
