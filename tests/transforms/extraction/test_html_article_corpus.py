"""Regression gate: the HTML extractor on a fixed subset of the dev corpus.

The floors sit a little below what the extractor measured on these pages when the
gate was set (snippets F1 0.958, dates 54/59; dates on published_date 57/59 since issue 14);
a drop under them means a change made extraction worse. The publisher gate reads every page of
truth-publisher.jsonl (title and publisher only, no body: a few seconds).
Full-corpus figures come from bench/eval_html.py.
"""

import gzip
import json
import re
from pathlib import Path

import pytest

from transforms.article import Hints
from transforms.extraction.decoding import decode_document
from transforms.extraction.html_article import parse_html, parse_tree, title_and_publisher
from transforms.extraction.page_meta import read_page_meta

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpora" / "web"
# Every 13th page of the manifest: 80 pages, spread over the whole corpus.
STEP = 13
SNIPPET_F1_FLOOR = 0.93
DATE_ACCURACY_FLOOR = 0.93  # measured 57/59 = 0.966 on published_date (issue 14)
# Measured 0.981 (210/214) on truth-publisher.jsonl; 0.939 with the shipped domain table left out.
PUBLISHER_ACCURACY_FLOOR = 0.95


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


def _publisher_key(name: str) -> str:
    """score.py's match: case, a leading "The" and punctuation ignored."""
    return re.sub(r"[^\w]", "", re.sub(r"^the\s+", "", (name or "").strip().lower()))


@pytest.mark.slow
def test_publisher_on_truth_pages(corpus_dir: Path) -> None:
    paths = {r["url"]: r["path"] for r in map(json.loads, (CORPUS / "manifest.jsonl").open())}
    truth = [json.loads(line) for line in (CORPUS / "truth-publisher.jsonl").open()]
    wrong = []
    for row in truth:
        tree = parse_tree(decode_document(gzip.decompress((CORPUS / paths[row["url"]]).read_bytes())))
        _, publisher, _, _ = title_and_publisher(tree, read_page_meta(tree), Hints(url=row["url"]))
        if _publisher_key(publisher or "") not in {_publisher_key(n) for n in [row["publisher"], *row["accept"]]}:
            wrong.append((row["publisher"], publisher))
    accuracy = 1 - len(wrong) / len(truth)
    assert len(truth) == 214
    assert accuracy >= PUBLISHER_ACCURACY_FLOOR, f"publisher accuracy {accuracy:.3f}; wrong: {wrong}"
