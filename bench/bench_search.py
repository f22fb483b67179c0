"""Re-tag rate and search latency (issue 15): the watchlist + topic matcher on stored articles, and
`mediamon search` on 100,000 articles.

    python -m bench.bench_search                        # builds a dev-corpus warehouse first (~10 min)
    python -m bench.bench_search --warehouse DIR        # reuse a warehouse made by `mediamon run`
    python -m bench.bench_search --warehouse DIR --docs 100000

1. Re-tag rate: every stored article through `watchlist_mentions` + `match_topics` (pure, one
   process), with a watchlist of the warehouse's 200 most-mentioned names (every 4th with exclude
   and context rules) and 12 topics; then `retag_stored_articles(force=True)` end to end (DuckDB
   reads and the write transaction included) on a copy of the warehouse.
2. Search at scale: the stored articles are repeated under distinct ids, URLs and content hashes
   into a fresh warehouse until it holds `--docs` articles (the dev pages repeated under distinct
   URLs, as `make bench-10k` does, but copied as rows rather than parsed again: parsing 100,000
   pages would take an hour and measure extraction, not search). The index is built
   (`update_search_index`, timed), then each query runs through `mediamon.search.search`, the
   path behind the CLI: first (cold) and median of 5 (warm), in a fresh process per query set.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
TOPICS = [
    ("elections", "election* OR vote* OR ballot* OR wahl*"),
    ("middle east", '(israel* OR gaza OR hamas) AND NOT football'),
    ("eu", '"european union" OR EU OR brussels OR "european commission"'),
    ("climate", 'climate* OR "global warming" OR emission* OR klima*'),
    ("markets", "(shares OR stocks OR aktien) NEAR/10 (rose OR fell OR gained OR lost)"),
    ("ukraine", "ukrain* OR kyiv OR kiew OR zelensk*"),
    ("health", "hospital* OR health* OR covid* OR vaccin*"),
    ("police", "police OR polizei OR policja OR arrest*"),
    ("energy", '(gas OR oil OR energy) AND (price* OR bill*)'),
    ("tech", "title:(ai OR apple OR google OR microsoft) OR \"artificial intelligence\""),
    ("germany", "publisher:(spiegel OR zeit OR faz) OR title:deutschland"),
    ("sport", "football OR fußball OR soccer OR tennis OR olympi*"),
]
REPEATS = 5  # warm runs per query: the median is reported
QUERIES = [
    "police",
    "israel AND gaza",
    '"european union"',
    "ukrain* OR kyiv",
    "(shares OR stocks) NEAR/10 (rose OR fell)",
    'election* AND NOT "united states"',
    "title:climate OR klima*",
    "publisher:spiegel AND polizei",
    "the",
]


def build_dev_warehouse(root: Path) -> Path:
    from bench.pipeline import make_corpus

    make_corpus(None, root / "corpus")
    (root / "mediamon.toml").write_text('[warehouse]\npath = "wh"\n[[sources]]\nname = "dev"\nlocation = "corpus"\n')
    subprocess.run([str(Path(sys.executable).parent / "mediamon"), "run", "--config", str(root / "mediamon.toml")],
                   check=True, cwd=root, stdout=subprocess.DEVNULL)
    return root / "wh"


def _watchlist_text(con: duckdb.DuckDBPyConnection, size: int = 200) -> str:
    names = [r[0] for r in con.execute("""
        SELECT e.canonical_name FROM mentions m JOIN entities e USING (entity_id)
        GROUP BY ALL ORDER BY count(*) DESC, 1 LIMIT ?""", [size]).fetchall()]
    out = []
    for i, name in enumerate(names):
        entry = f'[[entity]]\nname = "{name.replace(chr(34), "")}"\nid = "bench:{i}"\n'
        if i % 4 == 0:
            entry += 'exclude = ["juice", "pie", "scholar"]\ncontext = ["minister", "said", "company"]\n'
        out.append(entry)
    return "\n".join(out)


def bench_retag(warehouse: Path) -> None:
    from mediamon.retag import retag_stored_articles
    from mediamon.warehouse import Warehouse
    from transforms.monitoring.retag import Topic, match_topics, watchlist_mentions
    from transforms.entities.watchlist import parse_watchlist

    topics = [Topic.parse(n, q) for n, q in TOPICS]
    with duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True) as con:
        watchlist = parse_watchlist(_watchlist_text(con))
        rows = [{"article_id": r[0], "title": r[1], "body": r[2], "publisher": r[3]}
                for r in con.execute("SELECT article_id, title, body, publisher FROM articles").fetchall()]
    chars = sum(len(r["body"] or "") for r in rows) / max(1, len(rows))
    print(f"re-tag: {len(rows):,} stored articles (mean body {chars:,.0f} characters), "
          f"{len(watchlist.entities)} watchlist entries, {len(topics)} topics")
    for label, fn in (("watchlist", lambda batch: watchlist_mentions(batch, watchlist)),
                      ("topics", lambda batch: match_topics(batch, topics)),
                      ("watchlist + topics", lambda batch: (watchlist_mentions(batch, watchlist),
                                                            match_topics(batch, topics)))):
        fresh = [dict(r) for r in rows]  # the rows keep their folded text: start from none
        clock, cpu = time.perf_counter(), time.process_time()
        fn(fresh)
        seconds, cpu_seconds = time.perf_counter() - clock, time.process_time() - cpu
        # CPU time too: on a shared machine the wall time says more about the neighbours.
        print(f"  matcher, {label:<20} {len(rows) / seconds:8,.0f} articles/s wall, "
              f"{len(rows) / cpu_seconds:8,.0f} per CPU second ({seconds:.2f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "wh"
        copy.mkdir()
        shutil.copy(warehouse / "mediamon.duckdb", copy / "mediamon.duckdb")
        with Warehouse(copy) as wh:
            clock, cpu = time.perf_counter(), time.process_time()
            counts = retag_stored_articles(wh.con, watchlist, topics, "bench", force=True)
            seconds, cpu_seconds = time.perf_counter() - clock, time.process_time() - cpu
        print(f"  end to end (reads, matching, one write transaction): {len(rows) / seconds:,.0f} articles/s "
              f"wall, {len(rows) / cpu_seconds:,.0f} per CPU second "
              f"({seconds:.1f} s; {counts['watchlist']['articles_retagged']:,} articles re-tagged, "
              f"{counts['topics']['matches']:,} topic matches)")


def build_scaled(source: Path, target: Path, docs: int) -> int:
    """A warehouse of `docs` articles: the source's rows repeated under distinct ids, URLs, hashes."""
    from mediamon.warehouse import Warehouse

    with Warehouse(target) as wh:
        con = wh.con
        con.execute(f"ATTACH '{source / 'mediamon.duckdb'}' AS src (READ_ONLY)")
        n = con.execute("SELECT count(*) FROM src.articles").fetchone()[0]  # type: ignore[index]
        copies = -(-docs // n)
        # Distinct content hashes: no copy is an exact duplicate, so every article is a search result.
        # Stored oldest first, as a warehouse fills run after run: where the newest hits sit in the
        # file decides how many compressed blocks of bodies a page of results reads.
        con.execute("""
            INSERT INTO articles BY NAME
            SELECT * FROM (SELECT a.* REPLACE (
                CASE WHEN c = 0 THEN a.article_id ELSE a.article_id || '-' || c END AS article_id,
                CASE WHEN c = 0 THEN a.url ELSE a.url || '#copy' || c END AS url,
                CASE WHEN c = 0 THEN a.content_hash ELSE a.content_hash || '-' || c END AS content_hash,
                NULL AS duplicate_of,
                a.first_seen_at - to_days(CAST(c AS INTEGER)) AS first_seen_at,
                a.published_at - to_days(CAST(c AS INTEGER)) AS published_at)
            FROM src.articles a, range(?) t(c)
            QUALIFY row_number() OVER () <= ?)
            ORDER BY first_seen_at, article_id""", [copies, docs])
        con.execute("DETACH src")
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]  # type: ignore[index,no-any-return]


def bench_search(warehouse: Path, docs: int) -> None:
    from mediamon.search import update_search_index

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "wh"
        clock = time.perf_counter()
        total = build_scaled(warehouse, target, docs)
        print(f"search: {total:,} articles copied from {warehouse} in {time.perf_counter() - clock:.0f} s")
        from mediamon.warehouse import Warehouse

        with Warehouse(target) as wh:
            clock = time.perf_counter()
            counts = update_search_index(wh.con)
            seconds = time.perf_counter() - clock
            postings = wh.con.execute("SELECT count(*) FROM search_postings").fetchone()[0]  # type: ignore[index]
            terms = wh.con.execute("SELECT count(*) FROM search_terms").fetchone()[0]  # type: ignore[index]
        size = (target / "mediamon.duckdb").stat().st_size / 2**20
        print(f"  index built: {counts['articles_indexed']:,} articles in {seconds:.0f} s "
              f"({counts['articles_indexed'] / seconds:,.0f} articles/s), {terms:,} terms, {postings:,} postings; "
              f"warehouse {size:,.0f} MiB")
        # A fresh process, as a CLI call would be.
        subprocess.run([sys.executable, "-m", "bench.bench_search", "--query-only", str(target)], check=True,
                       cwd=REPO)


def time_queries(target: Path) -> None:
    from mediamon.search import search

    # CPU time too: on a shared machine the wall time says more about the neighbours.
    print(f"  load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"  {'query':<45} {'cold':>7} {'warm':>7} {'warm CPU':>9} {'candidates':>11} {'hits':>5}")
    worst = worst_cpu = 0.0
    for query in QUERIES:
        clock = time.perf_counter()
        result = search(target, query, limit=20)
        cold = time.perf_counter() - clock
        warm, cpu = [], []
        for _ in range(REPEATS):
            clock, start_cpu = time.perf_counter(), time.process_time()
            search(target, query, limit=20)
            warm.append(time.perf_counter() - clock)
            cpu.append(time.process_time() - start_cpu)
        worst = max(worst, cold, *warm)
        worst_cpu = max(worst_cpu, *cpu)
        print(f"  {query:<45} {cold:6.2f}s {statistics.median(warm):6.2f}s {statistics.median(cpu):8.2f}s "
              f"{result.candidates:>11,} {len(result.hits):>5}")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  slowest answer: {worst:.2f} s wall, {worst_cpu:.2f} s CPU (target <= 1 s); "
          f"medians of {REPEATS} warm runs; load average after: {load}")


def time_cli(target: Path, queries: tuple[str, ...] = ("police", '"european union"', "the")) -> None:
    """`mediamon search` as a user runs it: a new process each time (start-up and imports included)."""
    import resource

    cli = str(Path(sys.executable).parent / "mediamon")
    print(f"  `mediamon search` end to end, median of {REPEATS} processes "
          f"(load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}):")
    for query in queries:
        walls, cpus = [], []
        for _ in range(REPEATS):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            clock = time.perf_counter()
            subprocess.run([cli, "search", "--warehouse", str(target), query], check=True,
                           stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - clock)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        print(f"  {query:<45} {statistics.median(walls):6.2f}s wall {statistics.median(cpus):6.2f}s CPU")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, help="a warehouse made by `mediamon run` on the dev corpus")
    parser.add_argument("--docs", type=int, default=100_000, help="articles for the search test (default 100,000)")
    parser.add_argument("--query-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.query_only:
        time_queries(args.query_only)
        time_cli(args.query_only)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = args.warehouse or build_dev_warehouse(Path(tmp))
        bench_retag(warehouse)
        bench_search(warehouse, args.docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
