"""Streaming in chunks, the early skip of unchanged documents, crash recovery and progress."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.pipeline import RunSummary, summary_markdown
from mediamon.progress import ProgressPrinter, progress_line
from mediamon.config import Settings, SourceSpec
from mediamon.errors import QualityError

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_7210ad52eb561afc.txt"


@pytest.fixture
def folder(tmp_path, corpus_dir) -> Path:
    """The seed, 4 corpus pages, an empty page (quarantined) and another version of page 1."""
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(SEED, pages / SEED.name)
    corpus = sorted((corpus_dir / "pages").iterdir())[:5]
    for page in corpus[:4]:
        shutil.copy(page, pages / page.name)
    (pages / "empty.html").write_bytes(b"")
    # Another version of page 1 (same canonical URL, other bytes), in a later chunk.
    other = gzip.decompress(corpus[0].read_bytes()) + b"\n<!-- a later copy -->\n"
    (pages / "zz-same-url.html.gz").write_bytes(gzip.compress(other))
    first = corpus[0].name
    (pages / "manifest.jsonl").write_text(
        json.dumps({"path": first, "url": "https://example.org/story"}) + "\n"
        + json.dumps({"path": "zz-same-url.html.gz", "url": "https://example.org/story"}) + "\n")
    return pages


def _settings(tmp_path: Path, **changes) -> Settings:
    return Settings(config_path=None, warehouse_dir=tmp_path / "wh", workers=1, chunk_size=2, **changes)


def _counts(s: RunSummary) -> tuple[int, ...]:
    return (s.documents_in, s.articles_new, s.articles_updated, s.articles_unchanged, s.duplicates, s.quarantined)


def _query(tmp_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "wh" / "mediamon.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.slow
def test_rerun_skips_unchanged_documents_before_parsing(prefect_harness, tmp_path, folder) -> None:
    from flows.pipeline import run_pipeline

    sources = [SourceSpec(name="pages", location=str(folder))]
    seen: list[tuple[int, int]] = []
    first = run_pipeline(_settings(tmp_path), sources, progress=lambda done, total, _: seen.append((done, total)))
    assert first.chunks == 4 and seen == [(2, 7), (4, 7), (6, 7), (7, 7)]
    assert first.documents_in == 7 and first.skipped_unchanged == 0
    # The empty page, and the later file claiming page 1's URL (in another chunk), are quarantined.
    assert first.quarantined == 2 and first.articles_new + first.duplicates == 5
    assert first.quarantine_reasons.get("same URL as another document in this run; the first one was kept") == 1

    second = run_pipeline(_settings(tmp_path), sources)
    assert second.skipped_unchanged == 7
    assert _counts(second) == (7, 0, 0, 5, 0, 2)
    assert second.stage_seconds["tag"] < 1.0 and second.dq_warnings == {}
    # Skipped quarantined documents were not attempted again; the rows are as the first run left them.
    assert _query(tmp_path, "SELECT max(attempts), count(*) FROM quarantine") == [(1, 2)]
    runs = _query(tmp_path, "SELECT status, documents_in, articles_unchanged, quarantined, "
                            "counts->>'skipped_unchanged', counts->>'chunks' FROM runs ORDER BY started_at")
    assert runs[1] == ("completed", 7, 5, 2, "7", "4")

    # One page changes: only it is parsed again.
    (folder / SEED.name).write_text(SEED.read_text(encoding="utf-8").replace("This week saw", "This week, saw"))
    third = run_pipeline(_settings(tmp_path), sources)
    assert third.skipped_unchanged == 6 and third.articles_updated == 1
    assert _counts(third) == (7, 0, 1, 4, 0, 2)

    # --full parses everything again; a quarantined document is attempted (and quarantined) again.
    full = run_pipeline(_settings(tmp_path, full=True), sources)
    assert full.skipped_unchanged == 0
    assert _counts(full) == (7, 0, 0, 5, 0, 2)
    assert _query(tmp_path, "SELECT max(attempts) FROM quarantine") == [(2,)]


@pytest.mark.slow
def test_a_failed_chunk_keeps_earlier_chunks_and_the_rerun_skips_them(prefect_harness, tmp_path, folder,
                                                                     monkeypatch) -> None:
    from flows.pipeline import run_pipeline
    from mediamon.warehouse import Warehouse

    sources = [SourceSpec(name="pages", location=str(folder))]
    real = Warehouse.load_chunk
    calls = {"n": 0}

    def fail_third(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise QualityError("injected failure in chunk 3")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Warehouse, "load_chunk", fail_third)
    with pytest.raises(QualityError, match="injected"):
        run_pipeline(_settings(tmp_path), sources)
    assert _query(tmp_path, "SELECT status, documents_in FROM runs") == [("running", 4)]
    assert _query(tmp_path, "SELECT count(*) FROM raw_documents") == [(4,)]

    monkeypatch.setattr(Warehouse, "load_chunk", real)
    rerun = run_pipeline(_settings(tmp_path), sources)
    assert rerun.skipped_unchanged == 4
    assert rerun.documents_in == 7 and rerun.quarantined == 2
    assert _query(tmp_path, "SELECT status FROM runs ORDER BY started_at") == [("interrupted",), ("completed",)]
    assert _query(tmp_path, "SELECT count(*) FROM articles") == [(5,)]


@pytest.mark.parametrize(("done", "total", "elapsed", "line"), [
    pytest.param(500, 1040, 20.0, "500/1040 documents (48%), 25.0 docs/s, ETA 0:21", id="eta"),
    pytest.param(0, 10, 0.0, "0/10 documents (0%), 0.0 docs/s", id="nothing-yet"),
    pytest.param(100, 100_000, 10.0, "100/100000 documents (0%), 10.0 docs/s, ETA 2:46:30", id="hours"),
])
def test_progress_line(done, total, elapsed, line) -> None:
    assert progress_line(done, total, elapsed) == line


def test_progress_is_quiet_when_not_a_terminal() -> None:
    out = io.StringIO()  # not a TTY: at most one line per 30 s, none at the end
    printer = ProgressPrinter(out)
    for done in range(100, 1000, 100):
        printer(done, 1000, done / 50)
    printer(1000, 1000, 20.0)
    assert out.getvalue() == ""


def test_progress_on_a_terminal_prints_a_line_per_chunk(monkeypatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    printer = ProgressPrinter(out)
    clock = iter([0.0, 5.0, 5.5, 10.0])
    monkeypatch.setattr("mediamon.progress.time.monotonic", lambda: next(clock))
    printer = ProgressPrinter(out)  # created at t=0
    printer(100, 300, 5.0)  # t=5: printed
    printer(200, 300, 5.5)  # t=5.5: under a second since the last line
    printer(300, 300, 10.0)  # done: the summary follows
    assert out.getvalue() == "mediamon: 100/300 documents (33%), 20.0 docs/s, ETA 0:10\n"


def test_summary_markdown_lists_counts_and_stages(tmp_path) -> None:
    summary = RunSummary(run_id="r1", documents_in=7, articles_new=4, articles_updated=0, articles_unchanged=1,
                         duplicates=0, quarantined=2, dq_warnings={"publisher_present": 1},
                         quarantine_reasons={"body_min_words": 2}, problems=[], skipped_files=0,
                         warehouse=tmp_path / "w.duckdb", parquet=tmp_path, stage_seconds={"clean": 1.25},
                         skipped_unchanged=1, chunks=2)
    md = summary_markdown(summary)
    assert md.startswith("# mediamon run r1")
    for line in ["| documents in | 7 |", "| skipped before parsing (unchanged bytes) | 1 |", "| clean | 1.2 |",
                 "**Quarantined:** body_min_words (2)", "**DQ warnings:** publisher_present 1"]:
        assert line in md


def test_chunks_release_what_they_hand_out() -> None:
    from flows.pipeline import _chunks

    items = list(range(5))
    got = list(_chunks(items, 2))
    assert got == [[0, 1], [2, 3], [4]]
    assert items == [None] * 5


@pytest.mark.slow
def test_a_task_over_its_timeout_is_one_clear_error(prefect_harness, tmp_path, folder, monkeypatch) -> None:
    import time

    import flows.runners
    from flows.pipeline import run_pipeline
    from mediamon.errors import MediamonError

    def stuck(*args, **kwargs):
        for _ in range(300):  # a stage that hangs (a pathological page, a stuck worker)
            time.sleep(0.1)

    # A chunk this small is cleaned in the run process, inside the clean task that waits for it.
    monkeypatch.setattr(flows.runners, "clean_batch", stuck)
    with pytest.raises(MediamonError, match=r"longer than \[pipeline\] task_timeout_seconds = 2 s"):
        run_pipeline(_settings(tmp_path, task_timeout_seconds=2), [SourceSpec(name="pages", location=str(folder))])
    assert _query(tmp_path, "SELECT status, documents_in FROM runs") == [("running", 0)]
