"""The end-to-end benchmark's input builder: repeated pages must be distinct articles."""

import gzip
import json
from pathlib import Path

import pytest

from bench.pipeline import CORPUS, _distinct_copy, make_corpus
from transforms.extraction.html_article import parse_tree
from transforms.extraction.page_meta import read_page_meta


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(b'<link rel="canonical" href="https://a.org/x">',
                     b'<link rel="canonical" href="https://a.org/x?bench_copy=2">', id="plain"),
        pytest.param(b"<LINK HREF='https://a.org/x?id=1' REL='canonical'/>",
                     b"<LINK HREF='https://a.org/x?id=1&amp;bench_copy=2' REL='canonical'/>",
                     id="query-href-first"),
        pytest.param(b'<link rel="stylesheet" href="/s.css">', b'<link rel="stylesheet" href="/s.css">',
                     id="other-link-untouched"),
    ],
)
def test_distinct_copy_rewrites_only_the_canonical_link(html: bytes, expected: bytes) -> None:
    assert _distinct_copy(html, 2) == expected


def test_make_corpus_repeats_pages_under_distinct_urls(tmp_path: Path) -> None:
    pages = sum(1 for _ in (CORPUS / "manifest.jsonl").open())
    made = make_corpus(pages + 3, tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "manifest.jsonl").open()]
    assert made == len(rows) == pages + 3
    copies = rows[pages:]
    assert all("bench_copy=1" in r["url"] for r in copies)
    assert len({r["path"] for r in rows}) == len(rows)  # local documents are keyed by their file
    rewritten = 0
    for original, copy in zip(rows[:3], copies, strict=True):
        before, after = _canonical(Path(original["path"])), _canonical(Path(copy["path"]))
        if before:  # the copy must not claim the original's article id
            assert after == before + ("&" if "?" in before else "?") + "bench_copy=1"
            rewritten += 1
    assert rewritten


def _canonical(path: Path) -> str | None:
    html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
    return read_page_meta(parse_tree(html)).canonical_url
