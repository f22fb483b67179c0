"""Date accuracy on the dev corpus, fast, with a held-out check against overfitting.

Runs only the date path of `transforms.extraction.html_article.parse_html` (decode, parse, page meta,
`find_dates`) on the pages of truth-date.jsonl, and scores `published_on` as score.py does.
The pages are split into two halves by a hash of their domain, so a rule tuned while looking
at the misses of one half can be checked on the other (a rule must not hurt the half it was not
tuned on). `--misses` lists each miss with the source of the date that was chosen.

    .venv/bin/python bench/eval_dates.py               # total and both halves
    .venv/bin/python bench/eval_dates.py --misses A    # and the misses of half A
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from transforms.article import Hints
from transforms.dates.page_dates import find_dates
from transforms.extraction.decoding import DecodeError, decode_document
from transforms.extraction.html_article import _US_STYLE, parse_tree
from transforms.extraction.page_meta import read_page_meta

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "web"


def half(url: str) -> str:
    """'A' or 'B': a stable split of the corpus by the page's domain."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return "AB"[hashlib.sha1(host.encode()).digest()[0] % 2]


def predict(url: str, raw: bytes) -> tuple[str, str | None]:
    """The page's published day ('' when none) and the source it came from."""
    try:
        tree = parse_tree(decode_document(raw))
    except (DecodeError, ValueError):
        return "", None
    page = read_page_meta(tree)
    locale = page.html_lang or page.first("og:locale") or ""
    found = find_dates(tree, page, Hints(url=url), day_first=not _US_STYLE.match(locale))
    return (found.published_on.isoformat() if found.published_on else ""), found.published_source


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--misses", choices=("A", "B", "AB"), default=None, help="list the misses of these halves"
    )
    parser.add_argument("--out", type=Path, default=None, help="write url/date/source JSONL here")
    args = parser.parse_args()
    truth = {row["url"]: row["date"] for row in map(json.loads, (CORPUS / "truth-date.jsonl").open())}
    paths = {row["url"]: row["path"] for row in map(json.loads, (CORPUS / "manifest.jsonl").open())}
    ok: Counter[str] = Counter()
    total: Counter[str] = Counter()
    rows = []
    for url, gold in truth.items():
        got, source = predict(url, gzip.decompress((CORPUS / paths[url]).read_bytes()))
        part = half(url)
        total[part] += 1
        ok[part] += got == gold
        rows.append({"url": url, "half": part, "gold": gold, "date": got, "source": source})
        if args.misses and part in args.misses and got != gold:
            print(f"MISS {part} gold={gold} got={got or '-'} source={source} {url}", file=sys.stderr)
    if args.out:
        with args.out.open("w") as handle:
            handle.writelines(json.dumps(row) + "\n" for row in rows)
    for part in "AB":
        print(f"half {part}: {ok[part] / total[part]:.3f} ({ok[part]}/{total[part]})")
    all_ok, all_total = sum(ok.values()), sum(total.values())
    print(f"date accuracy {all_ok / all_total:.3f} ({all_ok}/{all_total})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
