"""`make bench-quality`: the extraction figures on the dev corpus, against their baselines.

Runs the HTML evaluation (body snippets F1, date accuracy, docs/s of the clean
stage) and the page-text-dump evaluation, each scored by ../shared/tools/score.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINES = [
    ("HTML body snippets F1", "trafilatura 2.3.1 favor_precision 0.920", "target >= 0.94"),
    ("HTML date accuracy (day)", "htmldate 1.11 extensive 0.902", "target >= 0.93"),
    ("text-dump snippets F1", "raw dump 0.693, jusText 0.216", "target >= 0.90"),
]


def run(script: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, str(REPO / "bench" / script), *args], cwd=REPO,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return f"{script} failed: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}"
    return proc.stdout.strip()


def main() -> int:
    print("== HTML pages (bench/eval_html.py)")
    print(run("eval_html.py"))
    print("\n== page-text dumps of the same pages (bench/eval_dumps.py)")
    print(run("eval_dumps.py", "--both"))
    print("\n== entities on wire copy, ../shared/corpora/wire (bench/eval_wire_ner.py)")
    print(run("eval_wire_ner.py"))
    print("  spaCy en_core_web_sm alone on the raw files: PER/ORG/LOC F1 0.635; target >= 0.72")
    print("\n== baselines")
    for name, baseline, target in BASELINES:
        print(f"  {name}: {baseline}; {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
