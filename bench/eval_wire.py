"""Evaluate the whole pipeline on news-agency copy: ../shared/corpora/wire (214 stories as .txt).

Runs the real `mediamon run` (the CLI, in a subprocess, into a temporary warehouse) on the
corpus folder, reads the stored articles and mentions back with DuckDB, writes PRED files
and scores them with ../shared/tools/score.py:

- stories quarantined (target 0), body F1 (target >= 0.97; the raw file scores 0.941),
- stories with a title (target: all) and with a publication date (target >= 95%),
- entity F1 (PER/ORG/LOC) from the article's stored mentions, title mentions included,
  beside plain spaCy en_core_web_sm on the raw file (0.635, the corpus README's baseline).

    .venv/bin/python bench/eval_wire.py               # prints the figures
    .venv/bin/python bench/eval_wire.py --json        # one JSON object (the CI gate reads it)
    .venv/bin/python bench/eval_wire.py --keep DIR    # keep the warehouse and PRED files in DIR
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpora" / "wire"
SCORE = SHARED / "tools" / "score.py"
SPACY_BASELINE_NER = 0.635  # en_core_web_sm 3.8 on the raw files (corpus README)
RAW_FILE_BODY = 0.941  # the raw file as the body (corpus README)
_F1 = re.compile(r"F1 ([0-9.]+)")


def run_pipeline(corpus: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    """`mediamon run --source CORPUS` into WORKDIR/warehouse, as a user would start it."""
    env = {**os.environ, "PREFECT_HOME": str(workdir / "prefect")}
    # An empty config: the defaults, and no [[sources]] or watchlist of the checkout's mediamon.toml.
    config = workdir / "mediamon.toml"
    config.write_text("")
    cli = Path(sys.executable).with_name("mediamon")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "mediamon.cli"]
    return subprocess.run([*command, "run", "--config", str(config), "--source", str(corpus),
                           "--warehouse", str(workdir / "warehouse")],
                          cwd=workdir, env=env, capture_output=True, text=True)


def read_predictions(warehouse: Path) -> tuple[list[dict[str, object]], int]:
    """One PRED row per stored article (url, body, title, date, entities) and the quarantine count."""
    con = duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True)
    try:
        columns = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'articles'").fetchall()}
        # The publication day as written: published_date when the warehouse has it, else the UTC day.
        day = "published_date" if "published_date" in columns else "CAST(published_at AS DATE)"
        rows = con.execute(f"""
            SELECT a.url, a.body, a.title, CAST({day} AS VARCHAR),
                   list(DISTINCT [m.surface, m.entity_type]) FILTER (WHERE m.surface IS NOT NULL)
            FROM articles a LEFT JOIN mentions m USING (article_id)
            GROUP BY ALL""").fetchall()
        quarantined = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    finally:
        con.close()
    preds = [{"url": url, "body": body or "", "title": title or "", "date": day or "",
              "entities": entities or []} for url, body, title, day, entities in rows]
    return preds, int(quarantined)


def score(kind: str, truth: Path, pred: Path) -> str:
    out = subprocess.run([sys.executable, str(SCORE), kind, str(truth), str(pred)],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def evaluate(corpus: Path, workdir: Path) -> dict[str, object]:
    """`mediamon run` on the corpus into WORKDIR, then the figures (see `score_warehouse`)."""
    proc = run_pipeline(corpus, workdir)
    if proc.returncode != 0:
        raise SystemExit(f"mediamon run failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    figures = score_warehouse(corpus, workdir / "warehouse", workdir)
    figures["summary"] = proc.stdout.strip()
    return figures


def score_warehouse(corpus: Path, warehouse: Path, workdir: Path) -> dict[str, object]:
    """The figures of a warehouse the corpus was run into: PRED files in WORKDIR, scored by score.py."""
    preds, quarantined = read_predictions(warehouse)
    pred_path = workdir / "pred.jsonl"
    with pred_path.open("w") as out:
        for row in preds:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    stories = sum(1 for line in (corpus / "manifest.jsonl").open() if line.strip())
    body_line = score("body", corpus / "truth-body.jsonl", pred_path)
    ner_line = score("ner", corpus / "truth-ner.jsonl", pred_path)
    return {
        "stories": stories,
        "articles": len(preds),
        "quarantined": quarantined,
        "body_f1": float(_F1.search(body_line).group(1)),  # type: ignore[union-attr]
        "titles": sum(1 for p in preds if str(p["title"]).strip()),
        "dates": sum(1 for p in preds if p["date"]),
        "ner_f1": float(_F1.search(ner_line).group(1)),  # type: ignore[union-attr]
        "body_line": body_line,
        "ner_line": ner_line,
    }


def report(figures: dict[str, object]) -> str:
    n = int(figures["stories"])  # type: ignore[call-overload]
    dates = int(figures["dates"])  # type: ignore[call-overload]
    return "\n".join([
        f"stories {n}: {figures['articles']} articles, {figures['quarantined']} quarantined (target 0)",
        f"{figures['body_line']} (target >= 0.97; raw file {RAW_FILE_BODY})",
        f"titles {figures['titles']}/{n} (target {n}) | dates {dates}/{n} = {dates / n:.3f} (target >= 0.95)",
        f"{figures['ner_line']} (spaCy en_core_web_sm alone: PER/ORG/LOC F1 {SPACY_BASELINE_NER})",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder with manifest.jsonl and truth files")
    parser.add_argument("--keep", type=Path, default=None, help="write the warehouse and PRED files here")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        figures = evaluate(args.corpus, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="eval-wire-") as tmp:
            figures = evaluate(args.corpus, Path(tmp))
    print(json.dumps(figures) if args.json else report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
