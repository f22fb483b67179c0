"""Line-level boilerplate signals: is one line of page text article prose or site chrome?

Pure functions over single lines of text, shared by the page-text dump
extractor (`text_dump`), the template learner (`templates`), other
extractors and the data-quality checks. Nothing here assumes English: stop
lists come from spaCy's bundled `spacy.lang.<xx>.stop_words` (no model
download) for several languages, and the chrome markers are multilingual.

    line_signals(line)      -> LineSignals (length, stop-word density, punctuation, chrome kind)
    classify_line(signals)  -> "good" | "near" | "short" | "bad"  (jusText-style classes)
    chrome_kind(line)       -> a kind of known chrome ("cookie", "copyright", ...) or None
    is_end_marker(line)     -> a heading that starts a non-article block ("Related News", ...)
    image_credit_of(line)   -> the credit text if the line is a photo credit, else None
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache

# Languages whose stop lists spaCy ships in the core package; the corpus is
# mostly German, then English, with Romance and Germanic neighbours.
STOP_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "pl")

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"""[.!?…:;]["'“”»«)\]’]*$""")

# Thresholds (characters / density) for the line classes, tuned on the dev corpus.
SHORT_CHARS = 50  # below: a heading, a menu item, a caption, a date
LONG_CHARS = 150  # above: prose unless the stop-word density says otherwise
STOP_LOW = 0.20
STOP_HIGH = 0.28


@cache
def stop_words(language: str) -> frozenset[str]:
    """spaCy's bundled stop list for `language` (e.g. "de"), case-folded."""
    module = importlib.import_module(f"spacy.lang.{language}.stop_words")
    return frozenset(word.casefold() for word in module.STOP_WORDS)


@cache
def _stop_languages() -> dict[str, int]:
    # word -> bit set of the languages listing it, so one pass scores every language.
    table: dict[str, int] = {}
    for bit, language in enumerate(STOP_LANGUAGES):
        for word in stop_words(language):
            table[word] = table.get(word, 0) | (1 << bit)
    return table


def stop_density(words: list[str]) -> float:
    """Highest share of stop words in `words` over the supported languages (0.0 for no words)."""
    if not words:
        return 0.0
    table = _stop_languages()
    counts = [0] * len(STOP_LANGUAGES)
    for word in words:
        bits = table.get(word.casefold(), 0)
        while bits:
            low = bits & -bits
            counts[low.bit_length() - 1] += 1
            bits ^= low
    return max(counts) / len(words)


def _alternation(phrases: list[str]) -> str:
    return "|".join(sorted(phrases, key=len, reverse=True))


# Headings that open a block of other stories, comments or link lists: the
# article is over once one of them appears on its own line.
_END_HEADINGS = [
    # en
    "related news", "related articles?", "related stories", "related posts?", "related content",
    "related", "more from [\\w .&'-]{1,40}", "more stories", "more news", "more on this( story| topic)?",
    "more articles", "you may also like", "you might also like", "you may (also )?be interested in",
    "recommended( for you| stories| articles)?", "most read", "most popular", "trending( now)?",
    "top stories", "latest news", "latest( posts| articles)?", "see also", "further reading",
    "read next", "up next", "comments?", "\\d+ comments?", "leave a (reply|comment)",
    "post a comment", "write a (reply|comment)( or comment)?.*", "join the discussion", "discussion",
    "share this( article| story| post)?:?", "about the author", "also read", "popular posts",
    "recent posts", "letzte beiträge", "neueste beiträge",
    # de
    "mehr zum thema.*", "das könnte (sie|dich) (auch )?interessieren", "weitere artikel", "weitere nachrichten",
    "ähnliche (artikel|beiträge|themen)", "verwandte (artikel|beiträge|themen)", "auch interessant",
    "das könnte sie auch interessieren", "mehr aus [\\w .&'-]{1,40}", "meistgelesen(e artikel)?",
    "meist gelesen", "empfehlungen", "unsere empfehlungen?", "kommentare?", "\\d+ kommentare?",
    "kommentar schreiben", "schreibe einen kommentar", "hinterlasse einen kommentar",
    "diskutieren sie mit", "leserkommentare", "weitere themen", "top-themen", "mehr nachrichten",
    "mehr artikel", "aktuelle beiträge", "letzte kommentare", "neueste kommentare", "zum weiterlesen",
    "weiterlesen", "beliebte beiträge", "ähnliche beiträge", "themenseiten", "lesen sie mehr",
    "auch lesenswert", "neueste artikel", "das sagen unsere leser",
    # fr
    "articles similaires", "à lire aussi", "a lire aussi", "lire aussi", "sur le même sujet",
    "les plus lus", "commentaires?", "vous aimerez aussi", "dans la même rubrique", "à voir aussi",
    # es / pt
    "noticias relacionadas", "te puede interesar", "artículos relacionados", "lo más leído",
    "comentarios?", "también te puede interesar", "más noticias", "notícias relacionadas",
    "leia também", "mais lidas",
    # it
    "leggi anche", "articoli correlati", "potrebbe interessarti", "i più letti", "commenti",
    # nl
    "gerelateerde artikelen", "lees ook", "meer nieuws", "reacties", "meest gelezen",
]
_END_MARKER = re.compile(rf"^\W*(?:{_alternation(_END_HEADINGS)})\W*$", re.IGNORECASE)

# Known chrome, by kind. Matched anywhere in a line; callers only trust a
# match on lines that are not long prose (see `chrome_kind`).
_CHROME_PATTERNS: dict[str, list[str]] = {
    "copyright": [
        r"^\W{0,3}(©|\(c\)|copyright\b)", r"all rights reserved", r"alle rechte vorbehalten",
        r"tous droits réservés", r"todos los derechos reservados", r"tutti i diritti riservati",
        r"alle rechten voorbehouden", r"todos os direitos reservados",
    ],
    "cookie": [
        r"\bcookies?\b", r"\bconsent\b", r"einwilligung", r"datenschutzeinstellungen",
        r"privacy settings", r"\bakzeptieren\b", r"\baccept( all)?\b",
    ],
    "terms": [
        r"terms of (use|service)", r"privacy policy", r"nutzungsbedingungen", r"datenschutzerklärung",
        r"\bimpressum\b", r"\bagb\b", r"mentions légales", r"aviso legal", r"politique de confidentialité",
        r"política de privacidad", r"\bdisclaimer\b", r"haftungsausschluss", r"data protection",
    ],
    "app": [r"\bapp ?store\b", r"\bplay ?store\b", r"google play", r"download (our|the) app", r"\bapp laden\b"],
    "newsletter": [
        r"\bnewsletter\b", r"\bsubscribe\b", r"\babonnieren\b", r"\bsign up\b", r"\bs'abonner\b",
        r"\bsuscríbete\b", r"\biscriviti\b", r"\babonneer\b",
    ],
    "share": [
        r"^(share|teilen|partager|compartir|condividi|delen)\b", r"\b(facebook|twitter|whatsapp|pinterest|linkedin|"
        r"xing|telegram|reddit|instagram|youtube)\b", r"^(print|drucken|e-?mail|mail|imprimer|imprimir)$",
        r"^(tweet|pin it|teilen)$",
    ],
    "login": [r"^(log ?in|log ?out|sign in|anmelden|abmelden|registrieren|register|mein konto|my account)$"],
    "ad": [r"^(anzeige|advertisement|werbung|publicité|publicidad|pubblicità|advertentie|sponsored)$"],
    "nav": [
        r"^(home|startseite|accueil|inicio|menu|menü|navigation|suche|search|skip to( main)? content|"
        r"zum (haupt)?inhalt springen|toggle navigation|zurück|back|next|previous|weiter|top|nach oben|"
        r"back to top|sitemap|kontakt|contact|rss|mehr|more|loading\.*|lädt\.*)$",
        r"^\S.{0,40}\s[>»›/|]\s.{0,40}\s[>»›/|]\s",  # breadcrumb: a > b > c
    ],
    "tags": [r"^(tags|schlagwörter|schlagworte|stichwörter|themen|topics|étiquettes|etiquetas|tag)\s*:"],
}
_CHROME = {kind: re.compile("|".join(pats), re.IGNORECASE) for kind, pats in _CHROME_PATTERNS.items()}
# Kinds that mark the page footer: nothing after them belongs to the article.
FOOTER_KINDS = frozenset({"copyright", "cookie", "terms"})

_CREDIT_PREFIX = re.compile(
    r"^\W{0,2}(?:foto|fotos|photo|photos|bild|bilder|image|images|picture|quelle|source|credit|crédit|"
    r"crédito|credito|beeld|afbeelding|illustration|grafik|video)s?\s*(?:[:/©]|\(c\))\s*(.+)$",
    re.IGNORECASE,
)
_CREDIT_COPYRIGHT = re.compile(r"^\s*(?:©|\(c\))\s*(?!\d{4}\b)(.+)$", re.IGNORECASE)
# "EPA-EFE/KCNA", "AFP/Getty Images", "dpa/Max Muster": agency-like tokens joined by slashes.
_CREDIT_SLASHED = re.compile(r"^[A-Z][\w.&'-]*(?: [\w.&'-]+){0,3}(?: ?/ ?[A-Z][\w.&'-]*(?: [\w.&'-]+){0,3})+$")
_PHOTO_AGENCIES = re.compile(
    r"^(?:getty images|reuters|afp|ap|dpa|epa|imago|keystone|picture alliance|shutterstock|istock|"
    r"ansa|efe|anp|belga|apa|sda)(?:\b.*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LineSignals:
    """What one line of text looks like, for classifying it as content or chrome."""

    text: str
    n_chars: int
    n_words: int
    stop_density: float
    sentence_end: bool  # ends like a sentence (., !, ?, …, closing quote)
    sentences: int  # sentence-ending punctuation marks followed by space or end
    chrome: str | None  # kind of known chrome the line matches, None for none
    end_marker: bool  # a heading that opens a related-stories/comments block


def chrome_kind(line: str) -> str | None:
    """Kind of known chrome the (short-ish) line matches ("cookie", "copyright", ...), or None.

    Long prose lines only count when the match is a copyright/cookie/terms
    notice, which can be a long paragraph themselves; a news story that
    mentions Facebook is still a news story.
    """
    text = line.strip()
    n_words = len(WORD.findall(text))
    for kind, pattern in _CHROME.items():
        if not pattern.search(text):
            continue
        if n_words <= 12:
            return kind
        if kind in FOOTER_KINDS and _footer_like(text, kind):
            return kind
    return None


def _footer_like(text: str, kind: str) -> bool:
    # A long line is a footer notice only if the matched theme dominates it:
    # several hits, or it is the line's opening words.
    hits = len(_CHROME[kind].findall(text))
    opening = _CHROME[kind].search(text[:60]) is not None
    if kind == "copyright":
        return opening
    return hits >= 2 or (opening and hits >= 1 and len(text) < 400)


def is_end_marker(line: str) -> bool:
    """True when the line is a heading that opens related stories, comments or link lists."""
    text = line.strip()
    return len(text) <= 60 and _END_MARKER.match(text) is not None


def image_credit_of(line: str) -> str | None:
    """The credit ("EPA-EFE/KCNA", "dpa/Max Muster") if the line is a photo credit, else None."""
    text = line.strip()
    if not text or len(text) > 80 or _SENTENCE_END.search(text) and text.endswith("."):
        return None
    match = _CREDIT_PREFIX.match(text)
    if match:
        return match.group(1).strip() or None
    match = _CREDIT_COPYRIGHT.match(text)
    if match and len(WORD.findall(text)) <= 6:
        return match.group(1).strip()
    if _CREDIT_SLASHED.match(text) and len(WORD.findall(text)) <= 6:
        return text
    if _PHOTO_AGENCIES.match(text) and len(WORD.findall(text)) <= 4:
        return text
    return None


def line_signals(line: str) -> LineSignals:
    """Measure one line: length, word count, stop-word density, punctuation, chrome kind."""
    text = line.strip()
    words = WORD.findall(text)
    return LineSignals(
        text=text,
        n_chars=len(text),
        n_words=len(words),
        stop_density=stop_density(words),
        sentence_end=_SENTENCE_END.search(text) is not None,
        sentences=len(re.findall(r"[.!?…][\"'“”»«)\]]?(?:\s|$)", text)),
        chrome=chrome_kind(text),
        end_marker=is_end_marker(text),
    )


def classify_line(signals: LineSignals) -> str:
    """jusText-style class of a line: "good" prose, "near" good, "short", or "bad" chrome.

    Long lines with a language's normal stop-word density are prose; short
    lines cannot be judged on their own (the caller decides from context);
    known chrome and stop-word-poor lines (menus, tag lists, link runs) are bad.
    """
    if signals.end_marker or signals.chrome is not None:
        return "bad"
    if signals.n_words == 0:
        return "bad"
    if signals.n_chars < SHORT_CHARS:
        return "short"
    if signals.stop_density >= STOP_HIGH and (signals.n_chars >= LONG_CHARS or signals.sentence_end):
        return "good"
    if signals.stop_density >= STOP_LOW:
        return "near"
    return "bad"
