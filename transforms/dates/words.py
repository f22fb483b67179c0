"""The words pages write next to a date to say it is the publication or the last change.

One copy for every date rule that reads labels (`datelines` on HTML, `dump_dates` on text
dumps), in the languages of the corpora. Each rule builds its own pattern from these lists with
`alternation`: dumps match whole words, HTML class names and contexts match anywhere
("dateModified", "post-updated").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PUBLISHED_WORDS: tuple[str, ...] = (
    "published", "publication", "posted", "written",  # en
    "veröffentlicht", "erschienen", "erstellt", "publiziert", "gepostet", "online seit",  # de
    "publié", "mise en ligne",  # fr
    "publicado", "publicada", "publicación",  # es, pt
    "pubblicato", "pubblicata",  # it
    "gepubliceerd",  # nl
    "opublikowano",  # pl
    "publikováno",  # cs
    # Further languages of unseen pages. No noun labels ("Erscheinungsdatum", "publication date"):
    # a review states its book's or record's release with them.
    "publicerad", "publicerat", "udgivet", "publisert", "julkaistu", "yayınlanma", "yayınlandı",
    "publicat", "közzétéve", "opublikowany", "опубликовано", "опубліковано", "objavljeno",
)
MODIFIED_WORDS: tuple[str, ...] = (
    "update", "updated", "modified", "last modified", "last edited", "edited", "revised",  # en
    "aktualisiert", "geändert", "änderung", "bearbeitet", "zuletzt", "stand:",  # de
    "mis à jour", "modifié",  # fr
    "actualizado", "actualizada", "actualización", "atualizado", "atualizada",  # es, pt
    "aggiornato", "aggiornata",  # it
    "bijgewerkt",  # nl
    "uppdaterad", "opdateret", "oppdatert", "päivitetty", "güncellendi", "güncelleme",
    "actualizat", "zaktualizowano", "aktualizováno", "frissítve", "обновлено", "оновлено", "ažurirano",
)


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of `words`, longest first, any run of spaces matching a space."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in ordered) + ")"


# Letters Python's re.IGNORECASE takes as equal beyond their lower case (its `re._casefix`
# table): "ı" matches "i", "ſ" matches "s", the Greek symbol and old Cyrillic forms their letters.
# Each group is written as its lowest member by `casefree`.
_CASE_GROUPS = (
    "iı", "sſ", "µ\u03bc", "\u0345\u03b9\u1fbe", "\u0390\u1fd3", "\u03b0\u1fe3", "\u03b2\u03d0",
    "\u03b5\u03f5", "\u03b8\u03d1", "\u03ba\u03f0", "\u03c0\u03d6", "\u03c1\u03f1", "\u03c2\u03c3",
    "\u03c6\u03d5", "в\u1c80", "д\u1c81", "о\u1c82", "с\u1c83", "т\u1c84\u1c85", "ъ\u1c86", "ѣ\u1c87",
    "\u1c88\ua64b", "\u1e61\u1e9b", "\ufb05\ufb06",
)
_CASE_CANON = {ord(c): min(group) for group in _CASE_GROUPS for c in group if c != min(group)}
_CASE_VARIANT = re.compile("[" + "".join(map(chr, _CASE_CANON)) + "]")


def casefree(text: str) -> str:
    """`text` as re.IGNORECASE compares it, one character for one: lower case ("İ" as "i", its
    simple lower case) with the letters IGNORECASE takes as equal made one ("ı" as "i").

    A case-sensitive search of `casefree(text)` for a pattern of lower-case words finds what an
    IGNORECASE search of `text` finds, many times faster over a long text: Python's re only skips
    ahead by a word's first letter without IGNORECASE; with it, every word is tried at every position.
    """
    text = text.replace("İ", "i").lower()
    if _CASE_VARIANT.search(text):
        text = text.translate(_CASE_CANON)
    return text

