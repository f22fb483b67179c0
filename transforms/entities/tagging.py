"""Entity tagging: NER + knowledge base + watchlist, folded into one entity per thing.

Public API (the tag stage calls this):

- `Tagger(watchlist_path).tag(docs)` → `(mentions, entities)` for a batch of
  `TagInput`s (the pipeline spreads batches over worker processes: flows/runners.py).
- `entity_id_for(canonical_name, entity_type, external_id)` → a 16-hex id,
  stable across runs and processes.

Where mentions come from (`Mention.source`):

- ``"watchlist"``: an alias from the analyst's watchlist (`transforms.entities.watchlist`).
  Always kept; any NER or KB span overlapping it is dropped.
- ``"kb"``: an alias from the knowledge base (`transforms.entities.kb`), in any
  language. When NER found exactly the same span, the two become ONE mention
  with source ``"kb"`` and the KB's type and canonical name (a country is GPE,
  whatever NER said; city names that are also common first names or surnames,
  "Houston", "Austin", are left out of the KB for that reason). A KB match
  inside a longer NER span ("Moscow" in "Moscow State
  University") yields to the NER span, unless the NER span lies in a line whose
  case had to be repaired (NER is unreliable there).
- ``"ner"``: the spaCy pipeline of the article's language (`transforms.entities.languages`:
  English, French); an article in a language without one gets no NER spans, and the
  ``ner_model_missing`` data-quality warning says so.

Folding within one article (title and body together), each rule parametrised
in the tests:

- possessives ("Kim's", "Russia’s") and a leading "the" are trimmed from NER
  spans; honorifics ("President Putin", "Mr. Smith") are trimmed from PERSON spans;
- a one-word PERSON name that is a word of exactly one longer PERSON name in
  the article folds into it ("Putin" → "Vladimir Putin", "Kim" → "Kim Jong-un");
  two candidates ("Kim Jong-un", "Kim Yo-jong") → no folding;
- an acronym folds into the one name written next to it in brackets
  ("North Atlantic Treaty Organization (NATO)"), or else into the one name in
  the article whose initials it spells;
- hyphen-joined PERSON spans whose parts are both known people of the article
  ("Putin-Kim") are split into two mentions;
- an NER span whose text is a KB alias (any case) takes the KB entity ("U.S.").

Across articles, `entity_id` depends only on the KB/watchlist id, or else on
the canonical name (case-folded) and type; an entity's aliases are every
surface seen.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from transforms.entities.kb import KbMatch, KnowledgeBase, load_kb
from transforms.entities.ner import (
    NerSpan,
    case_vocabulary,
    needs_case_repair,
    repair_case,
    words_to_repair,
)
from transforms.entities.languages import PIPELINES, NerPipeline, NerRouter, ner_language
from transforms.extraction.table_rows import name_cells, row_spans
from transforms.union_find import UnionFind
from transforms.entities.watchlist import WatchEntity, Watchlist, WatchMatch, load_watchlist

if TYPE_CHECKING:
    from spacy.language import Language


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity: ``(title if in_title else body)[start_char:end_char] == surface``."""

    article_id: str
    entity_id: str
    surface: str
    entity_type: str
    start_char: int
    end_char: int
    in_title: bool
    source: str  # "ner" | "kb" | "watchlist" | "dateline"
    # The mention is in the article's `dateline_place`, not in its title or body.
    in_dateline: bool = False


@dataclass
class Entity:
    """One real-world thing; `aliases` are the surfaces seen for it."""

    entity_id: str
    canonical_name: str
    entity_type: str
    aliases: list[str]
    external_id: str | None


@dataclass(frozen=True)
class TagInput:
    """What the tagger needs from an article."""

    article_id: str
    title: str
    body: str
    language: str | None
    # The place a wire dateline names ("LONDON 1996-08-30" -> "LONDON"), kept out of the body.
    dateline_place: str | None = None


# Marks a watchlist entry that has no id of its own (a prefix no user id can carry).
_UNNAMED_WATCH = "\x00watch:"


def entity_id_for(canonical_name: str, entity_type: str, external_id: str | None = None) -> str:
    """Stable 16-hex id: from ``external_id`` when given, else from the case-folded name and type."""
    if external_id:
        key = f"ext\x1f{external_id}"
    else:
        name = " ".join(unicodedata.normalize("NFC", canonical_name).casefold().split())
        key = f"name\x1f{entity_type}\x1f{name}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


# --- span clean-up ------------------------------------------------------------------------

# Titles in front of a name: trimmed so "President Putin" folds like "Putin".
HONORIFICS = frozenset(
    "president vice prime minister chancellor secretary mr mr. mrs mrs. ms ms. miss dr dr. prof prof. "
    "sir dame lord lady king queen prince princess pope senator sen. rep. representative gov. governor "
    "general gen. col. colonel captain capt. lt. sergeant sgt. chairman chairwoman ceo judge justice "
    "rev. reverend father sister brother mayor premier sheikh emir ayatollah coach supervisor detective "
    "herr frau präsident kanzler kanzlerin bundeskanzler bundeskanzlerin ministerpräsident m. mme".split()
)
# Titles that only ever precede a person's name.
PERSONAL_TITLES = frozenset("mr mr. mrs mrs. ms ms. dr dr. prof prof. sir dame herr frau".split())
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING_NUMBERS = re.compile(r"(?:\s+[-+(]?\d[\d.,:/\-–)]*)+$")
_TRAILING_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_STRIP_CHARS = " \t\r\n,;:!?\"“”„«»()[]{}*"


@dataclass
class _Candidate:
    """A span in one field of one article, before folding."""

    in_title: bool
    start: int
    end: int
    label: str
    source: str
    name: str  # cleaned name taken from the case-repaired text
    external_id: str | None = None
    canonical: str | None = None
    key: str = ""
    in_dateline: bool = False


def _mixed_script(name: str) -> bool:
    """Latin and Cyrillic letters in one word: look-alike spam text, not a name."""
    for word in name.split():
        scripts = {unicodedata.name(c, "?").split(" ", 1)[0] for c in word if c.isalpha()}
        if len(scripts & {"LATIN", "CYRILLIC", "GREEK"}) > 1:
            return True
    return False


def _clean_span(original: str, repaired: str, span: NerSpan) -> tuple[int, int, str] | None:
    """Trim a spaCy span to the name itself; return (start, end, label), None if no name is left."""
    start, end = span.start, span.end
    text = repaired[start:end]
    # A name does not run over a line break: keep the first line that has letters.
    if "\n" in text:
        first = text.split("\n", 1)[0]
        end = start + len(first)
    while start < end and repaired[start] in _STRIP_CHARS:
        start += 1
    while end > start and repaired[end - 1] in _STRIP_CHARS:
        end -= 1
    # A table row puts numbers right after the name ("J. Smith 63", "Durham 114"): not part of it.
    trailing = _TRAILING_NUMBERS.search(repaired[start:end])
    if trailing and trailing.start() > 0:
        end = start + trailing.start()
    the = _LEADING_THE.match(repaired[start:end])
    if the and end - start > the.end():
        start += the.end()
    possessive = _TRAILING_POSSESSIVE.search(repaired[start:end])
    if possessive and possessive.start() > 0:
        end = start + possessive.start()
    label = span.label
    first = repaired[start:end].split(" ", 1)
    if len(first) == 2 and first[0].casefold() in PERSONAL_TITLES and first[1][:1].isupper():
        label = "PERSON"  # "Dr Mitchell" tagged ORG is still a person
    if label == "PERSON":
        while True:
            words = repaired[start:end].split(" ", 1)
            if len(words) == 2 and words[0].casefold() in HONORIFICS and words[1][:1].isupper():
                start += len(words[0]) + 1
            else:
                break
    if label == "PERSON":
        start = _trim_common_lead(repaired, start, end)
        # A name does not end in a lower-case word ("Meghan cry"): the model ran past it.
        while " " in repaired[start:end] and repaired[start:end].rsplit(" ", 1)[1][:1].islower():
            end = start + repaired[start:end].rindex(" ")
    name = repaired[start:end]
    if not name or not any(c.isupper() for c in name) or len(name.split()) > 10:
        return None
    if not any(c.isalpha() for c in name) or _mixed_script(name):
        return None
    return start, end, label


_LEAD_WORD = re.compile(r"[^\W\d_]+")
# Words that head a capitalised phrase without being a name ("This Week", "After Smith").
_FUNCTION_WORDS = frozenset(
    "a about after again against all also although an and another any as at because before being "
    "both but by despite during each either even every for from had has have having he her here "
    "his how if in into it its just last many more most much my neither new next no nor not now of "
    "on once only or other our over per since so some still such than that the their them then "
    "there these they this those though through to today tonight under until upon us very via was "
    "we were what when where whether which while who whom whose why will with within without yet "
    "yesterday you your".split()
)


def _sentence_start(text: str, start: int) -> bool:
    """True when ``text[start]`` opens a line or a sentence, or lies in a title-cased line."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start].rstrip()
    if not before or before[-1] in ".!?:;\"“„«-–—|":
        return True
    line_end = text.find("\n", start)
    words = _LEAD_WORD.findall(text[line_start : line_end if line_end >= 0 else len(text)])
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _trim_common_lead(text: str, start: int, end: int) -> int:
    """New start of a PERSON span whose first word is a verb or common word capitalised by position.

    "Hosting Cook" at the head of a headline is Cook: the first word goes when it stands where
    any word is capitalised (a line or sentence start, a title-cased line) and it is a function
    word, a word this text also writes in lower case, or an -ing/-ed form.
    """
    words = text[start:end].split(" ")
    if len(words) < 2 or not _sentence_start(text, start):
        return start
    first = words[0]
    lower = first.lower()
    common = (
        lower in _FUNCTION_WORDS
        or (len(lower) >= 6 and lower.endswith(("ing", "ed")))
        or re.search(r"(?<![^\W\d_])" + re.escape(lower) + r"(?![^\W\d_])", text) is not None
    )
    if not common or not first[:1].isupper() or not words[1][:1].isupper():
        return start
    return start + len(first) + 1


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _repaired_region(original: str, repaired: str, start: int, end: int) -> bool:
    return original[start:end] != repaired[start:end]


def _resolve_field(
    in_title: bool,
    original: str,
    repaired: str,
    ner_spans: list[NerSpan],
    kb_matches: list[KbMatch],
    watch_matches: list[WatchMatch],
) -> list[_Candidate]:
    """Pick one set of non-overlapping candidates for a field (rules in the module docstring)."""
    out: list[_Candidate] = []
    for w in watch_matches:
        entity: WatchEntity = w.entity
        out.append(
            _Candidate(in_title, w.start, w.end, entity.entity_type, "watchlist", entity.name,
                       entity.external_id or f"{_UNNAMED_WATCH}{entity.name}", entity.name)
        )

    def free(start: int, end: int) -> bool:
        return not any(_overlaps(start, end, w.start, w.end) for w in watch_matches)

    kb_kept: dict[tuple[int, int], KbMatch] = {
        (k.start, k.end): k for k in kb_matches if free(k.start, k.end)
    }
    ner_kept: list[_Candidate] = []
    for span in ner_spans:
        cleaned = _clean_span(original, repaired, span)
        if cleaned is None:
            continue
        start, end, label = cleaned
        if not free(start, end):
            continue
        exact = kb_kept.get((start, end))
        if exact is not None:
            continue  # the KB candidate stands for both, with the KB's type
        overlapping = [k for k in kb_kept.values() if _overlaps(start, end, k.start, k.end)]
        if not overlapping:
            ner_kept.append(_Candidate(in_title, start, end, label, "ner", repaired[start:end]))
            continue
        inside = all(start <= k.start and k.end <= end for k in overlapping)
        if inside and not _repaired_region(original, repaired, start, end):
            for k in overlapping:
                del kb_kept[(k.start, k.end)]
            ner_kept.append(_Candidate(in_title, start, end, label, "ner", repaired[start:end]))
        # Otherwise the KB span is longer, overlaps partly, or NER is guessing on repaired case: KB wins.
    for k in kb_kept.values():
        out.append(
            _Candidate(in_title, k.start, k.end, k.entry.entity_type, "kb", k.entry.name,
                       k.entry.external_id, k.entry.name)
        )
    out.extend(ner_kept)
    return sorted(out, key=lambda c: c.start)


# --- folding within one article -----------------------------------------------------------

def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _words(name: str) -> list[str]:
    return name.replace("\u00a0", " ").split()


def _initials(name: str) -> set[str]:
    """Possible acronyms of a name: initials of all words, and of the capitalised words only."""
    words = [w for w in re.split(r"[\s\-/]+", name) if w and w[0].isalpha()]
    every = "".join(w[0] for w in words).upper()
    capitalised = "".join(w[0] for w in words if w[0].isupper()).upper()
    return {every, capitalised}


_ACRONYM = re.compile(r"^[A-ZÄÖÜ][A-ZÄÖÜ0-9&]{1,7}$")


class _Folder:
    """Union-find over the candidate clusters of one article."""

    def __init__(self, candidates: list[_Candidate]) -> None:
        self.candidates = candidates
        self.sets = UnionFind()
        for c in candidates:
            c.key = f"ext:{c.external_id}" if c.external_id else f"name:{_name_key(c.name)}"
            self.sets.find(c.key)

    def find(self, key: str) -> str:
        return self.sets.find(key)

    def union(self, short: str, long: str) -> bool:
        """Fold cluster ``short`` into ``long``; refuse when both carry different external ids."""
        a, b = self.find(short), self.find(long)
        if a == b:
            return True
        if a.startswith("ext:") and b.startswith("ext:"):
            return False
        # The external id, if any, names the result.
        root, child = (a, b) if a.startswith("ext:") else (b, a)
        self.sets.attach(child, root)
        return True

    def clusters(self) -> dict[str, list[_Candidate]]:
        groups: dict[str, list[_Candidate]] = {}
        for c in self.candidates:
            groups.setdefault(self.find(c.key), []).append(c)
        return groups


def _majority_label(candidates: list[_Candidate]) -> str:
    counts = Counter(c.label for c in candidates)
    first = {c.label: i for i, c in reversed(list(enumerate(candidates)))}
    return min(counts, key=lambda label: (-counts[label], first[label]))


def _split_hyphenated_people(candidates: list[_Candidate], title: str, body: str) -> list[_Candidate]:
    """Split "Putin-Kim" into "Putin" and "Kim" when both are people named elsewhere in the article."""
    def hyphen_pair(c: _Candidate) -> bool:
        return len(_words(c.name)) == 1 and c.name.count("-") == 1

    person_words = {
        w.casefold() for c in candidates if c.label == "PERSON" and not hyphen_pair(c) for w in _words(c.name)
    }
    out: list[_Candidate] = []
    for c in candidates:
        parts = c.name.split("-")
        if (
            c.label == "PERSON"
            and c.source == "ner"
            and hyphen_pair(c)
            and all(p[:1].isupper() and p.casefold() in person_words for p in parts)
        ):
            cut = c.start + len(parts[0])
            out.append(_Candidate(c.in_title, c.start, cut, "PERSON", "ner", parts[0]))
            out.append(_Candidate(c.in_title, cut + 1, c.end, "PERSON", "ner", parts[1]))
        else:
            out.append(c)
    return out


def _fold_article(candidates: list[_Candidate], title: str, body: str, kb: KnowledgeBase) -> _Folder:
    # An NER span that is a KB alias in another spelling ("U.S.", "Nato") is the KB entity.
    for c in candidates:
        if c.source == "ner" and c.external_id is None:
            entry = kb.lookup(c.name)
            if entry is not None and not (entry.kind == "city" and c.label in ("PERSON", "ORG")):
                c.external_id, c.canonical, c.label = entry.external_id, entry.name, entry.entity_type
    folder = _Folder(candidates)
    groups = folder.clusters()
    # One label per NER-only name within the article: the most frequent.
    for members in groups.values():
        if not members[0].external_id:
            label = _majority_label(members)
            for m in members:
                m.label = label
    names = {key: max((m.name for m in members), key=len) for key, members in groups.items()}
    labels = {key: members[0].label for key, members in groups.items()}

    # Acronym written next to its expansion: "North Atlantic Treaty Organization (NATO)".
    by_field: dict[bool, list[_Candidate]] = {True: [], False: []}
    for c in candidates:
        if not c.in_dateline:
            by_field[c.in_title].append(c)
    for in_title, members in by_field.items():
        text = title if in_title else body
        for left, right in zip(members, members[1:], strict=False):
            between = text[left.end : right.start]
            bracketed = between.strip() == "(" and text[right.end : right.end + 1] == ")"
            if bracketed and _ACRONYM.match(right.name):
                if right.name in _initials(left.name) or right.external_id or left.external_id:
                    folder.union(right.key, left.key)

    # Acronym elsewhere: folds into the one multi-word name whose initials it spells.
    for key, name in names.items():
        if key.startswith("ext:") or not _ACRONYM.match(name):
            continue
        targets = {
            folder.find(k)
            for k, n in names.items()
            if k != key and len(_words(n)) > 1 and name in _initials(n)
        }
        if len(targets) == 1:
            folder.union(key, targets.pop())

    # A one-word name folds into the one longer PERSON name that contains it. spaCy's small
    # model often tags a lone surname ORG ("Hawley said"), so ORG short forms count too.
    person_like = {k for k, members in groups.items() if any(m.label == "PERSON" for m in members)}
    for key, name in names.items():
        if key.startswith("ext:") or len(_words(name)) != 1 or labels[key] not in ("PERSON", "ORG"):
            continue
        word = name.casefold()
        targets = {
            folder.find(k)
            for k, n in names.items()
            if k != key and k in person_like and len(_words(n)) > 1
            and word in (w.casefold() for w in _words(n))
        }
        if len(targets) == 1:
            folder.union(key, targets.pop())
    return folder


# --- table rows ---------------------------------------------------------------------------

_UPPER_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_a-z]{2,}(?:[-'’][^\W\d_a-z]+)*(?![^\W\d_])")
_INITIAL_NAME = re.compile(r"^(?:[^\W\d_]\.\s?)+[^\W\d_]")


def _upper_row_words(text: str) -> list[str]:
    """All-caps words inside table rows ("DETROIT 4 Kansas City 1": home team in capitals)."""
    return [m.group() for start, end in row_spans(text) for m in _UPPER_WORD.finditer(text, start, end)
            if any(c.isupper() for c in m.group())]


def _repair_rows(text: str, vocabulary: dict[str, str], keep_upper: frozenset[str]) -> str:
    """``text`` with the all-caps words of its table rows in their usual case (same length)."""
    chars = list(text)
    for start, end in row_spans(text):
        for match in _UPPER_WORD.finditer(text, start, end):
            word = match.group()
            if word in keep_upper or not any(c.isupper() for c in word):
                continue
            form = vocabulary.get(word.lower())
            if form is None or len(form) != len(word) or form.isupper():  # rows themselves count capitals
                form = "-".join(p[:1] + p[1:].lower() for p in word.split("-"))
            if len(form) == len(word):
                chars[match.start() : match.end()] = form
    return "".join(chars)


def _table_candidates(
    in_title: bool, repaired: str, candidates: list[_Candidate], kb: KnowledgeBase
) -> list[_Candidate]:
    """Type the names in table rows: a place scored like a competitor is a team; add names NER missed.

    In a results row or standings line a city or region followed by its score is the club
    named after it ("Kansas City 1"), an ORG; a country stays a place (national sides are
    counted as their country). A name cell nobody tagged is a competitor: a person when it
    opens with an initial ("P. Simmons 4-38"), else a team or company, unless the document
    uses the word in lower case (a column heading such as "Current").
    """
    rows = list(row_spans(repaired))
    if not rows:
        return candidates
    lowered = repaired.lower()
    # An NER span across a score ("Chicago 4 Boston") joins two cells: the cells stand instead.
    candidates = [
        c for c in candidates
        if not (c.source == "ner" and any(ch.isdigit() for ch in repaired[c.start : c.end])
                and any(s <= c.start and c.end <= e for s, e in rows))
    ]
    out = list(candidates)
    for row_start, row_end in rows:
        inside = [c for c in candidates if row_start <= c.start and c.end <= row_end]
        for cell in name_cells(repaired, row_start, row_end):
            exact = next((c for c in inside if c.start == cell.start and c.end == cell.end), None)
            name = repaired[cell.start : cell.end]
            if exact is not None:
                if cell.scored and exact.label in ("GPE", "LOC") and exact.source != "watchlist":
                    entry = kb.entries.get(exact.external_id or "") or kb.lookup(name)
                    if entry is None or entry.kind != "country":
                        exact.label, exact.external_id, exact.canonical = "ORG", None, None
                        exact.name = name
                continue
            if any(_overlaps(cell.start, cell.end, c.start, c.end) for c in inside):
                continue
            if _INITIAL_NAME.match(name):
                out.append(_Candidate(in_title, cell.start, cell.end, "PERSON", "table", name))
            elif cell.scored and kb.lookup(name) is None:
                words = name.split()
                if re.search(r"(?<![^\W\d_])" + re.escape(words[0].lower()) + r"(?![^\W\d_])",
                             _lower_words(lowered, repaired)):
                    continue
                out.append(_Candidate(in_title, cell.start, cell.end, "ORG", "table", name))
    return sorted(out, key=lambda c: c.start)


def _lower_words(lowered: str, text: str) -> str:
    """The words written in lower case in ``text`` (as one space-joined string)."""
    return " ".join(w for w in re.findall(r"[^\W\d_]+", text) if w.islower())


# --- person evidence ------------------------------------------------------------------------

_GIVEN_NAMES_PATH = Path(__file__).resolve().parents[1] / "data" / "given_names.txt"
# Words that make a name an organisation, a place or an event even after a given name
# ("Walt Disney Co.", "Grace Road", "Kirk Douglas Theatre").
_ORG_WORDS = frozenset(
    "inc inc. corp corp. co co. ltd ltd. llc plc group bank university college institute foundation "
    "company association party news times post press fund capital partners holdings airlines airways "
    "motors records studios pictures media network center centre church school hospital council "
    "committee club fc united city county state street st. avenue road park show awards award prize "
    "cup league house hall museum library project labs systems technologies software games "
    "entertainment productions brothers bros bros. theatre theater stadium arena airport bridge "
    "tower square river lake mountain island beach valley institute trust society union agency "
    "department ministry review journal magazine tv radio".split()
)


# Lower-case words that introduce a person's name ("entrepreneur Vivek ...", "actress Mary ...").
PERSON_ROLES = frozenset(
    "entrepreneur businessman businesswoman candidate rival challenger actor actress singer rapper "
    "songwriter musician author writer novelist poet journalist reporter columnist host presenter "
    "comedian director producer player striker midfielder defender goalkeeper coach manager captain "
    "pitcher quarterback forward guard spokesman spokeswoman spokesperson lawmaker senator congressman "
    "congresswoman governor gov. sen. rep. mr. ms. mrs. dr. ambassador billionaire founder cofounder "
    "co-founder investor economist scientist professor analyst lawyer attorney prosecutor judge "
    "minister president chairman chairwoman chief executive ceo leader activist influencer star "
    "model designer chef artist athlete champion veteran widow son daughter wife husband mother "
    "father brother sister".split()
)
_PREVIOUS_WORD = re.compile(r"([^\W\d_][\w.\-]*)\s+$")


def _introduced_as_person(text: str, start: int) -> bool:
    """True when the word before ``text[start]`` is a lower-case person role ("entrepreneur ...")."""
    before = _PREVIOUS_WORD.search(text[max(0, start - 40) : start])
    if before is None:
        return False
    word = before.group(1)
    return word.casefold() in PERSON_ROLES and (word.islower() or word in ("Mr.", "Ms.", "Mrs.", "Dr."))


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    return frozenset(_GIVEN_NAMES_PATH.read_text(encoding="utf-8").split())


def looks_like_person(name: str) -> bool:
    """True for "Given Surname" shapes: 2-3 capitalised words, the first a common given name
    (`transforms/data/given_names.txt`), none an organisation or place word."""
    words = name.split()
    if not 2 <= len(words) <= 3:
        return False
    if not all(w[:1].isupper() and re.sub(r"[-'.]", "", w).isalpha() for w in words):
        return False
    if any(w.casefold() in _ORG_WORDS for w in words) or any(w.isupper() and len(w) > 2 for w in words):
        return False
    return words[0].casefold() in _given_names()


def _capitalised_by_position(name: str, starts: Sequence[tuple[str, int]], article: str) -> bool:
    """True for a one-word name whose every mention opens a line, a sentence or a table cell, when
    the article also writes the word in lower case ("Time will tell" and "in time")."""
    if len(_words(name)) != 1 or not name[:1].isupper() or name.isupper():
        return False
    lower = name.lower()
    if not re.search(r"(?<![^\W\d_])" + re.escape(lower) + r"(?![^\W\d_])", article):
        return False
    return bool(starts) and all(_sentence_start(text, start) for text, start in starts)


# --- product evidence -----------------------------------------------------------------------

# The small model calls software and products people or organisations ("Python", "Docker").
# What gives them away is how the text uses the name, not the name itself:
# a dotted version right after it ("Python 3.8", "Mercurial 5.2", "Python 3.x") ...
_VERSION_AFTER = re.compile(r"^(?:['’]s)?\s?v?\d{1,3}\.(?:\d+|x)\b")
# ... "version of X", "install X" ...
_TECH_BEFORE = re.compile(
    r"\b(?:versions? of|install|installs|installing|installed|uninstall|uninstalling|reinstall|download|"
    r"downloading|upgrade|upgrading|compile|compiling|deploy|deploying|written in|coded in|"
    r"programming in|built with|based on|using|running)\s+(?:the\s+)?$", re.IGNORECASE)
# ... "X container", "X installation": a word for a piece of software right after the name ...
_TECH_AFTER = re.compile(
    r"^(?:['’]s|-like|-based)?\s+(?:version|versions|install|installation|installer|interpreter|container|"
    r"containers|image|images|build|builds|engine|desktop|cli|registry|"
    r"package|packages|library|libraries|module|modules|plugin|plugins|framework|sdk|api|"
    r"runtime|compiler|repository|repositories|repo|script|scripts|command|commands|daemon|"
    r"virtualenv|environment|environments|codebase|source code|binary|binaries|executable|"
    r"distribution|release|releases|wallet|app|apps|software|firmware|driver|drivers|"
    r"developer|developers|programmer|programmers)\b", re.IGNORECASE)


def _identifier(word: str) -> re.Pattern[str]:
    """The name written as an identifier: "python3", "docker-compose.yml", "$ docker",
    "/usr/bin/python", "python -m", or as the start of a file or tool name ("Dockerfile")."""
    w = re.escape(word.casefold())
    return re.compile(
        rf"(?:(?<=[/$])\s?{w}(?![^\W_])|(?<![\w.@/-]){w}(?:\d|[-_][a-z]+\.[a-z]{{2,4}}\b|\s+--?[a-z])|"
        rf"(?<![\w.@/-]){w}\.(?:py|js|json|ya?ml|toml|sh|exe|cfg|conf|txt)\b|"
        rf"(?<![\w.@/-]){re.escape(word)}(?:file|files|hub|kit|lib|js|db|ctl)\b)")


def product_evidence(name: str, spans: Sequence[tuple[str, int, int]]) -> int:
    """How many of a name's mentions (``(text, start, end)``) are used as a piece of software or a
    product would be (rules above), plus one when the text writes the name as an identifier."""
    found = 0
    for text, start, end in spans:
        before, after = text[max(0, start - 30) : start], text[end : end + 40]
        if _VERSION_AFTER.match(after) or _TECH_BEFORE.search(before) or _TECH_AFTER.match(after):
            found += 1
    words = name.split()
    if len(words) == 1 and len(name) > 2 and spans:
        texts = {id(t): t for t, _, _ in spans}
        if any(_identifier(name).search(t) for t in texts.values()):
            found += 1
    return found


def _digit_after(name: str, text: str) -> bool:
    """Whether some occurrence of `name` in `text` has a digit within 5 characters after it and a
    dot within 8: what a version right after it ("Python 3.12", "Node's v18.1") needs at least."""
    at = text.find(name)
    while at != -1:
        tail = text[at + len(name):at + len(name) + 8]
        if "." in tail and any(c.isdigit() for c in tail[:5]):
            return True
        at = text.find(name, at + 1)
    return False


def reads_as_product(name: str, entity_type: str, spans: Sequence[tuple[str, int, int]],
                     org_words: frozenset[str] = frozenset()) -> bool:
    """True when a PERSON or ORG name (no KB or watchlist id, no person evidence) is used as a piece
    of software or a product: a dotted version right after it; for a PERSON also two uses as software
    (`product_evidence`) or a first word that is an organisation of the same article ("Coinbase Pro").
    An ORG needs the version: companies have apps and APIs ("the Google app") and stay companies."""
    # The version may follow a mention NER missed ("Mercurial 5.2 was released"): every occurrence counts.
    texts = [text for text in {id(text): text for text, _, _ in spans}.values() if _digit_after(name, text)]
    if texts:  # rare: the pattern is built (and compiled) only for a name a digit follows somewhere
        versioned = re.compile(rf"(?<![^\W_]){re.escape(name)}(?=(?:['’]s)?\s?v?\d{{1,3}}\.(?:\d+|x)\b)")
        if any(versioned.search(text) for text in texts):
            return True
    if entity_type != "PERSON":
        return False
    words = name.split()
    if len(words) > 1 and words[0].casefold() in org_words:
        return True
    return product_evidence(name, spans) >= 2


# --- the tagger ---------------------------------------------------------------------------

@dataclass
class _EntityTable:
    """Entities merged across articles, in first-seen order."""

    by_id: dict[str, Entity] = field(default_factory=dict)

    def add(self, entity: Entity) -> None:
        seen = self.by_id.get(entity.entity_id)
        if seen is None:
            self.by_id[entity.entity_id] = Entity(
                entity.entity_id, entity.canonical_name, entity.entity_type, sorted(set(entity.aliases)),
                entity.external_id,
            )
        else:
            seen.aliases = sorted(set(seen.aliases) | set(entity.aliases))

    def values(self) -> list[Entity]:
        return list(self.by_id.values())


class Tagger:
    """Tags batches of articles. Holds the spaCy pipeline (loaded lazily, once), the KB and the watchlist."""

    def __init__(
        self,
        watchlist_path: Path | None = None,
        *,
        watchlist: Watchlist | None = None,
        kb: KnowledgeBase | None = None,
        batch_size: int = 64,
        model: str | None = None,
        loaded: dict[str, Language] | None = None,
    ) -> None:
        self.watchlist = watchlist if watchlist is not None else load_watchlist(watchlist_path)
        self.kb = kb if kb is not None else load_kb()
        self.keep_upper = self.kb.upper_aliases | self.watchlist.upper_aliases
        self.batch_size = batch_size
        # `model` swaps the English pipeline (bench/eval_wire_ner.py compares models); other
        # languages keep theirs.
        pipelines = {**PIPELINES, "en": NerPipeline(model)} if model else None
        self.router = NerRouter(pipelines, is_place=lambda word: self.kb.lookup(word) is not None,
                                loaded=None if model else loaded)

    @property
    def nlp(self) -> Language:
        """The English pipeline (other languages: `self.router`)."""
        return self.router.pipeline("en")

    def tag(self, docs: Sequence[TagInput]) -> tuple[list[Mention], list[Entity]]:
        """Tag ``docs``; return all mentions (article order, title first, then text order) and
        the entities they point to (merged across articles, first-seen order)."""
        repaired = [self._repair_case(doc) for doc in docs]
        # Each article goes through its own language's pipeline (none: no NER spans).
        languages = [ner_language(doc.language, f"{doc.title}\n{doc.body}") for doc in docs]
        ner_results = self.router.run(languages, repaired, self.batch_size)
        mentions: list[Mention] = []
        table = _EntityTable()
        for doc, (title_fixed, body_fixed), (title_spans, body_spans) in zip(
            docs, repaired, ner_results, strict=True
        ):
            doc_mentions, doc_entities = self._tag_one(doc, title_fixed, body_fixed, title_spans, body_spans)
            mentions.extend(doc_mentions)
            for entity in doc_entities:
                table.add(entity)
        return mentions, table.values()

    def _repair_case(self, doc: TagInput) -> tuple[str, str]:
        """Title and body with ALL-CAPS lines, datelines and capitals in table rows in mixed case
        (same lengths)."""
        title_needs, body_needs = needs_case_repair(doc.title), needs_case_repair(doc.body)
        title_rows, body_rows = _upper_row_words(doc.title), _upper_row_words(doc.body)
        if not (title_needs or body_needs or title_rows or body_rows):
            return doc.title, doc.body  # the common case: skip building the casing vocabulary
        wanted = (words_to_repair(doc.title) if title_needs else set()) | (
            words_to_repair(doc.body) if body_needs else set()
        ) | {w.lower() for w in title_rows + body_rows}
        vocabulary = case_vocabulary([doc.title, doc.body], wanted)
        title = repair_case(doc.title, vocabulary, self.keep_upper) if title_needs else doc.title
        body = repair_case(doc.body, vocabulary, self.keep_upper) if body_needs else doc.body
        return (
            _repair_rows(title, vocabulary, self.keep_upper) if title_rows else title,
            _repair_rows(body, vocabulary, self.keep_upper) if body_rows else body,
        )

    def _tag_one(
        self, doc: TagInput, title_fixed: str, body_fixed: str, title_spans: list[NerSpan],
        body_spans: list[NerSpan],
    ) -> tuple[list[Mention], list[Entity]]:
        # Context terms of a watchlist entry count anywhere in the article: title and body together.
        title_watch, body_watch = self._watch(doc.title, doc.body, title_fixed, body_fixed)
        candidates = _table_candidates(True, title_fixed, _resolve_field(
            True, doc.title, title_fixed, title_spans, self.kb.find(title_fixed), title_watch,
        ), self.kb) + _table_candidates(False, body_fixed, _resolve_field(
            False, doc.body, body_fixed, body_spans, self.kb.find(body_fixed), body_watch,
        ), self.kb)
        candidates += self._dateline_candidates(doc.dateline_place)
        candidates = _split_hyphenated_people(candidates, doc.title, doc.body)
        folder = _fold_article(candidates, title_fixed, body_fixed, self.kb)
        mentions: list[Mention] = []
        entities: list[Entity] = []
        clusters = folder.clusters()
        # Organisations of this article by their one-word names: "Coinbase" makes "Coinbase Pro" no person.
        org_words = frozenset(
            _name_key(m.name) for members in clusters.values() for m in members
            if m.label == "ORG" and len(_words(m.name)) == 1
        )
        for root, members in clusters.items():
            linked = next((m for m in members if m.external_id), None)
            if linked is not None:
                canonical = linked.canonical or linked.name
                entity_type, external_id = linked.label, linked.external_id
            else:
                # The longest name is the full form ("Vladimir Putin"); the type is the one
                # NER gave most often over all folded mentions, the full form's on a tie.
                longest = max(members, key=lambda m: (len(_words(m.name)), len(m.name)))
                counts = Counter(m.label for m in members)
                top = max(counts.values())
                entity_type = longest.label if counts[longest.label] == top else _majority_label(members)
                canonical, external_id = longest.name, None
                # The small model often calls a politician or actor an ORG; a given name says person.
                person_evidence = looks_like_person(canonical) or any(
                    m.source == "ner" and not m.in_dateline
                    and _introduced_as_person(doc.title if m.in_title else doc.body, m.start)
                    for m in members
                )
                # A common word capitalised only where every word is ("Time will tell.", a table
                # header "| Time |") and written in lower case elsewhere in the article is no name.
                if entity_type in ("PERSON", "ORG") and not person_evidence and _capitalised_by_position(
                    canonical,
                    [(doc.title if m.in_title else doc.body, m.start) for m in members if not m.in_dateline],
                    f"{doc.title}\n{doc.body}",
                ):
                    continue
                if entity_type != "PERSON" and person_evidence:
                    entity_type = "PERSON"
                # ... and software a person or an organisation; how the article uses the name says product.
                elif entity_type in ("PERSON", "ORG") and not person_evidence and reads_as_product(
                    canonical, entity_type,
                    [(doc.title if m.in_title else doc.body, m.start, m.end)
                     for m in members if not m.in_dateline],
                    org_words,
                ):
                    entity_type = "PRODUCT"
            if external_id and external_id.startswith(_UNNAMED_WATCH):
                external_id = None  # a watchlist entry without an id: named by its canonical name
            entity_id = entity_id_for(canonical, entity_type, external_id)
            surfaces = []
            for m in members:
                text = (doc.dateline_place or "") if m.in_dateline else doc.title if m.in_title else doc.body
                surface = text[m.start : m.end]
                surfaces.append(surface)
                source = "kb" if m.source == "ner" and m.external_id and not linked else m.source
                mentions.append(
                    Mention(
                        doc.article_id, entity_id, surface, entity_type, m.start, m.end, m.in_title, source,
                        m.in_dateline,
                    )
                )
            entities.append(Entity(entity_id, canonical, entity_type, surfaces, external_id))
        mentions.sort(key=lambda m: (not m.in_title, not m.in_dateline, m.start_char))
        return mentions, entities

    def _watch(self, title: str, body: str, title_fixed: str, body_fixed: str
               ) -> tuple[list[WatchMatch], list[WatchMatch]]:
        """Watchlist matches in title and body (`context` terms looked for in both); in
        case-repaired lines a case-sensitive alias also matches its capitals."""
        found = self.watchlist.find_in_article(title, body)
        if title_fixed == title and body_fixed == body:
            return found
        refound = self.watchlist.find_in_article(title_fixed, body_fixed)
        out = []
        for original, repaired, matches, rematches in zip(
            (title, body), (title_fixed, body_fixed), found, refound, strict=True
        ):
            kept = list(matches)
            for match in rematches:
                if _repaired_region(original, repaired, match.start, match.end) and not any(
                    _overlaps(match.start, match.end, f.start, f.end) for f in kept
                ):
                    kept.append(match)
            out.append(sorted(kept, key=lambda m: m.start))
        return out[0], out[1]

    def _dateline_candidates(self, place: str | None) -> list[_Candidate]:
        """The places a dateline names ("AL-AIN, United Arab Emirates"): one candidate per comma part.

        A dateline names a place by construction, so a part the KB does not know is still a
        GPE; its name is the case-repaired form ("LONDON" -> "London").
        """
        out: list[_Candidate] = []
        if not place:
            return out
        for part in re.finditer(r"[^,;/]+", place):
            start, end = part.start(), part.end()
            while start < end and place[start] in _STRIP_CHARS:
                start += 1
            while end > start and place[end - 1] in _STRIP_CHARS + ".":
                end -= 1
            text = place[start:end]
            if not any(c.isalpha() for c in text) or len(text.split()) > 5:
                continue
            entry = self.kb.lookup(text)
            if entry is not None:
                out.append(_Candidate(False, start, end, entry.entity_type, "kb", entry.name,
                                      entry.external_id, entry.name, in_dateline=True))
                continue
            name = repair_case(text, {}, self.keep_upper) if text.isupper() else text
            if text.isupper() and len(name) == len(text) and name == text:
                name = text.title()
            out.append(_Candidate(False, start, end, "GPE", "dateline", name, in_dateline=True))
        return out
