#!/usr/bin/env python3
"""What a client sees: the report's top-20 people and organisations on the dev corpus, checked.

Reads a warehouse built from ../shared/corpora/web (``mediamon run --source
../shared/corpora/web --warehouse DIR``) and prints:

- the top-20 PERSON and ORG entities by mentions, as the report counts them (articles that
  are not duplicates; mentions after the cross-document registry);
- **splits**: two rows of one list where one name is the other's words in part ("Biden" and
  "Joe Biden"), and **people typed as organisations**: an ORG row whose name is a PERSON
  entity's name or surname elsewhere in the warehouse;
- **precision of the top lists** on the hand-checked pages of `bench/top_entities_gold.jsonl`:
  for every (top-list entity, page) pair the warehouse counts on a checked page, whether the
  page really names that person or organisation (``people`` / ``orgs`` lists of the page).

    .venv/bin/python bench/eval_top_entities.py --warehouse DIR [--draft N]

``--draft N`` prints, for N English pages not yet in the gold file, each top-list entity the
warehouse counts there with the surfaces and a context snippet, to be checked by hand.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import duckdb

GOLD = Path(__file__).resolve().parent / "top_entities_gold.jsonl"
TOP = 20


def top_lists(con: duckdb.DuckDBPyConnection, rank: str = "mentions"
              ) -> dict[str, list[tuple[str, str, int]]]:
    """Top entities per type by mentions (as the report ranks them) or by distinct articles."""
    measure = "count(*)" if rank == "mentions" else "count(DISTINCT m.article_id)"
    out = {}
    for kind in ("PERSON", "ORG"):
        out[kind] = con.execute(f"""
            SELECT m.entity_id, e.canonical_name, {measure} AS n
            FROM mentions m JOIN articles a USING (article_id) JOIN entities e USING (entity_id)
            WHERE a.duplicate_of IS NULL AND e.entity_type = ?
            GROUP BY ALL ORDER BY n DESC, e.canonical_name LIMIT ?""", [kind, TOP]).fetchall()
    return out


def splits(rows: list[tuple[str, str, int]]) -> list[tuple[str, str]]:
    names = [r[1] for r in rows]
    found = []
    for a in names:
        for b in names:
            wa, wb = a.casefold().split(), b.casefold().split()
            if a != b and len(wa) < len(wb) and set(wa) <= set(wb):
                found.append((a, b))
    return found


def people_as_orgs(con: duckdb.DuckDBPyConnection, orgs: list[tuple[str, str, int]]) -> list[str]:
    people = {n.casefold() for (n,) in con.execute(
        "SELECT DISTINCT canonical_name FROM entities WHERE entity_type = 'PERSON'").fetchall()}
    surnames = {n.split()[-1] for n in people if len(n.split()) > 1}
    return [name for _, name, _ in orgs if name.casefold() in people or name.casefold() in surnames]


def pairs(con: duckdb.DuckDBPyConnection, lists: dict, urls: list[str]
          ) -> list[tuple[str, str, str, list[str]]]:
    """(url, entity type, canonical name, surfaces) of every top-list entity counted on the pages."""
    ids = [r[0] for rows in lists.values() for r in rows]
    return con.execute("""
        SELECT a.url, e.entity_type, e.canonical_name, list_sort(list_distinct(list(m.surface)))
        FROM mentions m JOIN articles a USING (article_id) JOIN entities e USING (entity_id)
        WHERE a.duplicate_of IS NULL AND m.entity_id IN (SELECT unnest(?::VARCHAR[]))
          AND a.url IN (SELECT unnest(?::VARCHAR[]))
        GROUP BY ALL ORDER BY 1, 2, 3""", [ids, urls]).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", required=True, type=Path)
    parser.add_argument("--draft", type=int, default=0, metavar="N")
    parser.add_argument("--rank", choices=["mentions", "articles"], default="mentions",
                        help="rank the top lists by mentions (the report's order) or by articles")
    args = parser.parse_args()
    con = duckdb.connect(str(args.warehouse / "mediamon.duckdb"), read_only=True)
    lists = top_lists(con, args.rank)
    for kind, rows in lists.items():
        print(f"top {TOP} {kind}: " + "; ".join(f"{name} {n}" for _, name, n in rows))
        print(f"  split rows: {splits(rows) or 'none'}")
    print(f"  people typed as organisations: {people_as_orgs(con, lists['ORG']) or 'none'}")

    gold = {json.loads(x)["url"]: json.loads(x) for x in GOLD.open(encoding="utf-8")} if GOLD.exists() else {}
    if gold and args.rank == "mentions":  # the gold covers the report's (mention-ranked) lists
        tp = fp = 0
        wrong = []
        for url, kind, name, surfaces in pairs(con, lists, list(gold)):
            ok = name in gold[url]["people" if kind == "PERSON" else "orgs"]
            tp, fp = tp + ok, fp + (not ok)
            if not ok:
                wrong.append(f"{name} ({kind}) on {url.split('/')[2]}: {surfaces}")
        counted = tp + fp
        print(f"top-list precision on {len(gold)} hand-checked pages: {tp / counted if counted else 0:.3f} "
              f"({tp}/{counted} entity-page pairs)")
        for line in wrong:
            print("  wrong:", line)

    if args.draft:
        english = [u for (u,) in con.execute(
            "SELECT url FROM articles WHERE language = 'en' AND duplicate_of IS NULL ORDER BY url"
        ).fetchall()]
        counted_urls = {p[0] for p in pairs(con, lists, english)}
        pool = sorted(u for u in counted_urls if u not in gold)
        random.Random(14).shuffle(pool)
        for url in sorted(pool[: args.draft]):
            body = con.execute("SELECT title || '\n' || body FROM articles WHERE url = ?",
                               [url]).fetchall()[0][0]
            print(f"\n## {url}")
            for _, kind, name, surfaces in pairs(con, lists, [url]):
                at = next((body.find(s) for s in surfaces if s in body), -1)
                snippet = body[max(0, at - 60) : at + 60].replace("\n", " ") if at >= 0 else ""
                print(f"  {kind} {name!r} {surfaces} … {snippet} …")


if __name__ == "__main__":
    main()
