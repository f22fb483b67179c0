"""How the extract stage reads local sources: folders, single pages, and listings named like pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from sources.collect import read_source
from sources.kinds import detect
from mediamon.config import Settings, SourceSpec
from mediamon.errors import SourceError

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_7210ad52eb561afc.txt"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        pytest.param(SEED.read_bytes(), "page", id="page-text-dump"),
        pytest.param(b"# to watch\nhttps://a.example/1\nhttps://b.example/2\n", "urllist", id="url-list"),
        pytest.param(b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', "feed", id="rss-feed"),
        pytest.param(b"<html><body><p>hello</p></body></html>", "page", id="html-page"),
    ],
)
def test_listing_named_like_a_page_is_sniffed(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    assert detect(str(path)) == kind
    assert detect(path.as_uri()) == kind


def test_single_page_source(tmp_path: Path) -> None:
    settings = Settings(config_path=None, warehouse_dir=tmp_path / "wh")
    got = read_source(SourceSpec(name="one", location=str(SEED)), settings)
    assert [d.path for d in got.documents] == [str(SEED)]


def test_missing_local_source_is_a_source_error(tmp_path: Path) -> None:
    settings = Settings(config_path=None, warehouse_dir=tmp_path / "wh")
    with pytest.raises(SourceError, match="does not exist"):
        read_source(SourceSpec(name="gone", location=str(tmp_path / "nope")), settings)
