"""Crash safety: real `mediamon run` processes killed with SIGKILL at known points, then run again.

The kill lands deterministically: MEDIAMON_TEST_PAUSE_AT=<stage>[#n] makes the run announce
"mediamon: paused at ..." on stderr and wait there (mediamon/runtime.py: stage_boundary). The
whole process group is killed, its workers with it, as a power cut would.
After the kills, a run to completion must leave the warehouse and the Parquet copy exactly as
one clean run over the same folder does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as pads
import pytest

MEDIAMON = Path(sys.executable).parent / "mediamon"
PAGES = 30
CHUNK = 10  # 3 chunks, each loaded in its own transaction

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def crash_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from tests.conftest import CORPUS

    if not (CORPUS / "manifest.jsonl").exists():
        pytest.fail(f"dev corpus not found at {CORPUS}")
    root = tmp_path_factory.mktemp("crash")
    source = root / "pages"
    (source / "pages").mkdir(parents=True)
    lines = (CORPUS / "manifest.jsonl").read_text(encoding="utf-8").splitlines()[:PAGES]
    for line in lines:
        shutil.copy(CORPUS / json.loads(line)["path"], source / json.loads(line)["path"])
    (source / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = root / "mediamon.toml"
    # lock_timeout 0: a stale lock left by a killed run would make the re-run fail at once.
    config.write_text(f'[warehouse]\nlock_timeout_seconds = 0\n[pipeline]\nchunk_size = {CHUNK}\n',
                      encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MEDIAMON_"))}
    env["PREFECT_HOME"] = str(root / "prefect-home")
    return {"root": root, "source": source, "config": config, "env": env}


def _start(crash_env: dict[str, object], warehouse: Path, pause_at: str | None = None) -> subprocess.Popen[str]:
    env = dict(crash_env["env"])  # type: ignore[call-overload]
    if pause_at:
        env["MEDIAMON_TEST_PAUSE_AT"] = pause_at
    return subprocess.Popen(
        [str(MEDIAMON), "run", "--config", str(crash_env["config"]), "--source", str(crash_env["source"]),
         "--warehouse", str(warehouse)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=400)
    assert proc.returncode == 0, f"run failed:\n{out}\n{err}"
    assert "Traceback" not in out + err
    return out


def _run_and_kill(crash_env: dict[str, object], warehouse: Path, pause_at: str) -> None:
    """Run mediamon and kill its whole process group once it reports reaching `pause_at`."""
    proc = _start(crash_env, warehouse, pause_at)
    seen: list[str] = []
    paused = threading.Event()

    def watch() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            seen.append(line)
            if line.startswith("mediamon: paused at"):
                break
        paused.set()

    threading.Thread(target=watch, daemon=True).start()
    paused.wait(timeout=400)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)
    assert any(line.startswith(f"mediamon: paused at {pause_at}") for line in seen), \
        f"the run never reached {pause_at}:\n{''.join(seen)}"


CONTENT = {
    "articles": """SELECT article_id, url, canonical_url, title, body, content_hash, raw_hash, duplicate_of,
                          dq_status, dq_failures, published_at, publisher, authors, language, word_count
                   FROM articles ORDER BY article_id""",
    "mentions": "SELECT * FROM mentions ORDER BY ALL",
    "entities": "SELECT entity_id, canonical_name, entity_type, aliases, external_id FROM entities ORDER BY ALL",
    "quarantine": "SELECT doc_key, url, stage, reasons, detail FROM quarantine ORDER BY ALL",
    "article_clusters": """SELECT article_id, cluster_id, is_original, cluster_size FROM article_clusters
                           ORDER BY article_id""",
}


def _snapshot(warehouse: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in CONTENT.items()}


def _check_consistent(warehouse: Path) -> None:
    """No duplicates, no orphans, no leftovers; the Parquet copy says what the tables say."""
    parquet = warehouse / "parquet"
    with duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True) as con:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT count(*) - count(DISTINCT article_id) FROM articles") == 0
        assert one("SELECT count(*) - count(DISTINCT url) FROM articles") == 0
        assert one("SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT article_id FROM articles)") == 0
        assert one("SELECT count(*) FROM article_clusters "
                   "WHERE article_id NOT IN (SELECT article_id FROM articles)") == 0
        assert one("SELECT count(*) FROM quarantine q JOIN articles a ON a.url = q.url") == 0
        for table in ("articles", "mentions", "entities", "article_clusters"):
            expected = one(f"SELECT count(*) FROM {table}")
            folder = parquet / table
            assert one(f"SELECT count(*) FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = true)") \
                == expected, table
            assert pads.dataset(folder, format="parquet", partitioning="hive").count_rows() == expected, table
            assert pl.scan_parquet(folder / "**" / "*.parquet", hive_partitioning=True).select(pl.len()) \
                .collect().item() == expected, table
    leftovers = [p for p in parquet.rglob("*") if p.name.endswith(".tmp") or p.name.startswith((".staging", ".old"))]
    assert leftovers == []


def _counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "mentions", "quarantine", "raw_documents", "dq_results")}


def test_killed_runs_then_a_rerun_equal_one_clean_run(crash_env: dict[str, object]) -> None:
    root = crash_env["root"]
    assert isinstance(root, Path)
    clean = _start(crash_env, root / "clean")  # the reference, alongside the killed runs
    warehouse = root / "killed"
    # 1. Killed after cleaning the first chunk: nothing was loaded yet.
    _run_and_kill(crash_env, warehouse, "clean")
    assert _counts(warehouse) == dict.fromkeys(("articles", "mentions", "quarantine", "raw_documents",
                                                "dq_results"), 0)
    # 2. Killed inside the second chunk's load transaction: chunk 1 committed, chunk 2 not at all.
    _run_and_kill(crash_env, warehouse, "load#2")
    counts = _counts(warehouse)
    assert counts["articles"] + counts["quarantine"] == CHUNK and counts["raw_documents"] == CHUNK
    with duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True) as con:
        status = con.execute("SELECT status, documents_in FROM runs ORDER BY started_at").fetchall()
    assert status == [("interrupted", 0), ("running", CHUNK)]
    # 3. Killed half-way through the Parquet export (after two partition files went into place).
    _run_and_kill(crash_env, warehouse, "parquet#3")
    assert list((warehouse / "parquet").rglob("*.tmp")), "the kill should have left a staged file behind"
    # 4. To completion: no stale lock (lock_timeout 0), the same content as one clean run.
    out = _finish(_start(crash_env, warehouse))
    assert f"{PAGES} documents in" in out
    _finish(clean)
    _check_consistent(root / "clean")
    reference = _snapshot(root / "clean")
    assert len(reference["articles"]) + len(reference["quarantine"]) == PAGES
    assert reference["mentions"], "the corpus pages should yield mentions"
    _check_consistent(warehouse)
    assert _snapshot(warehouse) == reference
    with duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True) as con:
        runs = con.execute("SELECT status, documents_in, articles_new + articles_updated + articles_unchanged "
                           "+ duplicates + quarantined FROM runs ORDER BY started_at").fetchall()
    assert [r[0] for r in runs] == ["interrupted", "interrupted", "interrupted", "completed"]
    assert runs[-1][1] == runs[-1][2] == PAGES


# -- the overlapped pipeline: the workers clean chunk N+1 while chunk N is checked and loaded -------
OVERLAP_CHUNK = 100  # the smallest chunk the worker processes start for (flows.runners)
OVERLAP_PAGES = 2 * OVERLAP_CHUNK + 30  # a short third chunk: still two clean batches for the workers
_FIRST = ["Anna", "Marek", "Lena", "Tomas", "Sofia", "David", "Irene", "Paul", "Nadia", "Oscar"]
_LAST = ["Keller", "Novak", "Brandt", "Haas", "Moreau", "Lindqvist", "Okafor", "Reyes", "Tanaka", "Weiss"]
_CITIES = ["Riverton", "Lakeside", "Eastport", "Millbrook", "Northfield", "Westhaven", "Stonebridge"]
_ORGS = ["Northwind Energy", "Harbor Bank", "Atlas Rail", "Greenfield Council", "Summit Health"]
_TOPICS = ["housing", "transport", "water", "school", "energy", "hospital"]


def _synthetic_page(n: int) -> tuple[str, str]:
    """(url, html) of made-up page `n`: its own sentences (numbers in every line, so no line is a
    template line shared with other pages), a byline, a date, a site name and site chrome."""
    site = n % 3
    city, topic = _CITIES[n % len(_CITIES)], _TOPICS[n % len(_TOPICS)]
    people = [f"{_FIRST[(n + k) % 10]} {_LAST[(n * 3 + k) % 10]}" for k in range(3)]
    org = _ORGS[n % len(_ORGS)]
    paragraphs = [
        f"{people[0]}, who chairs {org}, said on Tuesday that {city} would spend {n * 7 + 3} million on "
        f"its {topic} plan over the next {n % 9 + 2} years, after months of talks with residents.",
        f"The council of {city} approved the first {n % 40 + 5} projects in a vote of {n % 30 + 10} to "
        f"{n % 7 + 1}, and {people[1]} said the work could start before the end of the {n % 4 + 1}st quarter.",
        f"{people[2]} of {_ORGS[(n + 2) % len(_ORGS)]} warned that costs had risen by {n % 17 + 3} percent "
        f"since the plan was first drawn up, and asked for a review of contract number {n * 13 + 101}.",
        f"Residents of {_CITIES[(n + 3) % len(_CITIES)]} will be asked for their views at {n % 12 + 1} public "
        f"meetings, the first of them on day {n % 27 + 1} of next month in the old market hall.",
        f"{people[0]} added that {n % 50 + 20} new jobs would be created and that {org} would report on "
        f"progress every {n % 5 + 2} months until the {topic} projects numbered {n + 1000} are finished.",
    ]
    url = f"https://news{site}.example/{2025 - n % 2}/03/story-{n}"
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{city} sets out {topic} plan number {n} - News {site} Daily</title>
<meta property="og:site_name" content="News {site} Daily">
<meta property="article:published_time" content="2025-03-{n % 27 + 1:02d}T08:00:00Z">
<link rel="canonical" href="{url}"></head><body>
<nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav>
<article><h1>{city} sets out {topic} plan number {n}</h1><p class="byline">By {people[1]}</p>
{body}</article>
<footer>News {site} Daily. All rights reserved. Contact the newsroom.</footer></body></html>"""
    return url, html


@pytest.fixture(scope="module")
def overlap_env(crash_env: dict[str, object]) -> dict[str, object]:
    """3 chunks of made-up pages, the worker processes busy from the first; the last chunk holds a
    copy (other file, same URL and bytes) of a page of the second chunk."""
    root = crash_env["root"]
    assert isinstance(root, Path)
    source = root / "synthetic"
    source.mkdir()
    entries = []
    pages = [_synthetic_page(n) for n in range(OVERLAP_PAGES)]
    pages[2 * OVERLAP_CHUNK + 10] = pages[OVERLAP_CHUNK + 10]
    for n, (url, html) in enumerate(pages):
        (source / f"p{n:03d}.html").write_text(html, encoding="utf-8")
        entries.append(json.dumps({"path": f"p{n:03d}.html", "url": url}))
    (source / "manifest.jsonl").write_text("\n".join(entries) + "\n", encoding="utf-8")
    config = root / "overlap.toml"
    config.write_text(f"[warehouse]\nlock_timeout_seconds = 0\n[pipeline]\nchunk_size = {OVERLAP_CHUNK}\n"
                      "workers = 2\n", encoding="utf-8")
    return {**crash_env, "source": source, "config": config}


def test_overlapped_run_killed_between_chunks_then_rerun_equals_a_clean_run(overlap_env: dict[str, object]
                                                                           ) -> None:
    root = overlap_env["root"]
    assert isinstance(root, Path)
    pages = OVERLAP_PAGES
    clean = root / "overlap-clean"
    _finish(_start(overlap_env, clean))
    # Killed in the second chunk's load: the workers are cleaning the third chunk meanwhile.
    warehouse = root / "overlap-killed"
    _run_and_kill(overlap_env, warehouse, "load#2")
    counts = _counts(warehouse)
    assert counts["raw_documents"] == OVERLAP_CHUNK and counts["articles"] + counts["quarantine"] == OVERLAP_CHUNK
    out = _finish(_start(overlap_env, warehouse))
    assert f"{pages} documents in" in out
    _check_consistent(clean)
    _check_consistent(warehouse)
    reference = _snapshot(clean)
    assert len(reference["articles"]) == pages - 1, "every made-up page but the copy should be an article"
    assert reference["mentions"]
    assert _snapshot(warehouse) == reference
    with duckdb.connect(str(clean / "mediamon.duckdb"), read_only=True) as con:
        # The copy in the third chunk was read before the second chunk was loaded; as in a run of one
        # chunk after another, it is skipped as unchanged (the second chunk stored its bytes).
        assert con.execute("SELECT articles_new, articles_unchanged, quarantined FROM runs").fetchall() \
            == [(pages - 1, 1, 0)]
