"""A re-run that finds nothing new loads nothing heavy (issue 18): no clustering library, no GX,
no spaCy, and a chunk with nothing new does not go back to the warehouse for template lines."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

from flows.pipeline import NO_TEMPLATE_LINES, ChunkInput, ChunkRun, StageClock
from mediamon.store.load import LoadCounts


def test_pipeline_import_leaves_heavy_libraries_unloaded() -> None:
    # A fresh interpreter: this test process has imported everything already.
    heavy = ("datasketch", "scipy", "great_expectations", "spacy", "flows.after_load")
    code = ("import sys, flows.pipeline; "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class _Warehouse:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def template_lines(self, sites):  # pragma: no cover - must not be called here
        self.calls.append("template_lines")
        return NO_TEMPLATE_LINES

    def release(self) -> None:
        self.calls.append("release")

    def at_stage(self, stage: str) -> None:
        self.calls.append(f"at_stage {stage}")


def test_chunk_with_nothing_new_skips_the_template_query() -> None:
    warehouse = _Warehouse()
    run = SimpleNamespace(run_id="r1")
    settings = SimpleNamespace(task_timeout_seconds=60.0, chunk_size=250, batch_size=50, workers=2,
                               publishers={})
    chunked = ChunkRun(warehouse, settings, stages=object(), run=run, full=False,  # type: ignore[arg-type]
                       clock=StageClock())
    cleaned = chunked.clean(ChunkInput(fresh=[], skipped=LoadCounts(articles_unchanged=3), documents_in=3),
                            "chunk 1")
    assert cleaned.articles == [] and cleaned.quarantined == []
    assert warehouse.calls == ["at_stage clean"]
