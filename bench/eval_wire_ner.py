#!/usr/bin/env python3
"""Entity quality on wire copy: mediamon's Tagger vs plain spaCy, on ../shared/corpora/wire.

Each story is given to `transforms.entities.tagging.Tagger` the way the pipeline presents a wire
story: ``title`` = the all-caps first line (as written), ``body`` = the lines after the
dateline, ``dateline_place`` = the place the dateline names. The predicted entities of a
story are the distinct (surface, type) pairs of its mentions, scored with
``../shared/tools/score.py ner`` against ``truth-ner.jsonl`` (headline and dateline
entities are in the gold, so title mentions count).

    .venv/bin/python bench/eval_wire_ner.py [--model NAME_OR_PATH] [--plain] [--show-errors N]

``--plain`` also scores plain spaCy on the raw file (the README's baseline). ``--model``
swaps the spaCy pipeline (a package name or a model directory, e.g. an unpacked
en_core_web_md) to compare models; docs/s is the tagging time over all stories, after
the model is loaded.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WIRE = ROOT.parent / "shared" / "corpora" / "wire"
SCORE = ROOT.parent / "shared" / "tools" / "score.py"
# "LONDON 1996-08-30", "WASHINGTON (Reuters) -": the place, then a date or an agency mark.
DATELINE = re.compile(
    r"^\s*(?P<place>[^\d\n(]{2,60}?)\s*(?:,\s*)?(?:\d{4}-\d{2}-\d{2}|\(\w[^)]*\)\s*[-–—])")


def split_story(text: str) -> tuple[str, str | None, str]:
    """(title, dateline place, body) of a wire story: all-caps first line, dateline, the rest."""
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    title = ""
    after = next((x for x in lines[1:] if x.strip()), "")
    # The first line is the headline when it is in capitals or a dateline follows it.
    if lines and (not any(c.islower() for c in lines[0]) or DATELINE.match(after)):
        title = lines.pop(0).strip()
    while lines and not lines[0].strip():
        lines.pop(0)
    place = None
    if lines:
        match = DATELINE.match(lines[0])
        if match:
            place = match.group("place").strip(" ,")
            lines.pop(0)
    return title, place, "\n".join(lines).strip("\n")


def load_stories() -> list[dict]:
    rows = []
    for line in (WIRE / "manifest.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        row["text"] = (WIRE / row["path"]).read_text(encoding="utf-8")
        rows.append(row)
    return rows


def score(pred: dict[str, list[tuple[str, str]]]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as out:
        for url, pairs in pred.items():
            out.write(json.dumps({"url": url, "entities": sorted(set(pairs))}) + "\n")
    result = subprocess.run([sys.executable, str(SCORE), "ner", str(WIRE / "truth-ner.jsonl"), out.name],
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def tag_mediamon(stories: list[dict], model: str | None) -> tuple[dict, float]:
    from transforms.entities.tagging import TagInput, Tagger

    tagger = Tagger(model=model) if model else Tagger()
    tagger.nlp  # load before timing
    docs = []
    for row in stories:
        title, place, body = split_story(row["text"])
        docs.append(TagInput(row["url"], title, body, "en", dateline_place=place))
    started = time.perf_counter()
    mentions, _ = tagger.tag(docs)
    elapsed = time.perf_counter() - started
    pred: dict[str, list[tuple[str, str]]] = {row["url"]: [] for row in stories}
    for m in mentions:
        pred[m.article_id].append((m.surface, m.entity_type))
    return pred, len(docs) / elapsed


def tag_plain(stories: list[dict], model: str | None) -> tuple[dict, float]:
    import spacy

    from transforms.entities.ner import MODEL, NER_LABELS

    nlp = spacy.load(model or MODEL)
    started = time.perf_counter()
    pred = {}
    for row, doc in zip(stories, nlp.pipe(r["text"] for r in stories), strict=True):
        pred[row["url"]] = [(e.text, e.label_) for e in doc.ents if e.label_ in NER_LABELS]
    return pred, len(stories) / (time.perf_counter() - started)


def show_errors(pred: dict, limit: int) -> None:
    fold = {"PERSON": "PER", "PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
    word = re.compile(r"\w+")
    truth = {json.loads(x)["url"]: json.loads(x)["entities"] for x in (WIRE / "truth-ner.jsonl").open()}

    def keyed(pairs: list) -> set:
        return {(" ".join(word.findall(s.lower())), fold[t]) for s, t in pairs if t in fold}

    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for url, gold in truth.items():
        g, p = keyed(gold), keyed(pred.get(url, []))
        gold_names = {n for n, _ in g}
        for name, kind in p - g:
            fp[f"{kind}:{name}" + (" (type)" if name in gold_names else "")] += 1
        for name, kind in g - p:
            fn[f"{kind}:{name}"] += 1
    print("false positives:", ", ".join(f"{k}×{v}" for k, v in fp.most_common(limit)))
    print("misses:", ", ".join(f"{k}×{v}" for k, v in fn.most_common(limit)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="spaCy package name or model directory (default: the shipped model)")
    parser.add_argument("--plain", action="store_true", help="also score plain spaCy on the raw files")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N")
    args = parser.parse_args()
    stories = load_stories()
    pred, rate = tag_mediamon(stories, args.model)
    print(f"mediamon  {score(pred)} | {rate:.1f} docs/s ({len(stories)} stories)")
    if args.show_errors:
        show_errors(pred, args.show_errors)
    if args.plain:
        plain, plain_rate = tag_plain(stories, args.model)
        print(f"spaCy     {score(plain)} | {plain_rate:.1f} docs/s (full pipeline, raw file)")


if __name__ == "__main__":
    main()
