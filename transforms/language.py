"""Language identification of article text with py3langid (offline model, bundled)."""

from __future__ import annotations

import re
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Below this many letters a language guess is noise ("hello" scores as Breton).
MIN_LETTERS = 20
# Normalised probability a guess needs before we believe it.
MIN_CONFIDENCE = 0.5
# Enough text to decide; classifying a 50 kB body costs time and adds nothing.
MAX_CHARS = 3000

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_URLISH = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def load_model() -> None:
    """Load the identifier's model now rather than on first use (about 70 MB; a worker pool's fork
    server loads it once for all its workers)."""
    _identifier()


def detect_language(text: str, min_confidence: float = MIN_CONFIDENCE, max_chars: int = MAX_CHARS) -> str | None:
    """Text in, ISO 639-1 code out ("de", "en"); None when the text is too short or the guess unsure.

    The one language rule. An article's `language` column keeps only guesses of at least
    `MIN_CONFIDENCE`; a caller that must route the text somewhere anyway (the NER router, for
    an article of unknown language) passes `min_confidence=0.0` and takes the best guess.
    """
    if not text:
        return None
    sample = _URLISH.sub(" ", text[:max_chars])
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None
    lang, confidence = _identifier().classify(sample)
    if confidence < min_confidence or not isinstance(lang, str) or len(lang) != 2:
        return None
    return lang
