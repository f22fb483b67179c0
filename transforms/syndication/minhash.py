"""Syndication clusters: the same wire story carried by several publishers.

`cluster_articles` turns article bodies into MinHash signatures over word
shingles and links two bodies when their shingle sets are near-identical
(Jaccard >= threshold) or the shorter one is mostly contained in the longer
(a copy cut short or with a rewritten intro). MinHash LSH from `datasketch`
finds the candidates, the signatures confirm them. Linked articles form a
cluster (single linkage), and one member per cluster is marked `is_original`.

Conventions the warehouse and the analyst views rely on:

* Every article gets a cluster. A story nobody else carried is a singleton:
  `cluster_id = article_id`, `cluster_size = 1`, `is_original = True`.
  "Which stories were syndicated" is therefore `cluster_size > 1`.
* `cluster_id` is the `article_id` of the cluster's founder: its earliest
  member by (`first_seen_at`, `article_id`). A cluster keeps its id as it
  grows, so a singleton that later gets a copy keeps its own id; when a new
  article bridges two stored clusters, the one with the earlier founder keeps
  its id and the other cluster's members are reported with the new id.
* Stored clusters are never split: stored members are not compared again.
* Bodies shorter than `MIN_SHINGLES` shingles are not compared at all (short
  notices share too much boilerplate phrasing); they only join a cluster
  through `duplicate_of` (an exact copy).
* Signatures depend on `SHINGLE_WORDS`, `SEED` and the MinHash scheme; changing
  any of them means recomputing every stored signature.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl
from datasketch import LeanMinHash, MinHash, MinHashLSH

from transforms.extraction.authors import agency_of
from transforms.schema import UTC_TS
from transforms.union_find import UnionFind

SHINGLE_WORDS = 4  # words per shingle: small edits break few shingles, topic words alone don't match
MIN_SHINGLES = 30  # fewer shingles than this: body too short to compare safely
SEED = 1
SCHEME = "affine32"
# A copy with a rewritten intro and a cut ending has a low Jaccard similarity to the full wire
# text, but most of its shingles are in it. Linked when the shorter body is this contained ...
CONTAINMENT = 0.6
# ... and long enough that containment is not a coincidence of a few stock phrases.
MIN_CONTAINED_SHINGLES = 50
# LSH candidates are looked up at this similarity (or the threshold, if lower), then confirmed;
# a body half as long as one it is 60% contained in has a Jaccard similarity of 0.25.
CANDIDATE_THRESHOLD = 0.25

ASSIGNMENTS_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String(),
    "cluster_id": pl.String(),
    "is_original": pl.Boolean(),
    "cluster_size": pl.Int32(),
}
SIGNATURES_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String(),
    "cluster_id": pl.String(),
    "minhash": pl.Binary(),  # num_perm little-endian uint32 values; NULL when the body is too short
    "shingle_count": pl.Int32(),
    "published_at": UTC_TS,
    "first_seen_at": UTC_TS,
    "publisher": pl.String(),
    "agency": pl.String(),
}
BANDS_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String(),
    "band": pl.Int16(),
    "band_hash": pl.UInt64(),
}

# Scripts written without spaces between words: each character is a token.
_UNSPACED = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")
# Odd 64-bit multiplier that mixes one token hash into the running shingle hash (FNV-1a style).
_MIX = np.uint64(0x100000001B3)


@dataclass(frozen=True)
class ClusterResult:
    """What one clustering call changed.

    assignments: article_id, cluster_id, is_original, cluster_size for every article whose
        assignment is new or changed (new articles, and stored members of clusters that grew).
    signatures: the rows to upsert into the signature store, same articles as `assignments`
        (see SIGNATURES_SCHEMA).
    """

    assignments: pl.DataFrame
    signatures: pl.DataFrame

    def table_rows(self) -> pl.DataFrame:
        """Assignments joined with their signatures: one row per article for `article_clusters`."""
        return self.assignments.join(
            self.signatures.select("article_id", "minhash", "shingle_count"), on="article_id", how="left"
        )


def shingle_hashes(
    body: str, words: int = SHINGLE_WORDS, token_cache: dict[str, int] | None = None
) -> np.ndarray:
    """A body -> the distinct 32-bit hashes of its `words`-word shingles (uint32, sorted).

    Case, composed/decomposed accents and punctuation are normalised away. Words are runs of
    Unicode word characters; in scripts written without spaces (Chinese, Japanese, Thai) every
    character counts as a word. `token_cache` (word -> hash) speeds up repeated calls.
    """
    tokens = _WORD.findall(unicodedata.normalize("NFKC", body).casefold())
    if not tokens:
        return np.empty(0, dtype=np.uint32)
    cache = token_cache if token_cache is not None else {}
    for token in set(tokens).difference(cache):
        cache[token] = zlib.crc32(token.encode("utf-8"))
    token_hashes = np.array([cache[token] for token in tokens], dtype=np.uint64)
    n = max(1, len(tokens) - words + 1)
    shingles = np.zeros(n, dtype=np.uint64)
    for offset in range(min(words, len(tokens))):
        shingles = (shingles ^ token_hashes[offset : offset + n]) * _MIX
    folded = (shingles ^ (shingles >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return np.unique(folded.astype(np.uint32))


class _Signer:
    """Turns shingle hashes into MinHash signatures with fixed permutations."""

    def __init__(self, num_perm: int) -> None:
        template = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME)
        self.num_perm = num_perm
        self.permutations = template.permutations

    def sign(self, hashes: np.ndarray) -> LeanMinHash:
        minhash = MinHash(
            num_perm=self.num_perm, seed=SEED, hashfunc=int, permutations=self.permutations, scheme=SCHEME
        )
        minhash.update_batch(hashes.tolist())
        return LeanMinHash(minhash)

    def load(self, stored: bytes | list[int]) -> LeanMinHash:
        if isinstance(stored, bytes | bytearray):
            values = np.frombuffer(stored, dtype="<u4")
        else:
            values = np.asarray(stored)
        if len(values) != self.num_perm:
            raise ValueError(
                f"stored MinHash has {len(values)} values but num_perm is {self.num_perm}; "
                "cluster with the num_perm the signatures were made with, or recompute them"
            )
        return LeanMinHash(seed=SEED, hashvalues=values.astype(np.uint32), scheme=SCHEME)


def _to_bytes(minhash: LeanMinHash) -> bytes:
    return np.asarray(minhash.hashvalues, dtype="<u4").tobytes()


def _similar(a: LeanMinHash, b: LeanMinHash, size_a: int, size_b: int, threshold: float) -> bool:
    """Near-copies: Jaccard >= threshold, or the shorter body almost entirely inside the longer."""
    jaccard = float(np.mean(a.hashvalues == b.hashvalues))
    if jaccard >= threshold:
        return True
    smaller = min(size_a, size_b)
    if smaller < MIN_CONTAINED_SHINGLES or jaccard <= 0:
        return False
    # |A ∩ B| = J (|A| + |B|) / (1 + J) for sets A, B with Jaccard J.
    intersection = jaccard * (size_a + size_b) / (1 + jaccard)
    return intersection / smaller >= CONTAINMENT


@dataclass(slots=True)  # no dict per member: a chunk's clustering holds thousands of them
class _Member:
    article_id: str
    published_at: datetime | None
    first_seen_at: datetime | None
    publisher: str | None
    agency: str | None
    minhash: LeanMinHash | None
    shingle_count: int
    is_new: bool
    stored_cluster: str | None = None
    stored_original: bool | None = None
    stored_size: int | None = None
    duplicate_of: str | None = None


def _founder_key(m: _Member) -> tuple[bool, datetime | None, str]:
    return (m.first_seen_at is None, m.first_seen_at, m.article_id)


def _published_key(m: _Member) -> tuple[bool, datetime | None, bool, datetime | None, str]:
    return (m.published_at is None, m.published_at, m.first_seen_at is None, m.first_seen_at, m.article_id)


def _pick_original(members: list[_Member]) -> str:
    """The article_id of a cluster's original.

    A member whose publisher is itself a news agency that another member credits in its
    `agency` is the wire source; otherwise the earliest published (published_at, then
    first_seen_at, then article_id).
    """
    credits = [(agency_of(m.agency) or m.agency) if m.agency else None for m in members]
    wire = []
    for i, m in enumerate(members):
        label = agency_of(m.publisher) if m.publisher else None
        if label and any(credit == label for j, credit in enumerate(credits) if j != i):
            wire.append(m)
    return min(wire or members, key=_published_key).article_id


def _dicts(frame: pl.DataFrame | None, columns: Iterable[str]) -> list[dict[str, Any]]:
    if frame is None or frame.is_empty():
        return []
    return frame.select([c for c in columns if c in frame.columns]).to_dicts()


def _stored_members(frame: pl.DataFrame | None, signer: _Signer, skip: set[str]) -> list[_Member]:
    columns = (
        "article_id",
        "cluster_id",
        "minhash",
        "shingle_count",
        "published_at",
        "first_seen_at",
        "publisher",
        "agency",
        "is_original",
        "cluster_size",
    )
    members = []
    # Copies of one story share one decoded signature (it is only read).
    decoded: dict[bytes, LeanMinHash] = {}
    for row in _dicts(frame, columns):
        if row["article_id"] in skip:
            continue
        stored = row.get("minhash")
        if stored is not None and stored not in decoded:
            decoded[stored] = signer.load(stored)
        members.append(_member(row, decoded[stored] if stored is not None else None,
                               row.get("shingle_count") or 0, is_new=False, stored_cluster=row.get("cluster_id"),
                               stored_original=row.get("is_original"), stored_size=row.get("cluster_size")))
    return members


def _member(row: dict, minhash: LeanMinHash | None, shingle_count: int, is_new: bool, **stored) -> _Member:
    return _Member(article_id=row["article_id"], published_at=row.get("published_at"),
                   first_seen_at=row.get("first_seen_at"), publisher=row.get("publisher"),
                   agency=row.get("agency"), minhash=minhash, shingle_count=shingle_count, is_new=is_new, **stored)


def _new_members(frame: pl.DataFrame, signer: _Signer) -> list[_Member]:
    columns = ("article_id", "body", "publisher", "agency", "published_at", "first_seen_at", "duplicate_of",
               "minhash", "shingle_count")
    presigned = "minhash" in frame.columns and "shingle_count" in frame.columns
    token_cache: dict[str, int] = {}
    members = []
    if "article_id" in frame.columns:
        frame = frame.unique("article_id", keep="last", maintain_order=True)
    for row in _dicts(frame, columns):
        if presigned:  # signed already (sign_bodies), e.g. to look up LSH candidates first
            stored = row["minhash"]
            minhash, count = (signer.load(stored) if stored is not None else None), row["shingle_count"] or 0
        else:
            hashes = shingle_hashes(row.get("body") or "", token_cache=token_cache)
            minhash = signer.sign(hashes) if len(hashes) >= MIN_SHINGLES else None
            count = len(hashes)
        members.append(_member(row, minhash, count, is_new=True, duplicate_of=row.get("duplicate_of")))
    return members


def sign_bodies(new: pl.DataFrame, num_perm: int = 128) -> pl.DataFrame:
    """article_id, body -> article_id, minhash (NULL when too short to compare), shingle_count.

    The signatures `cluster_articles` would make; passing these columns along with `new` saves
    it signing the bodies again.
    """
    signer = _Signer(num_perm)
    token_cache: dict[str, int] = {}
    rows = []
    for row in _dicts(new, ("article_id", "body")):
        hashes = shingle_hashes(row.get("body") or "", token_cache=token_cache)
        signed = _to_bytes(signer.sign(hashes)) if len(hashes) >= MIN_SHINGLES else None
        rows.append((row["article_id"], signed, len(hashes)))
    schema = {"article_id": pl.String(), "minhash": pl.Binary(), "shingle_count": pl.Int32()}
    return pl.DataFrame(rows, schema=schema, orient="row")


@lru_cache(maxsize=8)
def _hashranges(threshold: float, num_perm: int) -> tuple[tuple[int, int], ...]:
    lsh = MinHashLSH(threshold=min(threshold, CANDIDATE_THRESHOLD), num_perm=num_perm)
    return tuple(lsh.hashranges)


def lsh_bands(signatures: pl.DataFrame, threshold: float = 0.7, num_perm: int = 128) -> pl.DataFrame:
    """article_id, minhash -> one row per article and LSH band: (article_id, band, band_hash).

    The same banding `cluster_articles` uses in memory. Two signatures that share a
    (band, band_hash) are candidates, so a store of these rows finds the stored articles a new
    one may copy with a join, without loading every stored signature. A hash collision only adds
    a candidate, which the signatures then reject. Rows without a minhash get no bands.
    """
    rows = signatures.filter(pl.col("minhash").is_not_null()) if signatures.height else signatures
    if rows.height == 0:
        return pl.DataFrame(schema=BANDS_SCHEMA)
    values = np.frombuffer(b"".join(rows["minhash"].to_list()), dtype="<u4").reshape(rows.height, num_perm)
    ids, bands, hashes = [], [], []
    for band, (start, end) in enumerate(_hashranges(threshold, num_perm)):
        h = np.full(rows.height, np.uint64(band + 1) * _MIX, dtype=np.uint64)
        for column in range(start, end):
            h = (h ^ values[:, column].astype(np.uint64)) * _MIX
        ids.append(rows["article_id"])
        bands.append(np.full(rows.height, band, dtype=np.int16))
        hashes.append(h)
    return pl.DataFrame(
        {"article_id": pl.concat(ids), "band": np.concatenate(bands), "band_hash": np.concatenate(hashes)},
        schema=BANDS_SCHEMA,
    )


def _link(stored: list[_Member], new: list[_Member], threshold: float, num_perm: int) -> UnionFind:
    """Union-find over article_ids: stored clusters kept whole, new articles joined to their matches."""
    union = UnionFind()
    lsh = MinHashLSH(threshold=min(threshold, CANDIDATE_THRESHOLD), num_perm=num_perm)
    by_id: dict[str, _Member] = {}
    first_of_cluster: dict[str, str] = {}
    # Members with the same signature and shingle count go into the index once: a query finds
    # all of them or none, and `_similar` says the same of each. Exact copies of a wire story
    # otherwise each added an entry per band, and the stored clusters a chunk reads hold every
    # copy so far (the 10th pass over the same stories held 9 of each).
    same: dict[tuple[bytes, int], list[str]] = {}  # signature -> its members, the first indexed
    group_of: dict[str, list[str]] = {}  # indexed article_id -> the members it stands for

    def index(article_id: str, minhash: LeanMinHash, shingle_count: int) -> None:
        group = same.setdefault((_to_bytes(minhash), shingle_count), [])
        if not group:
            lsh.insert(article_id, minhash, check_duplication=False)
            group_of[article_id] = group
        group.append(article_id)

    for m in stored:
        by_id[m.article_id] = m
        union.find(m.article_id)
        if m.stored_cluster is not None:
            # Stored members of one cluster stay together without being compared again.
            union.union(first_of_cluster.setdefault(m.stored_cluster, m.article_id), m.article_id)
        if m.minhash is not None:
            index(m.article_id, m.minhash, m.shingle_count)
    for m in new:
        by_id[m.article_id] = m
        union.find(m.article_id)
        if m.minhash is None:
            continue
        for key in lsh.query(m.minhash):
            other = by_id[key]
            if other.minhash is not None and _similar(
                m.minhash, other.minhash, m.shingle_count, other.shingle_count, threshold
            ):
                for member in group_of[key]:
                    union.union(m.article_id, member)
        index(m.article_id, m.minhash, m.shingle_count)
    for m in new:
        if m.duplicate_of and m.duplicate_of in by_id:
            union.union(m.article_id, m.duplicate_of)
    return union


def cluster_articles(
    new: pl.DataFrame,
    existing_signatures: pl.DataFrame | None = None,
    threshold: float = 0.7,
    num_perm: int = 128,
) -> ClusterResult:
    """Assign new articles to syndication clusters, joining stored clusters where they match.

    new: article_id, body, publisher, agency, published_at, first_seen_at (UTC datetimes,
        nullable); optional duplicate_of (an exact copy always joins its original's cluster);
        optional minhash and shingle_count from `sign_bodies` (then the body is not read).
        An article_id that is also stored is treated as new: its body may have changed.
    existing_signatures: stored rows as returned in `ClusterResult.signatures` (article_id,
        cluster_id, minhash, shingle_count, published_at, first_seen_at, publisher, agency;
        optional is_original and cluster_size, so unchanged rows are not reported again).
        Pass whole clusters: the size of a cluster is counted from the rows given.
    threshold: minimum estimated Jaccard similarity of two bodies' shingle sets (a shorter
        body mostly contained in a longer one is linked too, see CONTAINMENT).
    Returns the assignments and signatures of every new article and of every stored
    article whose cluster_id, is_original or cluster_size changed.
    """
    signer = _Signer(num_perm)
    new_members = _new_members(new, signer)
    stored_members = _stored_members(existing_signatures, signer, {m.article_id for m in new_members})
    union = _link(stored_members, new_members, threshold, num_perm)

    components: dict[str, list[_Member]] = {}
    for m in (*stored_members, *new_members):
        components.setdefault(union.find(m.article_id), []).append(m)
    # Stored ids stay reserved: a re-extracted founder that no longer matches its old cluster
    # must not take the id its former copies still carry.
    used_ids = {m.stored_cluster for m in stored_members if m.stored_cluster is not None}
    # Built as columns, not a dict per row: every stored member of a cluster that grew is
    # reported again (its cluster_size changed), thousands of rows per chunk.
    columns: dict[str, list[Any]] = {name: [] for name in SIGNATURES_SCHEMA}
    originals: list[bool] = []
    sizes: list[int] = []
    for component in components.values():
        if not any(m.is_new or m.stored_size is not None for m in component):
            continue  # nothing new joined and nothing stored to check against: the rows stand
        cluster_id = _cluster_id(component, used_ids)
        used_ids.add(cluster_id)
        original = _pick_original(component)
        size = len(component)
        for m in component:
            is_original = m.article_id == original
            if (m.stored_cluster, m.stored_original, m.stored_size) == (cluster_id, is_original, size):
                continue
            originals.append(is_original)
            sizes.append(size)
            for name, value in (
                ("article_id", m.article_id),
                ("cluster_id", cluster_id),
                ("minhash", _to_bytes(m.minhash) if m.minhash is not None else None),
                ("shingle_count", m.shingle_count),
                ("published_at", m.published_at),
                ("first_seen_at", m.first_seen_at),
                ("publisher", m.publisher),
                ("agency", m.agency),
            ):
                columns[name].append(value)
    signatures = pl.DataFrame(columns, schema=SIGNATURES_SCHEMA)
    assignments = pl.DataFrame(
        {"article_id": signatures["article_id"], "cluster_id": signatures["cluster_id"],
         "is_original": originals, "cluster_size": sizes},
        schema=ASSIGNMENTS_SCHEMA,
    )
    return ClusterResult(assignments, signatures)


def _cluster_id(component: list[_Member], used: set[str]) -> str:
    """The stored id of the component's earliest-founded stored cluster, else its founder's article_id."""
    stored: dict[str, list[_Member]] = {}
    for m in component:
        if m.stored_cluster is not None:
            stored.setdefault(m.stored_cluster, []).append(m)
    if stored:
        return min(stored, key=lambda cid: (_founder_key(min(stored[cid], key=_founder_key)), cid))
    founders = sorted(component, key=_founder_key)
    for m in founders:
        if m.article_id not in used:
            return m.article_id
    suffix = 2
    while f"{founders[0].article_id}-{suffix}" in used:
        suffix += 1
    return f"{founders[0].article_id}-{suffix}"
