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
    is_teaser_line(line)    -> a link to another story ("Lea: ...", "Vorheriger Artikel ...")
    is_caption_line(line)   -> an image caption (closed by a photo credit, "Abbildung 4: ...")
    is_call_to_action(line) -> the reader asked to follow, subscribe, get the app, donate
    is_code_line(line)      -> source code or configuration
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType

from transforms.folding import casefree

# Languages whose stop lists spaCy ships in the core package (space-separated
# scripts; Chinese and Japanese are judged by their punctuation instead).
STOP_LANGUAGES = (
    "en",
    "de",
    "fr",
    "es",
    "it",
    "nl",
    "pt",
    "sv",
    "da",
    "pl",
    "fi",
    "ru",
    "uk",
    "ar",
    "fa",
    "he",
    "hu",
    "el",
    "tr",
    "cs",
    "sk",
    "sl",
    "hr",
    "ro",
    "bg",
    "ca",
    "id",
    "hi",
    "bn",
    "sr",
    "lt",
    "lv",
)

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"""[.!?…:;。！？]["'“”»«)\]’]*$""")

# Thresholds (characters / density) for the line classes, tuned on the dev corpus.
SHORT_CHARS = 50  # below: a heading, a menu item, a caption, a date
LONG_CHARS = 150  # above: prose unless the stop-word density says otherwise
STOP_LOW = 0.20
STOP_HIGH = 0.28


@cache
def stop_words(language: str) -> frozenset[str]:
    """spaCy's bundled stop list for `language` (e.g. "de"), case-folded."""
    return frozenset(word.casefold() for word in _stop_words_module(language).STOP_WORDS)


def _stop_words_module(language: str) -> ModuleType:
    # Importing `spacy.lang.xx.stop_words` imports spaCy itself (seconds of CPU and its memory)
    # in a clean worker that only needs the word lists: the files are plain data, load them alone.
    spacy_spec = importlib.util.find_spec("spacy")
    locations = spacy_spec.submodule_search_locations if spacy_spec else None
    if locations:
        path = Path(next(iter(locations))) / "lang" / language / "stop_words.py"
        spec = importlib.util.spec_from_file_location(f"_mediamon_stop_words_{language}", path)
        if path.is_file() and spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    return importlib.import_module(f"spacy.lang.{language}.stop_words")


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
# fmt: off
_END_HEADINGS = [
    # en
    "related news", "related articles?", "related stories", "related posts?", "related content", "related",
    "more from [\\w .&'-]{1,40}", "more stories", "more news", "more on this( story| topic)?",
    "more articles", "you may also like", "you might also like", "you may (also )?be interested in",
    "recommended( for you| stories| articles)?", "most read", "most popular", "trending( now)?",
    "top stories", "latest news", "latest( posts| articles)?", "see also", "further reading", "read next",
    "up next", "comments?", "\\d+ comments?", "leave a (reply|comment)", "post a comment",
    "write a (reply|comment)( or comment)?.*", "join the discussion", "discussion",
    "share this( article| story| post)?:?", "about the author", "also read", "popular posts",
    "recent posts", "letzte beiträge", "neueste beiträge", "\\d+ (replies|reply|responses?) (on|to) .*",
    "\\d+ comments? (on|to) .*", "no comments( yet)?", "(leave a|cancel) reply", ".*\\bcancel reply",
    "about the author", "more in [\\w .&'-]{1,40}", "you may have missed", "related topics",
    "topics in this article", "further links", "useful links", "this entry was posted in .*",
    "posted in .*", "filed under:? .*", "tagged:? .*", "like this:?", "gefällt mir:?",
    # de (comments, post meta)
    "\\d+ (kommentare?|antworten|reaktionen) (zu|auf|für) .*", "keine kommentare( vorhanden)?",
    "kommentieren", "kommentar verfassen.*", ".*\\bantwort(en)? abbrechen", "antworten",
    "dieser (eintrag|beitrag) wurde (am .* )?veröffentlicht in .*", "veröffentlicht in .*",
    "themen (in diesem|im) artikel", "weiterführende links", "weitere links",
    "top[- ]themen( der redaktion)?", "themenrelevante nachrichten", "interessante artikel",
    "noch mehr (infos|artikel|themen).*",
    "(über|about) (den|die|the) (autor|autorin|author|verfasser(in)?)", "zum autor", "zur autorin",
    "artikel gefallen.*", "(dir|ihnen) hat (der|dieser) (artikel|beitrag) gefallen.*",
    "mehr (zu|über) diesem thema", "passend zum thema", "zum thema", "aus dem ressort", "weitere meldungen",
    "nächster artikel", "vorheriger artikel", "kategorien", "schlagwörter", "archiv", "categories",
    "archives", "tags",
    # de
    "mehr zum thema.*", "das könnte (sie|dich) (auch )?interessieren", "weitere artikel",
    "weitere nachrichten", "ähnliche (artikel|beiträge|themen)", "verwandte (artikel|beiträge|themen)",
    "auch interessant", "das könnte sie auch interessieren", "mehr aus [\\w .&'-]{1,40}",
    "meistgelesen(e artikel)?", "meist gelesen", "empfehlungen", "unsere empfehlungen?", "kommentare?",
    "\\d+ kommentare?", "kommentar schreiben", "schreibe einen kommentar", "hinterlasse einen kommentar",
    "diskutieren sie mit", "leserkommentare", "weitere themen", "top-themen", "mehr nachrichten",
    "mehr artikel", "aktuelle beiträge", "letzte kommentare", "neueste kommentare", "zum weiterlesen",
    "weiterlesen", "beliebte beiträge", "ähnliche beiträge", "themenseiten", "lesen sie mehr",
    "auch lesenswert", "neueste artikel", "das sagen unsere leser",
    # "Weitere Beiträge aus der Kolumne:", "More from our partners", "Otras noticias": a list follows
    "(weitere|mehr|more|other|otras?|otros|altri|altre|autres|andere|meer|más) [^.!?]{0,50}:",
    "(weitere|other|otras?|otros|altri|altre|autres|andere) (beiträge|artikel|meldungen|nachrichten|news|"
    "stories|articles|noticias|notizie|artikelen|themen|pressemitteilungen)\\b[^.!?]{0,40}",
    "mehr (themen|artikel|beiträge|kolumnen|nachrichten|news)\\b[^.!?]{0,40}", "mirá también",
    "mira también", "infórmate más", "informate más", "te recomendamos", "recomendados",
    # fr
    "laisser un commentaire", "répondre", "\\d+ commentaires?.*", "à propos de l'auteur",
    "articles similaires", "à lire aussi", "a lire aussi", "lire aussi", "sur le même sujet",
    "les plus lus", "commentaires?", "vous aimerez aussi", "dans la même rubrique", "à voir aussi",
    # es / pt
    "noticias relacionadas", "te puede interesar", "artículos relacionados", "lo más leído", "comentarios?",
    "también te puede interesar", "deja un comentario", "deixe um comentário", "\\d+ comentarios?.*",
    "noticias relacionadas.*", "más leídas", "lo último", "más noticias", "notícias relacionadas",
    "leia também", "mais lidas",
    # it
    "leggi anche", "articoli correlati", "potrebbe interessarti", "i più letti", "commenti",
    "lascia un commento",
    # nl
    "gerelateerde artikelen", "lees ook", "meer nieuws", "reacties", "meest gelezen",
    "laat een reactie achter", "\\d+ reacties?.*",
]
# fmt: on
# Headings of boxes publishers drop *inside* a story ("Lesen Sie auch", "Mehr zum
# Thema"): they open a few link lines, after which the story may go on.
# fmt: off
_INLINE_HEADINGS = [
    "lesen sie (auch|mehr).*", "see also", "also read", "read more", "read also", "leggi anche",
    "lire aussi", "(à|a) lire aussi", "lees ook", "leia também", "lea también", "lee también",
    "czytaj (też|także|więcej)", "weiterlesen",
]
# fmt: on
_INLINE_MARKER = re.compile(rf"^\W*(?:{_alternation(_INLINE_HEADINGS)})\W*$", re.IGNORECASE)
_END_MARKER = re.compile(rf"^\W*(?:{_alternation(_END_HEADINGS)})\W*$", re.IGNORECASE)

# Known chrome, by kind. Matched anywhere in a line; callers only trust a
# match on lines that are not long prose (see `chrome_kind`).
# fmt: off
_CHROME_PATTERNS: dict[str, list[str]] = {
    "copyright": [
        r"^\W{0,3}(©|\(c\)|copyright\b)", r"all rights reserved", r"alle rechte vorbehalten",
        r"tous droits réservés", r"todos los derechos reservados", r"tutti i diritti riservati",
        r"alle rechten voorbehouden", r"todos os direitos reservados",
    ],
    "cookie": [
        r"\bcookies?\b", r"\bconsent\b", r"einwilligung", r"datenschutzeinstellungen", r"privacy settings",
        r"\bakzeptieren\b", r"\baccept( all)?\b",
    ],
    "terms": [
        r"terms of (use|service)", r"privacy policy", r"nutzungsbedingungen", r"datenschutzerklärung",
        r"\bimpressum\b", r"\bagb\b", r"mentions légales", r"aviso legal", r"politique de confidentialité",
        r"política de privacidad", r"\bdisclaimer\b", r"haftungsausschluss", r"data protection",
    ],
    "app": [
        r"\bapp ?store\b", r"\bplay ?store\b", r"google play", r"download (our|the) app", r"\bapp laden\b",
    ],
    "newsletter": [
        r"\bnewsletter\b", r"\bsubscribe\b", r"\babonnieren\b", r"\bsign up\b", r"\bs'abonner\b",
        r"\bsuscríbete\b", r"\biscriviti\b", r"\babonneer\b",
    ],
    "share": [
        r"^(share|teilen|partager|compartir|condividi|delen)\b",
        r"\b(facebook|twitter|whatsapp|pinterest|linkedin|" r"xing|telegram|reddit|instagram|youtube)\b",
        r"^(print|drucken|e-?mail|mail|imprimer|imprimir)$", r"^(tweet|pin it|teilen)$",
    ],
    "login": [r"^(log ?in|log ?out|sign in|anmelden|abmelden|registrieren|register|mein konto|my account)$"],
    "ad": [r"^(anzeige|advertisement|werbung|publicité|publicidad|pubblicità|advertentie|sponsored)$"],
    "nav": [
        r"^(home|startseite|accueil|inicio|menu|menü|navigation|suche|search|skip to( main)? content|"
        r"zum (haupt)?inhalt springen|toggle navigation|zurück|back|next|previous|weiter|top|nach oben|"
        r"back to top|sitemap|kontakt|contact|rss|mehr|more|loading\.*|lädt\.*)$",
        r"^\S.{0,40}\s[>»›/|]\s.{0,40}\s[>»›/|]\s",  # breadcrumb: a > b > c
    ],
    "comments": [
        r"\bkommentar(e|en|ieren|funktion)?\b", r"\bcomments?\b", r"\bcommenting\b", r"\beinloggen\b",
        r"\beingeloggt\b", r"\blogged in\b", r"\blog in to\b", r"\bspam\b", r"\bcommentaires?\b",
        r"\bcomentarios?\b", r"\bcommenti\b", r"\breacties?\b",
    ],
    "email": [r"e-?mail-?(adresse|address)", r"\binbox\b", r"\bposteingang\b", r"\badresse e-?mail\b"],
    "support": [
        r"\bunterstützen sie\b", r"\bunterstütze (uns|mich)\b", r"\bsupport (our|us|independent)\b",
        r"\bspenden?\b", r"\bdonat(e|ion)\b", r"\bbecome a (member|subscriber|patron)\b",
        r"\bmitglied werden\b", r"\bjetzt abonnieren\b", r"\bsubscription\b", r"\bpatreon\b",
        r"\bfolg(e|t|en sie)? (uns|mir)\b", r"\bfollow (us|me)\b", r"\bsuivez-nous\b", r"\bsíguenos\b",
    ],
    "consent": [r"\beinverstanden\b", r"\bi agree\b", r"\bich stimme\b", r"\bagree to\b", r"\bzustimm"],
    "readmore": [
        r"^\W{0,3}(lea (también|más|además)|lee también|lesen sie (auch|mehr|weiter|hier)|lies auch|"
        r"read (more|also|next)|see also|also read|czytaj (też|także|więcej)|dowiedz się więcej|"
        r"(à )?lire (aussi|également)|leggi anche|lees ook|leia (também|mais)|weiterlesen|mehr dazu|"
        r"mehr zum thema|auch interessant|passend dazu|zum thema)\b",
    ],
    "caption": [
        r"(©|\(c\)|\b(foto|fotos|photo|bild|quelle|source|credit|crédit|image|grafik)\s?:)\s*[^.!?:]{1,60}\)?\s*$",
    ],
    "notice": [
        r"\binhalte? (von [^.]{1,40} )?(zu )?laden\b", r"\bexterne[rn]? (inhalte?|medien)\b",
        r"\bdrittanbieter", r"\bklicken sie (auf|hier)\b", r"\bclick (here|the button|to load)\b",
        r"\bjavascript\b", r"\b(ihr|your) browser\b", r"\bpush[- ]notifications?\b",
        r"\bpush-benachrichtigung", r"\bbenachrichtigungen? aktivieren\b", r"\baffiliate\b",
        r"\bprovision\b.{0,40}\b(händler|partner)", r"\bwerbung\b.{0,30}\b(enthält|kennzeichnung)",
        r"\bcontains (affiliate )?links\b",
    ],
    "tags": [r"^(tags|schlagwörter|schlagworte|stichwörter|themen|topics|étiquettes|etiquetas|tag)\s*:"],
}
# fmt: on
_CHROME = {kind: re.compile("|".join(pats), re.IGNORECASE) for kind, pats in _CHROME_PATTERNS.items()}
# Two passes rule out the common case (no chrome at all) before trying the kinds in order: the
# patterns anchored at the line's start, then the others without their word boundaries (a looser
# test, never a stricter one) searched case-sensitively in the `casefree` line (what IGNORECASE
# compares). Python's re then jumps from one possible first letter to the next: ~6x faster than
# one IGNORECASE pass that tries every pattern at every position.
_ALL_CHROME = [p for pats in _CHROME_PATTERNS.values() for p in pats]
_ANCHORED_CHROME = re.compile(
    "|".join(f"(?:{p})" for p in _ALL_CHROME if p.startswith("^")), re.IGNORECASE
)
_LOOSE_CHROME = re.compile(
    "|".join("(?:" + p.replace(r"\b", "") + ")" for p in _ALL_CHROME if not p.startswith("^"))
)


def _may_be_chrome(text: str) -> bool:
    """False when no chrome pattern can match `text`; True may still be no match."""
    return _ANCHORED_CHROME.match(text) is not None or _LOOSE_CHROME.search(casefree(text)) is not None
# Kinds that mark the page footer: nothing after them belongs to the article.
FOOTER_KINDS = frozenset({"copyright", "cookie", "terms"})
# Kinds that also mark a longer line (up to `PROMO_WORDS`) when they open it or recur in it:
# newsletter boxes, comment forms and donation appeals are written as sentences.
PROMO_KINDS = frozenset(
    {"newsletter", "comments", "email", "support", "consent", "readmore", "caption", "notice"}
)
PROMO_WORDS = 40

_CREDIT_PREFIX = re.compile(
    r"^\W{0,2}(?:foto|fotos|photo|photos|bild|bilder|image|images|picture|quelle|source|credit|crédit|"
    r"crédito|credito|beeld|afbeelding|illustration|grafik|video)s?\s*(?:[:/©]|\(c\))\s*(.+)$",
    re.IGNORECASE,
)
_CREDIT_COPYRIGHT = re.compile(r"^\s*(?:©|\(c\))\s*(?!\d{4}\b)(.+)$", re.IGNORECASE)
# "EPA-EFE/KCNA", "AFP/Getty Images", "dpa/Max Muster": agency-like tokens joined by slashes.
_CREDIT_SLASHED = re.compile(
    r"^[A-Z][\w.&'-]*(?: [\w.&'-]+){0,3}(?: ?/ ?[A-Z][\w.&'-]*(?: [\w.&'-]+){0,3})+$"
)
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


@lru_cache(maxsize=16384)
def chrome_kind(line: str) -> str | None:
    """Kind of known chrome the (short-ish) line matches ("cookie", "copyright", ...), or None.

    Long prose lines only count when the match is a copyright/cookie/terms
    notice, which can be a long paragraph themselves; a news story that
    mentions Facebook is still a news story. Cached: the body filters and the
    recall retry ask about the same lines again.
    """
    text = line.strip()
    n_words = len(WORD.findall(text))
    if n_words > PROMO_WORDS:
        # Only footer notices can be this long; skip the other kinds' patterns.
        for kind in ("copyright", "cookie", "terms"):
            if not _CHROME[kind].search(text) or not _footer_like(text, kind):
                continue
            # A long line opening with "©" is a footer only if it names a year or reserves rights.
            if kind != "copyright" or _RIGHTS_NOTICE.search(text):
                return kind
        return None
    if not _may_be_chrome(text):
        return None
    for kind, pattern in _CHROME.items():
        if not pattern.search(text):
            continue
        if kind == "copyright" and not _RIGHTS_NOTICE.search(text):
            # "© picture alliance/dpa" credits a photo; a footer names a year or reserves rights.
            return "caption" if n_words <= 12 else None
        if n_words <= 12:
            return kind
        if kind in FOOTER_KINDS and _footer_like(text, kind):
            return kind
        if kind in PROMO_KINDS and n_words <= PROMO_WORDS and _footer_like(text, kind):
            return kind
    return None


_RIGHTS_NOTICE = re.compile(
    r"\b(19|20)\d{2}\b|rights reserved|rechte vorbehalten|droits réservés|derechos reservados|"
    r"diritti riservati|rechten voorbehouden|direitos reservados|copyright",
    re.IGNORECASE,
)


def _footer_like(text: str, kind: str) -> bool:
    # A long line is a footer notice only if the matched theme dominates it:
    # several hits, or it is the line's opening words.
    hits = len(_CHROME[kind].findall(text))
    opening = _CHROME[kind].search(text[:60]) is not None
    if kind == "copyright":
        return opening
    if kind == "caption":
        return True  # the pattern is anchored at the line's end: "… (Foto: dpa)"
    return hits >= 2 or (opening and hits >= 1 and len(text) < 400)


def is_end_marker(line: str) -> bool:
    """True when the line is a heading that opens related stories, comments or link lists."""
    text = line.strip()
    return len(text) <= 160 and _END_MARKER.match(text) is not None and not _INLINE_MARKER.match(text)


def is_inline_marker(line: str) -> bool:
    """True for a heading of a link box set inside a story ("Lesen Sie auch", "Mehr zum Thema")."""
    text = line.strip()
    return len(text) <= 80 and _INLINE_MARKER.match(text) is not None


_COMMENT_SIGNATURE = re.compile(
    r"^[^\W\d][\w .'’@-]{0,40}\s(?:says|said|sagt|schreibt|schrieb|meint|wrote|writes|dice|dit|a écrit|"
    r"scrive|ha scritto|zegt|schreef|escribió|disse)\s*:?$",
    re.IGNORECASE,
)


def is_comment_signature(line: str) -> bool:
    """True for a comment author line ("NCWien says:", "Max sagt:"); callers confirm with a date nearby."""
    return _COMMENT_SIGNATURE.match(line.strip()) is not None


# "Lea: <headline>", "VEA TAMBIÉN: ...", "Auch lesen: ...", "Vorheriger Artikel <headline>":
# a link to another story set inside or under the article.
_TEASER_PREFIX = re.compile(
    r"^\W{0,3}(?:(?:lea|lee|mire|mira|vea|ver|puedes ver|le puede interesar|te puede interesar|"
    r"(?:lea|lee|vea|mira|mire) también|también lea|auch lesen|lies auch|lesen sie auch|"
    r"(?:zobacz|przeczytaj|czytaj) (?:też|także|również)|leia (?:também|mais)|veja (?:também|mais)|"
    r"(?:à )?lire aussi|voir aussi|leggi anche|see also|read more|read also|also read)\s*:|"
    r"(?:vorheriger|voriger|nächster) (?:artikel|beitrag)\b|article (?:suivant|précédent)\b|"
    r"(?:previous|next) (?:article|post|story)\b|articolo (?:successivo|precedente)\b|"
    r"(?:artículo|nota|noticia) (?:siguiente|anterior)\b)",
    re.IGNORECASE,
)
# A photo credit closing a caption: "... (Foto: X/Y).", "(REUTERS/Name)", "© X – stock.adobe.com",
# "(Symbolbild)". Dots are allowed inside a credit only when no space follows (domain names).
_CREDIT_TEXT = r"(?:[^.!?©()]|\.(?=\S)){1,80}"
_CAPTION_TAIL = re.compile(
    r"(?:\((?:foto|fotos|photo|photos|bild|bildquelle|fotoquelle|quelle|imagen|image|crédito|credito|"
    r"credit|source)\s*:[^()]{1,80}\)|"
    r"\((?:reuters|afp|efe|ap|dpa|epa|getty images|imago|ansa|picture alliance|afp photo)\s*/[^()]{1,60}\)|"
    r"\((?:symbolbild|symbolfoto|archivbild|archivfoto|foto de archivo|archive photo|file photo)\)|"
    rf"©\s?{_CREDIT_TEXT}|"
    rf"\b(?:foto|fotos|photo|bild|bildquelle|imagen)\s?:\s?{_CREDIT_TEXT})\.?\s*$",
    re.IGNORECASE,
)
# "Abbildung 4: ...", "Figure 2: ...", "Abb. 3 –": a figure caption, not the story.
_FIGURE_CAPTION = re.compile(
    r"^(?:abbildung|abb\.|figure|fig\.|grafik|tabelle|table|figura|tabla|illustration)"
    r"\s*\d*[a-z]?\s*[:–-]\s",
    re.IGNORECASE,
)
# Longest line (in words) the teaser and caption rules judge; past this it is a paragraph.
CAPTION_WORDS = 60


def is_teaser_line(line: str) -> bool:
    """True for a link to another story: "Lea: <headline>", "Vorheriger Artikel <headline>"."""
    text = line.strip()
    return len(WORD.findall(text)) <= PROMO_WORDS and _TEASER_PREFIX.match(text) is not None


def is_caption_line(line: str) -> bool:
    """True for an image caption: a line closed by a photo credit or opened by "Abbildung 4:"."""
    text = line.strip()
    if len(WORD.findall(text)) > CAPTION_WORDS or _RIGHTS_NOTICE_ONLY.search(text):
        return False
    return _CAPTION_TAIL.search(text) is not None or _FIGURE_CAPTION.match(text) is not None


# "© 2024 Publisher": a footer notice (another rule's business), not a photo credit.
_RIGHTS_NOTICE_ONLY = re.compile(r"©\s?(?:19|20)\d{2}\b|rights reserved|rechte vorbehalten", re.IGNORECASE)


# The reader addressed directly: "you", "du/dich/dein", "vous", "tu/ustedes", "você", "jij/u",
# and the formal German "Sie/Ihr/Ihnen" only inside a sentence (at its start it may mean "she/her").
_READER = re.compile(
    r"\b(?:[Yy]ou(?:r|rs|'re|’re)?|[Dd]u|[Dd]ich|[Dd]ir|[Dd]ein\w*|[Ee]uch|[Ee]uer|[Ee]ure\w*|Ihnen|"
    r"[Vv]ous|[Vv]otre|[Vv]os|[Tt]u|[Tt]us|[Uu]sted(?:es)?|[Vv]oc[eê]s?|[Jj]ij|[Jj]ouw|[Uu]w|"
    r"[Ss]inun|[Ss]inä)\b|"
    r"(?<=[^\W\d_,]\s)(?:Sie|Ihr|Ihre[mnrs]?)\b"
)
# What a call to action asks for: follow, subscribe, get the app or newsletter, register, donate.
_ACTION = re.compile(
    r"\b(?:apps?|abonn\w*|subscri\w*|sign up|sign-up|anmeld\w*|registr\w*|follow|folg(?:e|t|en)|join|"
    r"únete|s[ií]gue(?:nos)?|suscr\w*|inscri\w*|tilaa|\w*newsletter|inbox|\w*postfach|\w*posteingang|"
    r"spende\w*|"
    r"donat\w*|support|unterstütz\w*|melde|log in|einloggen|escr[ií]b\w*|write to|letters? to)\b",
    re.IGNORECASE,
)


def is_call_to_action(line: str) -> bool:
    """True for a line that turns to the reader and asks for something ("Follow us on ...",
    "Melde dich für unseren Newsletter an", "Get the latest news with our app")."""
    text = line.strip()
    n_words = len(WORD.findall(text))
    if n_words > PROMO_WORDS:
        return False
    return _READER.search(text) is not None and _ACTION.search(text) is not None


# Source code and config lines: assignments, calls, imports. They have no stop words but
# belong to a technical article as much as its prose does.
_CODE_TOKEN = re.compile(
    r"[\w\])]\s?(?:=|==|!=|<-|->|\+=|:=)\s?[\"'\w(\[{/$.-]|\b[A-Za-z_][\w.]*\(|^\s*(?:import|from|def|class|"
    r"return|sudo|pip|npm|cd|RUN|FROM|COPY|CMD|netsh)\b|[{};]\s*$|^\s*[#$>]\s"
)
# Code tokens a line needs before it counts as code.
CODE_TOKENS = 2


def is_code_line(line: str) -> bool:
    """True for a line of source code or configuration ("my_ggp + theme(size = 20)")."""
    return len(_CODE_TOKEN.findall(line)) >= CODE_TOKENS


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


# Han, kana and hangul: scripts written without spaces between words.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_UNSPACED_CLAUSE = re.compile(r"[。，、！？；：「」]")


def line_signals(line: str) -> LineSignals:
    """Measure one line: length, word count, stop-word density, punctuation, chrome kind."""
    text = line.strip()
    words = WORD.findall(text)
    n_chars, density = len(text), stop_density(words)
    unspaced = len(_UNSPACED.findall(text))
    if unspaced * 3 >= len(text) > 0:
        # One Han/kana character carries about a word: count them as words and
        # weigh them like ~3 Latin characters; clause punctuation stands in for stop words.
        n_chars += 2 * unspaced
        words = words + ["x"] * max(0, unspaced - len(words))
        density = STOP_HIGH if _UNSPACED_CLAUSE.search(text) else 0.0
    return LineSignals(
        text=text,
        n_chars=n_chars,
        n_words=len(words),
        stop_density=density,
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
