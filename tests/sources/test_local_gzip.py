"""A cut-off or corrupt .gz file is reported as broken gzip, never as an empty document."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from sources.local import plan_folder
from transforms.extraction.feeds import gunzip_bounded

PAGE = ("<html><head><title>Tram</title></head><body><article><p>"
        + "The council agreed to extend the tram line to the northern districts. " * 40
        + "</p></article></body></html>").encode()
PACKED = gzip.compress(PAGE)


@pytest.mark.parametrize("cut", [
    pytest.param(12, id="header-only"),
    pytest.param(len(PACKED) // 2, id="half"),
    pytest.param(len(PACKED) - 8, id="no-trailer"),
])
def test_truncated_gzip_is_reported_as_such(tmp_path: Path, cut: int) -> None:
    (tmp_path / "page.html.gz").write_bytes(PACKED[:cut])
    (doc,) = [p.read() for p in plan_folder(tmp_path, "t").pending]
    assert doc.raw is None and doc.error is not None
    assert "not valid gzip (truncated" in doc.error and "empty" not in doc.error


def test_a_whole_gzip_file_still_reads(tmp_path: Path) -> None:
    (tmp_path / "page.html.gz").write_bytes(PACKED)
    (doc,) = [p.read() for p in plan_folder(tmp_path, "t").pending]
    assert doc.error is None and doc.raw == PAGE


def test_truncated_gzip_listing_is_an_error() -> None:
    assert gunzip_bounded(PACKED, 10_000_000) == PAGE
    with pytest.raises(ValueError, match="truncated"):
        gunzip_bounded(PACKED[: len(PACKED) // 2], 10_000_000)
