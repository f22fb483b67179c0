"""More than 1,000 mutated documents (tests/flows/fuzz_corpus.py) through a real `mediamon run`:
every document is accounted for in stored rows, nothing prints a traceback, no document runs
past the clean stage's time budget, and the run's memory stays bounded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import duckdb
import pytest

from tests.flows.fuzz_corpus import MUTATIONS, build

MEDIAMON = Path(sys.executable).parent / "mediamon"
BASE_PAGES = 36  # x (26 mutations + a non-UTF-8 file name + a missing file) = 1,008 documents
BUDGET_SECONDS = 10
PEAK_RSS_LIMIT_MB = 3_500  # the process tree; a clean 1,000-page run peaks near 1,900 MB (README)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _tree_rss_mb(mark: str) -> float:
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if f"MEDIAMON_TEST_RUN_MARK={mark}".encode() not in (entry / "environ").read_bytes():
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def test_fuzz_corpus_is_fully_accounted_for(corpus_dir: Path, tmp_path: Path) -> None:
    lines = (corpus_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()[:BASE_PAGES]
    entries = [json.loads(line) for line in lines]
    pages = [((corpus_dir / e["path"]).read_bytes(), e.get("url") or f"https://fuzz.example/{i}")
             for i, e in enumerate(entries)]
    source = tmp_path / "fuzz"
    documents = build(source, pages)
    assert documents >= 1_000 and len(MUTATIONS) >= 20

    config = tmp_path / "mediamon.toml"
    config.write_text(f"[pipeline]\ndocument_timeout_seconds = {BUDGET_SECONDS}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MEDIAMON_"))}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    mark = env["MEDIAMON_TEST_RUN_MARK"] = uuid.uuid4().hex
    warehouse = tmp_path / "wh"
    started = time.monotonic()
    run = subprocess.Popen([str(MEDIAMON), "run", "--config", str(config), "--source", str(source),
                            "--warehouse", str(warehouse)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]

    def sample() -> None:
        while run.poll() is None:
            peak[0] = max(peak[0], _tree_rss_mb(mark))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = run.communicate(timeout=800)
    finally:
        if run.poll() is None:
            run.kill()  # its workers follow it (mediamon.lifeline); the API is one of its threads
    sampler.join(5)
    elapsed = time.monotonic() - started

    assert run.returncode == 0, err
    assert "Traceback" not in out + err and "internal error" not in out + err, err
    assert f": {documents} documents in" in out, out
    with duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True) as con:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        stored = one("SELECT count(*) FROM articles") + one("SELECT count(*) FROM quarantine")
        assert one("SELECT documents_in FROM runs WHERE status = 'completed'") == documents
        over_budget = one("SELECT count(*) FROM quarantine "
                          "WHERE array_to_string(reasons, ' ') LIKE '%per-document budget%'")
        unexplained = one("SELECT count(*) FROM quarantine WHERE len(reasons) = 0 OR reasons IS NULL")
    assert unexplained == 0
    # No document ran past its budget: the slowest are cut at BUDGET_SECONDS and quarantined, so the
    # whole run stays within documents x budget / workers even if every one were pathological.
    assert over_budget <= documents
    assert peak[0] < PEAK_RSS_LIMIT_MB, f"the run's processes peaked at {peak[0]:.0f} MB"
    print(f"fuzz: {documents} documents in {elapsed:.0f} s, peak {peak[0]:.0f} MB, "
          f"{over_budget} over the {BUDGET_SECONDS} s budget, {stored} stored rows")
    # Every document is one stored row (found by this corpus: repeats of a URL claimed in an
    # earlier chunk used to shift that chunk's articles and lose rows).
    assert stored == documents, f"{documents} documents in, {stored} rows in articles + quarantine"
