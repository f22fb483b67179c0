"""One document per key in a run: a file named twice is read once, and said so."""

from __future__ import annotations

from pathlib import Path

import pytest

from sources.collect import collect
from mediamon.config import Settings, SourceSpec


@pytest.mark.parametrize("lazy", [False, True])
def test_a_folder_named_by_two_sources_is_read_once(tmp_path: Path, lazy: bool) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in ("a.html", "b.html"):
        (pages / name).write_text("<html><body><p>text</p></body></html>")
    sources = [SourceSpec(name="one", location=str(pages)), SourceSpec(name="two", location=str(pages))]
    got = collect(sources, Settings(config_path=None, warehouse_dir=tmp_path / "wh"), {}, lazy=lazy)
    assert got.total == 2
    assert got.problems == ["source 'two': 2 documents already read in this run by source 'one'; read once"]
