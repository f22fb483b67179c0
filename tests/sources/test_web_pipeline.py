"""A feed on a local HTTP server through the whole flow: fetch state, conditional re-runs, failures."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from mediamon.config import Settings, SourceSpec

STORY = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>The regional council agreed on Monday to extend the tram line to the northern districts after
months of discussion about the cost, the route through the old town and the noise for residents.</p>
<p>Work is due to begin next year and the first trams should run three years later, a spokesperson
said, adding that the state will cover a large part of the budget and that tenders open soon.</p>
<p>{extra}</p></article></body></html>"""

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example Times</title><link>{base}/</link>
<item><title>Tram line extended</title><link>{base}/tram</link>
<pubDate>Tue, 05 Mar 2024 09:30:00 GMT</pubDate></item>
<item><title>Bridge closed</title><link>{base}/bridge</link>
<pubDate>Wed, 06 Mar 2024 10:00:00 GMT</pubDate></item>
<item><title>Gone story</title><link>{base}/gone</link>
<pubDate>Thu, 07 Mar 2024 11:00:00 GMT</pubDate></item>
</channel></rss>"""


def _counts(db: Path) -> tuple[int, int, list[tuple[str, str]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        quarantine = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
        dates = con.execute("SELECT url, published_at_source FROM articles ORDER BY url").fetchall()
    return articles, quarantine, dates


@pytest.mark.slow
def test_feed_through_the_flow_then_conditional_rerun(prefect_harness, fault_server, tmp_path: Path) -> None:
    from flows.pipeline import run_pipeline

    base = fault_server.url("").rstrip("/")
    fault_server.route("/feed.xml", body=FEED.format(base=base).encode(), content_type="application/rss+xml")
    fault_server.route("/tram", body=STORY.format(title="Tram line extended", extra="Tram.").encode())
    fault_server.route("/bridge", body=STORY.format(title="Bridge closed", extra="Bridge.").encode())
    fault_server.route("/gone", status=404, body=b"not here")
    settings = Settings(config_path=None, warehouse_dir=tmp_path / "wh", workers=1)
    source = [SourceSpec(name="example-feed", location=f"{base}/feed.xml")]

    first = run_pipeline(settings, source)
    articles, quarantined, dates = _counts(settings.duckdb_path)
    assert first.articles_new == 2 and articles == 2
    # The pages carry no date of their own: the feed's pubDate is used and says so.
    assert [d[1] for d in dates] == ["feed", "feed"]
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        stages = con.execute("SELECT stage, reasons FROM quarantine").fetchall()
        cached = con.execute("SELECT count(*) FROM fetch_state WHERE etag IS NOT NULL").fetchone()[0]
    assert quarantined >= 1 and any(stage == "fetch" and reasons for stage, reasons in stages)
    assert cached >= 2

    second = run_pipeline(settings, source)
    assert second.not_modified >= 2 and second.articles_new == 0
    conditional = [r for r in fault_server.log if r.path == "/tram" and "if-none-match" in r.headers]
    assert conditional, "the second run should send If-None-Match for a page fetched before"
    assert _counts(settings.duckdb_path)[:2] == (articles, quarantined)
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        counts = con.execute("SELECT counts FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
    assert '"not_modified": ' in counts
