"""Cross-document entity resolution: one entity, one type, one name across the warehouse.

The tagger folds names within one article. Across articles a lone surname ("Haley") and a
name the model typed differently in one article ("Haley" ORG) are separate entities; this
module decides, from statistics the warehouse keeps, which entity each of them counts for.

Input: one `EntityStats` per tagged entity (the articles that mention it in the period).
Output: one `Resolution` per entity that is *not* counted as itself, or is ambiguous:

1. **Type by the majority of articles.** Entities without a KB/watchlist id that share a
   name (case-folded) but differ in type: when one type has most of the name's articles
   (more than half, and at least ``min_articles``), the others count for it. A name seen as
   PERSON in most of its articles is not made an ORG or PRODUCT by one noisy label.
2. **A lone surname folds into the one prominent full name.** A one-word PERSON (after
   step 1), or an ORG/PRODUCT when that person has at least half its coverage and is named in
   most of its articles, folds into the multi-word PERSON whose last word it is, when exactly one such
   person is *prominent* in the period: mentioned in at least ``min_articles`` articles and
   in at least ``PROMINENCE_SHARE`` of the articles of the surname's best-known person.
   Two or more prominent candidates: the surname stays itself, status ``"ambiguous"``,
   with the candidates listed.

Pure: the warehouse (`mediamon.entity_registry`) gathers the statistics, stores the result
in `entity_registry` and re-points stored mentions.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

MIN_ARTICLES = 2
# A namesake with under a quarter of the best-known one's coverage does not make a surname ambiguous.
PROMINENCE_SHARE = 0.25
# Types a name may be moved between by the majority rule (places and KB types are the KB's business).
# One-word names the surname rule looks at: the small model often calls a surname ORG or PRODUCT.
SURNAME_TYPES = frozenset({"PERSON", "ORG", "PRODUCT"})
RETYPABLE = frozenset({"PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "NORP", "EVENT", "GPE", "LOC", "FAC"})


@dataclass(frozen=True)
class EntityStats:
    """A tagged entity and the number of distinct articles mentioning it in the period."""

    entity_id: str
    name: str
    entity_type: str
    external_id: str | None
    articles: int
    # Of those articles, how many also name a multi-word PERSON whose last word is this name.
    with_full_name: int = 0


@dataclass(frozen=True)
class Resolution:
    """``entity_id``'s mentions count for ``resolved_id``; ``status`` says why ("type", "surname",
    "ambiguous": then ``resolved_id`` is ``entity_id`` and ``candidates`` lists the full names)."""

    entity_id: str
    resolved_id: str
    status: str
    candidates: tuple[str, ...] = ()


def name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def surname_key(name: str) -> str:
    """`name_key` of the name's last word: the key a full name is found by from its lone surname."""
    words = name.split()
    return name_key(words[-1]) if words else ""


def resolve(
    stats: Iterable[EntityStats], min_articles: int = MIN_ARTICLES, share: float = PROMINENCE_SHARE
) -> list[Resolution]:
    """Resolutions for ``stats`` (rules in the module docstring); entities that count as themselves
    are left out."""
    entities = {s.entity_id: s for s in stats}
    target: dict[str, str] = {}
    status: dict[str, Resolution] = {}

    # 1. One type per name: the type of most of the name's articles.
    by_name: dict[str, list[EntityStats]] = defaultdict(list)
    for s in entities.values():
        if s.external_id is None and s.entity_type in RETYPABLE:
            by_name[name_key(s.name)].append(s)
    for group in by_name.values():
        if len({s.entity_type for s in group}) < 2:
            continue
        per_type: dict[str, int] = defaultdict(int)
        for s in group:
            per_type[s.entity_type] += s.articles
        total = sum(per_type.values())
        best = max(per_type, key=lambda t: (per_type[t], t == "PERSON"))
        if per_type[best] < min_articles or 2 * per_type[best] <= total:
            continue
        winner = max((s for s in group if s.entity_type == best), key=lambda s: (s.articles, s.entity_id))
        for s in group:
            if s.entity_type != best:
                target[s.entity_id] = winner.entity_id
                status[s.entity_id] = Resolution(s.entity_id, winner.entity_id, "type")

    def final(entity_id: str) -> str:
        seen = set()
        while entity_id in target and entity_id not in seen:
            seen.add(entity_id)
            entity_id = target[entity_id]
        return entity_id

    # 2. A lone surname -> the one prominent full name. Coverage counts what folds into each entity.
    coverage: dict[str, int] = defaultdict(int)
    for s in entities.values():
        coverage[final(s.entity_id)] += s.articles
    full_names: dict[str, list[EntityStats]] = defaultdict(list)
    for s in entities.values():
        if s.entity_type == "PERSON" and len(s.name.split()) > 1 and final(s.entity_id) == s.entity_id:
            full_names[surname_key(s.name)].append(s)
    for s in entities.values():
        if s.external_id is not None or final(s.entity_id) != s.entity_id:
            continue
        if s.entity_type not in SURNAME_TYPES or len(s.name.split()) != 1:
            continue
        people = full_names.get(name_key(s.name), [])
        if not people:
            continue
        top = max(coverage[p.entity_id] for p in people)
        prominent = [p for p in people
                     if coverage[p.entity_id] >= min_articles and coverage[p.entity_id] >= share * top]
        # A one-word ORG/PRODUCT is a mislabelled surname only when the person is at least half as
        # covered as the word itself ("Haley" ORG), not a brand that shares a singer's surname.
        # It must also mostly appear beside that full name: "Bloomberg" the agency is not Michael Bloomberg.
        if s.entity_type != "PERSON" and (
            len(prominent) != 1 or 2 * coverage[prominent[0].entity_id] < coverage[s.entity_id]
            or 2 * s.with_full_name <= s.articles
        ):
            continue
        if len(prominent) == 1:
            target[s.entity_id] = prominent[0].entity_id
            status[s.entity_id] = Resolution(s.entity_id, prominent[0].entity_id, "surname")
        elif len(prominent) > 1:
            names = tuple(sorted(p.name for p in prominent))
            status[s.entity_id] = Resolution(s.entity_id, s.entity_id, "ambiguous", names)

    # Type resolutions point at the end of the chain ("Haley" ORG -> "Haley" PERSON -> "Nikki Haley").
    return [
        Resolution(r.entity_id, final(r.entity_id), r.status, r.candidates) if r.status != "ambiguous" else r
        for r in sorted(status.values(), key=lambda r: r.entity_id)
    ]
