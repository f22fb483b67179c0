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


def detect_language(text: str) -> str | None:
    """Text in, ISO 639-1 code out ("de", "en"); None when the text is too short or the guess unsure."""
    if not text:
        return None
    sample = _URLISH.sub(" ", text[:MAX_CHARS])
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None
    lang, confidence = _identifier().classify(sample)
    if confidence < MIN_CONFIDENCE or not isinstance(lang, str) or len(lang) != 2:
        return None
    return lang
