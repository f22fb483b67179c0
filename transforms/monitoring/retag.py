"""Topics and watchlist re-matching on stored articles: no NER, no extraction (pure).

- `Topic`: a configured `[[topics]]` entry (name and Boolean query, `transforms.monitoring.boolean_query`)
  with a `fingerprint`; `match_topics(rows, topics)` gives one `article_topics` row per article
  and topic that matches.
- `watchlist_mentions(rows, watchlist)`: the watchlist's mentions and entities of stored
  articles, exactly as the tag stage makes them for watchlist aliases.
- `definition_changes(stored, current)`: which definitions were added, changed or removed,
  from their fingerprints.

`rows` are dicts with `article_id`, `title`, `body` and (for topics) `publisher`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field

from transforms.monitoring.boolean_query import Document, Node, parse_query, words
from transforms.folding import Folded, fold_text
from transforms.entities.watchlist import Watchlist


@dataclass(frozen=True)
class Topic:
    """One `[[topics]]` entry: a name and its parsed query."""

    name: str
    query: str
    tree: Node = field(compare=False, repr=False)

    @classmethod
    def parse(cls, name: str, query: str) -> Topic:
        """Raises `QueryError` (with the position) when `query` does not parse."""
        return cls(name, query, parse_query(query))

    @property
    def fingerprint(self) -> str:
        # Whitespace alone does not change what a query matches.
        return hashlib.sha1(" ".join(self.query.split()).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class DefinitionChanges:
    """Keys of definitions added, changed (other fingerprint) and removed since they were last applied."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def reason(self) -> str:
        parts = [f"{what}: {', '.join(keys)}" for what, keys in
                 (("added", self.added), ("changed", self.changed), ("removed", self.removed)) if keys]
        return "; ".join(parts)


def definition_changes(stored: Mapping[str, str], current: Mapping[str, str]) -> DefinitionChanges:
    """Compare key -> fingerprint maps: what was last applied against what is configured now."""
    return DefinitionChanges(
        added=tuple(sorted(k for k in current if k not in stored)),
        changed=tuple(sorted(k for k in current if k in stored and stored[k] != current[k])),
        removed=tuple(sorted(k for k in stored if k not in current)))


def _folds(row: MutableMapping[str, object]) -> tuple[Folded, Folded]:
    """The row's folded title and body, computed once and kept in the row (watchlist and topics
    share them)."""
    found = row.get("_folded")
    if found is None:
        found = row["_folded"] = (fold_text(str(row.get("title") or "")),
                                  fold_text(str(row.get("body") or "")))
    return found  # type: ignore[return-value]


def match_topics(rows: Iterable[MutableMapping[str, object]], topics: Sequence[Topic]
                 ) -> list[dict[str, object]]:
    """One row (article_id, topic, matched_terms, query_fingerprint) per article and matching topic."""
    out: list[dict[str, object]] = []
    if not topics:
        return out
    for row in rows:
        title, body = _folds(row)
        doc = Document({"title": title[0].split(), "body": body[0].split(),
                        "publisher": words(str(row.get("publisher") or ""))})
        for topic in topics:
            terms = topic.tree.match(doc)
            if terms:
                out.append({"article_id": row["article_id"], "topic": topic.name,
                            "matched_terms": list(terms), "query_fingerprint": topic.fingerprint})
    return out


def watchlist_mentions(rows: Iterable[MutableMapping[str, object]], watchlist: Watchlist
                       ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Watchlist mentions (the `mentions` columns, source "watchlist") and their entities."""
    # Here, not at the top: the config imports this module for `Topic`, and needs no tagger.
    from transforms.entities.tagging import entity_id_for

    mentions: list[dict[str, object]] = []
    entities: dict[str, dict[str, object]] = {}
    for row in rows:
        title, body = str(row.get("title") or ""), str(row.get("body") or "")
        title_found, body_found = watchlist.find_in_article(title, body, _folds(row))
        for in_title, text, found in ((True, title, title_found), (False, body, body_found)):
            for match in found:
                entity = match.entity
                entity_id = entity_id_for(entity.name, entity.entity_type, entity.external_id)
                surface = text[match.start:match.end]
                mentions.append({"article_id": row["article_id"], "entity_id": entity_id, "surface": surface,
                                 "entity_type": entity.entity_type, "start_char": match.start,
                                 "end_char": match.end, "in_title": in_title, "source": "watchlist"})
                known = entities.setdefault(entity_id, {
                    "entity_id": entity_id, "canonical_name": entity.name, "entity_type": entity.entity_type,
                    "aliases": set(), "external_id": entity.external_id})
                known["aliases"].add(surface)  # type: ignore[attr-defined]
    return mentions, [{**e, "aliases": sorted(e["aliases"])} for e in entities.values()]  # type: ignore[call-overload]


@dataclass
class BatchMatches:
    """What `match_batch` found in one batch of stored articles."""

    fresh_topics: list[dict[str, object]]  # every topic, on articles loaded since the last check
    history_topics: list[dict[str, object]]  # the re-matched topics, on the other articles
    mentions: list[dict[str, object]]  # watchlist mentions of every article (when re-matched)
    entities: list[dict[str, object]]


def match_batch(rows: Sequence[MutableMapping[str, object]], watchlist: Watchlist | None,
                topics: Sequence[Topic], rematch: Sequence[Topic], last_checked: object) -> BatchMatches:
    """Topics and watchlist on one batch, each article folded once. Rows need `updated_at`; an
    article is fresh when `last_checked` is None or it was updated after it."""
    fresh = [r for r in rows if last_checked is None or r["updated_at"] > last_checked]  # type: ignore[operator]
    history = [r for r in rows if not (last_checked is None or r["updated_at"] > last_checked)]  # type: ignore[operator]
    mentions, entities = watchlist_mentions(rows, watchlist) if watchlist is not None else ([], [])
    return BatchMatches(match_topics(fresh, topics), match_topics(history, rematch) if rematch else [],
                        mentions, entities)
