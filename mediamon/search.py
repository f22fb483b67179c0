"""`mediamon search`: the Boolean query language over the warehouse, through its own inverted index.

DuckDB's fts extension is not available offline, so the index is three plain tables
(schema_v9.sql): `search_terms` (word -> term_id), `search_docs` (article -> doc_no) and
`search_postings` (term_id, doc_no). Every run indexes the articles that are new or changed
(`update_search_index`, a batch at a time). A query is answered in two steps:

1. candidates from the postings: words, prefixes and fields exactly, phrases and NEAR as the
   articles holding all their words (a superset), NOT as a set difference where exact;
2. the candidates newest first, each checked with the real matcher (`transforms.monitoring.boolean_query`)
   until `limit` results are found; a snippet with the matched words highlighted comes with each.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from mediamon.errors import WarehouseError
from mediamon.store.locking import connect
from transforms.monitoring.boolean_query import (
    And,
    Atom,
    Document,
    Near,
    Node,
    Not,
    Or,
    highlight_terms,
    parse_query,
    words,
)
from transforms.folding import fold_text
from transforms.monitoring.search_snippet import snippet

INDEX_BATCH = 1000
# Posting lists are merged once there are more than this many per term (and at least COMPACT_MIN_ROWS).
COMPACT_RATIO = 4
COMPACT_MIN_ROWS = 200_000
# The day an article counts on, as v_entity_daily: publication day, else the day first seen.
# The day the outlet printed (published_date), else the UTC day first seen: as the views count.
DAY_SQL = "coalesce(a.published_date, CAST(timezone('UTC', a.first_seen_at) AS DATE))"
# What decides an article's index entry: a change re-indexes it.
_INDEX_KEY = "CAST(hash(a.content_hash, a.title, a.publisher) AS VARCHAR)"


def _index_terms(title: str, body: str, publisher: str) -> set[str]:
    title_words = set(words(title))
    return (title_words | set(words(body)) | {f"title:{w}" for w in title_words}
            | {f"publisher:{w}" for w in words(publisher)})


def update_search_index(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Index the articles that are new or changed since they were last indexed; returns counts."""
    return index_in_batches(lambda: con)


def index_in_batches(con_of: Callable[[], duckdb.DuckDBPyConnection],
                     release: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """`update_search_index` in batches of INDEX_BATCH articles: each batch is read, its terms are
    computed after `release()` (a run lets go of the file then, so readers wait only for the
    reads and the writes, never for the tokenising), and written; `con_of()` gives the
    connection each time (a run reopens it). Returns counts."""
    clock = time.monotonic()
    indexed = 0
    try:
        while rows := _pending(con_of(), INDEX_BATCH):
            release()
            batch = _batch_terms(rows)
            _write_batch(con_of(), batch)
            release()
            indexed += len(rows)
            if len(rows) < INDEX_BATCH:
                break
        compacted = _compact(con_of())
        release()
    except duckdb.Error as exc:
        from mediamon.sql import duckdb_message

        raise WarehouseError(f"updating the search index failed: {duckdb_message(exc)}") from exc
    return {"articles_indexed": indexed, "compacted": compacted,
            "seconds": round(time.monotonic() - clock, 2)}


def _pending(con: duckdb.DuckDBPyConnection, limit: int) -> list[tuple[Any, ...]]:
    """Up to `limit` articles not indexed, or indexed with other content: (id, title, body, publisher, key)."""
    con.execute("SET enable_progress_bar = false")  # a run prints a summary, not DuckDB's bars
    return con.execute(f"""
        SELECT a.article_id, a.title, a.body, a.publisher, {_INDEX_KEY} AS index_key
        FROM articles a LEFT JOIN search_docs d USING (article_id)
        WHERE d.article_id IS NULL OR d.content_hash IS DISTINCT FROM {_INDEX_KEY}
        ORDER BY a.article_id LIMIT {int(limit)}""").fetchall()


def _compact(con: duckdb.DuckDBPyConnection) -> bool:
    """Merge the per-batch posting lists into one list per term, sorted by term (so a lookup reads
    a few rows), dropping article numbers no longer in search_docs; only once the lists are many."""
    row = con.execute("SELECT (SELECT count(*) FROM search_postings), "
                      "(SELECT count(*) FROM search_terms)").fetchone()
    postings, terms = row if row else (0, 0)
    if postings <= max(COMPACT_MIN_ROWS, COMPACT_RATIO * terms):
        return False
    from mediamon.sql import transaction

    with transaction(con):
        con.execute("""
            CREATE OR REPLACE TEMP TABLE compacted_postings AS
            SELECT p.term_id, list(p.doc_no ORDER BY p.doc_no) AS doc_nos
            FROM (SELECT term_id, unnest(doc_nos) AS doc_no FROM search_postings) p
            SEMI JOIN search_docs d ON d.doc_no = p.doc_no
            GROUP BY p.term_id ORDER BY p.term_id""")
        con.execute("DELETE FROM search_postings")
        con.execute("INSERT INTO search_postings SELECT * FROM compacted_postings ORDER BY term_id")
        con.execute("DROP TABLE compacted_postings")
    return True


def _batch_terms(rows: list[tuple[Any, ...]]) -> list[tuple[str, str, list[str]]]:
    """(article_id, index key, terms) of each pending row: the CPU part, no connection needed."""
    return [(article_id, key, sorted(_index_terms(title or "", body or "", publisher or "")))
            for article_id, title, body, publisher, key in rows]


def _write_batch(con: duckdb.DuckDBPyConnection, batch: list[tuple[str, str, list[str]]]) -> None:
    import polars as pl

    from mediamon.sql import transaction

    row = con.execute("SELECT coalesce(max(doc_no), 0) FROM search_docs").fetchone()
    next_no = int(row[0]) if row else 0
    docs: list[tuple[str, int, str]] = []
    doc_col: list[int] = []
    term_col: list[str] = []
    for article_id, key, terms in batch:
        # Always a new number: postings are never rewritten, the old number just stops counting.
        next_no += 1
        docs.append((article_id, next_no, key))
        doc_col.extend([next_no] * len(terms))
        term_col.extend(terms)
    frames = ("index_docs", "index_postings")
    with transaction(con, frames):
        docs_frame = pl.DataFrame(docs, schema={"article_id": pl.String, "doc_no": pl.Int32,
                                                "content_hash": pl.String}, orient="row")
        con.register("index_docs", docs_frame.to_arrow())
        postings = pl.DataFrame({"doc_no": pl.Series(doc_col, dtype=pl.Int32),
                                 "term": pl.Series(term_col, dtype=pl.String)})
        con.register("index_postings", postings.to_arrow())
        con.execute("DELETE FROM search_docs WHERE article_id IN (SELECT article_id FROM index_docs)")
        con.execute("INSERT INTO search_docs BY NAME SELECT * FROM index_docs")
        con.execute("""
            INSERT INTO search_terms
            SELECT term,
                   (SELECT coalesce(max(term_id), 0) FROM search_terms) + row_number() OVER (ORDER BY term)
            FROM (SELECT DISTINCT term FROM index_postings) n
            WHERE NOT EXISTS (SELECT 1 FROM search_terms t WHERE t.term = n.term)""")
        con.execute("""INSERT INTO search_postings
                       SELECT t.term_id, list(p.doc_no ORDER BY p.doc_no)
                       FROM index_postings p JOIN search_terms t USING (term)
                       GROUP BY t.term_id ORDER BY t.term_id""")


# -- answering a query ---------------------------------------------------------------------------

@dataclass
class SearchHit:
    article_id: str
    day: date | None
    publisher: str | None
    title: str | None
    url: str
    snippet: str
    matched_terms: tuple[str, ...]


@dataclass
class SearchResult:
    hits: list[SearchHit]
    candidates: int  # articles the index could not rule out
    seconds: float


class _Postings:
    """doc_no sets from the index, one query per atom: the term lookup and its posting lists in one join."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._all: frozenset[int] | None = None

    def all(self) -> frozenset[int]:
        if self._all is None:
            self._all = frozenset(r[0] for r in self.con.execute("SELECT doc_no FROM search_docs").fetchall())
        return self._all

    def _docs(self, where: str, params: list[Any]) -> frozenset[int]:
        found = self.con.execute(f"""
            SELECT DISTINCT unnest(p.doc_nos) FROM search_postings p
            WHERE p.term_id IN (SELECT term_id FROM search_terms WHERE {where})""", params).fetchall()
        return frozenset(r[0] for r in found)

    def atom(self, atom: Atom) -> tuple[frozenset[int], bool]:
        """(doc_nos, exact) of the articles holding `atom`."""
        fields = ["" if f in ("title", "body") and atom.fields == ("title", "body") else f"{f}:"
                  for f in atom.fields]
        prefixes = sorted(set(fields))
        if atom.kind == "prefix":
            likes = [p + atom.terms[0] for p in prefixes]
            where = " OR ".join(["starts_with(term, ?)"] * len(likes))
            return self._docs(where, likes), True
        sets = [self._docs("term IN (SELECT unnest(?))", [[p + t for p in prefixes]]) for t in atom.terms]
        docs = sets[0]
        for other in sets[1:]:
            docs = docs & other
        return docs, atom.kind == "term"


def _candidates(node: Node, postings: _Postings) -> tuple[frozenset[int], bool]:
    """(doc_nos, exact): a superset of the articles `node` matches; exact when it is the set itself."""
    if isinstance(node, Atom):
        return postings.atom(node)
    if isinstance(node, Not):
        docs, exact = _candidates(node.child, postings)
        if not exact:
            return postings.all(), False
        return postings.all() - docs, True
    if isinstance(node, And | Near):
        children = node.children if isinstance(node, And) else (node.left, node.right)
        positive = [c for c in children if not isinstance(c, Not)]
        results = [_candidates(c, postings) for c in positive] or [(postings.all(), True)]
        docs, exact = results[0]
        for other, other_exact in results[1:]:
            docs = docs & other
            exact = exact and other_exact
        for c in children:
            if isinstance(c, Not):
                sub, sub_exact = _candidates(c.child, postings)
                if sub_exact:
                    docs = docs - sub
                else:
                    exact = False
        return docs, exact and isinstance(node, And)
    if isinstance(node, Or):
        results = [_candidates(c, postings) for c in node.children]
        docs = results[0][0]
        for other, _ in results[1:]:
            docs = docs | other
        return docs, all(e for _, e in results)
    raise TypeError(node)


def search(directory: Path, query: str, since: date | None = None, publisher: str | None = None,
           limit: int = 20, timeout: float = 0.0) -> SearchResult:
    """Run `query` read-only against the warehouse in `directory`; newest first, at most `limit`."""
    clock = time.monotonic()
    tree = parse_query(query)
    path = directory / "mediamon.duckdb"
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path}; run `mediamon run` first")
    # mediamon.store.locking, not mediamon.warehouse: the warehouse module imports polars and numpy,
    # which would cost a `mediamon search` call more CPU than answering the query. Like every reader,
    # search waits up to `timeout` for a run's chunk commit to let go of the file.
    con = connect(path, read_only=True, timeout=timeout)
    try:
        con.execute("SET enable_progress_bar = false")
        if not con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = 'search_postings'").fetchall():
            raise WarehouseError(f"the warehouse at {directory} has no search index yet; run `mediamon run` "
                                 "once with this version")
        docs, exact = _candidates(tree, _Postings(con))
        hits = list(_verified(con, tree, docs, exact, since, publisher, limit))
        return SearchResult(hits, len(docs), time.monotonic() - clock)
    except duckdb.Error as exc:
        raise WarehouseError(f"search failed: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()


def _verified(con: duckdb.DuckDBPyConnection, tree: Node, docs: frozenset[int], exact: bool,
              since: date | None, publisher: str | None, limit: int) -> Iterator[SearchHit]:
    if not docs or limit < 1:
        return
    # Order the candidates without their bodies. When the index answered exactly,
    # every candidate matches and only the first `limit` are needed.
    ordered = con.execute(f"""
        SELECT a.article_id, {DAY_SQL} AS day, coalesce(a.publisher, a.site) AS publisher
        FROM (SELECT unnest(?::INTEGER[]) AS doc_no) c JOIN search_docs d USING (doc_no)
        JOIN articles a USING (article_id)
        WHERE a.duplicate_of IS NULL
          AND (CAST(? AS DATE) IS NULL OR {DAY_SQL} >= ?)
          AND (CAST(? AS VARCHAR) IS NULL OR coalesce(a.publisher, a.site) ILIKE ?
               OR a.site ILIKE ?)
        ORDER BY day DESC NULLS LAST, coalesce(a.published_at, a.first_seen_at) DESC, a.article_id
        LIMIT ?""", [list(docs), since, since, publisher, publisher, publisher,
                     limit if exact else None]).fetchall()
    atoms = highlight_terms(tree)
    found = 0
    for start in range(0, len(ordered), limit):
        page = ordered[start:start + limit]
        # The bodies of the page only, in one query through the primary-key index: bodies are stored
        # compressed in blocks of rows, so a scan filtered on the page (by rowid or a join) decompresses
        # whole blocks, and a point query per article paid a query's overhead 20 times.
        rows = {r[0]: r[1:] for r in con.execute(
            "SELECT article_id, title, url, body FROM articles "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [[r[0] for r in page]]).fetchall()}
        for article_id, day, pub in page:
            if article_id not in rows:
                continue
            title, url, body = rows[article_id]
            # Folded once: for the check and for the snippet.
            folded = fold_text(body or "")
            terms = tree.match(Document({"title": words(title or ""), "body": folded[0].split(),
                                         "publisher": words(pub or "")}))
            if not terms:
                continue
            yield SearchHit(article_id, day, pub, title, url, snippet(title or "", body or "", atoms,
                                                                      folded_body=folded), terms)
            found += 1
            if found >= limit:
                return
