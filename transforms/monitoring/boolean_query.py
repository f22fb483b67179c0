"""The Boolean query language of `[[topics]]` and `mediamon search`: parser and matcher (pure).

Grammar (operators in capitals; lower-case "and"/"or"/"not" are ordinary words)::

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*          # two terms side by side mean AND
    unary    := "NOT" unary | near
    near     := primary ("NEAR/" n primary)?    # within n words of each other, either order
    primary  := "(" or_expr ")" | field ":" primary | atom
    atom     := word | word"*" | '"' words '"'  # term, prefix, phrase
    field    := "title" | "publisher"           # default: title and body

`a NOT b` reads as `a AND NOT b`. Matching is case- and accent-tolerant ("Zürich" finds
"zurich", "ZURICH"); words are runs of letters and digits, a dot inside a word is dropped
("U.S." is the word "us"), and a query word that folds to several words ("covid-19") is a
phrase. `NEAR/n` takes a word, a prefix, a phrase or a parenthesised OR of them on each side.

`parse_query(text)` returns the tree or raises `QueryError` with the 1-based character
position; `Document.of(title, body, publisher)` prepares an article once, and
`query.match(doc)` returns the matched terms (an empty tuple: no match).
"""

from __future__ import annotations

import bisect
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from mediamon.errors import QueryError
from transforms.folding import fold_words

FIELDS = ("title", "publisher")
DEFAULT_FIELDS = ("title", "body")
MAX_NEAR = 1000

# A word: letters and digits; a dot between two of them joins ("U.S", "E.ON").
WORD_RE = re.compile(r"[^\W_]+(?:\.[^\W_]+)*")


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """One word casefolded without accents or inner dots: "Zürich" -> "zurich", "U.S" -> "us"."""
    return "".join(fold_words(word))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return fold_words(text)


def word_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """(folded word, start, end) of every word of `text`; `text[start:end]` is the word as written."""
    for m in WORD_RE.finditer(text):
        yield fold_word(m.group()), m.start(), m.end()


# -- the tree --------------------------------------------------------------------------------------

class Node(ABC):
    """A node of the query tree (each kind below implements `eval` and `atoms`)."""

    def match(self, doc: Document) -> tuple[str, ...]:
        """The terms of this query found in `doc` (outside NOT), in query order; empty: no match."""
        hits: list[str] = []
        if not self.eval(doc, hits):
            return ()
        return tuple(dict.fromkeys(hits))

    @abstractmethod
    def eval(self, doc: Document, hits: list[str]) -> bool:
        """True when `doc` matches; appends the matched terms to `hits`."""

    @abstractmethod
    def atoms(self) -> Iterator[Atom]:
        """Every term, prefix and phrase in the tree (for highlighting and the search index)."""


@dataclass(frozen=True)
class Atom(Node):
    """A word, a prefix (`kind` "prefix") or a phrase (several words) in some fields."""

    terms: tuple[str, ...]  # folded words; a prefix has one
    kind: str  # "term" | "prefix" | "phrase"
    fields: tuple[str, ...] = DEFAULT_FIELDS
    text: str = ""  # as written in the query, for matched_terms

    def spans(self, doc: Document) -> list[tuple[str, int, int]]:
        """(field, first word, last word + 1) of every occurrence."""
        out: list[tuple[str, int, int]] = []
        for name in self.fields:
            if self.kind == "prefix":
                index = doc.index(name)
                for word in doc.with_prefix(name, self.terms[0]):
                    out.extend((name, p, p + 1) for p in index[word])
                continue
            if self.terms[0] not in doc.vocabulary(name):
                continue
            first = doc.index(name)[self.terms[0]]
            if len(self.terms) == 1:
                out.extend((name, p, p + 1) for p in first)
                continue
            tokens = doc.tokens(name)
            n = len(self.terms)
            out.extend((name, p, p + n) for p in first if tuple(tokens[p:p + n]) == self.terms)
        return out

    def found(self, doc: Document) -> bool:
        """Whether the atom occurs at all (cheaper than `spans` for words and prefixes)."""
        for name in self.fields:
            if self.kind == "prefix":
                if doc.with_prefix(name, self.terms[0]):
                    return True
            elif self.kind == "term":
                if self.terms[0] in doc.vocabulary(name):
                    return True
            elif all(t in doc.vocabulary(name) for t in self.terms) and self.spans_in(doc, name):
                return True
        return False

    def spans_in(self, doc: Document, name: str) -> bool:
        first = doc.index(name).get(self.terms[0], ())
        tokens = doc.tokens(name)
        n = len(self.terms)
        return any(tuple(tokens[p:p + n]) == self.terms for p in first)

    def eval(self, doc: Document, hits: list[str]) -> bool:
        if self.found(doc):
            hits.append(self.text)
            return True
        return False

    def atoms(self) -> Iterator[Atom]:
        yield self


@dataclass(frozen=True)
class Not(Node):
    child: Node

    def eval(self, doc: Document, hits: list[str]) -> bool:
        return not self.child.eval(doc, [])

    def atoms(self) -> Iterator[Atom]:
        yield from self.child.atoms()


@dataclass(frozen=True)
class And(Node):
    children: tuple[Node, ...]

    def eval(self, doc: Document, hits: list[str]) -> bool:
        found: list[str] = []
        for child in self.children:
            if not child.eval(doc, found):
                return False
        hits.extend(found)
        return True

    def atoms(self) -> Iterator[Atom]:
        for child in self.children:
            yield from child.atoms()


@dataclass(frozen=True)
class Or(Node):
    children: tuple[Node, ...]

    def eval(self, doc: Document, hits: list[str]) -> bool:
        # No short cut: every alternative found is a matched term worth reporting.
        results = [child.eval(doc, hits) for child in self.children]
        return any(results)

    def atoms(self) -> Iterator[Atom]:
        for child in self.children:
            yield from child.atoms()


@dataclass(frozen=True)
class Near(Node):
    """Both sides within `distance` words of each other (words in between), in either order."""

    left: Node  # an Atom or an Or of Atoms
    right: Node
    distance: int

    @staticmethod
    def _spans(node: Node, doc: Document) -> list[tuple[str, int, int]]:
        return [s for atom in node.atoms() for s in atom.spans(doc)]

    def eval(self, doc: Document, hits: list[str]) -> bool:
        left, right = self._spans(self.left, doc), self._spans(self.right, doc)
        if not left or not right:
            return False
        by_field: dict[str, list[tuple[int, int]]] = {}
        for name, start, end in right:
            by_field.setdefault(name, []).append((start, end))
        for name, a_start, a_end in left:
            for b_start, b_end in by_field.get(name, ()):
                if (a_start, a_end) == (b_start, b_end):
                    continue  # "x NEAR/3 x" needs two occurrences
                gap = b_start - a_end if b_start >= a_end else a_start - b_end
                if gap <= self.distance:
                    self.left.eval(doc, hits)
                    self.right.eval(doc, hits)
                    return True
        return False

    def atoms(self) -> Iterator[Atom]:
        yield from self.left.atoms()
        yield from self.right.atoms()


# -- a prepared article --------------------------------------------------------------------------

@dataclass
class Document:
    """An article's fields as folded words, with a word -> positions index built on first use."""

    fields: dict[str, list[str]]
    _indexes: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    _vocabularies: dict[str, frozenset[str]] = field(default_factory=dict)
    _sorted: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, title: str | None, body: str | None, publisher: str | None = None) -> Document:
        return cls({"title": words(title or ""), "body": words(body or ""),
                    "publisher": words(publisher or "")})

    def tokens(self, name: str) -> list[str]:
        return self.fields.get(name, [])

    def vocabulary(self, name: str) -> frozenset[str]:
        found = self._vocabularies.get(name)
        if found is None:
            found = self._vocabularies[name] = frozenset(self.fields.get(name, ()))
        return found

    def with_prefix(self, name: str, stem: str) -> list[str]:
        """The distinct words of field `name` that start with `stem`."""
        ordered = self._sorted.get(name)
        if ordered is None:
            ordered = self._sorted[name] = sorted(self.vocabulary(name))
        out = []
        for word in ordered[bisect.bisect_left(ordered, stem):]:
            if not word.startswith(stem):
                break
            out.append(word)
        return out

    def index(self, name: str) -> dict[str, list[int]]:
        found = self._indexes.get(name)
        if found is None:
            found = {}
            for pos, word in enumerate(self.fields.get(name, ())):
                found.setdefault(word, []).append(pos)
            self._indexes[name] = found
        return found


# -- the parser ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    kind: str  # "(" ")" "phrase" "word" "AND" "OR" "NOT" "NEAR" "field" "end"
    text: str
    position: int  # 1-based
    value: int = 0  # NEAR distance


_NEAR_RE = re.compile(r"NEAR/(\d+)$")
_FIELD_RE = re.compile(r"([A-Za-z]+):")


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in "()":
            tokens.append(_Token(char, char, i + 1))
            i += 1
            continue
        if char in "\"“”":
            close = min((j for j in (text.find(q, i + 1) for q in "\"“”") if j != -1), default=-1)
            if close == -1:
                raise QueryError('this quote is never closed; add the closing "', i + 1)
            tokens.append(_Token("phrase", text[i + 1:close], i + 1))
            i = close + 1
            continue
        field_match = _FIELD_RE.match(text, i)
        if field_match:
            name = field_match.group(1).lower()
            if name not in FIELDS:
                raise QueryError(f"unknown field {field_match.group(1)!r}: use title: or publisher:", i + 1)
            tokens.append(_Token("field", name, i + 1))
            i = field_match.end()
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] not in "()\"“”":
            j += 1
        word = text[i:j]
        if word in ("AND", "OR", "NOT"):
            tokens.append(_Token(word, word, i + 1))
        elif word.startswith("NEAR"):
            near = _NEAR_RE.match(word)
            if not near:
                raise QueryError(f"{word!r} is not an operator: write NEAR/n with n a number of words, "
                                 "e.g. NEAR/5", i + 1)
            distance = int(near.group(1))
            if distance > MAX_NEAR:
                raise QueryError(f"NEAR/{distance} is too wide: at most NEAR/{MAX_NEAR}", i + 1)
            tokens.append(_Token("NEAR", word, i + 1, distance))
        else:
            tokens.append(_Token("word", word, i + 1))
        i = j
    tokens.append(_Token("end", "", n + 1))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _lex(text)
        self.at = 0

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise QueryError("the query is empty", 1)
        node = self.or_expr()
        token = self.peek()
        if token.kind == ")":
            raise QueryError("this ')' has no matching '('", token.position)
        if token.kind != "end":
            raise QueryError(f"unexpected {token.text!r}", token.position)
        if not _has_positive(node):
            # A match must name what it matched, and `NOT x` alone (or one OR branch of it) would
            # match nearly the whole warehouse: say so rather than scan every article.
            raise QueryError("every part of the query needs a word outside NOT, e.g. `climate NOT weather`", 1)
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while self.peek().kind == "OR":
            self.take()
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary()]
        while True:
            token = self.peek()
            if token.kind == "AND":
                self.take()
                children.append(self.unary())
            elif token.kind in ("NOT", "word", "phrase", "(", "field"):
                children.append(self.unary())  # side by side: AND
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        if self.peek().kind == "NOT":
            self.take()
            return Not(self.unary())
        return self.near()

    def near(self) -> Node:
        left = self.primary(DEFAULT_FIELDS)
        token = self.peek()
        if token.kind != "NEAR":
            return left
        self.take()
        right = self.primary(DEFAULT_FIELDS)
        for side, node in (("left", left), ("right", right)):
            if not _near_operand(node):
                raise QueryError(f"NEAR/{token.value} needs a word, a prefix, a phrase or a parenthesised "
                                 f"OR of them on its {side}", token.position)
        if self.peek().kind == "NEAR":
            raise QueryError("NEAR/n cannot be chained; combine two NEARs with AND", self.peek().position)
        return Near(left, right, token.value)

    def primary(self, fields: tuple[str, ...]) -> Node:
        token = self.take()
        if token.kind == "(":
            node = self.or_expr()
            close = self.take()
            if close.kind != ")":
                raise QueryError("this '(' is never closed; add ')'", token.position)
            return node if fields == DEFAULT_FIELDS else _with_fields(node, fields)
        if token.kind == "field":
            if self.peek().kind in ("end", ")", "AND", "OR", "NEAR"):
                raise QueryError(f"{token.text}: needs a word, a phrase or a group after it", token.position)
            return self.primary((token.text,))
        if token.kind == "word":
            return _atom(token, fields, phrase=False)
        if token.kind == "phrase":
            return _atom(token, fields, phrase=True)
        if token.kind == "end":
            raise QueryError("the query ends where a word, a phrase or '(' was expected", token.position)
        if token.kind == ")":
            raise QueryError("this ')' has no matching '(' or closes an empty group", token.position)
        raise QueryError(f"{token.text} needs a word, a phrase or '(' before and after it", token.position)


def _atom(token: _Token, fields: tuple[str, ...], phrase: bool) -> Atom:
    raw = token.text
    prefix = not phrase and raw.endswith("*")
    if prefix:
        raw = raw[:-1]
        if "*" in raw:
            raise QueryError(f"{token.text!r}: '*' may only end a word (prefix search)", token.position)
    elif not phrase and "*" in raw:
        raise QueryError(f"{token.text!r}: '*' may only end a word (prefix search)", token.position)
    terms = tuple(words(raw))
    shown = f'"{token.text}"' if phrase else token.text
    if fields != DEFAULT_FIELDS:
        shown = f"{fields[0]}:{shown}"
    if not terms:
        raise QueryError(f"{shown!r} has no letters or digits to search for", token.position)
    if prefix:
        if len(terms) > 1:
            raise QueryError(f"{token.text!r}: a prefix must be a single word", token.position)
        return Atom(terms, "prefix", fields, shown)
    return Atom(terms, "phrase" if len(terms) > 1 else "term", fields, shown)


def _with_fields(node: Node, fields: tuple[str, ...]) -> Node:
    if isinstance(node, Atom):
        shown = node.text if ":" in node.text.split('"')[0] else f"{fields[0]}:{node.text}"
        return Atom(node.terms, node.kind, fields, shown)
    if isinstance(node, Not):
        return Not(_with_fields(node.child, fields))
    if isinstance(node, And):
        return And(tuple(_with_fields(c, fields) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(_with_fields(c, fields) for c in node.children))
    if isinstance(node, Near):
        return Near(_with_fields(node.left, fields), _with_fields(node.right, fields), node.distance)
    raise TypeError(node)


def _near_operand(node: Node) -> bool:
    if isinstance(node, Or):
        return all(isinstance(c, Atom) for c in node.children)
    return isinstance(node, Atom)


def _has_positive(node: Node) -> bool:
    """True when every match of `node` holds at least one of its words outside NOT."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_has_positive(c) for c in node.children)
    if isinstance(node, Or):
        return all(_has_positive(c) for c in node.children)
    return True  # a word, phrase, prefix, field or NEAR


def parse_query(text: str) -> Node:
    """Parse a query (grammar in the module docstring); raises `QueryError` naming the position."""
    return _Parser(text).parse()


def highlight_terms(node: Node) -> list[Atom]:
    """The atoms a snippet should highlight: every atom not under a NOT."""
    if isinstance(node, Not):
        return []
    if isinstance(node, Atom):
        return [node]
    if isinstance(node, And | Or):
        return [a for c in node.children for a in highlight_terms(c)]
    if isinstance(node, Near):
        return highlight_terms(node.left) + highlight_terms(node.right)
    return []
