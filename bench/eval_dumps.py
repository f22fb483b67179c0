"""Evaluate the page-text dump extractor on the dev corpus.

Builds html-text dumps of the corpus pages (cached under /tmp/dumps/), runs
`transforms.extraction.plain_text.parse_text` on each (as the pipeline does: a text judged clean copy is
kept whole, a dump with chrome goes to `transforms.extraction.text_dump`), optionally followed by the
pipeline's per-site template learning (`transforms.extraction.site_templates.apply_templates`),
writes a PRED file and prints score.py's snippets line plus throughput.

    .venv/bin/python bench/eval_dumps.py                 # without templates
    .venv/bin/python bench/eval_dumps.py --templates     # with template learning
    .venv/bin/python bench/eval_dumps.py --both          # both, one after the other

Measured on the 1,040-page dev corpus (884 with body truth): snippets F1 0.905
(P 0.903 R 0.906) without templates, 0.904 with them; raw dump 0.693.
The docs/s figure includes template learning and depends on machine load.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import charset_normalizer
import html_text
import tldextract

import polars as pl

from transforms.extraction.plain_text import parse_text
from transforms.schema import TEMPLATE_LINES
from transforms.extraction.site_templates import apply_templates

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared"
CORPUS = SHARED / "corpora" / "web"
CACHE = Path("/tmp/dumps")

_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-:.]+)""", re.I)
# Offline public-suffix snapshot only: the bench must not touch the network.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=())


def decode_html(raw: bytes) -> str:
    """Bytes of an HTML page -> text, trusting a meta charset first, then detection."""
    match = _META_CHARSET.search(raw[:4096])
    if match:
        try:
            return raw.decode(match.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("utf-8", errors="replace")


def build_dumps(limit: int | None = None) -> list[dict[str, str]]:
    """Return [{"url", "path", "dump"}] for the corpus, cached in CACHE/dumps.jsonl."""
    cache = CACHE / "dumps.jsonl"
    if cache.exists():
        rows = [json.loads(line) for line in cache.open()]
    else:
        CACHE.mkdir(parents=True, exist_ok=True)
        rows = []
        for line in (CORPUS / "manifest.jsonl").open():
            entry = json.loads(line)
            raw = gzip.decompress((CORPUS / entry["path"]).read_bytes())
            dump = html_text.extract_text(decode_html(raw), guess_layout=True)
            rows.append({"url": entry["url"], "path": entry["path"], "dump": dump})
        with cache.open("w") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows[:limit] if limit else rows


def publisher_of(url: str) -> str:
    """Registered domain as the publisher proxy for template learning."""
    # Some corpus keys are not URLs ("hard::example.com-slug.html"): use the host-like part.
    host = url.split("::", 1)[-1].split("-", 1)[0] if "://" not in url else url
    return _EXTRACT(host).top_domain_under_public_suffix or url


def run(rows: list[dict[str, str]], templates: bool, pred_path: Path) -> str:
    """Extract every dump, write PRED, return score.py's summary line plus docs/s."""
    start = time.perf_counter()
    articles: list[dict[str, object]] = []
    for i, row in enumerate(rows):
        # As the pipeline reads a .txt page: judged clean copy or a dump with chrome.
        article = parse_text(row["dump"], url=row["url"])
        articles.append({"article_id": str(i), "url": row["url"], "site": publisher_of(row["url"]),
                         "body": article.body, "text_kind": article.text_kind})
    if templates:
        # As the pipeline does per chunk: paragraphs recurring on one site are its template.
        articles, _ = apply_templates(articles, pl.DataFrame(schema=TEMPLATE_LINES))
    with pred_path.open("w") as out:
        for a in articles:
            out.write(json.dumps({"url": a["url"], "body": a["body"]}, ensure_ascii=False) + "\n")
    elapsed = time.perf_counter() - start
    score = (
        subprocess.run(
            [
                sys.executable,
                str(SHARED / "tools" / "score.py"),
                "snippets",
                str(CORPUS / "truth-body.jsonl"),
                str(pred_path),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return f"{score} | {len(rows) / elapsed:.0f} docs/s | templates={'on' if templates else 'off'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", action="store_true", help="learn per-domain fingerprints first")
    parser.add_argument("--both", action="store_true", help="run without and with templates")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = parser.parse_args()
    rows = build_dumps(args.limit)
    modes = [False, True] if args.both else [args.templates]
    for mode in modes:
        pred = CACHE / f"pred-{'tpl' if mode else 'plain'}.jsonl"
        print(run(rows, mode, pred))


if __name__ == "__main__":
    main()
