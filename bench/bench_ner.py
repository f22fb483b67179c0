#!/usr/bin/env python3
"""Throughput of entity tagging: plain spaCy in one process vs the pipeline's worker pool (`LocalStages.tag`).

Bodies come from the web corpus: extracted once with
``trafilatura.extract(html, favor_precision=True)`` and cached in
/tmp/ner/bodies.jsonl (language from py3langid). English bodies only, since
statistical NER runs on English only; the set is repeated ``--repeat`` times so
the pool's start-up (spawn, import spaCy, load the model) is amortised as in a
real batch run.

    .venv/bin/python bench/bench_ner.py --workers 2 --repeat 3

Prints docs/s for plain spaCy (same model, same NER-only pipeline, one
process), for `Tagger.tag` in one process, for `LocalStages.tag`, and the ratio
parallel / plain spaCy (target >= 1.8 with 2 workers).
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

CORPUS = Path("/work/shared/corpora/web")
CACHE = Path("/tmp/ner/bodies.jsonl")


def load_bodies() -> list[dict]:
    """Extracted title/body/language per corpus page, cached under /tmp/ner/."""
    if not CACHE.exists():
        import py3langid
        import trafilatura

        CACHE.parent.mkdir(parents=True, exist_ok=True)
        with CACHE.open("w", encoding="utf-8") as out:
            for line in (CORPUS / "manifest.jsonl").open():
                row = json.loads(line)
                html = gzip.open(CORPUS / row["path"]).read()
                body = trafilatura.extract(html, favor_precision=True) or ""
                meta = trafilatura.extract_metadata(html)
                title = (meta.title if meta else "") or ""
                lang = py3langid.classify(body)[0] if body else None
                out.write(json.dumps({"url": row["url"], "path": row["path"], "title": title, "body": body,
                                      "lang": lang}) + "\n")
    return [json.loads(line) for line in CACHE.open(encoding="utf-8")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="times the English bodies are repeated")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--skip-single-tagger", action="store_true")
    args = parser.parse_args()

    from flows.runners import LocalStages, split
    from transforms.entities.tagging import TagInput, Tagger
    from transforms.entities.tag_rows import merge_tagged
    from transforms.entities.ner import load_pipeline

    rows = [r for r in load_bodies() if r["lang"] == "en" and r["body"]]
    docs = [TagInput(f"{i}:{r['url']}", r["title"], r["body"], "en") for i, r in enumerate(rows)] * args.repeat
    texts = [t for d in docs for t in (d.title, d.body)]
    chars = sum(len(t) for t in texts)
    print(f"{len(docs)} docs ({len(rows)} distinct English bodies x {args.repeat}), {chars / 1e6:.1f}M chars")

    nlp = load_pipeline()
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=args.batch_size):
        pass
    plain = len(docs) / (time.perf_counter() - start)
    print(f"plain spaCy, 1 process:        {plain:7.1f} docs/s")

    if not args.skip_single_tagger:
        tagger = Tagger(batch_size=args.batch_size)
        tagger.nlp  # noqa: B018 - load outside the timing, as for plain spaCy
        start = time.perf_counter()
        tagger.tag(docs)
        single = len(docs) / (time.perf_counter() - start)
        print(f"Tagger.tag, 1 process:         {single:7.1f} docs/s ({single / plain:.2f}x plain)")

    start = time.perf_counter()
    stages = LocalStages(args.workers, None)
    try:
        mentions, entities = merge_tagged(stages.tag(split(docs, args.batch_size)))
    finally:
        stages.close()
    parallel = len(docs) / (time.perf_counter() - start)
    print(f"LocalStages.tag, {args.workers} workers (incl. start-up): {parallel:7.1f} docs/s")
    print(f"{mentions.height} mentions, {entities.height} entities")
    print(f"ratio LocalStages.tag / plain spaCy: {parallel / plain:.2f}")


if __name__ == "__main__":
    main()
