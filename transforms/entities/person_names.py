"""People by their first names, for languages without a statistical NER pipeline.

Where no spaCy pipeline reads a language (German: see the README), a person is
still recognisable by the common pattern *known first name + capitalised
surname*: "Angela Merkel", "Frank-Walter Steinmeier", "Iris van Herpen". First
names come from Faker's person providers (MIT; several thousand names of the
German-, French-, Italian-, Spanish-, Dutch-, Polish-, Turkish- and
English-speaking locales), loaded once per process.

Precision first, since a wrong name lands in a client's top list:

- a first name that is also a function word, a month or a weekday in a
  language we read ("August", "Mai", "Will") does not start a name; nor does
  one that is an all-caps token or a KB alias ("Paris", "Florence");
- the surname is one capitalised word (or a particle "von"/"van"/"de"/... and
  one), not a function word, month or weekday, not all-caps;
- only then, a bare surname elsewhere in the same text ("Steinmeier sagte")
  is the same person: the tagger folds it into the full name.

What this does not find: people named by surname only, names whose first name
is not in the lists, organisations. The article still carries the
`ner_model_missing` warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from transforms.entities.ner import NerSpan

FAKER_LOCALES = ("de_DE", "de_AT", "de_CH", "en_US", "en_GB", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL",
                 "tr_TR", "pt_PT", "cs_CZ", "sv_SE", "da_DK")
# Function words may not be a surname ("Maria La ..."); not the Scandinavian lists: "hans" is "his".
STOP_LANGUAGES = ("de", "en", "fr", "es", "it", "nl", "pt")
# ... nor a first name, in German or English ("Allen", "Will"); the other lists would drop Otto
# (Italian "eight"), Elke and Uwe (Dutch).
FIRST_NAME_STOP_LANGUAGES = ("de", "en")
# Months and weekdays are capitalised in German and English and several are first names too.
CALENDAR_WORDS = frozenset(
    "januar februar märz april mai juni juli august september oktober november dezember jänner "
    "january february march may june july october december montag dienstag mittwoch donnerstag freitag "
    "samstag sonntag sonnabend monday tuesday wednesday thursday friday saturday sunday "
    "janvier février mars avril juin juillet août septembre octobre novembre décembre".split()
)
# Words that end an organisation's or a place's name, not a person's: "Robert Koch-Institut",
# "Robert Bosch GmbH", "Max-Planck-Gymnasium"; and letter closings ("Beste Grüße": Beste is a name).
NOT_A_SURNAME = frozenset(
    "institut instituts stiftung verlag schule gymnasium preis preises straße strasse platz haus klinik "
    "klinikum universität zentrum stadion park brücke allee weg ring gesellschaft verein museum kaserne "
    "bahnhof center centre foundation institute school university hospital street award prize gmbh ag "
    "kg se ohg ev e.v. inc ltd llc corp company group holding werke werk bank grüße grüßen gruß wünsche "
    "grüsse".split()
)
PARTICLES = frozenset("von van de der den da di du la le zu vom zum ten ter del".split())

_NAME_WORD = r"[A-ZÄÖÜÀ-ÞŁŚŻŹĆŃŠŽČŘ][a-zäöüßà-ÿłśżźćńšžčřğışçé'’]+"
# First name (possibly hyphenated: "Frank-Walter"), up to two particles, one surname (possibly
# hyphenated: "Hannah-Jones"). Single spaces only: a line break or a comma ends a name.
_PATTERN = re.compile(
    rf"(?<![\w-])(?P<first>{_NAME_WORD}(?:-{_NAME_WORD})?) "
    rf"(?P<particles>(?:(?:{'|'.join(PARTICLES)}) ){{0,2}})"
    rf"(?P<last>{_NAME_WORD}(?:-{_NAME_WORD})?)(?![\w-])"
)

# The word after a name, when the name goes on and then ends the clause ("Kim Jong Un:",
# "Ingrid Landmark Tandrevold (NOR)"); a capitalised word before more text is a German noun as often.
_NEXT_NAME_WORD = re.compile(rf" ({_NAME_WORD})(?=\s*(?:[,.:;!?()\[\]\"“”„]|$))", re.MULTILINE)
_WORD_START = re.compile(rf"(?<![\w-]){_NAME_WORD}(?:-{_NAME_WORD})?")


@lru_cache(maxsize=2)
def _stop_words(languages: tuple[str, ...] = STOP_LANGUAGES) -> frozenset[str]:
    import importlib

    words: set[str] = set()
    for lang in languages:
        words |= importlib.import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS
    return frozenset(w.casefold() for w in words)


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Known first names (Faker's person providers), less function words and calendar words."""
    import importlib

    names: set[str] = set()
    for locale in FAKER_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ("first_names_male", "first_names_female", "first_names"):
            value = getattr(provider, attribute, ())
            names.update(value.keys() if isinstance(value, dict) else value)
    stop = _stop_words(FIRST_NAME_STOP_LANGUAGES)
    return frozenset(
        n for n in names
        if len(n) >= 3 and n[0].isupper() and not n.isupper() and " " not in n
        and n.casefold() not in stop and n.casefold() not in CALENDAR_WORDS
    )


def _plain_word(word: str) -> bool:
    folded = word.casefold()
    return folded not in _stop_words() and folded not in CALENDAR_WORDS


def find_people(text: str, is_place: Callable[[str], bool] = lambda word: False) -> list[NerSpan]:
    """PERSON spans in ``text``: full names by the rule above, then bare surnames of those names.

    A word ``is_place`` says is a KB alias never starts or ends a name ("Paris", "Hamburg").
    """
    names = first_names()
    spans: list[NerSpan] = []
    surnames: set[str] = set()
    end = 0
    # Every capitalised word may start a name ("Bundeskanzlerin Angela Merkel": not only the first).
    for word in _WORD_START.finditer(text):
        if word.start() < end or word.group().split("-")[0] not in names:
            continue
        match = _PATTERN.match(text, word.start())
        if match is None:
            continue
        first, last = match.group("first"), match.group("last")
        if not all(part in names for part in first.split("-")):
            continue
        if is_place(first) or is_place(last) or not _plain_word(last):
            continue
        if first in surnames:
            continue  # "zahlte Thomas Elder ...": Thomas is the surname of a name seen before
        following = text[match.end():match.end() + 12].split(maxsplit=1)
        parts = {p.casefold() for p in last.split("-")}
        if parts & NOT_A_SURNAME or (following and following[0].strip(".,;:!?").casefold() in NOT_A_SURNAME):
            continue
        end = match.end()
        # A second surname ("Ingrid Landmark Tandrevold", "Kim Jong Un") when the name goes on.
        more = _NEXT_NAME_WORD.match(text, end)
        if more and more.group(1) not in names and more.group(1).casefold() not in CALENDAR_WORDS \
                and not is_place(more.group(1)) \
                and more.group(1).casefold() not in NOT_A_SURNAME:
            end = more.end(1)
            last = more.group(1)
        spans.append(NerSpan(match.start(), end, "PERSON"))
        surnames.add(last)
    # A name extended somewhere ("Kim Jong Un:") is extended wherever the same words follow.
    extended = {text[s.start:s.end] for s in spans}
    for i, span in enumerate(spans):
        name = text[span.start:span.end]
        for longer in extended:
            if longer.startswith(name + " ") and text.startswith(longer, span.start):
                spans[i] = NerSpan(span.start, span.start + len(longer), "PERSON")
                surnames.discard(name.rsplit(" ", 1)[1])
                surnames.add(longer.rsplit(" ", 1)[1])
                break
    # A bare surname refers back to the full name, unless it is also a first name ("Aron und Gianni"),
    # the surname of two names (ambiguous, as a table of names), or somewhere in the text the start of
    # another capitalised run ("Wake News", "Basic S. 4").
    owners: dict[str, set[str]] = {}
    for span in spans:
        full = text[span.start:span.end]
        owners.setdefault(full.rsplit(" ", 1)[-1], set()).add(full)
    blanked = _blank(text, spans)
    referable = {
        name for name in surnames
        if name not in names and len(owners.get(name, ())) == 1
        and not re.search(rf"(?<![\w-]){re.escape(name)} [A-ZÄÖÜ]", blanked)
    }
    if referable:
        taken = [(s.start, s.end) for s in spans]
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(referable))) + r")(?![\w-])")
        for match in pattern.finditer(text):
            if not any(a <= match.start() < b for a, b in taken):
                spans.append(NerSpan(match.start(), match.end(), "PERSON"))
    return sorted(spans, key=lambda s: s.start)


def _blank(text: str, spans: list[NerSpan]) -> str:
    """``text`` with the given spans blanked out (same length)."""
    chars = list(text)
    for span in spans:
        chars[span.start:span.end] = " " * (span.end - span.start)
    return "".join(chars)
