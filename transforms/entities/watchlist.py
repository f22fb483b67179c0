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
    # Precision controls (all optional):
    exclude = ["juice", "pie", "apple tree"]  # words/phrases that void a match within the window
    exclude_window = 5           # words before and after a match searched for `exclude` (default 5)
    context = ["iPhone", "Tim Cook", "shares"]  # one must appear in the article ...
    ambiguous = ["Apple"]        # ... for these aliases to count (default: every alias)

An alias can also be a table, for a per-alias case rule or ambiguity::

    aliases = ["AAPL", { alias = "Apple", case_sensitive = true, ambiguous = true }]

Matching rules (all aliases of all entities in one Aho-Corasick automaton, so
10,000 aliases cost about as much as ten):

- case-tolerant ("APPLE", "apple") unless ``case_sensitive = true``;
- accent-tolerant ("Nestle" finds "Nestlé" and back);
- punctuation-tolerant: every run of non-alphanumeric characters counts as
  one space, so "Apple Inc." finds "Apple, Inc" and "Apple Inc"; a dot inside
  a token is dropped, so "S.A." finds "SA";
- word boundaries respected: "Apple" is not found in "pineapple" or "Applebee";
- longest match wins where aliases overlap;
- a match with an `exclude` word or phrase within `exclude_window` words of it (the match's own
  words included, so "apple juice" works as well as "juice") does not count;
- an ambiguous alias counts only when a `context` word or phrase appears somewhere in the
  article (title or body);
- `case_sensitive` (per entry or per alias) compares the surface as written, accents aside.

Each entry has a `fingerprint` over everything that decides its matches, so a changed or new
entry is recognised and the stored articles re-tagged (mediamon/retag.py).

Offsets of every match point into the original text (``text[start:end]`` is
the surface as written).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from mediamon.errors import WatchlistError
from transforms.monitoring.boolean_query import words
from transforms.folding import Folded, fold_text

ENTITY_TYPES = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)


@dataclass(frozen=True)
class WatchEntity:
    """One watchlist entry as configured."""

    name: str
    entity_type: str
    aliases: tuple[str, ...]
    external_id: str | None = None
    case_sensitive: bool = False
    exclude: tuple[tuple[str, ...], ...] = ()  # folded words of each exclude term/phrase
    exclude_window: int = 5
    context: tuple[tuple[str, ...], ...] = ()  # folded words of each context term/phrase
    ambiguous: frozenset[str] | None = None  # aliases that need context; None: all of them
    case_sensitive_aliases: frozenset[str] = frozenset()

    def alias_is_case_sensitive(self, alias: str) -> bool:
        return self.case_sensitive or alias in self.case_sensitive_aliases

    def needs_context(self, alias: str) -> bool:
        return bool(self.context) and (self.ambiguous is None or alias in self.ambiguous)

    @property
    def fingerprint(self) -> str:
        """A 16-hex hash of everything that decides this entry's matches and mentions."""
        data = [self.name, self.entity_type, list(self.aliases), self.external_id, self.case_sensitive,
                [list(e) for e in self.exclude], self.exclude_window, [list(c) for c in self.context],
                sorted(self.ambiguous) if self.ambiguous is not None else None,
                sorted(self.case_sensitive_aliases)]
        return hashlib.sha1(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]

    @property
    def key(self) -> str:
        """What names this entry across edits: its id, else its name."""
        return self.external_id or self.name


@dataclass(frozen=True)
class WatchMatch:
    """One alias found in a text: offsets into the original text."""

    start: int
    end: int
    entity: WatchEntity


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for tolerant matching; return it with a map back to ``text``.

    Folding (transforms/folding.py): accents removed (NFKD, combining marks dropped),
    casefolded, every run of non-alphanumeric characters turned into one space, a dot
    inside a token dropped. ``index[i]`` is the position in ``text`` of folded character ``i``.
    """
    folded, to_original = fold_text(text)
    return folded, [to_original(i) for i in range(len(folded))]


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
        """Return non-overlapping matches in ``text``, longest first, in text order; ``text`` is
        taken as the whole article for `context` terms (see `find_in_article`)."""
        return self.find_in_article("", text)[1]

    def find_in_article(self, title: str, body: str, folded: tuple[Folded, Folded] | None = None
                        ) -> tuple[list[WatchMatch], list[WatchMatch]]:
        """Matches in the title and in the body; `context` terms are looked for in both.
        `folded`: `fold_text(title)` and `fold_text(body)` when the caller has them already."""
        if self._empty:
            return [], []
        title_folded, body_folded = folded or (fold_text(title), fold_text(body))
        title_found, body_found = self._candidates(title, title_folded), self._candidates(body, body_folded)
        if not (title_found[1] or body_found[1]):
            return [], []
        context_words: set[str] | None = None
        context_text = ""
        kept: list[list[WatchMatch]] = []
        for (folded, found) in (title_found, body_found):
            out = []
            for match, alias, start_pos, end_pos in found:
                entity = match.entity
                if entity.exclude and _excluded(folded, start_pos, end_pos, entity):
                    continue
                if entity.needs_context(alias):
                    if context_words is None:
                        # "|" never occurs in folded text: a phrase cannot run from the title into the body.
                        context_text = " ".join(title_folded[0].split() + ["|"] + body_folded[0].split())
                        context_words = set(context_text.split())
                    if not _has_context(entity, context_words, context_text):
                        continue
                out.append(match)
            kept.append(_longest_first(out))
        return kept[0], kept[1]

    def _candidates(self, text: str, folded_text: Folded
                    ) -> tuple[str, list[tuple[WatchMatch, str, int, int]]]:
        """The folded text, and every alias found with the alias and its folded span (inclusive)."""
        if not text:
            return "", []
        folded, to_original = folded_text
        candidates: list[tuple[WatchMatch, str, int, int]] = []
        for end_pos, (key, owners) in self._automaton.iter(folded):
            start_pos = end_pos - len(key) + 1
            # Folded text has a single space wherever the original had punctuation.
            if start_pos > 0 and folded[start_pos - 1] != " ":
                continue
            if end_pos + 1 < len(folded) and folded[end_pos + 1] != " ":
                continue
            start, end = to_original(start_pos), to_original(end_pos) + 1
            surface = text[start:end]
            for alias, entity in owners:
                if entity.alias_is_case_sensitive(alias) and _strip_accents(surface) != _strip_accents(alias):
                    continue
                candidates.append((WatchMatch(start, end, entity), alias, start_pos, end_pos))
                break
        return folded, candidates


def _excluded(folded: str, start_pos: int, end_pos: int, entity: WatchEntity) -> bool:
    """Whether an `exclude` term or phrase lies within the entry's window of words around the match
    at folded[start_pos:end_pos + 1] (folded text: words separated by single spaces)."""
    w = entity.exclude_window
    before = folded[max(0, start_pos - 64 * (w + 1)):start_pos].split()[-w:] if w else []
    after = folded[end_pos + 1:end_pos + 1 + 64 * (w + 1)].split()[:w] if w else []
    window = before + folded[start_pos:end_pos + 1].split() + after
    for phrase in entity.exclude:
        n = len(phrase)
        if any(tuple(window[i:i + n]) == phrase for i in range(len(window) - n + 1)):
            return True
    return False


def _has_context(entity: WatchEntity, article_words: set[str], article_text: str) -> bool:
    for phrase in entity.context:
        if len(phrase) == 1:
            if phrase[0] in article_words:
                return True
        elif f" {' '.join(phrase)} " in f" {article_text} ":
            return True
    return False


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _longest_first(candidates: Iterable[WatchMatch]) -> list[WatchMatch]:
    """Non-overlapping matches, the longest kept where two overlap, in text order."""
    taken: list[WatchMatch] = []
    for match in sorted(candidates, key=lambda m: (-(m.end - m.start), m.start)):
        if all(match.end <= t.start or match.start >= t.end for t in taken):
            taken.append(match)
    return sorted(taken, key=lambda m: m.start)


_ENTRY_KEYS = frozenset({"name", "type", "aliases", "id", "case_sensitive", "exclude", "exclude_window",
                         "context", "ambiguous"})


def _strings(row: dict[str, object], key: str, name: str, origin: str) -> list[str]:
    value = row.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WatchlistError(f"watchlist {origin}: entity {name!r} {key} must be a list of strings, "
                             f"got {value!r}")
    return value


def _phrases(row: dict[str, object], key: str, name: str, origin: str) -> tuple[tuple[str, ...], ...]:
    out = []
    for text in _strings(row, key, name, origin):
        folded = tuple(words(text))
        if not folded:
            raise WatchlistError(f"watchlist {origin}: entity {name!r} {key} term {text!r} has no letters or "
                                 "digits")
        out.append(folded)
    return tuple(dict.fromkeys(out))


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
        unknown = set(row) - _ENTRY_KEYS
        if unknown:
            raise WatchlistError(f"watchlist {origin}: entity {name!r} has unknown setting(s) "
                                 f"{sorted(unknown)}; use {', '.join(sorted(_ENTRY_KEYS))}")
        aliases = [name]
        case_aliases: set[str] = set()
        ambiguous: set[str] | None = None
        for alias in row.get("aliases", []):
            if isinstance(alias, dict):
                text = str(alias.get("alias", "")).strip()
                if not text or set(alias) - {"alias", "case_sensitive", "ambiguous"}:
                    raise WatchlistError(
                        f"watchlist {origin}: entity {name!r} has an alias table {alias!r}; write "
                        '{ alias = "...", case_sensitive = true, ambiguous = true } (the last two optional)')
                if alias.get("case_sensitive"):
                    case_aliases.add(text)
                if alias.get("ambiguous"):
                    ambiguous = (ambiguous or set()) | {text}
                aliases.append(text)
            elif str(alias).strip():
                aliases.append(str(alias).strip())
        if "ambiguous" in row:
            listed = {str(a).strip() for a in _strings(row, "ambiguous", name, origin)}
            ambiguous = (ambiguous or set()) | listed
        window = row.get("exclude_window", 5)
        if isinstance(window, bool) or not isinstance(window, int) or window < 0:
            raise WatchlistError(f"watchlist {origin}: entity {name!r} exclude_window must be a whole number "
                                 f">= 0, got {window!r}")
        external_id = row.get("id")
        entities.append(
            WatchEntity(
                name=name,
                entity_type=entity_type,
                aliases=tuple(dict.fromkeys(aliases)),
                external_id=str(external_id) if external_id else None,
                case_sensitive=bool(row.get("case_sensitive", False)),
                exclude=_phrases(row, "exclude", name, origin),
                exclude_window=window,
                context=_phrases(row, "context", name, origin),
                ambiguous=frozenset(ambiguous) if ambiguous is not None else None,
                case_sensitive_aliases=frozenset(case_aliases),
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
