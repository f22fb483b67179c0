"""`make bench`: every speed figure, printed. Quality figures are `make bench-quality`.

    python -m bench.run_all               # NER, fetch, clustering, pipeline vs trafilatura + spaCy
    python -m bench.run_all --docs 10000  # only the scale test: mediamon on 1,000 and 10,000 documents
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STEPS = [
    ("NER: single-process spaCy vs the worker pool (2 workers)", ["bench_ner.py", "--repeat", "2",
                                                               "--skip-single-tagger"]),
    ("fetch: 60 pages from one local host, one slow page", ["bench_fetch.py"]),
    ("syndication clustering: 10,000 articles", ["bench_syndication.py"]),
    ("pipeline end to end on the dev corpus vs trafilatura + spaCy", ["pipeline.py"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=None,
                        help="run only the scale test: the pipeline on 1,000 and on DOCS documents")
    args = parser.parse_args()
    steps = STEPS
    if args.docs is not None:
        steps = [(f"pipeline scale test: 1,000 and {args.docs:,} documents (dev pages under distinct URLs)",
                  ["pipeline.py", "--docs", str(args.docs)])]
    failed = 0
    for title, cmd in steps:
        print(f"\n== {title}", flush=True)
        proc = subprocess.run([sys.executable, str(REPO / "bench" / cmd[0]), *cmd[1:]], cwd=REPO)
        failed += proc.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
