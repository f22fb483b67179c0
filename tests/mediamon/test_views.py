"""The analyst views (mediamon/views.sql) against a real DuckDB file under tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

MEDIAMON = Path(__file__).resolve().parents[2] / "mediamon"

# Proposed for schema.sql (schema version 2); used here until the lead's schema has it.
ARTICLE_CLUSTERS_DDL = """
CREATE TABLE IF NOT EXISTS article_clusters (
    article_id    VARCHAR PRIMARY KEY,
    cluster_id    VARCHAR NOT NULL,
    is_original   BOOLEAN NOT NULL,
    cluster_size  INTEGER NOT NULL,
    minhash       BLOB,
    shingle_count INTEGER NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
"""


def _ts(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2024, 5, day, hour, minute, tzinfo=UTC)


# article_id, publisher, site, title, published_at, first_seen_at, authors, word_count,
# duplicate_of, dq_status, dq_failures
ARTICLES = [
    ("a1", "dpa", "dpa.com", "Sturm im Norden", _ts(1, 23, 30), _ts(2, 6), [], 300, None, "pass", []),
    (
        "a2",
        "Kieler Blatt",
        "kn.de",
        "Sturm legt Bahn lahm",
        _ts(2, 8),
        _ts(2, 9),
        ["Anna Muster"],
        280,
        None,
        "warn",
        ["body_short", "no_author"],
    ),
    ("a3", "Hamburger Bote", "hb.de", "Orkan: Chaos", None, _ts(2, 10), [], 20, None, "warn", ["body_short"]),
    (
        "a4",
        "Kieler Blatt",
        "kn.de",
        "Sturm legt Bahn lahm",
        _ts(2, 8),
        _ts(2, 11),
        ["Anna Muster"],
        280,
        "a2",
        "pass",
        [],
    ),
    ("b1", "Kieler Blatt", "kn.de", "Hafenfest", _ts(3, 9), _ts(3, 10), ["Max Mann"], 500, None, "pass", []),
    (
        "old",
        "Kieler Blatt",
        "kn.de",
        "Altes",
        _ts(1, 1),
        _ts(1, 1).replace(month=4),
        [],
        100,
        None,
        "pass",
        [],
    ),
]
CLUSTERS = [  # article_id, cluster_id, is_original, cluster_size
    ("a1", "a2", True, 4),
    ("a2", "a2", False, 4),
    ("a3", "a2", False, 4),
    ("a4", "a2", False, 4),
    ("b1", "b1", True, 1),
    ("old", "old", True, 1),
]
ENTITIES = [("e:hh", "Hamburg", "GPE"), ("e:db", "Deutsche Bahn", "ORG")]
MENTIONS = [  # article_id, entity_id, surface, entity_type
    ("a1", "e:hh", "Hamburg", "GPE"),
    ("a1", "e:hh", "Hamburgs", "GPE"),
    ("a1", "e:db", "Bahn", "ORG"),
    ("a2", "e:hh", "Hamburg", "GPE"),
    ("a4", "e:hh", "Hamburg", "GPE"),
    ("b1", "e:hh", "HH", "GPE"),
]


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(tmp_path / "mediamon.duckdb"))
    # A non-UTC session zone: the views must still cut days in UTC.
    connection.execute("SET TimeZone = 'Asia/Tokyo'")
    schema = (MEDIAMON / "schema.sql").read_text(encoding="utf-8")
    connection.execute(schema)
    if "article_clusters" not in schema:
        connection.execute(ARTICLE_CLUSTERS_DDL)
    # Views may read tables of later migrations (v_topic_daily: article_topics, schema_v9.sql).
    connection.execute((MEDIAMON / "schema_v9.sql").read_text(encoding="utf-8"))
    for row in ARTICLES:
        (
            article_id,
            publisher,
            site,
            title,
            published_at,
            first_seen_at,
            authors,
            words,
            dup,
            dq,
            failures,
        ) = row
        connection.execute(
            """INSERT INTO articles (article_id, url, canonical_url, site, publisher, title, published_at,
                   authors, body, word_count, first_seen_at, seen_date, updated_at, content_hash,
                   duplicate_of, dq_status, dq_failures, run_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(timezone('UTC', ?::TIMESTAMPTZ) AS DATE),
                       ?, ?, ?, ?, ?, 'r1')""",
            [
                article_id,
                f"https://{site}/{article_id}",
                f"https://{site}/{article_id}",
                site,
                publisher,
                title,
                published_at,
                authors,
                f"Text von {article_id}",
                words,
                first_seen_at,
                first_seen_at,
                first_seen_at,
                f"h-{article_id}",
                dup,
                dq,
                failures,
            ],
        )
    for article_id, cluster_id, is_original, size in CLUSTERS:
        connection.execute(
            """INSERT INTO article_clusters (article_id, cluster_id, is_original, cluster_size, shingle_count,
                   updated_at) VALUES (?, ?, ?, ?, 100, now())""",
            [article_id, cluster_id, is_original, size],
        )
    for entity_id, name, entity_type in ENTITIES:
        connection.execute(
            "INSERT INTO entities VALUES (?, ?, ?, [], NULL, ?, ?)",
            [entity_id, name, entity_type, _ts(1), date(2024, 5, 1)],
        )
    for i, (article_id, entity_id, surface, entity_type) in enumerate(MENTIONS):
        connection.execute(
            "INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?, false, 'kb')",
            [article_id, entity_id, surface, entity_type, i, i + len(surface)],
        )
    # Schema version 7 adds published_date and fills it with the UTC day of rows stored before it.
    connection.execute((MEDIAMON / "schema_v7.sql").read_text(encoding="utf-8"))
    connection.execute((MEDIAMON / "views.sql").read_text(encoding="utf-8"))
    yield connection
    connection.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def test_views_are_idempotent(con: duckdb.DuckDBPyConnection) -> None:
    con.execute((MEDIAMON / "views.sql").read_text(encoding="utf-8"))
    names = {r[0] for r in _rows(con, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    assert {"v_entity_daily", "v_publisher_daily", "v_clusters", "v_cluster_members", "v_latest"} <= names


def test_entity_daily(con: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(
        con,
        """SELECT day, publisher, entity_id, canonical_name, entity_type, mentions, articles
                         FROM v_entity_daily ORDER BY day, publisher, entity_id""",
    )
    assert rows == [
        # a1 was published 23:30 UTC on May 1st (May 2nd in Tokyo): it counts for May 1st.
        (date(2024, 5, 1), "dpa", "e:db", "Deutsche Bahn", "ORG", 1, 1),
        (date(2024, 5, 1), "dpa", "e:hh", "Hamburg", "GPE", 2, 1),
        # a4 is an exact copy of a2: not counted again.
        (date(2024, 5, 2), "Kieler Blatt", "e:hh", "Hamburg", "GPE", 1, 1),
        (date(2024, 5, 3), "Kieler Blatt", "e:hh", "Hamburg", "GPE", 1, 1),
    ]


def test_publisher_daily(con: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(
        con,
        """SELECT publisher, articles, duplicates, with_date, date_fill_rate, author_fill_rate,
                                body_fill_rate, dq_warn_articles, dq_warnings
                         FROM v_publisher_daily WHERE day = DATE '2024-05-02' ORDER BY publisher""",
    )
    assert rows == [
        ("Hamburger Bote", 1, 0, 0, 0.0, 0.0, 0.0, 1, 1),
        ("Kieler Blatt", 2, 1, 2, 1.0, 1.0, 1.0, 1, 2),
        ("dpa", 1, 0, 1, 1.0, 0.0, 1.0, 0, 0),
    ]


def test_clusters(con: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(
        con,
        """SELECT cluster_id, original_article_id, original_publisher, original_title,
                                original_published_at, articles, copies, publisher_count, publishers,
                                first_published_at, last_published_at
                         FROM v_clusters""",
    )
    assert rows == [
        (
            "a2",
            "a1",
            "dpa",
            "Sturm im Norden",
            _ts(1, 23, 30),
            4,
            3,
            3,
            ["Hamburger Bote", "Kieler Blatt", "dpa"],
            _ts(1, 23, 30),
            _ts(2, 8),
        )
    ]


def test_cluster_members_rank_by_publication(con: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(
        con,
        "SELECT article_id, rank, cluster_size FROM v_cluster_members WHERE cluster_id = 'a2' "
        "ORDER BY rank",
    )
    # a2 and a4 share a publication time: first seen decides; a3 has no date and comes last.
    assert rows == [("a1", 1, 4), ("a2", 2, 4), ("a4", 3, 4), ("a3", 4, 4)]


def test_latest(con: duckdb.DuckDBPyConnection) -> None:
    rows = _rows(con, "SELECT article_id, cluster_size, is_original, snippet FROM v_latest")
    # Newest first; the exact copy a4 and the month-old article are left out.
    assert rows == [
        ("b1", 1, True, "Text von b1"),
        ("a3", 4, False, "Text von a3"),
        ("a2", 4, False, "Text von a2"),
        ("a1", 4, True, "Text von a1"),
    ]
