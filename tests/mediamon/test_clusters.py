"""Keeping article_clusters current, against a real DuckDB warehouse under tmp_path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mediamon.clusters import RECENT_DAYS, refresh_lsh_bands, update_clusters
from mediamon.warehouse import Warehouse
from tests.transforms.syndication.test_minhash import STORM, STORM_COPY, STORM_OTHER


def _add(wh: Warehouse, article_id: str, body: str, first_seen: datetime | None = None,
         duplicate_of: str | None = None) -> None:
    first_seen = first_seen or datetime.now(UTC)
    url = f"https://example.org/{article_id}"
    wh.con.execute(
        """INSERT OR REPLACE INTO articles (article_id, url, canonical_url, body, first_seen_at, seen_date, updated_at,
                                           content_hash, duplicate_of, dq_status, run_id)
           VALUES (?, ?, ?, ?, ?, CAST(? AS DATE), now(), md5(?), ?, 'pass', 'r')""",
        [article_id, url, url, body, first_seen, first_seen, body, duplicate_of])


def _clusters(wh: Warehouse) -> dict[str, tuple[str, int]]:
    rows = wh.con.execute("SELECT article_id, cluster_id, cluster_size FROM article_clusters").fetchall()
    return {aid: (cid, size) for aid, cid, size in rows}


def _bands(wh: Warehouse) -> dict[str, int]:
    return dict(wh.con.execute("SELECT article_id, count(*) FROM article_lsh_bands GROUP BY ALL").fetchall())


@pytest.fixture
def wh(tmp_path: Path):
    with Warehouse(tmp_path) as warehouse:
        yield warehouse


def test_a_copy_in_a_later_chunk_joins_the_stored_cluster(wh: Warehouse) -> None:
    _add(wh, "orig", STORM)
    _add(wh, "other", STORM_OTHER)
    assert update_clusters(wh) == 2
    bands = _bands(wh)
    assert set(bands) == {"orig", "other"} and len(set(bands.values())) == 1
    _add(wh, "copy", STORM_COPY)
    update_clusters(wh)
    clusters = _clusters(wh)
    assert clusters["copy"] == clusters["orig"] == ("orig", 2)
    assert clusters["other"] == ("other", 1)
    assert set(_bands(wh)) == {"orig", "other", "copy"}
    assert update_clusters(wh) == 0  # nothing new: nothing written


def test_an_exact_copy_joins_its_original_through_duplicate_of(wh: Warehouse) -> None:
    short = "Die Polizei sucht Zeugen eines Unfalls am Montagabend. Hinweise bitte."  # too short to sign
    _add(wh, "first", short)
    update_clusters(wh)
    assert _bands(wh) == {}
    _add(wh, "again", short, duplicate_of="first")
    update_clusters(wh)
    assert _clusters(wh)["again"] == ("first", 2)


def test_a_changed_article_gets_new_bands_and_leaves_a_cluster_it_no_longer_matches(wh: Warehouse) -> None:
    _add(wh, "orig", STORM)
    _add(wh, "copy", STORM_COPY, first_seen=datetime.now(UTC) + timedelta(minutes=1))
    update_clusters(wh)
    assert _clusters(wh)["copy"] == ("orig", 2)
    _add(wh, "copy", STORM_OTHER)  # re-extracted: now an independent story
    update_clusters(wh)
    clusters = _clusters(wh)
    assert clusters["copy"][0] != "orig" and clusters["orig"] == ("orig", 1)
    assert _bands(wh)["copy"] == _bands(wh)["orig"]  # replaced, not added to


def test_refresh_fills_in_bands_of_an_older_warehouse_and_drops_stale_ones(wh: Warehouse) -> None:
    _add(wh, "orig", STORM)
    _add(wh, "old", STORM_OTHER, first_seen=datetime.now(UTC) - timedelta(days=RECENT_DAYS + 5))
    update_clusters(wh)
    wh.con.execute("DELETE FROM article_lsh_bands")  # as a warehouse from before schema version 5
    refresh_lsh_bands(wh)
    assert set(_bands(wh)) == {"orig"}  # the old story's cluster saw nothing new for too long
    _add(wh, "copy", STORM_COPY)
    update_clusters(wh)
    assert _clusters(wh)["copy"] == ("orig", 2)


def test_only_the_clusters_a_new_article_may_join_are_read(wh: Warehouse) -> None:
    _add(wh, "orig", STORM)
    _add(wh, "other", STORM_OTHER)
    update_clusters(wh)
    # A stored signature that cannot be loaded: reading the unrelated cluster would raise.
    wh.con.execute("UPDATE article_clusters SET minhash = '\\x00'::BLOB WHERE article_id = 'other'")
    _add(wh, "copy", STORM_COPY)
    update_clusters(wh)
    assert _clusters(wh)["copy"] == ("orig", 2)


def test_since_clusters_only_what_was_written_since_and_a_full_call_catches_up(wh: Warehouse) -> None:
    _add(wh, "left", STORM_OTHER)  # as an article a killed run loaded but never clustered
    wh.con.execute("UPDATE articles SET updated_at = updated_at - INTERVAL 1 MINUTE")
    since = datetime.now(UTC)
    _add(wh, "orig", STORM)
    assert update_clusters(wh, since=since) == 1
    assert set(_clusters(wh)) == {"orig"}
    assert update_clusters(wh, since=since) == 0  # clustered already: not again
    assert update_clusters(wh) == 1  # the end of a run checks every article
    assert set(_clusters(wh)) == {"orig", "left"}


def test_since_finds_a_changed_article_whose_old_version_was_clustered(wh: Warehouse) -> None:
    _add(wh, "orig", STORM)
    _add(wh, "copy", STORM_COPY, first_seen=datetime.now(UTC) + timedelta(minutes=1))
    update_clusters(wh)
    wh.con.execute("UPDATE article_clusters SET updated_at = updated_at - INTERVAL 1 MINUTE")
    since = datetime.now(UTC)
    _add(wh, "copy", STORM_OTHER)  # re-extracted in a later chunk
    assert update_clusters(wh, since=since) >= 1
    assert _clusters(wh)["copy"][0] != "orig" and _clusters(wh)["orig"] == ("orig", 1)


def test_a_grown_cluster_updates_its_stored_members_and_a_changed_body_its_signature(wh: Warehouse) -> None:
    def stored(article_id: str) -> tuple[object, ...]:
        return wh.con.execute("SELECT cluster_size, minhash, shingle_count, updated_at FROM article_clusters "
                              "WHERE article_id = ?", [article_id]).fetchone()  # type: ignore[return-value]

    _add(wh, "orig", STORM)
    _add(wh, "other", STORM_OTHER)
    update_clusters(wh)
    size, signature, shingles, updated = stored("orig")
    assert size == 1
    other_signature = stored("other")[1:3]
    _add(wh, "copy", STORM_COPY)
    update_clusters(wh)
    grown = stored("orig")
    assert grown[0] == 2 and grown[1:3] == (signature, shingles) and grown[3] > updated
    assert wh.con.execute("SELECT count(*) FROM article_clusters").fetchone() == (3,)  # one row per article
    # The article changes: its stored row gets the new body's signature, not a second row.
    _add(wh, "other", STORM_OTHER + " A new last paragraph: the clean-up that followed the storm overnight.")
    update_clusters(wh)
    assert stored("other")[1] is not None and stored("other")[1:3] != other_signature
    assert wh.con.execute("SELECT count(*) FROM article_clusters").fetchone() == (3,)
