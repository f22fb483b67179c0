"""Is an extracted document an article at all? Quarantine is for pages that are not news.

A short text is not a reason: a flash, a brief or a results line is news (the quality gate
warns `body_short`). These are reasons, each with its own quarantine reason:

- an error page ("404", "Page not found", "Seite nicht gefunden", "Access denied");
- a home page (the site's root URL) with no story of its own;
- a search results page (`/search`, `?q=`, `?s=`);
- a tag, topic, category, author or archive page (`/tag/<name>`, `/thema/<name>`);
- an image page (the URL names an image file);
- a listing: only headline-like lines (teaser links), not one sentence of a story.

The URL rules only judge pages whose extracted text is short (`URL_RULES_MAX_LENGTH`):
a long story at an odd URL is still a story. Nothing here names a site.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from transforms.article import Article

# Pages this long or longer (words; characters in unspaced scripts) are judged by their text only:
# a home page or a /themen/ page with a story of its own on it is that story.
URL_RULES_MAX_LENGTH = 50
# A tag's name is a word or two ("/tag/donald-trump"); a longer slug is an article's.
TAG_NAME_WORDS = 2
# A listing has at least this many lines, nearly all headline-like.
LISTING_MIN_LINES = 8
LISTING_SHARE = 0.8
# A sentence of a story: this many words or more, ending like a sentence.
STORY_SENTENCE_WORDS = 20

_ERROR = re.compile(
    r"^\W*(?:(?:error\s*)?(?:404|403|410|500|502|503)\b|page not found|not found|file not found|"
    r"this page (?:could not be found|does not exist|doesn.t exist)|access denied|forbidden|"
    r"service unavailable|seite (?:wurde )?nicht gefunden|fehler 404|diese seite existiert nicht|"
    r"page (?:introuvable|non trouvée)|página no encontrada|pagina non trovata|pagina niet gevonden|"
    r"nie znaleziono strony|страница не найдена)",
    re.I,
)
_SEARCH_SEGMENTS = {"search", "suche", "recherche", "buscar", "busca", "cerca", "zoeken", "szukaj", "sok"}
_SEARCH_KEYS = {"q", "s", "query", "search", "keyword", "keywords", "suche", "searchterm"}
_TAG_SEGMENTS = {
    "tag", "tags", "topic", "topics", "category", "categories", "kategorie", "label", "labels",
    "author", "authors", "autor", "autoren", "thema", "themen", "schlagwort", "schlagworte",
    "stichwort", "archive", "archives", "archiv", "tema", "temas", "categoria",
}
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.php", "/default.aspx", "/home", "/start"}
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?|avif)$", re.I)
_SENTENCE_END = re.compile(r"[.!?。！？…]\W*$")
_DIGIT = re.compile(r"\d")


def _url_reason(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    path = parts.path or ""
    segments = [s.lower() for s in path.split("/") if s]
    query = parse_qs(parts.query)
    if _IMAGE_FILE.search(path):
        return "not an article: image page", f"the URL names an image file ({segments[-1]})"
    if any(s in _SEARCH_SEGMENTS for s in segments) or any(k.lower() in _SEARCH_KEYS and any(v)
                                                            for k, v in query.items()):
        return "not an article: search page", "the URL is a search (path or query)"
    for i, segment in enumerate(segments):
        # "/tag/elections", "/thema/klima/page/2": the tag's name and at most a page number follow.
        after = segments[i + 1:]
        paged = len(after) == 3 and after[1] == "page" and after[2].isdigit()
        named = bool(after) and len(re.split(r"[-_+]", after[0])) <= TAG_NAME_WORDS
        if segment in _TAG_SEGMENTS and named and (len(after) == 1 or paged):
            return "not an article: tag or section page", f"the URL is a /{segment}/ page"
    if path.lower() in _HOME_PATHS and not parts.query:
        return "not an article: home page", "the URL is the site's front page"
    return None


def _reads_like_listing(body: str) -> bool:
    """Only headline-like lines (no figures, no sentence of a story): teaser links of other stories."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if len(lines) < LISTING_MIN_LINES:
        return False
    headlines = sum(1 for line in lines if not _DIGIT.search(line) and 3 <= len(line.split()) <= 15
                    and not _SENTENCE_END.search(line))
    story = any(len(line.split()) >= STORY_SENTENCE_WORDS and _SENTENCE_END.search(line) for line in lines)
    return not story and headlines >= LISTING_SHARE * len(lines)


def non_article_reason(article: Article, url: str, length: int) -> tuple[str, str] | None:
    """(reason, detail) when the document is not an article, else None.

    `length` is the body's length (`transforms.extraction.clean.word_count`). Clean copy (`text_kind`
    "text") is never a listing: its lines are story by definition.
    """
    first_line = article.body.strip().split("\n", 1)[0]
    for text in (article.title, first_line):
        if text and len(text.split()) <= 12 and _ERROR.search(text) and length < URL_RULES_MAX_LENGTH:
            return "not an article: error page", f"the page says {text.strip()[:80]!r}"
    if length < URL_RULES_MAX_LENGTH:
        found = _url_reason(url)
        if found is not None:
            return found
    if article.text_kind != "text" and _reads_like_listing(article.body):
        return "not an article: listing", "only headline-like lines, no sentence of a story"
    return None
