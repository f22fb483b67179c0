"""Regression gate: dump extraction quality on a fixed subset of the dev corpus.

The full evaluation is `bench/eval_dumps.py`; this gate runs ~60 pages (every
15th page with body truth) and asserts a floor a little below what the
extractor measured on them, so a change that breaks extraction fails fast.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import html_text
import pytest

from transforms.extraction.text_dump import parse_text_dump

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO / ".." / "shared"
CORPUS = SHARED / "corpora" / "web"
# Measured on this subset: snippets F1 0.904 (P 0.914 R 0.894); the floor leaves room for noise.
F1_FLOOR = 0.89

pytestmark = pytest.mark.slow


def _load(name: str, path: Path) -> ModuleType:
    # score.py and the bench are scripts, not packages: load them from their files.
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_snippets_f1_on_fixed_subset(corpus_dir: Path) -> None:
    manifest = {}
    for line in (CORPUS / "manifest.jsonl").open():
        entry = json.loads(line)
        manifest.setdefault(entry["url"], entry["path"])
    truth_rows = [json.loads(line) for line in (CORPUS / "truth-body.jsonl").open()][::15]
    assert len(truth_rows) >= 55
    decode_html = _load("eval_dumps", REPO / "bench" / "eval_dumps.py").decode_html
    truth, pred = {}, {}
    for row in truth_rows:
        html = decode_html(gzip.decompress((CORPUS / manifest[row["url"]]).read_bytes()))
        dump = html_text.extract_text(html, guess_layout=True)
        truth[row["url"]] = row
        pred[row["url"]] = {"url": row["url"], "body": parse_text_dump(dump, url=row["url"]).body}
    summary = _load("score", SHARED / "tools" / "score.py").snippets(truth, pred)
    print(summary)
    f1 = float(summary.split()[2])
    assert f1 >= F1_FLOOR, summary
