"""Canonical URLs through real runs: a same-site canonical merges into one article; another outlet's
copy that declares the original as canonical is an article of its own, pointing at the original."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from mediamon.config import Settings, SourceSpec
from transforms.identity import article_id_for

pytestmark = pytest.mark.slow

ORIGINAL = "https://www.paper-example.com/news/flood-barrier"
MIRROR = "https://mirror-example.net/copy/123"
BODY = "".join(f"<p>Paragraph {i}: the river authority opened the new flood barrier on Monday after "
               "four years of building work, and the mayor thanked the engineers and the residents.</p>"
               for i in range(3))
PAGE = (f'<html><head><title>Flood barrier opens</title><link rel="canonical" href="{ORIGINAL}"></head>'
        f"<body><article><h1>Flood barrier opens</h1>{BODY}</article></body></html>")


def _folder(root: Path, name: str, pages: dict[str, str]) -> SourceSpec:
    folder = root / name
    folder.mkdir()
    lines = []
    for i, (url, html) in enumerate(pages.items()):
        (folder / f"p{i}.html").write_text(html, encoding="utf-8")
        lines.append(json.dumps({"path": f"p{i}.html", "url": url}))
    (folder / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    return SourceSpec(name=name, location=str(folder))


def test_mirror_is_its_own_article_pointing_at_the_original_and_same_site_variants_merge(
        prefect_harness, tmp_path: Path) -> None:
    from flows.pipeline import run_pipeline

    settings = Settings(config_path=None, warehouse_dir=tmp_path / "wh", workers=1, lock_timeout_seconds=5)
    # The byte-identical mirror is seen first, in a run of its own.
    mirror = _folder(tmp_path, "mirror", {MIRROR: PAGE})
    first = run_pipeline(settings, [mirror])
    assert (first.articles_new, first.quarantined) == (1, 0)

    paper = _folder(tmp_path, "paper", {ORIGINAL: PAGE, ORIGINAL + "?utm_source=rss": PAGE,
                                        "https://amp.paper-example.com/news/flood-barrier": PAGE})
    second = run_pipeline(settings, [mirror, paper])
    assert second.documents_in == 4
    con = duckdb.connect(str(settings.duckdb_path), read_only=True)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT article_id, site, canonical_url, duplicate_of FROM articles").fetchall()}
    quarantined = [r[0] for r in con.execute("SELECT url FROM quarantine").fetchall()]
    con.close()
    original_id, mirror_id = article_id_for(ORIGINAL), article_id_for(MIRROR)
    assert set(rows) == {original_id, mirror_id}
    assert rows[original_id] == ("paper-example.com", ORIGINAL, None)
    # The mirror was first seen, yet the page that owns the canonical URL is the original.
    assert rows[mirror_id] == ("mirror-example.net", ORIGINAL, original_id)
    # Tracking parameters and the AMP page are the same article of the same site.
    assert sorted(quarantined) == sorted([ORIGINAL + "?utm_source=rss",
                                          "https://amp.paper-example.com/news/flood-barrier"])
