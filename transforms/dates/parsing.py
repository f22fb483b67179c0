"""Strings that hold a date -> timezone-aware datetimes, in many languages.

Only full dates (year, month and day) are returned: a year or a month alone is
never stretched into a day. Time of day is kept when given; a date without a
time becomes midnight. A stated UTC offset is kept as written (the
publisher's calendar day is the publication day); callers convert to UTC. A value
written without an offset gets the `UNZONED` zone: it behaves as UTC, but callers
can tell (`is_unzoned`) that the day written is the publisher's local day.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from dateutil import parser as dateutil_parser

# Month names and abbreviations (lower-case, no trailing dot) in the languages the
# corpus and typical European media monitoring meet.
_MONTH_WORDS: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "januar",
        "jänner",
        "jaenner",
        "janvier",
        "janv",
        "enero",
        "ene",
        "gennaio",
        "gen",
        "januari",
        "janeiro",
        "styczeń",
        "stycznia",
        "leden",
        "ledna",
        "január",
        "tammikuu",
    ),
    2: (
        "february",
        "feb",
        "febr",
        "februar",
        "feber",
        "février",
        "fevrier",
        "févr",
        "fevr",
        "febrero",
        "febbraio",
        "februari",
        "fevereiro",
        "fev",
        "luty",
        "lutego",
        "únor",
        "února",
        "február",
    ),
    3: (
        "march",
        "mar",
        "mär",
        "märz",
        "maerz",
        "mars",
        "marzo",
        "maart",
        "mrt",
        "março",
        "marco",
        "marzec",
        "marca",
        "březen",
        "března",
        "marec",
        "mart",
    ),
    4: (
        "april",
        "apr",
        "avril",
        "avr",
        "abril",
        "abr",
        "aprile",
        "aprilie",
        "kwiecień",
        "kwietnia",
        "duben",
        "dubna",
        "apríl",
    ),
    5: ("may", "mai", "mayo", "maggio", "mag", "mei", "maio", "maj", "maja", "květen", "května", "máj"),
    6: (
        "june",
        "jun",
        "juni",
        "juin",
        "junio",
        "giugno",
        "giu",
        "junho",
        "czerwiec",
        "czerwca",
        "červen",
        "června",
        "jún",
    ),
    7: (
        "july",
        "jul",
        "juli",
        "juillet",
        "juil",
        "julio",
        "luglio",
        "lug",
        "julho",
        "lipiec",
        "lipca",
        "červenec",
        "července",
        "júl",
    ),
    8: (
        "august",
        "aug",
        "août",
        "aout",
        "agosto",
        "ago",
        "augustus",
        "sierpień",
        "sierpnia",
        "srpen",
        "srpna",
    ),
    9: (
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "set",
        "settembre",
        "setembro",
        "wrzesień",
        "września",
        "září",
        "septembra",
    ),
    10: (
        "october",
        "oct",
        "oktober",
        "okt",
        "octobre",
        "octubre",
        "ottobre",
        "ott",
        "outubro",
        "out",
        "październik",
        "października",
        "říjen",
        "října",
        "októbra",
        "október",
    ),
    11: ("november", "nov", "novembre", "noviembre", "novembro", "listopad", "listopada", "novembra"),
    12: (
        "december",
        "dec",
        "dez",
        "dezember",
        "décembre",
        "decembre",
        "déc",
        "diciembre",
        "dic",
        "dicembre",
        "dezembro",
        "grudzień",
        "grudnia",
        "prosinec",
        "prosince",
        "decembra",
    ),
}
# Full month names (genitive where dates use it) of further languages the held-out pages are in:
# Turkish, Romanian, Indonesian, Swedish, Danish, Norwegian, Hungarian, Finnish, Greek, Russian,
# Ukrainian. No abbreviations: short forms such as "eki" or "ara" are ordinary words elsewhere.
_MORE_MONTH_WORDS: dict[int, tuple[str, ...]] = {
    1: ("ocak", "ianuarie", "tammikuuta", "ιανουαρίου", "января", "січня"),
    2: ("şubat", "februarie", "helmikuuta", "φεβρουαρίου", "февраля", "лютого"),
    3: ("maret", "martie", "marts", "március", "maaliskuuta", "μαρτίου", "марта", "березня"),
    4: ("nisan", "április", "huhtikuuta", "απριλίου", "апреля", "квітня"),
    5: ("mayıs", "május", "toukokuuta", "μαΐου", "мая", "травня"),
    6: ("haziran", "iunie", "június", "kesäkuuta", "ιουνίου", "июня", "червня"),
    7: ("temmuz", "iulie", "július", "heinäkuuta", "ιουλίου", "июля", "липня"),
    8: ("ağustos", "agustus", "augusti", "augusztus", "elokuuta", "αυγούστου", "августа", "серпня"),
    9: ("eylül", "septembrie", "szeptember", "syyskuuta", "σεπτεμβρίου", "сентября", "вересня"),
    10: ("ekim", "octombrie", "lokakuuta", "οκτωβρίου", "октября", "жовтня"),
    11: ("kasım", "noiembrie", "marraskuuta", "νοεμβρίου", "ноября", "листопада"),
    12: ("aralık", "desember", "decembrie", "joulukuuta", "δεκεμβρίου", "декабря", "грудня"),
}
MONTHS: dict[str, int] = {
    word: number
    for words_by_month in (_MONTH_WORDS, _MORE_MONTH_WORDS)
    for number, words in words_by_month.items()
    for word in words
}


def _trie_pattern(words: list[str]) -> str:
    """An alternation of `words` as a prefix tree ("ma(?:r(?:ch|z)?|y)"), longest match first.

    It matches what the flat, longest-first alternation matches, but the regex engine tests one
    branch per first letter instead of every word at every position of a long page text.
    """
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        group = "(?:" + "|".join(branches) + ")"
        # A word may end here: trying the longer words first keeps the longest-first order.
        return group + "?" if "" in node else group

    return emit(trie)


_MONTH_ALT = _trie_pattern(list(MONTHS))

_TIME = (
    r"(?:\s*(?:,|um|at|à|a las|alle|om|kl\.?|-|–|\|)?\s*"
    r"(?P<hh>[012]?\d)[:.h](?P<mi>[0-5]\d)(?::(?P<ss>[0-5]\d))?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?(?:\s*(?:uhr|h))?)?"
)
_ISO = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)"
    r"(?:[T ](?P<hh>[012]\d):(?P<mi>[0-5]\d)(?::(?P<ss>[0-5]\d)(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+-][01]\d:?[0-5]\d|[+-][01]\d)?)?(?!\d)"
)
# 17.10.2019, 17/10/2019, 17-10-2019 (day first, the European default).
_NUMERIC_DMY = re.compile(
    r"(?<![\d.])(?P<d>[0-3]?\d)\s?(?P<sep>[./-])\s?(?P<m>[01]?\d)(?P=sep)\s?(?P<y>(?:19|20)\d\d)(?![\d])"
    + _TIME,
    re.I,
)
# 2019/10/17, 2019.10.17
_NUMERIC_YMD = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<sep>[./])(?P<m>[01]?\d)(?P=sep)(?P<d>[0-3]?\d)(?!\d)"
)
# 17. Oktober 2019, 17 octobre 2019, 17 de octubre de 2019, 1er janvier 2020
_TEXT_DMY = re.compile(
    r"(?<!\w)(?P<d>[0-3]?\d)(?:\.|er|st|nd|rd|th|º)?\s*(?:de\s+)?(?P<mon>"
    + _MONTH_ALT
    + r")\.?,?\s*(?:de\s+)?"
    r"(?P<y>(?:19|20)\d\d)(?!\d)" + _TIME,
    re.I,
)
# October 17, 2019; Oct. 17th 2019
_TEXT_MDY = re.compile(
    r"(?<!\w)(?P<mon>"
    + _MONTH_ALT
    + r")\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)(?!\d)"
    + _TIME,
    re.I,
)
# 2019. június 24. (Hungarian writes the year first)
# Only Hungarian month names, and the day's closing dot: "in 2019. May 5 people" is no date.
_HUNGARIAN_MONTHS = (
    "január", "február", "március", "április", "május", "június", "július", "augusztus",
    "szeptember", "október", "november", "december",
)
_TEXT_YMD = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)\.\s*(?P<mon>" + _trie_pattern(list(_HUNGARIAN_MONTHS))
    + r")\s+(?P<d>[0-3]?\d)\.(?!\d)" + _TIME,
    re.I,
)
# 2019年6月24日, 2019년 6월 24일 (Chinese, Japanese, Korean), with an optional time (10:30, 10時30分).
_CJK_YMD = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)\s*[年년]\s*(?P<m>[01]?\d)\s*[月월]\s*(?P<d>[0-3]?\d)\s*[日일]"
    r"(?:\s*(?:\(\w\)|（\w）)?\s*(?P<hh>[012]?\d)\s*[:時时시]\s*(?P<mi>[0-5]\d))?"
)
_HAS_DAY_AND_YEAR = re.compile(r"(?:19|20)\d\d")

# The earliest plausible publication date: the one floor for page dates, dump dates and the
# DQ check (web news starts in the mid-1990s; earlier finds are founding years or copyright lines).
EARLIEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)
# The zone of a date written without an offset. It counts as UTC (equal to it in comparisons
# and arithmetic) but can be told apart: the day written is the publisher's local day.
UNZONED = timezone(timedelta(0), "unzoned")


def is_unzoned(value: datetime) -> bool:
    """Whether `value` was written without a UTC offset (parsed as `UNZONED`)."""
    return value.tzinfo is UNZONED


def _tz(value: str | None) -> timezone:
    if not value:
        return UNZONED
    if value == "Z":
        return UTC
    sign = -1 if value[0] == "-" else 1
    digits = value[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, tz: timezone = UNZONED
) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


def _clock(match: re.Match[str]) -> tuple[int, int, int]:
    groups = match.groupdict()
    if not groups.get("hh"):
        return 0, 0, 0
    hour, minute, second = int(groups["hh"]), int(groups["mi"]), int(groups.get("ss") or 0)
    ampm = (groups.get("ampm") or "").replace(".", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23:
        return 0, 0, 0
    return hour, minute, second


def parse_iso(value: str) -> datetime | None:
    """'2019-10-17', '2019-10-17T10:30:00+02:00' (anywhere in the string) -> aware datetime."""
    match = _ISO.search(value)
    if not match:
        return None
    tz = _tz(match.group("tz"))
    return _build(
        int(match.group("y")),
        int(match.group("m")),
        int(match.group("d")),
        int(match.group("hh") or 0),
        int(match.group("mi") or 0),
        int(match.group("ss") or 0),
        tz,
    )


def parse_machine_date(value: str) -> datetime | None:
    """A date from metadata (ISO 8601, RFC 2822, epoch seconds, or human text) -> aware datetime or None."""
    value = value.strip()
    if not value:
        return None
    found = parse_iso(value)
    if found:
        return found
    if value.isdigit() and len(value) == 8:
        # 20231102: a compact date (too short for epoch seconds after 1973).
        return _build(int(value[:4]), int(value[4:6]), int(value[6:]))
    if value.isdigit() and len(value) in (10, 13):
        seconds = int(value[:10])
        return datetime.fromtimestamp(seconds, tz=UTC)
    parsed = _dateutil(value)
    if parsed is not None:
        return parsed
    text = find_text_dates(value, day_first=True)
    if text:
        return text[0][1]
    return None


# Zone abbreviations pages write after a time; dateutil only knows UTC/GMT by itself.
_ZONES = {
    name: hours * 3600
    for name, hours in (
        ("UTC", 0),
        ("GMT", 0),
        ("Z", 0),
        ("CET", 1),
        ("MEZ", 1),
        ("CEST", 2),
        ("MESZ", 2),
        ("BST", 1),
        ("WET", 0),
        ("WEST", 1),
        ("EET", 2),
        ("EEST", 3),
        ("EST", -5),
        ("EDT", -4),
        ("CST", -6),
        ("CDT", -5),
        ("MST", -7),
        ("MDT", -6),
        ("PST", -8),
        ("PDT", -7),
    )
}


def _dateutil(value: str) -> datetime | None:
    if len(value) > 60 or not _HAS_DAY_AND_YEAR.search(value):
        return None
    # dateutil fills missing fields from its default: parse with two defaults and refuse
    # a result that changed, so a bare "2019" or "Oct 2019" never becomes a day.
    try:
        first = dateutil_parser.parse(value, default=datetime(2000, 1, 1), dayfirst=True, tzinfos=_ZONES)
        second = dateutil_parser.parse(value, default=datetime(2001, 2, 2), dayfirst=True, tzinfos=_ZONES)
    except (ValueError, OverflowError, TypeError):
        return None
    if first.date() != second.date():
        return None
    if first.tzinfo is None:
        first = first.replace(tzinfo=UNZONED)
    return first


def find_text_dates(text: str, day_first: bool = True) -> list[tuple[int, datetime]]:
    """All full dates written in human text -> [(character offset, aware datetime)], in text order.

    day_first decides ambiguous numeric dates such as 03/04/2019.
    """
    found: list[tuple[int, datetime]] = []
    for match in _CJK_YMD.finditer(text):
        built = _build(int(match.group("y")), int(match.group("m")), int(match.group("d")), *_clock(match))
        if built:
            found.append((match.start(), built))
    for pattern in (_TEXT_DMY, _TEXT_MDY, _TEXT_YMD):
        for match in pattern.finditer(text):
            month = MONTHS.get(match.group("mon").lower().rstrip("."))
            if month:
                built = _build(int(match.group("y")), month, int(match.group("d")), *_clock(match))
                if built:
                    found.append((match.start(), built))
    for match in _NUMERIC_DMY.finditer(text):
        first, second = int(match.group("d")), int(match.group("m"))
        day, month = (first, second)
        if match.group("sep") == "/" and not day_first and first <= 12 < second:
            day, month = second, first
        elif match.group("sep") == "/" and not day_first and first <= 12 and second <= 12:
            day, month = second, first
        elif second > 12 >= first:
            day, month = second, first
        built = _build(int(match.group("y")), month, day, *_clock(match))
        if built:
            found.append((match.start(), built))
    for match in _NUMERIC_YMD.finditer(text):
        built = _build(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        if built:
            found.append((match.start(), built))
    for match in _ISO.finditer(text):
        built = parse_iso(match.group(0))
        if built:
            found.append((match.start(), built))
    found.sort(key=lambda item: item[0])
    # Drop a shorter match inside a longer one at the same place (ISO inside a numeric run).
    deduped: list[tuple[int, datetime]] = []
    for offset, value in found:
        if deduped and deduped[-1][0] == offset:
            continue
        deduped.append((offset, value))
    return deduped


# "31.10.23", "31/10/23 14:05": a numeric date with a two-digit year, and nothing else.
_SHORT_YEAR_DATELINE = re.compile(
    r"\s*(?P<d>\d\d?)(?P<sep>[./])(?P<m>\d\d?)(?P=sep)(?P<y>\d\d)"
    r"(?:\s*(?:,|\||-|um|at)?\s*(?P<hh>[012]?\d)[:.h](?P<mi>[0-5]\d)(?:\s*(?:uhr|h))?)?\s*",
    re.I,
)


def parse_short_year_dateline(text: str, day_first: bool = True) -> datetime | None:
    """A dateline that is only a numeric date with a two-digit year ("31.10.23") -> datetime, else None.

    Read only where the whole text of a dateline element is that date: in running text "1.2.19"
    is as often a version or a score. The year is 20YY (earlier years fail the plausibility floor).
    """
    match = _SHORT_YEAR_DATELINE.fullmatch(text)
    if not match:
        return None
    first, second = int(match.group("d")), int(match.group("m"))
    day, month = (second, first) if match.group("sep") == "/" and not day_first else (first, second)
    hour, minute = (int(match.group("hh")), int(match.group("mi"))) if match.group("hh") else (0, 0)
    if hour > 23:
        return None
    return _build(2000 + int(match.group("y")), month, day, hour, minute)


def plausible(value: datetime | None, latest: datetime) -> datetime | None:
    """The date if it lies between `EARLIEST_PLAUSIBLE` and `latest` (the fetch time), else None."""
    if value is None or value < EARLIEST_PLAUSIBLE or value > latest:
        return None
    return value
