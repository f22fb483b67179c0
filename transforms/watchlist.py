"""The analyst's own entities: a TOML watchlist, matched everywhere, always.

A watchlist names the entities an analyst must never miss (the client brand,
its CEO, competitors). Every alias is found in every article, whatever its
language and whether or not statistical NER saw it.

File format (TOML, one ``[[entity]]`` table per entity)::

    [[entity]]
    name = "Apple Inc."          # canonical name (required)
    type = "ORG"                 # spaCy/OntoNotes label, default "ORG"
    aliases = ["Apple", "AAPL"]  # other spellings; the name itself is always an alias
    id = "client:apple"          # stable external id (optional; recommended)
    case_sensitive = false       # optional: true for aliases that are also common words

Matching rules (all aliases of all entities in one Aho-Corasick automaton, so
10,000 aliases cost about as much as ten):

- case-tolerant ("APPLE", "apple") unless ``case_sensitive = true``;
- accent-tolerant ("Nestle" finds "Nestlé" and back);
- punctuation-tolerant: every run of non-alphanumeric characters counts as
  one space, so "Apple Inc." finds "Apple, Inc" and "Apple Inc"; a dot inside
  a token is dropped, so "S.A." finds "SA";
- word boundaries respected: "Apple" is not found in "pineapple" or "Applebee";
- longest match wins where aliases overlap.

Offsets of every match point into the original text (``text[start:end]`` is
the surface as written).
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from mediamon.errors import ConfigError

ENTITY_TYPES = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)


class WatchlistError(ConfigError):
    """A watchlist file that cannot be used; the message names the file and the fix."""


@dataclass(frozen=True)
class WatchEntity:
    """One watchlist entry as configured."""

    name: str
    entity_type: str
    aliases: tuple[str, ...]
    external_id: str | None = None
    case_sensitive: bool = False


@dataclass(frozen=True)
class WatchMatch:
    """One alias found in a text: offsets into the original text."""

    start: int
    end: int
    entity: WatchEntity


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for tolerant matching; return it with a map back to ``text``.

    Folding: accents removed (NFKD, combining marks dropped), casefolded, every
    run of non-alphanumeric characters turned into one space. ``index[i]`` is
    the position in ``text`` of folded character ``i``.
    """
    out: list[str] = []
    index: list[int] = []
    in_gap = False
    for pos, char in enumerate(text):
        # A dot inside a token joins it: "S.A." folds like "SA", "E.ON" like "EON".
        if char == "." and 0 < pos < len(text) - 1 and text[pos - 1].isalnum() and text[pos + 1].isalnum():
            continue
        if not char.isalnum():
            if not in_gap:
                out.append(" ")
                index.append(pos)
                in_gap = True
            continue
        in_gap = False
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            for folded in part.casefold():
                out.append(folded)
                index.append(pos)
    return "".join(out), index


def _fold(text: str) -> str:
    return fold_with_offsets(text)[0].strip()


@dataclass
class Watchlist:
    """A set of watch entities compiled into one automaton."""

    entities: list[WatchEntity] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._automaton = ahocorasick.Automaton()
        keys: dict[str, list[tuple[str, WatchEntity]]] = {}
        for entity in self.entities:
            for alias in entity.aliases:
                key = _fold(alias)
                if key:
                    keys.setdefault(key, []).append((alias, entity))
        for key, owners in keys.items():
            self._automaton.add_word(key, (key, owners))
        if keys:
            self._automaton.make_automaton()
        self._empty = not keys

    @property
    def upper_aliases(self) -> frozenset[str]:
        """All-caps aliases ("AAPL"): casing repair must leave these upper-case."""
        return frozenset(a for e in self.entities for a in e.aliases if a.isupper() and len(a) > 1)

    def find(self, text: str) -> list[WatchMatch]:
        """Return non-overlapping matches in ``text``, longest first, in text order."""
        if self._empty or not text:
            return []
        folded, index = fold_with_offsets(text)
        candidates: list[WatchMatch] = []
        for end_pos, (key, owners) in self._automaton.iter(folded):
            start_pos = end_pos - len(key) + 1
            # Folded text has a single space wherever the original had punctuation.
            if start_pos > 0 and folded[start_pos - 1] != " ":
                continue
            if end_pos + 1 < len(folded) and folded[end_pos + 1] != " ":
                continue
            start, end = index[start_pos], index[end_pos] + 1
            surface = text[start:end]
            for alias, entity in owners:
                if entity.case_sensitive and _strip_accents(surface) != _strip_accents(alias):
                    continue
                candidates.append(WatchMatch(start, end, entity))
                break
        return _longest_first(candidates)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _longest_first(candidates: Iterable[WatchMatch]) -> list[WatchMatch]:
    taken: list[WatchMatch] = []
    for match in sorted(candidates, key=lambda m: (-(m.end - m.start), m.start)):
        if all(match.end <= t.start or match.start >= t.end for t in taken):
            taken.append(match)
    return sorted(taken, key=lambda m: m.start)


def parse_watchlist(text: str, origin: str = "<watchlist>") -> Watchlist:
    """Parse watchlist TOML text (format in the module docstring) into a `Watchlist`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WatchlistError(f"watchlist {origin} is not valid TOML ({exc}); fix the syntax") from exc
    entities: list[WatchEntity] = []
    for number, row in enumerate(data.get("entity", []), start=1):
        name = str(row.get("name", "")).strip()
        if not name:
            raise WatchlistError(f"watchlist {origin}: entity #{number} has no name; add name = \"...\"")
        entity_type = str(row.get("type", "ORG")).upper()
        if entity_type not in ENTITY_TYPES:
            raise WatchlistError(
                f"watchlist {origin}: entity {name!r} has type {entity_type!r}; "
                f"use one of {', '.join(sorted(ENTITY_TYPES))}"
            )
        aliases = [name, *[str(a).strip() for a in row.get("aliases", []) if str(a).strip()]]
        external_id = row.get("id")
        entities.append(
            WatchEntity(
                name=name,
                entity_type=entity_type,
                aliases=tuple(dict.fromkeys(aliases)),
                external_id=str(external_id) if external_id else None,
                case_sensitive=bool(row.get("case_sensitive", False)),
            )
        )
    return Watchlist(entities)


def load_watchlist(path: Path | None) -> Watchlist:
    """Read a watchlist TOML file; ``None`` gives an empty watchlist."""
    if path is None:
        return Watchlist([])
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise WatchlistError(f"watchlist {path} cannot be read ({exc.strerror}); check the path") from exc
    return parse_watchlist(text, origin=str(path))
