"""`make bench`: every speed figure, printed. Quality figures are `make bench-quality`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STEPS = [
    ("NER: single-process spaCy vs tag_parallel (2 workers)", ["bench_ner.py", "--repeat", "2",
                                                               "--skip-single-tagger"]),
    ("fetch: 60 pages from one local host, one slow page", ["bench_fetch.py"]),
    ("syndication clustering: 10,000 articles", ["bench_syndication.py"]),
    ("pipeline end to end on the dev corpus vs trafilatura + spaCy", ["pipeline.py"]),
]


def main() -> int:
    failed = 0
    for title, cmd in STEPS:
        print(f"\n== {title}", flush=True)
        proc = subprocess.run([sys.executable, str(REPO / "bench" / cmd[0]), *cmd[1:]], cwd=REPO)
        failed += proc.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
