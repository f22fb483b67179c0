from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from transforms.syndication.minhash import (
    MIN_SHINGLES,
    ClusterResult,
    cluster_articles,
    lsh_bands,
    shingle_hashes,
    sign_bodies,
)

T0 = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)

STORM = """Ein schweres Unwetter hat am Dienstagabend in weiten Teilen Norddeutschlands für Chaos gesorgt. \
Umgestürzte Bäume blockierten Straßen und Bahnstrecken, mehrere Tausend Haushalte waren zeitweise ohne Strom.

Die Feuerwehr rückte nach eigenen Angaben zu mehr als 800 Einsätzen aus. In Hamburg wurde ein Mann von \
einem herabfallenden Ast leicht verletzt, wie ein Sprecher der Polizei mitteilte. Der Deutsche Wetterdienst \
hatte zuvor vor Orkanböen mit Geschwindigkeiten von bis zu 120 Kilometern pro Stunde gewarnt.

Die Deutsche Bahn stellte den Fernverkehr zwischen Hamburg und Berlin vorübergehend ein. Reisende mussten \
teils stundenlang in Zügen ausharren. Ein Bahnsprecher sagte, man arbeite mit Hochdruck daran, die Strecken \
wieder freizugeben. Am Mittwochmorgen rollten die ersten Züge wieder, allerdings mit erheblichen \
Verspätungen."""

# Same wire text, new first paragraph, a changed word and a dropped sentence: a typical copy.
STORM_COPY = """Sturmtief Zoltan hat den Norden fest im Griff: Am Dienstagabend richtete es schwere \
Schäden an, \
vielerorts fiel der Strom aus.

Die Feuerwehr rückte nach eigenen Angaben zu mehr als 800 Einsätzen aus. In Hamburg wurde ein Mann von \
einem herabfallenden Ast leicht verletzt, wie ein Sprecher der Polizei mitteilte. Der Deutsche Wetterdienst \
hatte zuvor vor Orkanböen mit Geschwindigkeiten von bis zu 120 Kilometern pro Stunde gewarnt.

Die Deutsche Bahn stellte den Fernverkehr zwischen Hamburg und Berlin zeitweise ein. Reisende mussten \
teils stundenlang in Zügen ausharren. Ein Bahnsprecher sagte, man arbeite mit Hochdruck daran, die Strecken \
wieder freizugeben."""

# Same event, independently written: shares the topic words, not the sentences.
STORM_OTHER = """Der Sturm über Norddeutschland hat am Dienstagabend zahlreiche Bäume entwurzelt. In Bremen \
und Hamburg meldeten die Feuerwehren Hunderte Einsätze, verletzt wurde \
nach ersten Erkenntnissen niemand schwer.

Besonders betroffen war der Bahnverkehr: Zwischen Hamburg und Berlin fuhren stundenlang keine Fernzüge, \
weil Äste auf den Oberleitungen lagen. Fahrgäste berichteten von überfüllten Bahnsteigen und fehlenden \
Informationen. Der Wetterdienst rechnet für Mittwoch mit einer Beruhigung der Lage, warnt aber weiterhin \
vor einzelnen Sturmböen an der Küste und im Harz."""

SHORT = "Die Polizei sucht Zeugen eines Unfalls am Montagabend auf der B 27 bei Tübingen. Hinweise bitte."
SHORT_VARIANT = (
    "Die Polizei sucht Zeugen eines Unfalls am Dienstagabend auf der B 28 bei Reutlingen. Hinweise bitte."
)


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    defaults: dict[str, object] = {
        "publisher": None,
        "agency": None,
        "published_at": None,
        "first_seen_at": T0,
    }
    schema = {
        "article_id": pl.String,
        "body": pl.String,
        "publisher": pl.String,
        "agency": pl.String,
        "published_at": pl.Datetime("us", "UTC"),
        "first_seen_at": pl.Datetime("us", "UTC"),
        "duplicate_of": pl.String,
    }
    return pl.DataFrame([{**defaults, "duplicate_of": None, **r} for r in rows], schema=schema, orient="row")


def _clusters(result: ClusterResult) -> dict[str, str]:
    return dict(zip(result.assignments["article_id"], result.assignments["cluster_id"], strict=True))


def _originals(result: ClusterResult) -> set[str]:
    return set(result.assignments.filter(pl.col("is_original"))["article_id"])


@pytest.mark.parametrize(
    ("body_a", "body_b", "same"),
    [
        pytest.param(STORM, STORM_COPY, True, id="near-copy-new-intro"),
        pytest.param(STORM, STORM.upper().replace(",", " ;"), True, id="case-and-punctuation"),
        pytest.param(STORM, STORM, True, id="exact-copy"),
        pytest.param(STORM, STORM_OTHER, False, id="same-topic-different-story"),
        pytest.param(SHORT, SHORT_VARIANT, False, id="short-bodies-not-compared"),
        pytest.param(SHORT, SHORT, False, id="short-exact-without-duplicate-of"),
        pytest.param(STORM, STORM.split("\n\n")[0], False, id="short-excerpt"),
        pytest.param(STORM, "", False, id="empty-body"),
    ],
)
def test_pairs(body_a: str, body_b: str, same: bool) -> None:
    result = cluster_articles(
        _frame([{"article_id": "a", "body": body_a}, {"article_id": "b", "body": body_b}])
    )
    clusters = _clusters(result)
    assert (clusters["a"] == clusters["b"]) is same
    sizes = dict(zip(result.assignments["article_id"], result.assignments["cluster_size"], strict=True))
    assert sizes == {"a": 2, "b": 2} if same else {"a": 1, "b": 1}


def test_short_exact_duplicate_joins_through_duplicate_of() -> None:
    result = cluster_articles(
        _frame(
            [
                {"article_id": "a", "body": SHORT},
                {"article_id": "b", "body": SHORT, "duplicate_of": "a"},
                {"article_id": "c", "body": SHORT},
            ]
        )
    )
    assert _clusters(result) == {"a": "a", "b": "a", "c": "c"}


def test_singletons_are_their_own_cluster() -> None:
    result = cluster_articles(_frame([{"article_id": "x1", "body": STORM}]))
    assert result.assignments.to_dicts() == [
        {"article_id": "x1", "cluster_id": "x1", "is_original": True, "cluster_size": 1}
    ]
    assert result.signatures["shingle_count"][0] >= MIN_SHINGLES
    assert len(result.signatures["minhash"][0]) == 128 * 4


def test_incremental_join_keeps_cluster_id() -> None:
    first = cluster_articles(_frame([{"article_id": "m", "body": STORM, "first_seen_at": T0}]))
    later = T0 + timedelta(hours=5)
    # "a" sorts before "m" but was seen later: the founder (and id) stays "m".
    second = cluster_articles(
        _frame(
            [
                {"article_id": "a", "body": STORM_COPY, "first_seen_at": later},
                {"article_id": "z", "body": STORM_OTHER, "first_seen_at": later},
            ]
        ),
        existing_signatures=first.signatures,
    )
    assert _clusters(second) == {"m": "m", "a": "m", "z": "z"}
    sizes = dict(zip(second.assignments["article_id"], second.assignments["cluster_size"], strict=True))
    assert sizes == {"m": 2, "a": 2, "z": 1}
    # Third run: another copy. Stored rows carry their assignment, so only changed rows come back.
    stored = pl.concat(
        [
            first.table_rows()
            .join(first.signatures.drop("cluster_id", "minhash", "shingle_count"), on="article_id")
            .filter(pl.col("article_id") != "m"),
            second.table_rows().join(
                second.signatures.drop("cluster_id", "minhash", "shingle_count"), on="article_id"
            ),
        ],
        how="diagonal_relaxed",
    )
    third = cluster_articles(
        _frame(
            [
                {
                    "article_id": "b",
                    "body": STORM_COPY.replace("Hamburg", "Kiel"),
                    "first_seen_at": later + timedelta(days=1),
                }
            ]
        ),
        existing_signatures=stored,
    )
    assert _clusters(third) == {"m": "m", "a": "m", "b": "m"}
    assert "z" not in _clusters(third)


def test_untouched_stored_rows_are_not_reported() -> None:
    first = cluster_articles(
        _frame([{"article_id": "a", "body": STORM}, {"article_id": "b", "body": STORM_COPY}])
    )
    stored = first.table_rows().join(
        first.signatures.drop("cluster_id", "minhash", "shingle_count"), on="article_id"
    )
    second = cluster_articles(_frame([{"article_id": "c", "body": STORM_OTHER}]), existing_signatures=stored)
    assert _clusters(second) == {"c": "c"}


def test_bridging_article_merges_stored_clusters(seed_text: str) -> None:
    paragraphs = [p for p in seed_text.split("\n\n") if len(p.split()) > 20]
    half = len(paragraphs) // 2
    first_half, second_half = "\n\n".join(paragraphs[:half]), "\n\n".join(paragraphs[half:])
    assert len(shingle_hashes(first_half)) > 100 and len(shingle_hashes(second_half)) > 100
    first = cluster_articles(
        _frame(
            [
                {"article_id": "p", "body": first_half, "first_seen_at": T0 + timedelta(hours=1)},
                {"article_id": "q", "body": second_half, "first_seen_at": T0},
            ]
        )
    )
    assert _clusters(first) == {"p": "p", "q": "q"}
    merged = cluster_articles(
        _frame([{"article_id": "full", "body": seed_text, "first_seen_at": T0 + timedelta(days=1)}]),
        existing_signatures=first.signatures,
    )
    # "q" was founded first, so its id survives; "p" moves.
    assert _clusters(merged) == {"p": "q", "q": "q", "full": "q"}


@pytest.mark.parametrize(
    ("rows", "original"),
    [
        pytest.param(
            [
                {"article_id": "a", "publisher": "Kieler Blatt", "agency": "dpa", "published_at": T0},
                {"article_id": "b", "publisher": "dpa", "published_at": T0 + timedelta(hours=1)},
            ],
            "b",
            id="agency-publisher-credited-by-copy",
        ),
        pytest.param(
            [
                {"article_id": "a", "publisher": "Kieler Blatt", "agency": "dpa", "published_at": T0},
                {
                    "article_id": "b",
                    "publisher": "Agence France-Presse",
                    "published_at": T0 + timedelta(hours=1),
                },
            ],
            "a",
            id="agency-not-credited-falls-back-to-earliest",
        ),
        pytest.param(
            [
                {"article_id": "a", "publisher": "X", "published_at": T0 + timedelta(hours=2)},
                {"article_id": "b", "publisher": "Y", "published_at": T0 + timedelta(hours=1)},
            ],
            "b",
            id="earliest-published",
        ),
        pytest.param(
            [
                {"article_id": "a", "publisher": "X", "published_at": None, "first_seen_at": T0},
                {"article_id": "b", "publisher": "Y", "published_at": T0 + timedelta(days=1)},
            ],
            "b",
            id="known-date-beats-missing-date",
        ),
        pytest.param(
            [
                {"article_id": "b", "publisher": "X", "first_seen_at": T0 + timedelta(hours=1)},
                {"article_id": "a", "publisher": "Y", "first_seen_at": T0 + timedelta(hours=1)},
            ],
            "a",
            id="tie-broken-by-article-id",
        ),
    ],
)
def test_is_original(rows: list[dict[str, object]], original: str) -> None:
    bodies = [STORM, STORM_COPY]
    result = cluster_articles(_frame([{**r, "body": bodies[i]} for i, r in enumerate(rows)]))
    assert len(set(_clusters(result).values())) == 1
    assert _originals(result) == {original}


def test_num_perm_mismatch_is_a_clear_error() -> None:
    first = cluster_articles(_frame([{"article_id": "a", "body": STORM}]), num_perm=64)
    with pytest.raises(ValueError, match="num_perm"):
        cluster_articles(_frame([{"article_id": "b", "body": STORM}]), existing_signatures=first.signatures)


def test_empty_input() -> None:
    result = cluster_articles(_frame([]))
    assert result.assignments.is_empty() and result.signatures.is_empty()


def _stored(result: ClusterResult) -> pl.DataFrame:
    """What the warehouse would hand back next run: signatures with their assignments."""
    return result.signatures.join(result.assignments.drop("cluster_id"), on="article_id")


def test_re_extracted_founder_that_no_longer_matches_leaves_its_cluster() -> None:
    first = cluster_articles(
        _frame(
            [
                {"article_id": "a", "body": STORM, "first_seen_at": T0},
                {"article_id": "b", "body": STORM_COPY, "first_seen_at": T0 + timedelta(hours=1)},
                {"article_id": "c", "body": STORM, "first_seen_at": T0 + timedelta(hours=2)},
            ]
        )
    )
    assert set(_clusters(first).values()) == {"a"}
    # "a" is extracted again and now holds a different story.
    second = cluster_articles(
        _frame([{"article_id": "a", "body": STORM_OTHER}]), existing_signatures=_stored(first)
    )
    clusters = _clusters(second)
    assert clusters["a"] not in ("a", None)  # the old id stays with the copies that still carry it
    assert clusters["b"] == clusters["c"] == "a"
    sizes = dict(zip(second.assignments["article_id"], second.assignments["cluster_size"], strict=True))
    assert sizes == {"a": 1, "b": 2, "c": 2}


def test_cut_down_copy_joins_the_full_text(seed_text: str) -> None:
    words = seed_text.split(" ")
    cut = " ".join(words[: len(words) * 55 // 100])  # the first 55%: Jaccard ~0.55, fully contained
    result = cluster_articles(
        _frame([{"article_id": "full", "body": seed_text}, {"article_id": "cut", "body": cut}])
    )
    assert _clusters(result) == {"full": "cut", "cut": "cut"}  # same first_seen_at: the smaller id founds


def test_scripts_without_spaces_are_shingled_by_character() -> None:
    story = (
        "在抗击新冠肺炎疫情的日子里，封在武汉的父母们和孩子们一起度过了漫长的冬天，他们等待春暖花开的那一天。"
        * 2
    )
    copy = story.replace("漫长的冬天", "艰难的日子")
    other = (
        "上海证券交易所今日宣布，新的交易规则将于下个月正式实施，投资者需要提前做好准备并了解相关的变化。" * 2
    )
    assert len(shingle_hashes(story)) >= MIN_SHINGLES
    result = cluster_articles(
        _frame(
            [
                {"article_id": "a", "body": story},
                {"article_id": "b", "body": copy},
                {"article_id": "c", "body": other},
            ]
        )
    )
    assert _clusters(result) == {"a": "a", "b": "a", "c": "c"}


def _shared_bands(a: str, b: str) -> int:
    bands = lsh_bands(sign_bodies(_frame([{"article_id": "a", "body": a}, {"article_id": "b", "body": b}])))
    keys = {aid: set(zip(g["band"], g["band_hash"], strict=True)) for (aid,), g in bands.group_by("article_id")}
    return len(keys["a"] & keys["b"])


def test_lsh_bands_put_a_copy_in_a_shared_bucket_and_an_independent_story_in_none() -> None:
    assert _shared_bands(STORM, STORM_COPY) > 0
    assert _shared_bands(STORM, STORM_OTHER) == 0


def test_lsh_bands_one_row_per_band_and_none_for_unsigned_bodies() -> None:
    signed = sign_bodies(_frame([{"article_id": "long", "body": STORM}, {"article_id": "short", "body": SHORT}]))
    assert signed.filter(pl.col("article_id") == "short")["minhash"].to_list() == [None]
    bands = lsh_bands(signed)
    assert set(bands["article_id"]) == {"long"}
    assert bands.height == bands["band"].n_unique() > 10  # every band once
    assert lsh_bands(signed.filter(pl.col("article_id") == "short")).height == 0
    # The same signature always lands in the same buckets: stored bands stay valid across runs.
    assert lsh_bands(signed).equals(bands)


def test_presigned_input_clusters_like_bodies() -> None:
    rows = _frame([
        {"article_id": "orig", "body": STORM, "first_seen_at": T0},
        {"article_id": "copy", "body": STORM_COPY, "first_seen_at": T0 + timedelta(hours=1)},
        {"article_id": "other", "body": STORM_OTHER, "first_seen_at": T0 + timedelta(hours=2)},
        {"article_id": "short", "body": SHORT},
    ])
    presigned = rows.join(sign_bodies(rows), on="article_id").drop("body")
    assert cluster_articles(presigned).table_rows().sort("article_id").equals(
        cluster_articles(rows).table_rows().sort("article_id"))


def test_identical_copies_are_indexed_once_and_still_all_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exact copies share one LSH entry; a new copy still joins every one of them, across two
    stored clusters that hold the same text (the one founded first keeps its id)."""
    from datasketch import MinHashLSH

    inserted: list[str] = []
    real_insert = MinHashLSH.insert

    def counting_insert(self: MinHashLSH, key: str, *args: object, **kwargs: object) -> None:
        inserted.append(key)
        real_insert(self, key, *args, **kwargs)

    first = cluster_articles(_frame([{"article_id": "a", "body": STORM, "first_seen_at": T0},
                                     {"article_id": "b", "body": STORM, "first_seen_at": T0},
                                     {"article_id": "x", "body": STORM_OTHER, "first_seen_at": T0}]))
    stored = first.signatures.with_columns(  # "b" stored in a cluster of its own, founded later
        cluster_id=pl.when(pl.col("article_id") == "b").then(pl.lit("b")).otherwise(pl.col("cluster_id")),
        first_seen_at=pl.when(pl.col("article_id") == "b").then(pl.lit(T0 + timedelta(hours=1)))
        .otherwise(pl.col("first_seen_at")))
    monkeypatch.setattr(MinHashLSH, "insert", counting_insert)
    later = T0 + timedelta(days=1)
    new = cluster_articles(_frame([{"article_id": "c", "body": STORM, "first_seen_at": later},
                                   {"article_id": "d", "body": STORM, "first_seen_at": later}]),
                           existing_signatures=stored)
    assert sorted(inserted) == ["a", "x"]  # "b", "c" and "d" have the signature "a" stands for
    assert _clusters(new) == {"a": "a", "b": "a", "c": "a", "d": "a"}
    sizes = dict(zip(new.assignments["article_id"], new.assignments["cluster_size"], strict=True))
    assert set(sizes.values()) == {4}
