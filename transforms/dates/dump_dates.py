"""Dates and bylines in the header lines of page text.

Pure functions over single lines. `text_dump` decides *which* lines to look
at (only the article header and the first body lines, never a copyright line
or a related-story teaser); this module only reads one line.

    find_date(line)   -> DateMention | None   "Veröffentlicht am 12.03.2020",
                                              "Updated : 19 November 2019, 09:01 AM"
    find_byline(line) -> list[str]            "By Jane Doe and John Roe" -> ["Jane Doe", "John Roe"]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from transforms.dates.words import MODIFIED_WORDS, PUBLISHED_WORDS, alternation

# Month names and abbreviations in the corpus languages, mapped to month numbers.
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan januar jänner jän janvier janv enero ene gennaio gen januari janeiro",
        "february feb februar feber février févr fevrier febrero febbraio februari fevereiro fev",
        "march mar märz maerz mars marzo maart março",
        "april apr avril avr abril aprile",
        "may mai mayo maggio mag mei maio",
        "june jun juni juin junio giugno giu junho",
        "july jul juli juillet juil julio luglio lug julho",
        "august aug août aout agosto ago augustus",
        "september sep sept septembre septiembre settembre set setembro",
        "october oct oktober octobre octubre ottobre ott okt outubro out",
        "november nov novembre noviembre novembro",
        "december dec dezember dez décembre déc diciembre dic dicembre december dezembro",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_TIME = (
    r"(?:[,\s]+(?:um\s+|at\s+|à\s+|a las\s+|alle\s+|om\s+|-\s*)?"
    r"(?P<hh>\d{1,2})[:.h](?P<mi>\d{2})(?:\s*(?P<ampm>[ap]\.?m\.?))?)?"
)
_DATE_PATTERNS = [
    # 2020-03-12, 2020-03-12T09:01
    re.compile(
        r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T ](?P<hh>\d{2}):(?P<mi>\d{2}))?\b"
    ),
    # 12.03.2020, 12/03/2020, 12. 03. 2020
    re.compile(rf"\b(?P<d>\d{{1,2}})\.\s?(?P<m>\d{{1,2}})\.\s?(?P<y>(?:19|20)\d{{2}})\b{_TIME}"),
    re.compile(rf"\b(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})/(?P<y>(?:19|20)\d{{2}})\b{_TIME}"),
    # 19 November 2019, 3. März 2021, 12 de marzo de 2020, 1er mars 2020
    re.compile(
        rf"\b(?P<d>\d{{1,2}})(?:\.|er|st|nd|rd|th)?\s+(?:de\s+)?(?P<mon>{_MONTH})\.?,?\s+(?:de\s+)?"
        rf"(?P<y>(?:19|20)\d{{2}})\b{_TIME}",
        re.IGNORECASE,
    ),
    # November 19, 2019
    re.compile(
        rf"\b(?P<mon>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}})\b{_TIME}",
        re.IGNORECASE,
    ),
]

# Whole words only: a dump line's prefix is prose ("Standard", "public").
_MODIFIED_WORDS = re.compile(rf"(?<!\w){alternation(MODIFIED_WORDS)}(?!\w)", re.IGNORECASE)
_PUBLISHED_WORDS = re.compile(rf"(?<!\w){alternation(PUBLISHED_WORDS)}(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    """A full calendar date found in a line; `modified` when the line says it is an update."""

    when: datetime  # timezone-aware UTC; midnight when no time was given
    modified: bool
    labelled: bool  # the line said "published"/"updated"/... next to the date


def _build(match: re.Match[str]) -> datetime | None:
    parts = match.groupdict()
    try:
        year = int(parts["y"])
        month = _MONTHS[parts["mon"].lower().rstrip(".")] if parts.get("mon") else int(parts["m"])
        day = int(parts["d"])
        hour = int(parts["hh"]) if parts.get("hh") else 0
        minute = int(parts["mi"]) if parts.get("mi") else 0
        ampm = (parts.get("ampm") or "").replace(".", "").lower()
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        # Day-first is the norm outside the US; swap only when day-first is impossible.
        if month > 12 and day <= 12 and not parts.get("mon"):
            day, month = month, day
        return datetime(year, month, day, hour, minute, tzinfo=UTC)
    except (ValueError, KeyError):
        return None


def find_date(line: str) -> DateMention | None:
    """The first full date (day, month, year) in `line`, or None. Bare years never count."""
    best: tuple[int, datetime] | None = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(line):
            when = _build(match)
            if when is not None and (best is None or match.start() < best[0]):
                best = (match.start(), when)
                break
    if best is None:
        return None
    prefix = line[: best[0]]
    modified = _MODIFIED_WORDS.search(prefix) is not None and _PUBLISHED_WORDS.search(prefix) is None
    labelled = modified or _PUBLISHED_WORDS.search(prefix) is not None
    return DateMention(when=best[1], modified=modified, labelled=labelled)


_BYLINE_START = re.compile(
    r"^\s*(?:written by|story by|text by|by|von|text\s*:|autor(?:in)?\s*:|author\s*:|par|por|di|door)"
    r"\s+(.+)$",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]*$")
_NAME_PARTICLE = {
    "von",
    "van",
    "de",
    "der",
    "den",
    "la",
    "le",
    "di",
    "da",
    "del",
    "dos",
    "du",
    "ten",
    "zu",
    "y",
}
_NAME_JOIN = re.compile(r"\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b)\s*", re.IGNORECASE)
# Words that make a "name" an organisation or a role rather than a person.
_NOT_PERSON = re.compile(
    r"\b(redaktion|editorial|staff|team|news|agency|agentur|reporter|newsroom|desk|online|press|presse|"
    r"media|zeitung|magazin|verlag|gmbh|ag|inc|ltd|dpa|afp|reuters|ap|kna|epd|sid|apa|sda)\b",
    re.IGNORECASE,
)


def find_byline(line: str) -> list[str]:
    """Person names from a byline ("By Jane Doe", "Von Max Mustermann und Erika Muster"), else [].

    Only short lines count, and only capitalised 2-4 word names; agency or
    desk names ("Redaktion", "dpa") are not people and are dropped.
    """
    text = line.strip()
    if len(text) > 120:
        return []
    match = _BYLINE_START.match(text)
    if not match:
        return []
    # Stop at what commonly trails a byline: a date, a pipe, a dash, a bullet, a parenthesis.
    rest = re.split(r"\s+[|•·–—-]\s+|\s*\(|\s{2,}|,?\s+\d", match.group(1))[0]
    names = []
    for candidate in _NAME_JOIN.split(rest.strip().rstrip(".,;:")):
        tokens = candidate.split()
        core = [t for t in tokens if t.lower() not in _NAME_PARTICLE]
        if not 2 <= len(tokens) <= 5 or not 2 <= len(core) <= 4:
            continue
        if not all(_NAME_TOKEN.match(t) for t in core) or _NOT_PERSON.search(candidate):
            continue
        names.append(candidate)
    return names
