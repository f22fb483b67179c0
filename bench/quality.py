"""`make bench-quality`: the extraction figures on the dev corpus, against their baselines.

Runs the HTML evaluation (body snippets F1, date accuracy on published_date, publisher
accuracy, docs/s of the clean stage), the page-text-dump evaluation and the German entity
gold, each scored by ../shared/tools/score.py or its own bench script, and the whole pipeline
on agency copy (../shared/corpora/wire, bench/eval_wire.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINES = [
    ("HTML body snippets F1", "trafilatura 2.3.1 favor_precision 0.920", "target >= 0.94"),
    ("HTML date accuracy on published_date", "htmldate 1.11 0.902; mediamon before issue 14 0.931",
     "target >= 0.95"),
    ("publisher accuracy (truth-publisher.jsonl)", "trafilatura sitename 0.650; mediamon before issue 14 0.832",
     "target >= 0.95"),
    ("text-dump snippets F1", "raw dump 0.693, jusText 0.216", "target >= 0.90"),
    ("wire: stories quarantined", "mediamon before issue 14: 73 of 214", "target 0"),
    ("wire: body F1", "raw file 0.941, jusText 0.586, mediamon before issue 14 0.765", "target >= 0.97"),
    ("wire: titles / dates", "mediamon before issue 14: 29 / 113 of 214", "target 214 / >= 95%"),
    ("wire: entities F1 (PER/ORG/LOC)", "spaCy en_core_web_sm alone 0.635", "target >= 0.72"),
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
    print("\n== German entities against the hand-checked gold (bench/eval_ner_de.py)")
    print(run("eval_ner_de.py"))
    print("\n== wire copy, the whole pipeline (bench/eval_wire.py)")
    print(run("eval_wire.py"))
    print("\n== entities on wire copy, ../shared/corpora/wire (bench/eval_wire_ner.py)")
    print(run("eval_wire_ner.py"))
    print("  spaCy en_core_web_sm alone on the raw files: PER/ORG/LOC F1 0.635; target >= 0.72")
    print("\n== baselines")
    for name, baseline, target in BASELINES:
        print(f"  {name}: {baseline}; {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
