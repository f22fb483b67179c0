"""Collection over several runs through the real flow and CLI: an unreachable page is quarantined
and retried, `mediamon sources` shows the fetch status, and `mediamon reprocess` re-runs the
stored pages with the HTTP server stopped, adding nothing when nothing changed."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from mediamon.cli import main
from mediamon.config import load_settings
from tests.sources.test_web_pipeline import STORY

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example Times</title><link>{base}/</link>
<item><title>Tram line extended</title><link>{base}/tram</link>
<pubDate>Tue, 05 Mar 2024 09:30:00 GMT</pubDate></item>
<item><title>Bridge closed</title><link>{base}/bridge</link>
<pubDate>Wed, 06 Mar 2024 10:00:00 GMT</pubDate></item>
</channel></rss>"""


@pytest.fixture
def cli_env() -> Iterator[None]:
    """The CLI prepares the process (environment, warnings) for a terminal; undo that afterwards."""
    saved = dict(os.environ)
    with warnings.catch_warnings():
        yield
    os.environ.clear()
    os.environ.update(saved)


def _one(db: Path, sql: str) -> Any:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _sources_json(config: Path, capsys: Any) -> dict[str, dict[str, Any]]:
    capsys.readouterr()
    assert main(["sources", "--config", str(config), "--format", "json"]) == 0
    return {row["name"]: row for row in json.loads(capsys.readouterr().out)["sources"]}


@pytest.mark.slow
def test_quarantine_retry_sources_and_offline_reprocess(prefect_harness, fault_server, tmp_path: Path,
                                                        capsys, cli_env) -> None:
    from flows.pipeline import run_pipeline

    base = fault_server.base_url
    fault_server.route("/feed.xml", body=FEED.format(base=base).encode(), content_type="application/rss+xml")
    fault_server.route("/tram", body=STORY.format(title="Tram line extended", extra="Tram.").encode())
    fault_server.route("/bridge", body=STORY.format(title="Bridge closed", extra="Bridge.").encode())
    # /2024/late-story is not served yet: a 404.
    config = tmp_path / "mediamon.toml"
    config.write_text(f"""[warehouse]\npath = "wh"\n[pipeline]\nworkers = 1\n[fetch]\nmax_tries = 2\n
[[sources]]\nname = "example-feed"\nlocation = "{base}/feed.xml"\ninterval_minutes = 30\ngroup = "hourly"\n
[[sources]]\nname = "late-page"\nlocation = "{base}/2024/late-story"\npublisher = "Late Times"\n""")
    settings = load_settings(config)
    db = settings.duckdb_path

    # Run 1: the unreachable page is a quarantine row with a one-line reason; its source got nothing
    # at all, so it is also one warning line and a failed source (exit code 3 from the CLI).
    first = run_pipeline(settings)
    assert first.articles_new == 2 and first.failed_sources == ["late-page"]
    assert len(first.problems) == 1 and first.problems[0].startswith("source 'late-page': nothing collected")
    assert _one(db, "SELECT url, source, stage, reasons, attempts FROM quarantine") == [
        (f"{base}/2024/late-story", "late-page", "fetch", ["HTTP 404"], 1)]
    assert _one(db, f"SELECT source, last_status, last_error FROM fetch_state WHERE url = '{base}/tram'") == [
        ("example-feed", 200, None)]
    status = _sources_json(config, capsys)
    assert (status["example-feed"]["kind"], status["example-feed"]["group"],
            status["example-feed"]["interval_minutes"]) == ("feed", "hourly", 30)
    assert (status["example-feed"]["urls_ok"], status["example-feed"]["urls_failed"],
            status["example-feed"]["articles"]) == (3, 0, 2)  # the feed itself and its two stories
    late = status["late-page"]
    assert (late["kind"], late["publisher"], late["urls_ok"], late["urls_failed"], late["last_error"],
            late["quarantined"]) == ("url", "Late Times", 0, 1, "HTTP 404", 1)
    assert late["last_fetched_at"] is not None

    # Run 2: the page is back; it is fetched again and leaves quarantine.
    fault_server.route("/2024/late-story", body=STORY.format(title="Late story", extra="Late.").encode())
    second = run_pipeline(settings)
    assert (second.articles_new, second.not_modified) == (1, 2)
    assert _one(db, "SELECT count(*) FROM quarantine") == [(0,)]
    assert _sources_json(config, capsys)["late-page"]["urls_ok"] == 1

    # Reprocess with the server stopped: same pages, nothing new, nothing fetched.
    articles = _one(db, "SELECT article_id, content_hash, updated_at FROM articles ORDER BY 1")
    raw = _one(db, "SELECT url, run_id FROM raw_documents ORDER BY 1")
    fault_server.stop()
    requests_before = len(fault_server.log)
    capsys.readouterr()
    assert main(["reprocess", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "3 documents in, 3 articles (0 new, 0 updated, 3 unchanged, 0 duplicates), 0 quarantined" in out
    assert len(fault_server.log) == requests_before
    assert _one(db, "SELECT article_id, content_hash, updated_at FROM articles ORDER BY 1") == articles
    assert _one(db, "SELECT url, run_id FROM raw_documents ORDER BY 1") == raw
    assert _one(db, "SELECT count(*) FROM runs") == [(3,)]

    assert main(["reprocess", "--config", str(config), "--source", "late-page"]) == 0
    assert "1 documents in, 1 articles (0 new, 0 updated, 1 unchanged" in capsys.readouterr().out
    assert _one(db, "SELECT sources FROM runs ORDER BY started_at DESC LIMIT 1") == [(["late-page"],)]

    assert main(["reprocess", "--config", str(config), "--since", "2999-01-01"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mediamon: error: nothing to reprocess") and len(err.strip().splitlines()) == 1
