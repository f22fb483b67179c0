"""A WARC archive through the extract stage and the whole flow."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from sources.collect import read_source
from mediamon.config import Settings, SourceSpec

PAGE = """<html><head><title>Harbour bridge approved - Example Times</title>
<meta property="og:site_name" content="Example Times">
<meta property="article:published_time" content="2024-03-05T09:30:00+01:00"></head>
<body><article><h1>Harbour bridge approved</h1>
<p>The city council approved the new harbour bridge on Tuesday after a long debate about its cost and
the effect on shipping traffic in the old port, which many residents had worried about for years.</p>
<p>Construction is planned to start next spring and should take about three years, the mayor said,
adding that the federal government will pay for almost half of the total budget of the project.</p>
</article></body></html>"""


def _write_warc(path: Path) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i, (ctype, body) in enumerate([("text/html; charset=utf-8", PAGE.encode()),
                                           ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)]):
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://example.org/story-{i}", "response",
                                               payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(record)


def test_warc_html_records_become_documents(tmp_path: Path) -> None:
    warc = tmp_path / "news.warc.gz"
    _write_warc(warc)
    settings = Settings(config_path=None, warehouse_dir=tmp_path / "wh")
    got = read_source(SourceSpec(name="cc-news", location=str(warc)), settings)
    urls = [d.url for d in got.documents if d.raw]
    assert urls == ["https://example.org/story-0"]


@pytest.mark.slow
def test_warc_through_the_flow(prefect_harness, tmp_path: Path) -> None:
    from flows.pipeline import run_pipeline

    warc = tmp_path / "news.warc.gz"
    _write_warc(warc)
    settings = Settings(config_path=None, warehouse_dir=tmp_path / "wh", workers=1)
    summary = run_pipeline(settings, [SourceSpec(name="cc-news", location=str(warc))])
    assert summary.articles_new == 1
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        row = con.execute("SELECT url, publisher, published_at, published_at_source FROM articles").fetchone()
    assert row[0] == "https://example.org/story-0" and row[1] == "Example Times"
    assert row[2] == datetime(2024, 3, 5, 8, 30, tzinfo=UTC) and row[3] == "meta"
