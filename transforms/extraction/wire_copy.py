"""News-agency conventions in plain text: the headline, the dateline, correction and slug lines.

Agency copy opens the same way whatever the agency or language:

    SOCCER - LEAGUE RESULTS.                    an all-caps (or short) headline
    Jane Doe                                    an optional byline
    LONDON 1996-08-30                           a dateline on its own line, or inline:
    WASHINGTON (Reuters) - The Senate ...       PLACE [, date] (AGENCY) - story
    BERLIN, 3. Mai (dpa) - Die Regierung ...

The dateline gives the place and, when it says one, the date; it is not story text. A
correction or update notice ("[CORRECTED 14:06 GMT]", "UPDATE 2-", "REFILE-") and a slug line
("BC-BRITAIN-ECONOMY/") are metadata. Nothing here names an agency or a place: the shapes do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from transforms.dates.parsing import MONTHS, find_text_dates

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁ"
# A place in capitals: "LONDON", "ST. LOUIS", "N'DJAMENA", "FARMINGTON HILLS", "URUS-MARTAN".
_CAPS_PLACE = rf"[{_UPPER}][{_UPPER}'’.\-]*(?:\s[{_UPPER}][{_UPPER}'’.\-]*){{0,4}}"
# A place as German and French agencies write it: "Berlin", "Frankfurt/Main", "Saint-Denis".
_TITLE_PLACE = rf"[{_UPPER}][\w'’.\-/]*(?:\s[{_UPPER}][\w'’.\-/]*){{0,3}}"
# ", Wisconsin", ", Mich.", ", West Bank", ", N.H.": the region or country after the place.
_REGION = rf"(?:,\s*[{_UPPER}][\w'’.\-]*(?:\s[{_UPPER}][\w'’.\-]*){{0,3}})?"
_MONTH_WORD = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
# The dates a dateline carries: "1996-08-30", "Aug 30", "August 30, 1996", "3. Mai", "30 août 2024".
_DATE = (
    r"(?i:(?:19|20)\d\d-[01]\d-[0-3]\d"
    rf"|(?:{_MONTH_WORD})\.?\s+[0-3]?\d(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?"
    rf"|[0-3]?\d(?:\.|er|º)?\s+(?:de\s+)?(?:{_MONTH_WORD})\.?(?:\s+(?:de\s+)?(?:19|20)\d\d)?"
    r"|[0-3]?\d[./][01]?\d[./](?:19|20)\d\d)"
)
# "(Reuters)", "(dpa)", "(AP)", "(AFP)", "(Xinhua)": a short name in parentheses.
_AGENCY = r"\((?P<agency>[\w][\w .&/'’-]{0,30})\)"
_DASH = r"(?:\s*[-–—:]+|\s*\.\s*-)"

# A dateline on its own line: place (+ region) and a date, with or without the agency.
_DATELINE_LINE = re.compile(
    rf"^(?P<place>{_CAPS_PLACE}{_REGION}),?\s+(?P<date>{_DATE})(?:\s*{_AGENCY})?{_DASH}?\s*$"
)
# A place on its own line, the date on the next: "FARMINGTON HILLS, Mich." / "1996-08-30".
_PLACE_LINE = re.compile(rf"^(?P<place>{_CAPS_PLACE}{_REGION})\s*$")
_DATE_LINE = re.compile(rf"^(?P<date>{_DATE})\s*$")
# The dateline opening the first paragraph: "WASHINGTON (Reuters) - ...", "BERLIN, 3. Mai (dpa) - ...".
_INLINE_WITH_AGENCY = re.compile(
    rf"^(?P<place>(?:{_CAPS_PLACE}|{_TITLE_PLACE}){_REGION})(?:,?\s+(?P<date>{_DATE}))?\s*{_AGENCY}"
    rf"{_DASH}\s*(?P<rest>\S.*)$",
    re.S,
)
# Without an agency only a capitals place and a date make a dateline: "LONDON, Aug 30 - ...".
_INLINE_DATED = re.compile(
    rf"^(?P<place>{_CAPS_PLACE}{_REGION}),?\s+(?P<date>{_DATE}){_DASH}\s+(?P<rest>\S.*)$", re.S
)
# "[CORRECTED 14:06 GMT]", "CORRECTED-", "UPDATE 2-", "REFILE-", "(Corrects paragraph 3)", "Correction:".
_CORRECTION = re.compile(
    r"^\s*(?:\[\s*(?P<bracketed>(?:CORRECTED|CORRECTION|UPDATED?|REFILED?|RPT|REPEAT|FIXED|ADDS?|WRITETHRU|"
    r"KORRIGIERT|BERICHTIGUNG|KORREKTUR|AKTUALISIERT|CORRIGÉ|RECTIFICADO)\b[^\]]{0,80})\]"
    r"|(?P<prefix>(?:CORRECTED|UPDATE\s*\d*|REFILE|RPT|REPEAT|WRAPUP\s*\d*|CORRECTION|KORREKTUR|"
    r"BERICHTIGUNG)\s*[-–—:])"
    r"|\((?P<paren>(?:corrects|corrected|adds|updates|recasts|refiles|repeats|fixes|berichtigt|korrigiert|"
    r"aktualisiert)\b[^()]{0,160})\))",
    re.I,
)
# "BC-BRITAIN-ECONOMY/", "US-ELECTION/TRUMP", "^BC-Soccer-England": an agency's keyword slug.
_SLUG = re.compile(r"^\^?(?=[\w/-]*[-/])[A-Za-z][A-Za-z0-9]*(?:[-/][A-Za-z0-9]+)+/?\s*$")
_LETTERS = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Dateline:
    """Where (and, when the dateline says, on which day) a story was filed."""

    place: str
    day: date | None
    agency: str | None


def _infer_year(month: int, day: int, reference: datetime | None) -> date | None:
    """A day written without a year ("3. Mai"): the latest such day not after the reference."""
    reference = reference or datetime.now(UTC)
    for year in (reference.year, reference.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        # A day past the reference belongs to last year (a story filed on 31 Dec, read on 2 Jan).
        if candidate <= reference.date() + timedelta(days=1):
            return candidate
    return None


def parse_dateline_date(text: str, reference: datetime | None = None) -> date | None:
    """The day a dateline's date names; a date without a year takes the reference's year."""
    full = find_text_dates(text, day_first=True)
    if full:
        return full[0][1].date()
    match = re.match(rf"(?i)(?:(?P<mon1>{_MONTH_WORD})\.?\s+(?P<d1>\d{{1,2}})|(?P<d2>\d{{1,2}})(?:\.|er|º)?\s+"
                     rf"(?:de\s+)?(?P<mon2>{_MONTH_WORD}))", text.strip())
    if not match:
        return None
    month = MONTHS.get((match.group("mon1") or match.group("mon2")).lower().rstrip("."))
    day = int(match.group("d1") or match.group("d2"))
    return _infer_year(month, day, reference) if month else None


def _place(raw: str) -> str:
    return " ".join(raw.split()).strip(" ,")


def dateline_of(line: str, reference: datetime | None = None) -> Dateline | None:
    """A dateline standing alone on its line ("LONDON 1996-08-30", "PARIS, Aug 30 (AFP)"), or None."""
    text = line.strip()
    if len(text) > 90:
        return None
    match = _DATELINE_LINE.match(text)
    if match is None:
        return None
    return Dateline(_place(match.group("place")), parse_dateline_date(match.group("date"), reference),
                    match.group("agency"))


def place_line(line: str) -> str | None:
    """A line holding only a place in capitals ("FARMINGTON HILLS, Mich."), or None."""
    match = _PLACE_LINE.match(line.strip())
    if match is None or len(line) > 60:
        return None
    return _place(match.group("place"))


def date_line(line: str, reference: datetime | None = None) -> date | None:
    """The day of a line holding only a date ("1996-08-30"), or None."""
    match = _DATE_LINE.match(line.strip())
    return parse_dateline_date(match.group("date"), reference) if match else None


def split_inline_dateline(paragraph: str, reference: datetime | None = None) -> tuple[Dateline, str] | None:
    """(dateline, the paragraph without it) when the paragraph opens with one, else None."""
    text = paragraph.lstrip()
    match = _INLINE_WITH_AGENCY.match(text) or _INLINE_DATED.match(text)
    if match is None:
        return None
    groups = match.groupdict()
    day = parse_dateline_date(groups["date"], reference) if groups.get("date") else None
    return Dateline(_place(groups["place"]), day, groups.get("agency")), match.group("rest")


def correction_of(line: str) -> tuple[str, str] | None:
    """(notice, the rest of the line) for a correction or update notice opening the line, else None."""
    match = _CORRECTION.match(line)
    if match is None:
        return None
    notice = match.group("bracketed") or match.group("paren") or match.group("prefix").rstrip(" -–—:")
    return " ".join(notice.split()), line[match.end():].strip()


def is_slug_line(line: str) -> bool:
    """An agency keyword slug ("BC-BRITAIN-ECONOMY/"): one hyphen- or slash-joined token."""
    text = line.strip()
    return 3 <= len(text) <= 60 and " " not in text and _SLUG.match(text) is not None and not any(
        c.isdigit() for c in text.split("-")[0])


def is_all_caps(line: str) -> bool:
    """Written in capitals: at least 4 letters, none of them lower-case."""
    letters = _LETTERS.findall(line)
    return len(letters) >= 4 and not any(c.islower() for c in letters)
