"""published_date in the warehouse: stored, backfilled for older rows, and the day the views count by."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from expectations.runner import DQ_RESULTS_SCHEMA
from mediamon.raise_alerts import DAY_SQL
from mediamon.warehouse import LoadBatch, LoadCounts, RunRecord, Warehouse
from transforms.schema import ARTICLES, ENTITIES, MENTIONS, QUARANTINE, TEMPLATE_LINES, frame


def _article(article_id: str, published_at: datetime | None, published_date: date | None) -> dict[str, object]:
    url = f"https://e.org/{article_id}"
    return {"article_id": article_id, "url": url, "canonical_url": url, "source": "t", "title": "T",
            "publisher": "E", "body": f"body {article_id}", "word_count": 2, "content_hash": f"h-{article_id}",
            "dq_status": "pass", "dq_failures": [], "run_id": "r", "doc_key": url, "authors": [], "tags": [],
            "published_at": published_at, "published_date": published_date,
            "published_tz": "+05:30" if published_date else None, "published_date_conflicts": ["url:2020-04-14"]}


def test_views_count_the_day_the_outlet_printed(tmp_path: Path) -> None:
    # 00:30 in India on 16 April is 19:00 UTC on 15 April: the story is of 16 April.
    india = _article("a", datetime(2020, 4, 15, 19, 0, tzinfo=UTC), date(2020, 4, 16))
    undated = _article("b", None, None)
    mentions = [{"article_id": aid, "entity_id": "e1", "surface": "Kiel", "entity_type": "LOC", "start_char": 0,
                 "end_char": 4, "in_title": False, "source": "kb"} for aid in ("a", "b")]
    with Warehouse(tmp_path) as wh:
        run = RunRecord(run_id="r", started_at=datetime.now(UTC), sources=["t"], documents_in=2)
        wh.begin_run(run)
        counts = wh.load_chunk(run, LoadBatch(
            run.documents_in,
            frame([india, undated], ARTICLES), frame([], QUARANTINE), frame(mentions, MENTIONS),
            frame([], ENTITIES), pl.DataFrame(schema=DQ_RESULTS_SCHEMA), [],
            frame([], TEMPLATE_LINES)), LoadCounts())
        wh.finish_run(run, counts)
        stored = wh.con.execute("SELECT published_date, published_tz, published_date_conflicts FROM articles "
                                "WHERE article_id = 'a'").fetchone()
        seen = wh.con.execute("SELECT seen_date FROM articles WHERE article_id = 'b'").fetchone()[0]
        daily = wh.con.execute("SELECT day, articles FROM v_entity_daily ORDER BY day").fetchall()
        counted = dict(wh.con.execute(f"SELECT article_id, {DAY_SQL} FROM articles a").fetchall())
    assert stored == (date(2020, 4, 16), "+05:30", ["url:2020-04-14"])
    assert daily == [(date(2020, 4, 16), 1), (seen, 1)]
    assert counted == {"a": date(2020, 4, 16), "b": seen}


def test_migration_backfills_the_utc_day_of_older_rows(tmp_path: Path) -> None:
    with Warehouse(tmp_path) as wh:
        path = wh.path
        wh.con.execute("ALTER TABLE articles DROP COLUMN published_date")
        wh.con.execute("DELETE FROM schema_version WHERE version = 7")
        wh.con.execute("""INSERT INTO articles (article_id, url, canonical_url, published_at, first_seen_at, seen_date,
                          updated_at, content_hash, dq_status, run_id)
                          VALUES ('old', 'u', 'u', TIMESTAMPTZ '2020-04-15 19:00:00+00', now(), current_date,
                          now(), 'h', 'pass', 'r')""")
    with Warehouse(tmp_path) as wh:
        day = wh.con.execute("SELECT published_date FROM articles WHERE article_id = 'old'").fetchone()[0]
    assert day == date(2020, 4, 15)
    assert duckdb.connect(str(path), read_only=True).execute("SELECT count(*) FROM articles").fetchone()[0] == 1
