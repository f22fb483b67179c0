#!/usr/bin/env python3
"""Entity quality on the hand-checked dev set: our Tagger vs plain spaCy, same bodies.

`bench/ner_devset.jsonl` lists, for 32 English news pages of the web corpus,
the distinct (canonical name, type) pairs a careful reader finds in the body
extracted with ``trafilatura.extract(html, favor_precision=True)`` (cached by
`bench/bench_ner.py` in /tmp/ner/bodies.jsonl).

Scored: distinct (name, type) pairs per article, names compared as lower-case
word sequences, types folded PERSON→PER, GPE/LOC/FAC→LOC, ORG→ORG (other
types are ignored on both sides). Printed: micro and per-article-averaged
precision/recall/F1 for both systems. Prediction files for
`/work/shared/tools/score.py ner` are written to /tmp/ner/.

    .venv/bin/python bench/eval_ner.py [--show-errors]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ner import load_bodies  # noqa: E402

DEVSET = Path(__file__).resolve().parent / "ner_devset.jsonl"
FOLD = {"PERSON": "PER", "PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
WORD = re.compile(r"\w+")


def key(name: str, kind: str) -> tuple[str, str] | None:
    folded = FOLD.get(kind)
    return (" ".join(WORD.findall(name.lower())), folded) if folded else None


def keys(pairs: list[list[str]] | list[tuple[str, str]]) -> set[tuple[str, str]]:
    return {k for name, kind in pairs if (k := key(name, kind))}


def score(gold: dict[str, set], pred: dict[str, set]) -> str:
    tp = sum(len(gold[u] & pred[u]) for u in gold)
    got = sum(len(pred[u]) for u in gold)
    want = sum(len(gold[u]) for u in gold)
    p, r = tp / got if got else 0.0, tp / want if want else 0.0
    per_p = [len(gold[u] & pred[u]) / len(pred[u]) for u in gold if pred[u]]
    per_r = [len(gold[u] & pred[u]) / len(gold[u]) for u in gold if gold[u]]
    ap, ar = sum(per_p) / len(per_p), sum(per_r) / len(per_r)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"micro P {p:.3f} R {r:.3f} F1 {f:.3f} | per-article P {ap:.3f} R {ar:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()

    from transforms.entities.tagging import TagInput, Tagger
    from transforms.entities.ner import NER_LABELS, load_pipeline

    devset = [json.loads(line) for line in DEVSET.open(encoding="utf-8")]
    bodies = {r["url"]: r["body"] for r in load_bodies()}
    gold = {d["url"]: keys(d["entities"]) for d in devset}

    nlp = load_pipeline()
    plain_pairs = {
        d["url"]: [(e.text, e.label_) for e in nlp(bodies[d["url"]]).ents if e.label_ in NER_LABELS] for d in devset
    }
    tagger = Tagger()
    mentions, entities = tagger.tag([TagInput(d["url"], "", bodies[d["url"]], "en") for d in devset])
    by_id = {e.entity_id: e for e in entities}
    ours_pairs: dict[str, list[tuple[str, str]]] = {d["url"]: [] for d in devset}
    for m in mentions:
        e = by_id[m.entity_id]
        ours_pairs[m.article_id].append((e.canonical_name, e.entity_type))

    for name, pairs in (("plain", plain_pairs), ("tagger", ours_pairs)):
        with open(f"/tmp/ner/pred-{name}.jsonl", "w", encoding="utf-8") as f:
            for url, p in pairs.items():
                f.write(json.dumps({"url": url, "entities": sorted(set(p))}, ensure_ascii=False) + "\n")
    with open("/tmp/ner/truth-ner.jsonl", "w", encoding="utf-8") as f:
        for d in devset:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")

    plain = {u: keys(p) for u, p in plain_pairs.items()}
    ours = {u: keys(p) for u, p in ours_pairs.items()}
    print(f"{len(devset)} articles, {sum(len(g) for g in gold.values())} gold (name, type) pairs")
    print(f"plain spaCy: {score(gold, plain)}")
    print(f"Tagger:      {score(gold, ours)}")
    if args.show_errors:
        for url in gold:
            fp, fn = sorted(ours[url] - gold[url]), sorted(gold[url] - ours[url])
            if fp or fn:
                print(f"\n{url}\n  extra:   {fp}\n  missing: {fn}")


if __name__ == "__main__":
    main()
