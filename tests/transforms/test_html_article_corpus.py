"""Regression gate: the HTML extractor on a fixed subset of the dev corpus.

The floors sit a little below what the extractor measured on these pages when the
gate was set (snippets F1 0.958, dates 54/59); a drop under them means a change made
extraction worse.
Full-corpus figures come from bench/eval_html.py.
"""

import gzip
import json
from pathlib import Path

import pytest

from transforms.article import Hints
from transforms.decoding import decode_document
from transforms.html_article import parse_html

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "web"
# Every 13th page of the manifest: 80 pages, spread over the whole corpus.
STEP = 13
SNIPPET_F1_FLOOR = 0.93
DATE_ACCURACY_FLOOR = 0.88


def _fold(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
def test_html_article_on_corpus_subset(corpus_dir: Path) -> None:
    rows = [json.loads(line) for line in (CORPUS / "manifest.jsonl").open()][::STEP]
    bodies = {r["url"]: r for r in map(json.loads, (CORPUS / "truth-body.jsonl").open())}
    dates = {r["url"]: r["date"] for r in map(json.loads, (CORPUS / "truth-date.jsonl").open())}
    tp = fp = fn = date_ok = date_total = 0
    for row in rows:
        raw = gzip.decompress((CORPUS / row["path"]).read_bytes())
        article = parse_html(decode_document(raw), Hints(url=row["url"]))
        body = _fold(article.body)
        truth = bodies.get(row["url"])
        if truth:
            for snippet in truth.get("with", []):
                tp, fn = (tp + 1, fn) if _fold(snippet) in body else (tp, fn + 1)
            fp += sum(_fold(snippet) in body for snippet in truth.get("without", []))
        if row["url"] in dates:
            date_total += 1
            date_ok += bool(article.published_on and article.published_on.isoformat() == dates[row["url"]])
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert len(rows) == 80
    assert f1 >= SNIPPET_F1_FLOOR, f"snippets F1 {f1:.3f} (P {precision:.3f} R {recall:.3f})"
    assert date_ok / date_total >= DATE_ACCURACY_FLOOR, f"date accuracy {date_ok}/{date_total}"
