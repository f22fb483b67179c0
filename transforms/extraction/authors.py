"""Author bylines -> person names, with news-agency credits split off.

`clean_authors` takes raw byline strings from any source (JSON-LD author, meta
author, rel=author links, byline elements) and returns person names only:
no "By"/"Von", no "Staff"/"Redaktion", no Twitter handles, e-mails or dates;
agency names (dpa, AFP, Reuters, ...) go to the `agency` value instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Agency credits as written in bylines -> canonical agency label.
AGENCIES: dict[str, str] = {
    "dpa": "dpa",
    "deutsche presse-agentur": "dpa",
    "dpa-afx": "dpa-AFX",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "apa": "APA",
    "austria presse agentur": "APA",
    "kna": "KNA",
    "katholische nachrichten-agentur": "KNA",
    "epd": "epd",
    "evangelischer pressedienst": "epd",
    "sid": "SID",
    "sport-informations-dienst": "SID",
    "ddp": "ddp",
    "dts": "dts",
    "dts nachrichtenagentur": "dts",
    "afx": "AFX",
    "sda": "SDA",
    "keystone-sda": "Keystone-SDA",
    "ats": "ATS",
    "ansa": "ANSA",
    "efe": "EFE",
    "europa press": "Europa Press",
    "upi": "UPI",
    "bloomberg": "Bloomberg",
    "bloomberg news": "Bloomberg",
    "xinhua": "Xinhua",
    "tass": "TASS",
    "interfax": "Interfax",
    "anp": "ANP",
    "belga": "Belga",
    "pa": "PA",
    "press association": "PA",
    "pa media": "PA",
    "aap": "AAP",
    "kyodo": "Kyodo",
    "yonhap": "Yonhap",
    "idea": "idea",
    "ots": "OTS",
    "sat.1": "",
    "apa-ots": "APA-OTS",
    "afp/dpa": "AFP",
    "dpa/afp": "dpa",
}
# Words that mark a byline fragment as a role, team or site, not a person.
_NOT_A_PERSON = re.compile(
    r"\b(?:staff|reporter|redaktion|redakteur|editor|editorial|team|newsroom|desk|correspondent|"
    r"korrespondent|online|nachrichten|news|agentur|agency|admin|administrator|webmaster|gastautor|"
    r"guest|contributor|mitarbeiter|leserbrief|zeitung|magazin|verlag|media|medien|presse|press|"
    r"pressestelle|pressemitteilung|service|kontakt|contact|support|wire|wires|rédaction|redacción|"
    r"redazione|redactie|foto|photo|bild|image|grafik|illustration|quelle|source|copyright|"
    r"gmbh|inc|llc|ltd|ag|unknown|anonym|anonymous|gast|user|benutzer|autor|author|média|medios|mídia|"
    r"foundation|stiftung|fondation|fundación|verein|verband|institut|institute|university|universität|"
    r"ministerium|ministry|amt|department|direkt|blog|club|group|gruppe)\b",
    re.I,
)
_PREFIX = re.compile(
    r"^\s*(?:(?:text|written|story|reported|posted|published|interview|article|von|vom|by|par|por|di|"
    r"door|af|av|från|autor(?:in)?|author|verfasst von|ein beitrag von|ein kommentar von|"
    r"eine analyse von|ein gastbeitrag von|gastbeitrag von|kommentar von|analyse von)\b\s*:?\s*)+",
    re.I,
)
_SPLIT = re.compile(
    r"\s*(?:,|;|\||/|&|\+|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b|\boch\b|\bog\b|·|•|\n)\s*", re.I
)
_HANDLE = re.compile(r"(?:^|\s)@\w+|https?://\S+|www\.\S+|\S+@\S+\.\w+")
_DATE_BITS = re.compile(r"\d")
_BRACKETS = re.compile(r"\s*[\(\[].*?[\)\]]\s*")
_TRAILING_ROLE = re.compile(r"\s*[,–—-]\s*(?:[a-zäöüéèàç-]+\s*){1,4}$")
_NAME_TOKEN = re.compile(
    r"^(?:[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.\-]*|(?:von|van|de|der|den|di|da|du|del|della|la|le|"
    r"zu|ten|ter|bin|al|el|y|dos|das|do)|[A-Z]\.)$"
)
MAX_AUTHORS = 6


def agency_of(fragment: str) -> str | None:
    """'dpa', 'AFP', 'Reuters'... for a byline fragment that names a news agency, else None."""
    key = re.sub(r"[\s.]+", " ", fragment.strip().lower()).strip(" .:()[]")
    if key in AGENCIES:
        return AGENCIES[key] or None
    # "dpa/lno", "dpa-infocom", "(dpa)" are regional/product variants of the agency.
    head = re.split(r"[/\-:\s]", key, maxsplit=1)[0]
    if head in (
        "dpa",
        "afp",
        "apa",
        "kna",
        "epd",
        "sid",
        "ddp",
        "dts",
        "sda",
        "ats",
        "ansa",
        "efe",
        "reuters",
    ):
        return AGENCIES.get(head) or None
    return None


def _person_name(fragment: str) -> str | None:
    fragment = _BRACKETS.sub(" ", fragment)
    fragment = _PREFIX.sub("", fragment).strip(" .:,-–—\"'“”„")
    if not fragment or _DATE_BITS.search(fragment) or _HANDLE.search(fragment):
        return None
    fragment = _TRAILING_ROLE.sub("", fragment).strip(" .:,-–—")
    if fragment.isupper() and len(fragment) > 4:
        fragment = fragment.title()
    tokens = fragment.split()
    if not 2 <= len(tokens) <= 5 or _NOT_A_PERSON.search(fragment):
        return None
    if not all(_NAME_TOKEN.match(token) for token in tokens):
        return None
    if not tokens[0][0].isupper() or not tokens[-1][0].isupper():
        return None
    return " ".join(tokens)


def clean_authors(raw: Iterable[str], not_persons: Iterable[str] = ()) -> tuple[list[str], str | None]:
    """Raw byline strings -> (person names in order, de-duplicated; the agency credited, if any).

    not_persons: names known to be the outlet (publisher, site name); bylines naming it are dropped.
    """
    names: list[str] = []
    seen: set[str] = {" ".join(name.lower().split()) for name in not_persons if name}
    agency: str | None = None
    for value in raw:
        if not value:
            continue
        value = _HANDLE.sub(" ", " ".join(value.split()))
        for fragment in _SPLIT.split(value):
            if not fragment or not fragment.strip():
                continue
            found_agency = agency_of(fragment)
            if found_agency:
                agency = agency or found_agency
                continue
            name = _person_name(fragment)
            if name and name.lower() not in seen:
                seen.add(name.lower())
                names.append(name)
    return names[:MAX_AUTHORS], agency
