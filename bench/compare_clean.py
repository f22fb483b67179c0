"""Run the clean stage (and optionally tag) over the dev web corpus and dump every row, to
compare two versions of the code field by field, or to profile clean's CPU cost per page.

    .venv/bin/python bench/compare_clean.py dump /tmp/clean_before.jsonl [--tag]
    .venv/bin/python bench/compare_clean.py diff /tmp/clean_before.jsonl /tmp/clean_after.jsonl
    .venv/bin/python bench/compare_clean.py profile [--top 40]

Rows are keyed by doc_key; `quarantined_at` (wall clock) is left out. CPU per page is process
CPU time (user + system), which holds up on a shared machine where wall time does not.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import pstats
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from transforms.document import RawDocument
from transforms.extraction.clean import clean_batch

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "web"
FETCHED = datetime(2026, 1, 1, tzinfo=UTC)
VOLATILE = {"quarantined_at"}


def load_docs(limit: int | None = None) -> list[RawDocument]:
    rows = [json.loads(line) for line in (CORPUS / "manifest.jsonl").open()][:limit]
    return [RawDocument(url=r["url"], source="web", fetched_at=FETCHED, path=r["path"],
                        raw=gzip.decompress((CORPUS / r["path"]).read_bytes()))
            for r in rows]


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def dump(out: Path, tag: bool) -> None:
    docs = load_docs()
    cpu = time.process_time()
    batch = clean_batch(docs, "compare")
    clean_cpu = time.process_time() - cpu
    print(f"clean: {len(docs)} pages, {1000 * clean_cpu / len(docs):.1f} ms CPU per page, "
          f"{len(batch.articles)} articles, {len(batch.quarantined)} quarantined")
    mentions: dict[str, list[object]] = {}
    if tag:
        from transforms.entities.tag_rows import tag_inputs
        from transforms.entities.tagging import Tagger

        tagger = Tagger(None)
        inputs = tag_inputs(batch.articles)
        tagger.tag(inputs[:4])  # load the model outside the timing
        cpu = time.process_time()
        found, entities = tagger.tag(inputs)
        tag_cpu = time.process_time() - cpu
        print(f"tag: {len(inputs)} articles, {1000 * tag_cpu / len(inputs):.1f} ms CPU per article, "
              f"{len(found)} mentions, {len(entities)} entities")
        from dataclasses import asdict
        for m in found:
            mentions.setdefault(m.article_id, []).append(_plain(asdict(m)))
        mentions["__entities__"] = sorted((_plain(asdict(e)) for e in entities),
                                          key=lambda e: json.dumps(e, sort_keys=True))
    with out.open("w") as handle:
        for row in batch.articles:
            handle.write(json.dumps({"kind": "article", "key": row["doc_key"], "row": _plain(row)},
                                    ensure_ascii=False, sort_keys=True) + "\n")
        for row in batch.quarantined:
            handle.write(json.dumps({"kind": "quarantine", "key": row["doc_key"], "row": _plain(row)},
                                    ensure_ascii=False, sort_keys=True) + "\n")
        for key, rows in mentions.items():
            handle.write(json.dumps({"kind": "mentions", "key": key, "row": rows},
                                    ensure_ascii=False, sort_keys=True) + "\n")


def diff(before: Path, after: Path) -> int:
    def read(path: Path) -> dict[tuple[str, str], object]:
        return {(r["kind"], r["key"]): r["row"] for r in map(json.loads, path.open())}

    a, b = read(before), read(after)
    differing = 0
    for key in sorted(set(a) | set(b)):
        if a.get(key) == b.get(key):
            continue
        differing += 1
        ra, rb = a.get(key), b.get(key)
        fields = (sorted(k for k in set(ra) | set(rb) if ra.get(k) != rb.get(k))
                  if isinstance(ra, dict) and isinstance(rb, dict) else ["(row)"])
        if differing <= 20:
            print(f"{key[0]} {key[1]}: {', '.join(fields)}")
    print(f"{differing} differing rows of {len(set(a) | set(b))}")
    return 1 if differing else 0


def cpu_time(warmup: int, limit: int | None) -> None:
    """Process CPU per page: the first `warmup` pages (imports, models, caches) apart from the rest."""
    docs = load_docs(limit)
    start = time.process_time()
    clean_batch(docs[:warmup], "warmup")
    warm = time.process_time()
    clean_batch(docs[warmup:], "timed")
    end = time.process_time()
    print(f"clean: {1000 * (end - warm) / (len(docs) - warmup):.1f} ms CPU per page after {warmup} "
          f"warm-up pages ({end - start:.1f} s CPU in all, {1000 * (end - start) / len(docs):.1f} ms per page)")


def profile(top: int, limit: int | None, save: Path | None) -> None:
    docs = load_docs(limit)
    profiler = cProfile.Profile()
    cpu = time.process_time()
    profiler.enable()
    clean_batch(docs, "profile")
    profiler.disable()
    print(f"{1000 * (time.process_time() - cpu) / len(docs):.1f} ms CPU per page (under cProfile)")
    if save:
        profiler.dump_stats(save)
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--tag", action="store_true")
    c = sub.add_parser("diff")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    t = sub.add_parser("time")
    t.add_argument("--warmup", type=int, default=40)
    t.add_argument("--limit", type=int, default=None, help="only the first N pages")
    p = sub.add_parser("profile")
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--limit", type=int, default=None, help="only the first N pages")
    p.add_argument("--save", type=Path, default=None, help="write the raw profile here")
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out, args.tag)
        return 0
    if args.command == "diff":
        return diff(args.before, args.after)
    if args.command == "time":
        cpu_time(args.warmup, args.limit)
        return 0
    profile(args.top, args.limit, args.save)
    return 0


if __name__ == "__main__":
    sys.exit(main())
