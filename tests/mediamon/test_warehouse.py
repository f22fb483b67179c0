"""The warehouse against real DuckDB files under tmp_path."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from expectations.runner import DQ_RESULTS_SCHEMA
from flows.quality import field_health
from mediamon.errors import QualityError, WarehouseError
from mediamon.warehouse import SCHEMA_VERSION, LoadBatch, LoadCounts, RunRecord, Warehouse, read_query
from transforms.schema import ARTICLES, ENTITIES, MENTIONS, QUARANTINE, TEMPLATE_LINES, frame


def _article(article_id: str, body: str, url: str | None = None) -> dict[str, object]:
    url = url or f"https://e.org/{article_id}"
    return {"article_id": article_id, "url": url, "canonical_url": url, "source": "t", "title": "T",
            "body": body, "word_count": len(body.split()), "content_hash": f"h-{body}", "dq_status": "pass",
            "dq_failures": [], "run_id": "r", "doc_key": url, "authors": [], "tags": [],
            "fetched_at": datetime(2024, 1, 1, tzinfo=UTC)}


def _load(wh: Warehouse, run_id: str, articles: list[dict[str, object]],
          quarantine: list[dict[str, object]] | None = None, documents_in: int | None = None,
          mentions: list[dict[str, object]] | None = None):
    quarantine = quarantine or []
    run = RunRecord(run_id=run_id, started_at=datetime.now(UTC), sources=["t"],
                    documents_in=documents_in if documents_in is not None else len(articles) + len(quarantine))
    wh.begin_run(run)
    counts = wh.load_chunk(run, LoadBatch(
        run.documents_in,
        frame(articles, ARTICLES), frame(quarantine, QUARANTINE), frame(mentions or [], MENTIONS),
        frame([], ENTITIES), pl.DataFrame(schema=DQ_RESULTS_SCHEMA), [],
        frame([], TEMPLATE_LINES)), LoadCounts())
    wh.finish_run(run, counts)
    return counts


def test_new_unchanged_updated_and_versions(tmp_path: Path) -> None:
    with Warehouse(tmp_path) as wh:
        c1 = _load(wh, "r1", [_article("a", "one"), _article("b", "two")])
        seen_sql = "SELECT article_id, first_seen_at FROM articles ORDER BY first_seen_at"
        first_seen = wh.con.execute(seen_sql).fetchall()
        c2 = _load(wh, "r2", [_article("a", "one"), _article("b", "two, edited")])
        versions = wh.con.execute("SELECT article_id, content_hash FROM article_versions").fetchall()
        n = wh.con.execute("SELECT count(*) FROM articles").fetchone()[0]
        first_seen_after = wh.con.execute(seen_sql).fetchall()
    assert (c1.articles_new, c1.articles_updated, c1.articles_unchanged) == (2, 0, 0)
    assert (c2.articles_new, c2.articles_updated, c2.articles_unchanged) == (0, 1, 1)
    assert versions == [("b", "h-two")]
    # An update keeps first_seen_at; within one load the order read is the order first seen.
    assert n == 2 and first_seen_after == first_seen and [r[0] for r in first_seen] == ["a", "b"]


def test_exact_copy_under_another_url_is_kept_and_marked(tmp_path: Path) -> None:
    with Warehouse(tmp_path) as wh:
        _load(wh, "r1", [_article("a", "same text")])
        counts = _load(wh, "r2", [_article("c", "same text")])
        rows = dict(wh.con.execute("SELECT article_id, duplicate_of FROM articles").fetchall())
    assert counts.duplicates == 1
    assert rows == {"a": None, "c": "a"}


def test_copies_follow_when_their_original_changes_text(tmp_path: Path) -> None:
    # Only the texts a load touches are ranked again: the old text of an updated original too.
    def originals(wh: Warehouse) -> dict[str, str | None]:
        return dict(wh.con.execute("SELECT article_id, duplicate_of FROM articles").fetchall())

    with Warehouse(tmp_path) as wh:
        _load(wh, "r1", [_article("a", "first text"), _article("b", "first text"), _article("z", "other")])
        assert originals(wh) == {"a": None, "b": "a", "z": None}
        _load(wh, "r2", [_article("a", "second text")])  # the original is edited: b is first now
        assert originals(wh) == {"a": None, "b": None, "z": None}
        _load(wh, "r3", [_article("c", "second text"), _article("z", "first text")])
        assert originals(wh) == {"a": None, "b": None, "c": "a", "z": "b"}


def test_quarantine_is_one_row_per_document_and_clears_on_success(tmp_path: Path) -> None:
    q = {"doc_key": "https://e.org/a", "url": "https://e.org/a", "source": "t", "stage": "clean",
         "reasons": ["no article text found"], "run_id": "r1", "quarantined_at": datetime.now(UTC)}
    with Warehouse(tmp_path) as wh:
        _load(wh, "r1", [], [q])
        _load(wh, "r2", [], [q])
        attempts = wh.con.execute("SELECT attempts FROM quarantine").fetchall()
        _load(wh, "r3", [_article("a", "now fine")])
        left = wh.con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    assert attempts == [(2,)]
    assert left == 0


def test_counts_that_do_not_add_up_roll_back(tmp_path: Path) -> None:
    with Warehouse(tmp_path) as wh:
        with pytest.raises(QualityError, match="does not add up"):
            _load(wh, "r1", [_article("a", "x")], documents_in=3)
        assert wh.con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        # The chunk rolled back: the run is begun, with nothing of the chunk counted.
        assert wh.con.execute("SELECT status, documents_in FROM runs").fetchall() == [("running", 0)]


def test_mentions_replaced_only_for_changed_articles(tmp_path: Path) -> None:
    m = {"article_id": "a", "entity_id": "e1", "surface": "X", "entity_type": "ORG", "start_char": 0,
         "end_char": 1, "in_title": False, "source": "ner"}
    with Warehouse(tmp_path) as wh:
        _load(wh, "r1", [_article("a", "X one")], mentions=[m])
        _load(wh, "r2", [_article("a", "X one")], mentions=[m])
        assert wh.con.execute("SELECT count(*) FROM mentions").fetchone()[0] == 1
        _load(wh, "r3", [_article("a", "X two")], mentions=[m, {**m, "start_char": 2, "end_char": 3}])
        assert wh.con.execute("SELECT count(*) FROM mentions").fetchone()[0] == 2


def test_schema_version_recorded_and_newer_file_refused(tmp_path: Path) -> None:
    with Warehouse(tmp_path) as wh:
        assert wh.con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        wh.con.execute("INSERT INTO schema_version VALUES (999, now())")
    with pytest.raises(WarehouseError, match="newer than this mediamon"):
        Warehouse(tmp_path)


def test_second_writer_waits_then_gives_a_clear_message(tmp_path: Path) -> None:
    Warehouse(tmp_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
         str(tmp_path / "mediamon.duckdb")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseError, match="in use by another mediamon run"):
            Warehouse(tmp_path, lock_timeout=0.5)
    finally:
        holder.communicate("")
    Warehouse(tmp_path, lock_timeout=0.5).close()  # the lock is gone with the process


def test_read_query_is_read_only(tmp_path: Path) -> None:
    Warehouse(tmp_path).close()
    columns, rows = read_query(tmp_path, "SELECT 1 AS one")
    assert (columns, rows) == (["one"], [(1,)])
    with pytest.raises(WarehouseError, match="query failed"):
        read_query(tmp_path, "CREATE TABLE x (i INTEGER)")
    with pytest.raises(WarehouseError, match="no warehouse"):
        read_query(tmp_path / "nowhere", "SELECT 1")


def test_parquet_export_matches_tables(tmp_path: Path) -> None:
    with Warehouse(tmp_path) as wh:
        _load(wh, "r1", [_article("a", "one"), _article("b", "two")])
        wh.export_parquet()
        wh.export_parquet()  # replacing an existing export works and leaves no staging folders
    with duckdb.connect() as con:
        n = con.execute(f"SELECT count(*) FROM read_parquet('{tmp_path}/parquet/articles/**/*.parquet')").fetchone()[0]
    assert n == 2
    assert [p.name for p in (tmp_path / "parquet").glob(".*")] == [".fingerprints.json"]
    assert (tmp_path / "parquet" / "mentions").is_dir()


def _partition_files(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in sorted(root.glob("*/seen_date=*/*.parquet"))}


def test_parquet_rewrites_only_changed_partitions(tmp_path: Path) -> None:
    root = tmp_path / "parquet"
    with Warehouse(tmp_path) as wh:
        _load(wh, "r1", [_article("a", "one"), _article("b", "two"), _article("c", "three")])
        # Articles first seen on another day live in another partition.
        wh.con.execute("UPDATE articles SET seen_date = DATE '2024-01-01' WHERE article_id = 'a'")
        wh.con.execute("UPDATE articles SET seen_date = DATE '2024-01-02' WHERE article_id = 'c'")
        first = wh.export_parquet()
        before = _partition_files(root)
        again = wh.export_parquet()
        assert _partition_files(root) == before  # nothing changed: nothing rewritten
        # A killed export's temporary file is removed; a partition whose rows left the table goes.
        (root / "articles" / "seen_date=2024-01-01" / ".part-0.parquet-x.tmp").write_bytes(b"half")
        wh.con.execute("DELETE FROM articles WHERE article_id = 'c'")
        _load(wh, "r2", [_article("a", "one"), _article("b", "two, edited")])
        second = wh.export_parquet()
        after = _partition_files(root)
        table_rows = wh.con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert first["articles"] == 3 and again == {t: 0 for t in first}
    assert second["articles"] == 1  # only b's partition
    today = next(k for k in before if k.startswith("articles/") and "2024" not in k)
    assert after[today] != before[today]
    assert after["articles/seen_date=2024-01-01/part-0.parquet"] == before["articles/seen_date=2024-01-01/part-0.parquet"]
    assert "articles/seen_date=2024-01-02/part-0.parquet" not in after
    assert not list(root.glob("**/*.tmp"))
    assert pl.read_parquet(root / "articles" / "**" / "*.parquet", hive_partitioning=True).height == table_rows == 2


def test_template_lines_are_read_for_the_chunks_own_lines_only_and_bounded(tmp_path: Path) -> None:
    # a.org's "f1" is on 40 stored articles, "f2" on two; b.org shares the fingerprint "f1".
    rows = [{"site": "a.org", "fingerprint": "f1", "article_id": f"x{i:02d}"} for i in range(40)]
    rows += [{"site": "a.org", "fingerprint": "f2", "article_id": aid} for aid in ("x00", "x01")]
    rows += [{"site": "a.org", "fingerprint": "f3", "article_id": "x02"}, {"site": "b.org", "fingerprint": "f1",
                                                                         "article_id": "z"}]
    run = RunRecord(run_id="r1", started_at=datetime.now(UTC), sources=["t"], documents_in=0)
    with Warehouse(tmp_path) as wh:
        wh.begin_run(run)
        counts = wh.load_chunk(run, LoadBatch(
            run.documents_in,
            frame([], ARTICLES), frame([], QUARANTINE), frame([], MENTIONS), frame([], ENTITIES),
            pl.DataFrame(schema=DQ_RESULTS_SCHEMA), [], frame(rows, TEMPLATE_LINES)), LoadCounts())
        wh.finish_run(run, counts)
        # A chunk of two articles, one of them stored before (x00), both with "f1" and "f2".
        chunk = frame([{"site": "a.org", "fingerprint": fp, "article_id": aid}
                       for fp in ("f1", "f2") for aid in ("x00", "new")], TEMPLATE_LINES)
        got = wh.template_lines(chunk, min_docs=3)
        none = wh.template_lines(frame([], TEMPLATE_LINES), min_docs=3)
    # Only the chunk's own (site, fingerprint) pairs; at most min_docs + 2 ids of the 40 for "f1".
    assert set(got["site"]) == {"a.org"} and set(got["fingerprint"]) == {"f1", "f2"}
    assert got.filter(pl.col("fingerprint") == "f1").height == 5
    assert sorted(got.filter(pl.col("fingerprint") == "f2")["article_id"].to_list()) == ["x00", "x01"]
    assert none.height == 0
    # The template decision is the one all stored rows would give: f1 is a template, f2 (x00,
    # x01 and the new article: three) is one too, and f3 (not in the chunk) is not asked about.
    from transforms.extraction.site_templates import learned_templates

    learned = learned_templates(pl.concat([got, chunk]), 3)
    assert learned == {"a.org": frozenset({"f1", "f2"})}


def _streamed(wh: Warehouse, run_id: str, articles: list[dict[str, object]], seen_date: str) -> list[str]:
    """One streamed run (begin, one chunk, field health, finish) whose articles were first seen on `seen_date`."""
    run = RunRecord(run_id=run_id, started_at=datetime.now(UTC), sources=["t"], documents_in=len(articles))
    wh.begin_run(run)
    counts = wh.load_chunk(run, LoadBatch(len(articles), articles=frame(articles, ARTICLES)), LoadCounts())
    wh.con.execute("UPDATE articles SET seen_date = CAST(? AS DATE) WHERE run_id = ?", [seen_date, run_id])
    messages = field_health(wh, run_id, min_words=3)
    wh.finish_run(run, counts)
    return messages


def test_field_health_warns_when_a_publishers_rate_drops(tmp_path: Path) -> None:
    def story(run: str, i: int, dated: bool) -> dict[str, object]:
        a = _article(f"{run}-{i}", f"story {run} number {i} with enough words")
        a.update(site="x.org", publisher="X", run_id=run, authors=["A. Writer"],
                 published_at=datetime(2024, 1, 1, tzinfo=UTC) if dated else None)
        return a

    with Warehouse(tmp_path) as wh:
        for day in range(1, 7):  # six days on which every article had a date
            assert _streamed(wh, f"r{day}", [story(f"r{day}", i, True) for i in range(6)], f"2024-03-0{day}") == []
        messages = _streamed(wh, "r7", [story("r7", i, False) for i in range(6)], "2024-03-07")
        rates = wh.con.execute("SELECT day, rate FROM field_health WHERE site = 'x.org' AND field = 'published_at' "
                               "ORDER BY day").fetchall()
        authors = wh.con.execute("SELECT min(rate) FROM field_health WHERE field = 'authors'").fetchone()[0]
        drops = wh.con.execute("SELECT site, field, rate, baseline_rate, run_id FROM field_health_drops").fetchall()
    assert len(messages) == 1 and "x.org: published_at filled in 0 of 6" in messages[0]
    assert [r[1] for r in rates] == [1.0] * 6 + [0.0]
    assert authors == 1.0  # the other fields stayed healthy: no warning for them
    assert drops == [("x.org", "published_at", 0.0, 1.0, "r7")]


def test_memory_limit_caps_the_writer_and_a_bad_size_is_one_clear_error(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "wh", memory_limit="256MB") as wh:
        limit = wh.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit.replace(" ", "").upper() in {"256.0MB", "256MB", "244.1MIB", "244.1MB"}
    with pytest.raises(WarehouseError, match="memory_limit"):
        Warehouse(tmp_path / "wh", memory_limit="lots")


def test_checkpoints_do_not_merge_earlier_row_groups(tmp_path: Path) -> None:
    """Loads checkpointed one after another keep their own row groups: merging them made each
    checkpoint rewrite, in memory, every body stored so far (a spike that grew with the warehouse)."""
    with Warehouse(tmp_path / "wh") as wh:
        for n in range(3):
            _load(wh, f"r{n}", [_article(f"a{n}-{i}", f"body {n} {i} " + "word " * 200) for i in range(50)])
            wh.con.execute("CHECKPOINT")
        groups = wh.con.execute("""SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('articles')
                                   WHERE column_name = 'body'""").fetchone()[0]
        assert wh.con.execute("SELECT count(*) FROM articles").fetchone()[0] == 150
    assert groups == 3


def test_a_chunk_that_needs_more_than_the_memory_limit_is_one_clear_error(tmp_path: Path) -> None:
    """Past the cap DuckDB spills what it can; what it cannot is one line naming the setting, and
    nothing of the chunk is written."""
    articles = [_article(f"a{i}", f"body {i} " + "word " * 2000) for i in range(400)]
    run = RunRecord(run_id="r1", started_at=datetime.now(UTC), sources=["t"], documents_in=len(articles))
    with Warehouse(tmp_path / "wh", memory_limit="64MB") as wh:
        wh.begin_run(run)
        wh.con.execute("SET memory_limit = '1MB'")  # as if the config allowed far less than a chunk needs
        with pytest.raises(WarehouseError, match=r"raise \[warehouse\] memory_limit") as raised:
            wh.load_chunk(run, LoadBatch(run.documents_in, frame(articles, ARTICLES)), LoadCounts())
        wh.con.execute("SET memory_limit = '64MB'")
        stored = wh.con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert "\n" not in str(raised.value)
    assert stored == 0


def test_roomier_raises_the_cap_for_a_batch_step_and_puts_it_back(tmp_path: Path) -> None:
    """Re-tagging history and the search index read a thousand stored articles at a time: more
    room than a chunk's load gets, also across the reopenings between their batches."""
    def limit(wh: Warehouse) -> str:
        return wh.con.execute("SELECT current_setting('memory_limit')").fetchone()[0].replace(" ", "")

    with Warehouse(tmp_path / "wh", memory_limit="64MB") as wh:
        small = limit(wh)
        with wh.roomier():
            inside = limit(wh)
            wh.release()
            reopened = limit(wh)
        after = limit(wh)
        wh.release()
        later = limit(wh)
    assert small in {"61.0MiB", "64.0MB"}
    assert inside == reopened and inside in {"488.2MiB", "512.0MB"}
    assert after == later == small


def test_lean_read_reads_under_the_lean_cap_and_again_under_the_usual_one_when_that_is_short(tmp_path: Path) -> None:
    """The reads between loads run under a lower cap, so DuckDB does not keep every block they
    scanned; a read that needs more in one piece is run again, not failed."""
    def limit(con: duckdb.DuckDBPyConnection) -> str:
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0].replace(" ", "")

    caps: list[str] = []

    def big_list(con: duckdb.DuckDBPyConnection) -> int:
        caps.append(limit(con))  # a list of 2M numbers in one piece: about 32 MB, no spilling
        return con.execute("SELECT len(list(i)) FROM range(2000000) t(i)").fetchone()[0]

    with Warehouse(tmp_path / "wh", memory_limit="64MB") as wh:
        assert wh.lean_read(limit) in {"22.8MiB", "24.0MB"}
        assert limit(wh.con) in {"61.0MiB", "64.0MB"}  # the usual cap again
        assert wh.lean_read(big_list) == 2_000_000
        assert caps[0] in {"22.8MiB", "24.0MB"} and caps[1:] == [limit(wh.con)]
        with pytest.raises(duckdb.OutOfMemoryException):  # what the lean cap alone would have done
            wh.con.execute("SET memory_limit = '24MB'")
            big_list(wh.con)
    with Warehouse(tmp_path / "wh2", memory_limit="16MB") as wh:  # a user's lower cap stays
        assert wh.lean_read(limit) in {"15.2MiB", "16.0MB"}
