"""Evaluate the HTML article extractor on the dev corpus.

Decodes every corpus page with `transforms.extraction.decoding.decode_document`, runs
`transforms.extraction.html_article.parse_html`, writes a PRED file (url, body, date and the
other fields for inspection) and prints score.py's snippets, date (on published_date) and publisher lines plus
throughput.

    .venv/bin/python bench/eval_html.py                  # whole corpus
    .venv/bin/python bench/eval_html.py --limit 100      # first 100 pages
    .venv/bin/python bench/eval_html.py --out /tmp/html/pred.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

from transforms.article import Hints
from transforms.extraction.decoding import DecodeError, decode_document
from transforms.extraction.html_article import parse_html

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "web"
SCORE = REPO.parent / "shared" / "tools" / "score.py"


def run(limit: int | None, out: Path) -> float:
    rows = [json.loads(line) for line in (CORPUS / "manifest.jsonl").open()]
    if limit:
        rows = rows[:limit]
    pages = [(row["url"], gzip.decompress((CORPUS / row["path"]).read_bytes())) for row in rows]
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    records = []
    for url, raw in pages:
        record: dict[str, object] = {"url": url}
        try:
            article = parse_html(decode_document(raw), Hints(url=url))
        except (DecodeError, ValueError) as exc:
            record.update(body="", date="", error=str(exc))
        else:
            record.update(
                body=article.body,
                # The publisher's calendar day, as the truth file states it; published_at is UTC.
                date=article.published_on.isoformat() if article.published_on else "",
                published_tz=article.published_tz,
                date_conflicts=article.date_conflicts,
                published_at=article.published_at.isoformat() if article.published_at else "",
                date_source=article.published_at_source,
                modified=article.modified_at.isoformat() if article.modified_at else "",
                title=article.title,
                publisher=article.publisher,
                publisher_source=article.publisher_source,
                authors=article.authors,
                agency=article.agency,
                language=article.language,
                image_credit=article.image_credit,
                tags=article.tags[:10],
            )
        records.append(record)
    elapsed = time.perf_counter() - started
    with out.open("w") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(pages) / elapsed if elapsed else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N manifest rows")
    parser.add_argument("--out", type=Path, default=Path("/tmp/html/pred.jsonl"), help="PRED file to write")
    args = parser.parse_args()
    docs_per_second = run(args.limit, args.out)
    for kind, truth in (
        ("snippets", "truth-body.jsonl"),
        ("date", "truth-date.jsonl"),  # scored on published_date, the day the outlet printed
        ("publisher", "truth-publisher.jsonl"),
    ):
        result = subprocess.run(
            [sys.executable, str(SCORE), kind, str(CORPUS / truth), str(args.out)],
            capture_output=True,
            text=True,
            check=True,
        )
        print(result.stdout.strip())
    print(f"throughput {docs_per_second:.1f} docs/s (decode + parse_html, one process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
