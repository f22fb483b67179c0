"""JSON Lines agency feeds: items become text documents; bad items are quarantine rows, never lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from mediamon.config import Settings, SourceSpec
from sources.collect import READERS, collect
from sources.kinds import detect

BODY = ("The regional water board approved a plan on Tuesday to replace the pumping station on the river "
        "after the spring floods damaged its motors.\n\nWork starts in autumn and should take a year, the "
        "board's chair said, adding that the region and the state share the cost of the new station.\n")
ITEMS = [
    {"url": "https://wire.example/a", "title": "Water board approves new pumping station", "body": BODY,
     "published_at": "2024-05-07T08:15:00+02:00", "language": "en"},
    {"url": "https://wire.example/b", "title": "Ferry timetable changes", "body": BODY.replace("water", "ferry"),
     "published_at": "2024-05-08T10:00:00Z"},
]
BAD_LINES = ['{"url": "https://wire.example/c", "title": "cut off', json.dumps({"url": "https://wire.example/d"}),
             json.dumps(["not", "an", "object"]), json.dumps({"title": "no url", "body": BODY})]


def _write(path: Path) -> None:
    path.write_text("\n".join([json.dumps(ITEMS[0]), *BAD_LINES, "", json.dumps(ITEMS[1])]) + "\n")


def _settings(tmp_path: Path) -> Settings:
    return Settings(config_path=None, warehouse_dir=tmp_path / "wh", workers=1)


def test_jsonl_is_one_kind_with_one_reader(tmp_path: Path) -> None:
    _write(tmp_path / "wire.jsonl")
    assert detect(str(tmp_path / "wire.jsonl")) == "jsonl" and "jsonl" in READERS
    assert detect("https://wire.example/today.ndjson", offline=True) == "jsonl"


def test_items_become_text_documents_and_bad_items_quarantine_reasons(tmp_path: Path) -> None:
    _write(tmp_path / "wire.jsonl")
    got = collect([SourceSpec(name="wire", location=str(tmp_path / "wire.jsonl"))], _settings(tmp_path), {})
    assert len(got.documents) == 6 and not got.failed_sources  # every non-blank line: nothing lost
    good = [d for d in got.documents if d.error is None]
    assert [d.url for d in good] == ["https://wire.example/a", "https://wire.example/b"]
    first = good[0]
    assert (first.kind, first.text_kind, first.text_kind_source) == ("text", "text", "source")
    assert first.title_hint == ITEMS[0]["title"] and first.raw == BODY.strip().encode()
    assert first.published_hint == datetime(2024, 5, 7, 6, 15, tzinfo=UTC) and first.published_hint_source == "feed"
    reasons = [d.error for d in got.documents if d.error is not None]
    assert reasons == ["line 2 is not valid JSON (Unterminated string at column 44)",
                       'line 3 has no "body" text', "line 4 is not a JSON object", 'line 5 has no http(s) "url"']
    assert all("\n" not in r and "Traceback" not in r for r in reasons)


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        pytest.param("/wire", "\n".join(json.dumps(i) for i in ITEMS), "application/x-ndjson", id="json-lines"),
        pytest.param("/api/stories", json.dumps(ITEMS), "application/json", id="json-array"),
    ],
)
def test_jsonl_over_http(fault_server: Any, tmp_path: Path, path: str, body: str, content_type: str) -> None:
    fault_server.route(path, body=body.encode(), content_type=content_type)
    got = collect([SourceSpec(name="wire", location=fault_server.url(path))], _settings(tmp_path), {})
    assert [d.url for d in got.documents] == ["https://wire.example/a", "https://wire.example/b"]
    assert all(d.error is None and d.kind == "text" for d in got.documents) and not got.problems


@pytest.mark.slow
def test_jsonl_through_mediamon_run(prefect_harness, tmp_path: Path, capsys) -> None:
    from mediamon.cli import main

    _write(tmp_path / "wire.jsonl")
    config = tmp_path / "mediamon.toml"
    config.write_text('[warehouse]\npath = "wh"\n[pipeline]\nworkers = 1\n'
                      '[[sources]]\nname = "wire"\nlocation = "wire.jsonl"\npublisher = "Example Wire"\n')
    assert main(["run", "--config", str(config)]) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    with duckdb.connect(str(tmp_path / "wh" / "mediamon.duckdb"), read_only=True) as con:
        articles = con.execute("SELECT url, title, published_at, published_at_source, text_kind, publisher, "
                               "language FROM articles ORDER BY url").fetchall()
        quarantine = con.execute("SELECT stage, reasons FROM quarantine ORDER BY url").fetchall()
    assert articles == [
        ("https://wire.example/a", ITEMS[0]["title"], datetime(2024, 5, 7, 6, 15, tzinfo=UTC), "feed", "text",
         "Example Wire", "en"),
        ("https://wire.example/b", ITEMS[1]["title"], datetime(2024, 5, 8, 10, 0, tzinfo=UTC), "feed", "text",
         "Example Wire", "en"),
    ]
    assert len(quarantine) == 4 and all(stage == "extract" and len(reasons) == 1 for stage, reasons in quarantine)
