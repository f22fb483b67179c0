"""Judging the publisher names a page gives itself: which one would a reader recognise?

Every candidate - og:site_name, the article's JSON-LD publisher, Organization/WebSite names,
application-name, the site part of <title>, the copyright holder, the publisher/author meta,
the social handle - is cut into names ("Site | slogan" into its parts, "site.com" into the
site's own label, "Brand Section" also into "Brand"). Names are grouped by a key that ignores
case, accents, spaces and punctuation, and a group scores by

- support: how many different sources give it, weighted by how often that source is right;
- domain match: the key is the registered domain's label ("The Harbour" ~ theharbour.example), expands
  it as an acronym ("Kieler Abend Post" ~ kap.example), or is it with a leading article.

Weak evidence never wins on its own: a URL or bare domain is only the label's spelling, a section
(a URL path segment or a subdomain label), the headline repeated, a slogan of more than six
words, a company's legal name, a @handle. The winning group is spelled as the page spells it:
a written form ("NordPost") over a domain label ("nordpost.example"), found in the page text when
only the domain gave it; a site known only by its domain ("kiel.info") keeps the domain.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import tldextract
from lxml import html as lxml_html

from transforms.extraction.page_meta import PageMeta, jsonld_names, jsonld_types

# The bundled public-suffix snapshot only: never fetch the list at run time.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

# How often a source names the outlet rather than something else (a section, a slogan, a person).
WEIGHTS = {"og": 3.0, "jsonld": 3.0, "organization": 2.0, "app": 2.0, "title": 2.0,
           "copyright": 2.0, "meta": 1.0, "title-part": 1.0, "handle": 0.5}
# Sources that name the site itself (not a person, a rights holder or an account).
STRONG_SOURCES = frozenset({"og", "jsonld", "organization", "app", "title"})
# The label stored in `publisher_source` (transforms.article.PUBLISHER_SOURCES) for each source.
LABELS = {"og": "og", "app": "og", "jsonld": "jsonld", "organization": "jsonld", "title": "title",
          "title-part": "title", "copyright": "text", "meta": "text", "handle": "text"}
_SPLIT = re.compile(r"\s+[|\-–—·•»«:/]+\s+|\s*[|│]\s*|:\s+|\s+l\s+")
_DOMAIN_LIKE = re.compile(r"^(?:https?://)?(?:www\.)?((?:[\w-]+\.)+[a-z]{2,12})/?$", re.I)
_DOMAIN_TOKEN = re.compile(r"\b((?:[\w-]+\.)+[a-z]{2,12})\b", re.I)
_LEGAL = re.compile(
    r"\b(?:GmbH|mbH|AG|SE|KG|KGaA|Inc|LLC|Ltd|Limited|PLC|S\.?A\.?|S\.?L\.?|S\.?A\.?S|S\.?p\.?A|"
    r"B\.?V|N\.?V|de C\.?V|Company|Corporation|Corp|Holding|Holdings|Gruppe|Group|Grupa|& Co)\b\.?",
    re.I,
)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright\b)\s*(?:©|\(c\))?\s*([^\n]{2,90})", re.I)
# Where a copyright holder's name ends: a year, a separator, "all rights reserved" in a few scripts.
_HOLDER_END = re.compile(
    r"\s*(?:\b(?:19|20)\d\d\b|[|•·;,]|\s[-–—]\s|\.\s|\ball\s+rights|\balle\s+rechte|\btodos\s+los|"
    r"\btous\s+droits|\btutti\s+i\s+diritti|\bwszelkie|\bdireitos)",
    re.I,
)
_LEADING_YEARS = re.compile(r"^(?:(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?\s*[,.:]?\s*)+(?:by\s+)?", re.I)
_MAX_WORDS = 6
APP_NAMES = ("application-name", "apple-mobile-web-app-title", "al:android:app_name", "al:ios:app_name")
_TRANSLIT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"}
)


def fold(text: str) -> str:
    """Lower case without accents ("Ébano" -> "ebano"), one character for one: offsets still match."""
    # Whole page texts come through here: ASCII (folded by lower() alone) and the table both run in C.
    if text.isascii():
        return text.lower()
    return text.translate(_FOLDED)


def _fold_char(char: str) -> str:
    lower = char.lower()
    if len(lower) != 1:
        return char
    base = "".join(c for c in unicodedata.normalize("NFKD", lower) if not unicodedata.combining(c))
    return base if len(base) == 1 else lower


class _FoldTable(dict[int, str]):
    """Code point -> folded character for `str.translate`, each worked out on first sight."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLDED = _FoldTable()


def name_key(text: str) -> str:
    """What two spellings of one name share: letters and digits, folded (ß as ss)."""
    return re.sub(r"[\W_]+", "", fold(text).replace("ß", "ss"))


def _keys(text: str) -> set[str]:
    """The folded key and the transliterated one ("Größe" ~ groesse)."""
    return {name_key(text), re.sub(r"[\W_]+", "", fold(text.lower().translate(_TRANSLIT)))}


def is_acronym(short: str, long_name: str) -> bool:
    """Whether `short` (2-6 letters) is an initialism of a name of two or more words.

    Its letters are a subsequence of the name's letters, starting with the first word's
    initial and touching the initials of at least two words ("KAP", "BMKF", "KB").
    """
    short = name_key(short)
    words = [w for w in re.split(r"[\s\-]+", fold(long_name)) if w]
    if not 2 <= len(short) <= 6 or len(words) < 2 or not short.isalpha():
        return False
    if not words[0].startswith(short[0]):
        return False
    initials = {w[0] for w in words}
    text, position = "".join(words), 0
    for letter in short:
        position = text.find(letter, position)
        if position < 0:
            return False
        position += 1
    return sum(letter in initials for letter in short) >= 2


@dataclass
class _Name:
    text: str
    source: str
    domain_like: bool = False  # spelled from a URL or host name: the key is right, the spelling weak
    derived: bool = False  # cut out of a longer name ("NPT" from "NPT Sport")
    written: str = ""  # for a domain-like name: the host as the page wrote it
    whole: bool = False  # a short value kept unsplit ("Kiel - Stadt"): wins a tie with its parts


@dataclass
class PublisherEvidence:
    """Candidate names for one page, judged against its host and headline."""

    host: str  # bare host, no www.
    domain: str | None  # registered domain
    url: str
    headline: str
    names: list[_Name] = field(default_factory=list)
    page_text: str = ""

    def __post_init__(self) -> None:
        subdomain, self.label, self.suffix = _split_host(self.host)
        self.sub_labels = {p for p in subdomain.split(".") if p and p != "www"}
        self.label_keys = {name_key(self.label), name_key(f"{self.label}.{self.suffix}")} - {""}
        path = unquote(urlsplit(self.url).path) if self.url else ""
        self.sections = {name_key(s) for s in re.split(r"[/_]", path) if s}
        self.sections |= {name_key(s) for s in self.sub_labels}
        self.headline_key = name_key(self.headline)

    # -- collecting ------------------------------------------------------------------------------
    def add_page(self, page: PageMeta, title_site: str | None, tree: lxml_html.HtmlElement | None) -> None:
        """Every candidate the page metadata, its title and (when given) its text offer."""
        for value in page.meta.get("og:site_name", ())[:1]:
            self.add(value, "og")
        for name in APP_NAMES:
            for value in page.meta.get(name, ())[:1]:
                self.add(value, "app")
        for obj in page.article_objects()[:2]:
            names = jsonld_names(obj.get("publisher")) or jsonld_names(obj.get("sourceOrganization"))
            for value in names[:1]:
                self.add(value, "jsonld")
        for obj in page.jsonld:
            types = {t.lower() for t in jsonld_types(obj)}
            if types & {"newsmediaorganization", "organization", "website", "corporation"}:
                for key in ("name", "alternateName"):
                    value = obj.get(key)
                    if isinstance(value, str):
                        self.add(value, "organization")
        for name in ("publisher", "dc.publisher", "dcterms.publisher", "author", "copyright", "dc.rights"):
            for value in page.meta.get(name, ())[:1]:
                self.add(_copyright_holder(value) if "right" in name else value, "meta")
        for value in page.meta.get("twitter:site", ())[:1]:
            if value.startswith("@"):
                # "@Kieler_Blatt" -> "Kieler Blatt"; "@site_pl" drops the country suffix it repeats.
                handle = re.sub(r"(?<=.)_[a-z]{2}$", "", value[1:], flags=re.I)
                country = self.suffix.rsplit(".", 1)[-1]
                if len(country) == 2 and name_key(handle) == name_key(self.label + country):
                    handle = handle[:-2]  # "@nordpostde" on nordpost.de repeats the country ending
                self.names.append(_Name(handle.replace("_", " ").strip(), "handle"))
        if title_site:
            self.add(title_site, "title")
        for title in (page.title, page.first("og:title") or ""):
            for part in _SPLIT.split(title)[1:] + _SPLIT.split(title)[:1]:
                if part and name_key(part) != self.headline_key and len(part.split()) <= _MAX_WORDS:
                    self.add(part, "title-part")
        if tree is not None:
            body = tree.find("body")
            text = body.text_content() if body is not None else ""
            alts = " ".join(v for v in tree.xpath("//img/@alt")[:200] if isinstance(v, str))
            # The head and the foot of a long page hold its name; the spelling search reads only them.
            kept = text if len(text) <= 120000 else f"{text[:100000]}\n{text[-20000:]}"
            self.page_text = f"{page.title}\n{kept}\n{alts}"
            holders = [_copyright_holder(m.group(1)) for m in _COPYRIGHT.finditer(text[-20000:])]
            for holder in holders[-2:]:
                # "© Agency/photographer" is an image credit; "© Copyright" names nobody.
                if holder[:1].isalnum() and not re.search(r"[{}()<>=;/]|^copyright\b", holder, re.I):
                    self.add(holder, "copyright")

    def add(self, value: str, source: str) -> None:
        """One candidate value -> its names (parts, domain labels, brand prefixes)."""
        value = " ".join(value.replace("_", " ").split()).strip(" |-–—:·•")
        is_url_text = value.lower().startswith(("http://", "https://")) and " " in value
        if not value or len(value) > 160 or is_url_text:
            return
        parts = [p.strip(" |-–—:·•\"'“”") for p in _SPLIT.split(value)]
        parts = [p for p in parts if p]
        # "KB - Kieler Blatt": the initialism only abbreviates the name beside it.
        kept = [p for p in parts if not (p.isupper() and any(q is not p and is_acronym(p, q) for q in parts))]
        short = len(value.split()) <= 4
        if len(kept) == len(parts) > 1 and short and not any(map(_DOMAIN_LIKE.match, parts)):
            self.names.append(_Name(value, source, whole=True))
        parts = kept
        for part in parts:
            if self.suffix and " " in part and part.lower().endswith(f".{self.suffix}"):
                part = part[: -len(self.suffix) - 1]  # "Le Phare.fr": the name and the domain's ending
            domain = _DOMAIN_LIKE.match(part)
            if domain:
                self._add_domain(domain.group(1), source)
                continue
            for token in _DOMAIN_TOKEN.findall(part):
                if self.domain and token.lower().endswith(self.domain):
                    self._add_domain(token, source)
            self.names.append(_Name(part, source))
            prefix = self._brand_prefix(part)
            if prefix:
                self.names.append(_Name(prefix, source, derived=True))

    def _add_domain(self, host: str, source: str) -> None:
        host = host[4:] if host.lower().startswith("www.") else host
        subdomain, domain, suffix = _split_host(host)
        if not domain or not suffix:
            self.names.append(_Name(host, source, domain_like=True, written=host))
            return
        # Keep the case the page wrote it in: "ELFARO.COM" -> "ELFARO";
        # a capitalised "Nordpost.com" is a brand that includes its domain.
        start = len(subdomain) + 1 if subdomain else 0
        label = host[start : start + len(domain)]
        if " " not in label and label[:1].isupper() and any(c.islower() for c in label) and not subdomain:
            self.names.append(_Name(host, source))
            return
        # "época.example": a label with letters no host name has is the name as the outlet writes it.
        domain_like = " " not in label and label.isascii()
        self.names.append(_Name(label, source, domain_like=domain_like, written=host))

    def _brand_prefix(self, part: str) -> str | None:
        """The domain's own name before a section or a glued product word: "NPT Sport" on
        npt.example/sport/ -> "NPT", "nptHealth" -> "npt". "Example Times" on example.org stays whole."""
        if not self.label_keys or len(part) < 3:
            return None
        for end in range(2, len(part)):
            left, right = part[end - 1], part[end]
            if not left.isalnum() or right == ".":
                continue
            glued = (left.islower() and right.isupper()) or (
                left.isupper() and right.islower() and end >= 3 and part[end - 2].isupper()
            )
            spaced = not right.isalnum() or (left.isalpha() != right.isalpha() and right.isalnum())
            rest = name_key(part[end:])
            if not rest or not (glued or spaced) or not _keys(part[:end]) & self.label_keys:
                continue
            # A spaced word after the brand is part of the name unless it is a section of this URL.
            if glued or rest in self.sections:
                return part[:end].strip(" -")
            return None
        return None

    # -- judging ---------------------------------------------------------------------------------
    def domain_match(self, text: str) -> float:
        """3: the domain's label (or it with a leading article, or its acronym's expansion);
        1: contains it or is contained in it; 0: unrelated."""
        keys = _keys(text)
        if not self.label_keys or not any(keys):
            return 0.0
        label = name_key(self.label)
        for key in keys:
            if key in self.label_keys:
                return 3.0
            if key.endswith(label) and len(key) - len(label) <= 3 and len(label) >= 4:
                return 2.5  # "Die Welle" ~ welle.example, "The Harbour" ~ harbour.example
        if len(label) <= 6 and is_acronym(label, text):
            return 3.0
        for key in keys:
            if len(label) >= 3 and (label in key or (len(key) >= 4 and key in label)):
                return 1.0
        return 0.0

    def _weak(self, name: _Name) -> bool:
        key = name_key(name.text)
        if not key or len(name.text.split()) > _MAX_WORDS or len(name.text) > 60:
            return True
        if key == self.headline_key or (len(key) > 20 and key in self.headline_key):
            return True
        # "Reisen w NORDPOST.PL", "nptHealth" on health.npt.example: a section host's name.
        if self.domain_match(name.text) < 3 and any(
            len(sub) >= 3 and sub in key and len(key) - len(sub) > 3 for sub in self.sub_labels
        ):
            return True
        return key in self.sections and self.domain_match(name.text) == 0

    def best(self) -> tuple[str, str] | None:
        """The best-supported name and its source label, or None when the page names nothing usable."""
        groups: dict[str, list[_Name]] = {}
        for name in self.names:
            if not self._weak(name):
                groups.setdefault(name_key(name.text), []).append(name)
        # A name only a byline, a copyright line or a handle gives, and that is not the domain's own
        # name, is more often a person, a photo agency or a hosting platform than the outlet.
        groups = {
            key: members
            for key, members in groups.items()
            if any(m.source in STRONG_SOURCES for m in members)
            or any(self.domain_match(m.text) >= 2.5 for m in members if not m.domain_like)
        }
        if not groups:
            return None

        def score(members: list[_Name]) -> float:
            by_source: dict[str, float] = {}
            for m in members:
                weight = WEIGHTS[m.source] * (0.6 if m.derived else 1.0)
                weight *= 0.3 if _LEGAL.search(m.text) else 1.0
                by_source[m.source] = max(by_source.get(m.source, 0.0), weight)
            # A domain spelled back is no evidence that the domain is the name: only written names match.
            written = [
                self.domain_match(m.text) * (0.8 if m.derived else 1.0) for m in members if not m.domain_like
            ]
            whole = 0.01 if any(m.whole for m in members) else 0.0
            return sum(by_source.values()) + 2 * max(written, default=0.0) + whole

        key, members = max(groups.items(), key=lambda item: score(item[1]))
        spelled = [m for m in members if not m.domain_like]
        if spelled:
            # A name written with capitals or spaces reads as a name; lower case is a handle's spelling.
            chosen = max(spelled, key=lambda m: (not m.derived, _case_quality(m.text) > 0, WEIGHTS[m.source],
                                                 _case_quality(m.text)))
            return chosen.text, LABELS[max(members, key=lambda m: WEIGHTS[m.source]).source]
        whole_domain = name_key(f"{self.label}{self.suffix}")
        written = self._spelling_in_text(key) or self._spelling_in_text(whole_domain)
        if written:
            return written, LABELS[max(members, key=lambda m: WEIGHTS[m.source]).source]
        if self.domain and key in self.label_keys:
            return self.domain, "domain"
        first = members[0]
        return first.written or first.text, LABELS[first.source]

    def _spelling_in_text(self, key: str) -> str | None:
        """How the page writes a domain label in its text ("El Faro" for elfaro.example), most common form."""
        if len(key) < 3 or not self.page_text:
            return None
        letters = [re.escape(c) for c in key]
        pattern = re.compile(r"(?<![\w.])" + r"[\s'’.&-]?".join(letters) + r"(?![\w]|\.[a-z]{2,})", re.I)
        folded = fold(self.page_text)
        forms = Counter(
            self.page_text[m.start() : m.end()] for m in pattern.finditer(folded) if m.end() - m.start() < 40
        )
        if not forms:
            return None
        return max(forms.items(), key=lambda item: (_case_quality(item[0]), item[1]))[0]


def _split_host(host: str) -> tuple[str, str, str]:
    """'money.nordpost.com' -> ('money', 'nordpost', 'com'); a host outside the public suffixes
    (a test or intranet name) ends in its last label."""
    host = host.lower()
    if not host:
        return "", "", ""
    ext = _EXTRACT(host)
    if ext.suffix or "." not in host:
        return ext.subdomain, ext.domain, ext.suffix
    *subs, label, suffix = host.split(".")
    return ".".join(subs), label, suffix


def _case_quality(text: str) -> int:
    """Mixed case reads as a name ("NordPost"), capitals as a logo, all lower-case as a handle."""
    if any(c.isupper() for c in text) and any(c.islower() for c in text):
        return 2
    return 1 if any(c.isupper() for c in text) or " " in text else 0


def _copyright_holder(text: str) -> str:
    """'© 2021-2023 Kieler Blatt. All rights reserved' -> 'Kieler Blatt'."""
    text = _LEADING_YEARS.sub("", " ".join(text.split()).strip(" ©:"))
    end = _HOLDER_END.search(text)
    return (text[: end.start()] if end else text).strip(" .,-–")[:60]
