"""Every record of real crawler archives is one stored row: Heritrix WARC / WARC.gz, wget, an ARC, a
Wikipedia capture (../shared/corpora/warc) plus warcio-written revisit and redirect records."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mediamon.config import Settings, SourceSpec

REPO = Path(__file__).resolve().parents[2]
WARCS = REPO.parent / "shared" / "corpora" / "warc"

pytestmark = pytest.mark.slow

STORY = ("<html><head><title>Harbour crane back in service</title></head><body><article><h1>Harbour crane "
         "back in service</h1>" + "<p>The old harbour crane lifted its first container in three years on "
         "Tuesday after engineers replaced the winch and the operators finished their training.</p>" * 3
         + "</article></body></html>").encode()


def _write_synthetic(path: Path) -> None:
    """A capture, its revisit, a redirect, a 404 page, an image and a page without Content-Type."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)

        def response(uri: str, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
            http = StatusAndHeaders(status, headers + [("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=http,
                warc_headers_dict={"WARC-Date": "2025-06-10T07:00:00Z"}))

        response("https://harbour.example/crane", "200 OK", [("Content-Type", "text/html; charset=utf-8")], STORY)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_revisit_record(
            "https://harbour.example/crane", digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            refers_to_uri="https://harbour.example/crane", refers_to_date="2025-06-10T07:00:00Z",
            http_headers=http))
        response("https://harbour.example/old", "301 Moved Permanently",
                 [("Location", "https://harbour.example/crane"), ("Content-Type", "text/html")], b"moved")
        response("https://harbour.example/gone", "404 Not Found", [("Content-Type", "text/html")],
                 b"<html><body>not here</body></html>")
        response("https://harbour.example/crane.jpg", "200 OK", [("Content-Type", "image/jpeg")], b"\xff\xd8\xff")
        response("https://harbour.example/bare", "200 OK", [], STORY.replace(b"crane", b"tug"))


def _html_responses(path: Path) -> list[tuple[str, str]]:
    """(doc_key, url) of every 2xx/4xx/5xx HTML response record, read independently of mediamon."""
    out = []
    with path.open("rb") as fh:
        records = ArchiveIterator(fh, arc2warc=True)
        for record in records:
            offset = records.offset
            if record.rec_type != "response" or record.http_headers is None:
                continue
            status = int(record.http_headers.get_statuscode() or 0)
            ctype = (record.http_headers.get_header("Content-Type") or "").lower()
            body = record.content_stream().read()
            html = "html" in ctype or (not ctype and b"<html" in body[:2048].lower())
            if html and not 300 <= status < 400 and record.rec_headers.get_header("WARC-Target-URI").startswith("http"):
                out.append((f"{path}#{offset}", record.rec_headers.get_header("WARC-Target-URI")))
    return out


def test_every_archive_record_is_one_stored_row_and_a_rerun_adds_nothing(prefect_harness, tmp_path: Path) -> None:
    from flows.pipeline import run_pipeline

    archives = sorted(p for p in WARCS.iterdir() if p.name.endswith((".warc", ".warc.gz", ".arc.gz")))
    assert len(archives) == 5, "the shared WARC corpus is missing"
    synthetic = tmp_path / "revisits.warc.gz"
    _write_synthetic(synthetic)
    archives.append(synthetic)
    sources = [SourceSpec(name=p.name, location=str(p)) for p in archives]
    settings = Settings(config_path=None, warehouse_dir=tmp_path / "wh", workers=1, lock_timeout_seconds=5)

    first = run_pipeline(settings, sources)
    expected = [r for p in archives for r in _html_responses(p)]
    assert first.documents_in == len(expected) >= 12
    con = duckdb.connect(str(settings.duckdb_path), read_only=True)
    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    quarantine_keys = {k for (k,) in con.execute("SELECT doc_key FROM quarantine").fetchall()}
    article_urls = {u for (u,) in con.execute("SELECT url FROM articles").fetchall()}
    con.close()
    # Counted against stored rows, not counters: every document is an article or a quarantine row.
    assert articles + len(quarantine_keys) == first.documents_in
    assert first.articles + first.quarantined == first.documents_in
    for key, url in expected:
        assert key in quarantine_keys or url.rstrip("/") in {u.rstrip("/") for u in article_urls}, key
    # The 404 page of the synthetic archive is quarantined under its own record key.
    assert any(k.startswith(f"{synthetic}#") for k in quarantine_keys)

    second = run_pipeline(settings, sources)
    assert second.documents_in == first.documents_in
    assert second.articles_new == second.articles_updated == second.duplicates == 0
    assert (second.articles_unchanged, second.quarantined) == (first.articles, first.quarantined)
    con = duckdb.connect(str(settings.duckdb_path), read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == articles
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == len(quarantine_keys)
    con.close()
