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
