"""A re-run that finds nothing new loads nothing heavy (issue 18): no clustering library, no GX,
no spaCy, and a chunk with nothing new does not go back to the warehouse for template lines."""

from __future__ import annotations

import subprocess
import sys

import polars as pl

from mediamon.warehouse import Warehouse
from transforms.schema import TEMPLATE_LINES, frame


def test_pipeline_import_leaves_heavy_libraries_unloaded() -> None:
    # A fresh interpreter: this test process has imported everything already.
    heavy = ("datasketch", "scipy", "great_expectations", "spacy", "flows.after_load")
    code = ("import sys, flows.pipeline; "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_chunk_without_sites_does_not_reopen_the_warehouse(tmp_path) -> None:
    with Warehouse(tmp_path) as wh:
        wh.release()
        holds = len(wh.holds)
        empty = wh.template_lines(frame([], TEMPLATE_LINES), 3)  # a chunk with nothing new (ChunkRun.clean)
        assert empty.is_empty() and empty.schema == pl.Schema(TEMPLATE_LINES)
        assert wh._con is None and len(wh.holds) == holds  # the DuckDB file was not opened again
        lines = frame([{"site": "example.com", "fingerprint": "f", "article_id": "a"}], TEMPLATE_LINES)
        assert wh.template_lines(lines, 3).is_empty()  # a chunk with lines does ask (and reopens)
        assert wh._con is not None
