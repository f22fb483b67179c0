#!/usr/bin/env python3
"""Entity quality on German pages: the hand-checked gold in `bench/ner_devset_de.jsonl`.

The gold lists, for 42 German pages of the web corpus (every third German page
with a 600-1,800-character body, then six more; 8 have no entity at all), the
distinct people, organisations and places a careful reader finds in the body
extracted with ``trafilatura.extract(html, favor_precision=True)`` (cached by
`bench/bench_ner.py` in /tmp/ner/bodies.jsonl). An entry is ``[name, type]`` or
``[name, type, [other spellings in the text]]`` (German inflects names:
"Bundeskriminalamtes", "Europas").

Scored per article, types folded PERSON→PER, ORG→ORG, GPE/LOC/FAC→LOC (other
types ignored on both sides): a predicted entity is right when its canonical
name or one of its surfaces in the article equals (as lower-case words) the gold
name or one of its spellings, with the same folded type. Printed: micro P/R/F1
overall and per type.

``--top N`` also tags every German body of the corpus and prints the N people
and N organisations with the most mentions (what the report's top lists show),
for hand-checking their precision.

Figures (README "Entities in other languages") were measured with this script.

    .venv/bin/python bench/eval_ner_de.py [--show-errors] [--top 20]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ner import load_bodies  # noqa: E402

DEVSET = Path(__file__).resolve().parent / "ner_devset_de.jsonl"
FOLD = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
WORD = re.compile(r"\w+")


def norm(name: str) -> str:
    return " ".join(WORD.findall(name.lower()))


def gold_items(entities: list[list]) -> list[tuple[str, set[str]]]:
    """(folded type, accepted names) per gold entity."""
    out = []
    for entry in entities:
        name, kind = entry[0], entry[1]
        forms = {norm(name)} | {norm(a) for a in (entry[2] if len(entry) > 2 else [])}
        if kind in FOLD:
            out.append((FOLD[kind], forms))
    return out


def score(gold: dict[str, list[tuple[str, set[str]]]],
          pred: dict[str, list[tuple[str, set[str]]]]) -> dict[str, tuple[int, int, int]]:
    """Per folded type (and "all"): (true predictions, predictions, gold entities found)."""
    tallies: dict[str, list[int]] = {}
    for url, items in gold.items():
        for kind in ("all", "PER", "ORG", "LOC"):
            g = [forms for k, forms in items if kind in ("all", k)]
            p = [(k, forms) for k, forms in pred.get(url, []) if kind in ("all", k)]
            gk = [(k, forms) for k, forms in items if kind in ("all", k)]
            right = sum(1 for k, forms in p if any(k == gk_ and forms & gf for gk_, gf in gk))
            found = sum(1 for k, forms in gk if any(k == pk and forms & pf for pk, pf in p))
            t = tallies.setdefault(kind, [0, 0, 0, 0])
            t[0] += right
            t[1] += len(p)
            t[2] += found
            t[3] += len(g)
    return {k: (v[0], v[1], v[2], v[3]) for k, v in tallies.items()}  # type: ignore[misc]


def line(label: str, t: tuple[int, ...]) -> str:
    right, predicted, found, wanted = t
    p = right / predicted if predicted else 0.0
    r = found / wanted if wanted else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"{label:5} P {p:.3f} ({right}/{predicted})  R {r:.3f} ({found}/{wanted})  F1 {f:.3f}"


def tag_pages(docs: list[tuple[str, str, str]], mentions_per_entity: Counter[tuple[str, str]] | None = None
              ) -> dict[str, list[tuple[str, str, set[str]]]]:
    """url -> (type, canonical name, surfaces) per entity the tagger found in the body; counts every
    mention per (type, canonical name) into ``mentions_per_entity`` when given."""
    from transforms.entities.tagging import Tagger, TagInput

    tagger = Tagger()
    mentions, entities = tagger.tag([TagInput(url, "", body, lang) for url, body, lang in docs])
    by_id = {e.entity_id: e for e in entities}
    out: dict[str, dict[str, tuple[str, str, set[str]]]] = {}
    for m in mentions:
        e = by_id[m.entity_id]
        _, _, surfaces = out.setdefault(m.article_id, {}).setdefault(
            e.entity_id, (e.entity_type, e.canonical_name, set()))
        surfaces.add(m.surface)
        if mentions_per_entity is not None:
            mentions_per_entity[(e.entity_type, e.canonical_name)] += 1
    return {url: list(found.values()) for url, found in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--top", type=int, default=0, help="print the top N people and organisations")
    args = parser.parse_args()

    devset = [json.loads(line) for line in DEVSET.open(encoding="utf-8")]
    rows = load_bodies()
    bodies = {r["url"]: r["body"] for r in rows}
    gold = {d["url"]: gold_items(d["entities"]) for d in devset}
    found = tag_pages([(d["url"], bodies[d["url"]], "de") for d in devset])
    pred = {url: [(FOLD[k], {norm(name)} | {norm(s) for s in surfaces})
                  for k, name, surfaces in ents if k in FOLD] for url, ents in found.items()}
    tallies = score(gold, pred)
    print(f"{len(devset)} German pages, {sum(len(v) for v in gold.values())} gold entities (PER/ORG/LOC)")
    for kind in ("all", "PER", "ORG", "LOC"):
        print(line(kind, tallies[kind]))

    if args.show_errors:
        for d in devset:
            url = d["url"]
            items = gold[url]
            for k, name, surfaces in found.get(url, []):
                forms = {norm(name)} | {norm(s) for s in surfaces}
                if k in FOLD and not any(FOLD[k] == gk and forms & gf for gk, gf in items):
                    print(f"  FP {FOLD[k]:3} {name!r} {sorted(surfaces)}  {url[:60]}")
            for gk, gf in items:
                if not any(FOLD.get(k) == gk and ({norm(n)} | {norm(s) for s in ss}) & gf
                           for k, n, ss in found.get(url, [])):
                    print(f"  FN {gk:3} {sorted(gf)[0]!r}  {url[:60]}")

    if args.top:
        german = [(r["url"], r["body"], "de") for r in rows if r["lang"] == "de" and r["body"]]
        counts: Counter[tuple[str, str]] = Counter()
        tag_pages(german, counts)
        print(f"\ntop people and organisations on {len(german)} German pages (mentions, as the report):")
        for kind in ("PERSON", "ORG"):
            top = [(name, n) for (k, name), n in counts.most_common() if k == kind][: args.top]
            print(f"{kind}: " + (", ".join(f"{name} ({n})" for name, n in top) or "(none)"))


if __name__ == "__main__":
    main()
