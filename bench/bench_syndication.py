"""Benchmark and evaluate syndication clustering (transforms.syndication.minhash).

Builds a synthetic wire day from real corpus text: distinct stories made of random
sentences from the corpus bodies, a share of them carried by several publishers with
typical edits (a rewritten intro, a cut ending, changed words, an agency credit). Then:

* clusters all articles in one call and prints articles/s and pairwise precision/recall
  against the known story of every article;
* clusters the same articles in two incremental calls (the second against the stored
  signatures of the first) and prints how far that partition differs from the one-shot one;
* with --show, prints the clusters found among the real corpus bodies themselves.

Corpus bodies come from the HTML extractor and are cached (first run: a few minutes):

    .venv/bin/python bench/bench_syndication.py                      # 10,000 articles
    .venv/bin/python bench/bench_syndication.py --articles 2000 --show
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import time
from collections import Counter
from collections.abc import Hashable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from transforms.syndication.minhash import ClusterResult, cluster_articles

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "web"
AGENCIES = ("dpa", "AFP", "Reuters", "AP")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def corpus_bodies(cache: Path) -> list[str]:
    """Article bodies of the corpus pages, extracted once and cached as JSON lines."""
    if not cache.exists():
        from transforms.article import Hints
        from transforms.extraction.decoding import DecodeError, decode_document
        from transforms.extraction.html_article import parse_html

        cache.parent.mkdir(parents=True, exist_ok=True)
        with cache.open("w") as out:
            for line in (CORPUS / "manifest.jsonl").open():
                row = json.loads(line)
                raw = gzip.decompress((CORPUS / row["path"]).read_bytes())
                try:
                    body = parse_html(decode_document(raw), Hints(url=row["url"])).body
                except (DecodeError, ValueError):
                    body = ""
                out.write(json.dumps({"url": row["url"], "body": body}, ensure_ascii=False) + "\n")
    return [json.loads(line).get("body") or "" for line in cache.open()]


def _paragraphs(sentences: list[str], rng: random.Random) -> str:
    paragraphs, i = [], 0
    while i < len(sentences):
        size = rng.randint(2, 4)
        paragraphs.append(" ".join(sentences[i : i + size]))
        i += size
    return "\n\n".join(paragraphs)


def _copy(story: list[str], pool: list[str], rng: random.Random, agency: str) -> str:
    """A publisher's version of a wire story: new intro, cut ending, a few words changed."""
    sentences = list(story)
    if rng.random() < 0.6:  # rewritten intro
        sentences[:2] = rng.sample(pool, 2)
    if rng.random() < 0.5:  # the ending cut
        sentences = sentences[: max(4, int(len(sentences) * rng.uniform(0.65, 1.0)))]
    words = " ".join(sentences).split(" ")
    vocabulary = rng.choice(pool).split()
    for _ in range(max(1, len(words) // 60)):  # a changed word here and there
        words[rng.randrange(len(words))] = rng.choice(vocabulary)
    body = _paragraphs(" ".join(words).split(". "), rng).replace("\n\n", ".\n\n")
    return f"{body} ({agency})" if rng.random() < 0.5 else body


def synthetic_day(bodies: list[str], articles: int, seed: int = 1) -> pl.DataFrame:
    """`articles` articles: 75% of stories single, 25% carried by 2-7 publishers; `story` is the truth."""
    rng = random.Random(seed)
    pool = [s for body in bodies for s in _SENTENCE_END.split(body) if 6 <= len(s.split()) <= 60]
    start = datetime(2024, 5, 1, tzinfo=UTC)
    rows: list[dict[str, object]] = []
    story_id = 0
    while len(rows) < articles:
        story = rng.sample(pool, rng.randint(6, 25))
        agency = rng.choice(AGENCIES)
        published = start + timedelta(minutes=rng.randint(0, 24 * 60))
        copies = rng.randint(1, 6) if rng.random() < 0.25 else 0
        versions: list[tuple[str, list[str], str | None]] = [
            ("Wire" if copies and rng.random() < 0.3 else f"Paper {rng.randint(1, 300)}", story, None)
        ]
        versions += [(f"Paper {rng.randint(1, 300)}", story, agency) for _ in range(copies)]
        for n, (publisher, sentences, credit) in enumerate(versions):
            body = _paragraphs(sentences, rng) if n == 0 else _copy(sentences, pool, rng, agency)
            rows.append(
                {
                    "article_id": f"{len(rows):06d}",
                    "body": body,
                    "publisher": agency if publisher == "Wire" else publisher,
                    "agency": credit,
                    "published_at": published + timedelta(minutes=rng.randint(0, 300) * (n > 0)),
                    "first_seen_at": start + timedelta(days=1),
                    "story": story_id,
                }
            )
        story_id += 1
    return pl.DataFrame(rows[:articles]).with_columns(
        pl.col("published_at", "first_seen_at").cast(pl.Datetime("us", "UTC"))
    )


def _pairs(sizes: list[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def pairwise_scores(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> tuple[float, float]:
    """Pairwise precision and recall of a predicted partition against a true one."""
    both = _pairs(list(Counter(zip(truth, predicted, strict=True)).values()))
    predicted_pairs = _pairs(list(Counter(predicted).values()))
    true_pairs = _pairs(list(Counter(truth).values()))
    return (both / predicted_pairs if predicted_pairs else 1.0, both / true_pairs if true_pairs else 1.0)


def _partition(day: pl.DataFrame, *results: ClusterResult) -> list[str]:
    clusters: dict[str, str] = {}
    for result in results:  # later calls overwrite the changed rows of earlier ones
        clusters.update(zip(result.assignments["article_id"], result.assignments["cluster_id"], strict=True))
    return [clusters[a] for a in day["article_id"]]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument(
        "--bodies",
        type=Path,
        default=Path("/tmp/warehouse-pure/corpus-bodies.jsonl"),
        help="cache of extracted corpus bodies (JSON lines with 'body')",
    )
    parser.add_argument("--show", action="store_true", help="print the clusters among the real corpus bodies")
    args = parser.parse_args()

    bodies = corpus_bodies(args.bodies)
    day = synthetic_day(bodies, args.articles)
    truth = day["story"].to_list()
    print(
        f"{day.height} articles, {day['story'].n_unique()} stories, "
        f"{sum(n > 1 for n in Counter(truth).values())} carried by several publishers"
    )

    started = time.perf_counter()
    one_shot = cluster_articles(day.drop("story"))
    elapsed = time.perf_counter() - started
    precision, recall = pairwise_scores(truth, _partition(day, one_shot))
    originals = one_shot.assignments.filter(pl.col("is_original") & (pl.col("cluster_size") > 1)).height
    print(
        f"one call:    {day.height / elapsed:,.0f} articles/s ({elapsed:.1f} s); "
        f"pairwise precision {precision:.3f}, recall {recall:.3f}; {originals} syndicated clusters"
    )

    half = day.height // 2
    started = time.perf_counter()
    first = cluster_articles(day[:half].drop("story"))
    stored = first.signatures.join(first.assignments.drop("cluster_id"), on="article_id")
    second = cluster_articles(day[half:].drop("story"), existing_signatures=stored)
    elapsed = time.perf_counter() - started
    agreement = pairwise_scores(_partition(day, one_shot), _partition(day, first, second))
    precision, recall = pairwise_scores(truth, _partition(day, first, second))
    print(
        f"two calls:   {day.height / elapsed:,.0f} articles/s ({elapsed:.1f} s); "
        f"pairwise precision {precision:.3f}, recall {recall:.3f}; "
        f"agreement with one call {agreement[0]:.3f}/{agreement[1]:.3f}"
    )

    if args.show:
        real = pl.DataFrame({"article_id": [f"{i:04d}" for i in range(len(bodies))], "body": bodies})
        result = cluster_articles(real)
        groups = (
            result.assignments.filter(pl.col("cluster_size") > 1).group_by("cluster_id").agg("article_id")
        )
        print(f"real corpus: {groups.height} clusters among {len(bodies)} pages")
        for members in groups["article_id"]:
            print("  " + " | ".join(bodies[int(m)][:70].replace("\n", " ") for m in members))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
