"""The clean stage's pure core: raw documents in, article rows and quarantine rows out.

`clean_batch` never raises for a bad document: whatever goes wrong with one
page (undecodable bytes, broken HTML, an extractor bug) becomes a quarantine
row with a one-line reason, and the batch goes on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from transforms.article import Article, Hints
from transforms.extraction.decoding import DecodeError, decode_document, looks_like_html
from transforms.document import RawDocument
from transforms.document import doc_key as doc_key  # re-exported: it lives there, light to import
from transforms.extraction.html_article import parse_html
from transforms.extraction.html_guard import defuse_html
from transforms.identity import article_id_for, bytes_hash, content_hash, registered_domain
from transforms.language import detect_language
from transforms.extraction.page_type import non_article_reason
from transforms.extraction.plain_text import parse_text

_WORD = re.compile(r"\w+")
# Scripts written without spaces between words: Han, Hiragana, Katakana, Thai, Lao, Myanmar, Khmer.
_UNSPACED = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff"
    r"\u1000-\u109f\u1780-\u17ff\U00020000-\U0002fa1f]")


class OverBudget(Exception):
    """Raised (by the caller's `budget` guard) when one document has used up its time budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"took over the {seconds:g} s per-document budget to clean "
                         "([pipeline] document_timeout_seconds)")
        self.seconds = seconds


# A guard around one document's extraction that raises `OverBudget` when it runs too long
# (mediamon.workers.document_budget: a CPU-time timer); None runs without a budget.
BudgetGuard = Callable[[], AbstractContextManager[None]]


@dataclass
class CleanBatch:
    articles: list[dict[str, object]] = field(default_factory=list)
    quarantined: list[dict[str, object]] = field(default_factory=list)


def word_count(text: str) -> int:
    """The length of a text, per script: words where words are spaced, characters where they are not.

    Chinese, Japanese and Thai (also Lao, Khmer, Myanmar) are written without spaces, so a
    story in them is not "3 words": each of their characters counts as one; the rest of the
    text counts words (runs of letters and digits), so mixed text adds both.
    """
    # Most texts have no unspaced script at all: one search rules it out without counting.
    if _UNSPACED.search(text) is None:
        return len(_WORD.findall(text))
    unspaced = len(_UNSPACED.findall(text))
    return unspaced + len(_WORD.findall(_UNSPACED.sub(" ", text)))


def quarantine_row(item: RawDocument | Mapping[str, object], stage: str, reasons: list[str],
                   detail: str | None, run_id: str) -> dict[str, object]:
    """The quarantine row of a document, given as the `RawDocument` or as an article row made from it."""
    if isinstance(item, RawDocument):
        key, url, path, source = doc_key(item), item.url, item.path, item.source
    else:
        key, url, path, source = item["doc_key"], item["url"], item.get("path"), item["source"]
    return {
        "doc_key": key,
        "url": url,
        "path": path,
        "source": source,
        "stage": stage,
        "reasons": reasons,
        "detail": detail,
        "run_id": run_id,
        "quarantined_at": datetime.now(UTC),
    }


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def hints_for(doc: RawDocument) -> Hints:
    return Hints(
        url=doc.final_url or doc.url,
        content_type=doc.content_type,
        publisher=doc.publisher_hint,
        title=doc.title_hint,
        published_at=doc.published_hint,
        published_at_source=doc.published_hint_source,
        language=doc.language_hint,
        http_last_modified=_http_date(doc.last_modified),
    )


def extract_article(doc: RawDocument, publishers: Mapping[str, str]) -> Article:
    """Decode and extract one document; raises `ValueError` with a one-line reason on failure."""
    assert doc.raw is not None
    try:
        text = decode_document(doc.raw, doc.content_type)
    except DecodeError as exc:
        raise ValueError(str(exc)) from exc
    kind = doc.kind or ("html" if looks_like_html(text) else "text")
    hints = hints_for(doc)
    if kind == "html":
        article = parse_html(defuse_html(text), hints, publishers=publishers, fetched_at=doc.fetched_at)
    else:
        article = parse_text(text, hints.url, doc.text_kind, doc.text_kind_source, reference=doc.fetched_at)
        if hints.publisher:
            article.publisher, article.publisher_source = hints.publisher, "manifest"
        # The source's own fields (an agency item's, a feed entry's) beat what the text is read to say.
        if hints.published_at is not None:
            article.published_at, article.published_at_source = hints.published_at, hints.published_at_source
            article.published_on = article.published_tz = None
        if hints.title:
            article.title = hints.title
    if not article.language and article.body:
        article.language = hints.language or detect_language(article.body)
    return article


def published_day(article: Article) -> dict[str, object]:
    """published_date / published_tz / published_date_conflicts of an article.

    The extractor's local day when it found one; else the UTC day of published_at (feed and
    sitemap stamps, text dumps, whose dates without a time are midnight of the day written).
    """
    if article.published_at is None:
        return {"published_date": None, "published_tz": None, "published_date_conflicts": []}
    when = article.published_at
    day = article.published_on or (when.astimezone(UTC) if when.tzinfo else when).date()
    return {
        "published_date": day,
        "published_tz": article.published_tz,
        "published_date_conflicts": list(article.date_conflicts),
    }


def article_row(
    doc: RawDocument, article: Article, run_id: str, words: int | None = None
) -> dict[str, object]:
    """One `articles` row; `words` is the body's `word_count` when the caller has it already."""
    url = doc.url
    canonical = article.canonical_url or doc.final_url or url
    key = canonical
    own_site = registered_domain(doc.final_url or url)
    if own_site and registered_domain(canonical) not in (None, own_site):
        # A canonical on another registered domain: a syndicated copy or a mirror carried by this
        # outlet. It is an article of its own (monitoring counts carriage); `canonical_url` keeps the
        # original, which the load and syndication clusters point it at. Same-domain canonicals
        # (tracking parameters, AMP, print pages) merge into one article.
        key = doc.final_url or url
    site = registered_domain(key) or registered_domain(url) or (article.publisher or "").lower() or None
    return {
        "article_id": article_id_for(key),
        "url": url,
        "canonical_url": canonical,
        "source": doc.source,
        "site": site,
        "publisher": article.publisher,
        "publisher_source": article.publisher_source,
        "title": article.title,
        "published_at": article.published_at,
        "published_at_source": article.published_at_source if article.published_at else None,
        **published_day(article),
        "modified_at": article.modified_at,
        "authors": list(article.authors),
        "agency": article.agency,
        "language": article.language,
        "body": article.body,
        "word_count": word_count(article.body) if words is None else words,
        "image_credit": article.image_credit,
        "tags": list(article.tags),
        "text_kind": article.text_kind,
        "text_kind_source": article.text_kind_source,
        "dateline_place": article.dateline_place,
        "correction": article.correction,
        "slug_line": article.slug_line,
        "fetched_at": doc.fetched_at,
        "doc_key": doc_key(doc),
        "path": doc.path,
        "content_hash": content_hash(article.title, article.body),
        "raw_hash": bytes_hash(doc.raw or b""),
        "duplicate_of": None,
        "dq_status": "pass",
        "dq_failures": [],
        "run_id": run_id,
    }


def clean_batch(docs: Iterable[RawDocument], run_id: str,
                publishers: Mapping[str, str] | None = None, budget: BudgetGuard | None = None) -> CleanBatch:
    """Extract every document; documents that cannot yield an article are quarantined.

    `budget`, when given, wraps each document's extraction and raises `OverBudget` when the
    document takes too long: that document is quarantined with the reason, the batch goes on.
    """
    out = CleanBatch()
    publishers = publishers or {}
    for doc in docs:
        if doc.error or doc.raw is None:
            stage = doc.error_stage or "extract"
            out.quarantined.append(quarantine_row(doc, stage, [doc.error or "no content"], None, run_id))
            continue
        try:
            with budget() if budget is not None else nullcontext():
                article = extract_article(doc, publishers)
        except OverBudget as exc:
            out.quarantined.append(quarantine_row(doc, "clean", [str(exc)], None, run_id))
            continue
        except ValueError as exc:
            out.quarantined.append(quarantine_row(doc, "clean", [str(exc)], None, run_id))
            continue
        except RecursionError:
            out.quarantined.append(quarantine_row(
                doc, "clean", ["HTML nested too deeply to parse"], None, run_id))
            continue
        except Exception as exc:  # an extractor bug must not lose the rest of the batch
            out.quarantined.append(quarantine_row(
                doc, "clean", [f"extraction failed: {type(exc).__name__}: {exc}"[:300]], None, run_id))
            continue
        if not article.body.strip():
            out.quarantined.append(quarantine_row(doc, "clean", ["no article text found"], None, run_id))
            continue
        # Short is not a reason (a brief is news: it gets the body_short warning); not being an
        # article is: a home, search, tag, error or image page, each with its own reason.
        words = word_count(article.body)
        reason = non_article_reason(article, doc.final_url or doc.url, words)
        if reason is not None:
            out.quarantined.append(quarantine_row(doc, "clean", [reason[0]], reason[1], run_id))
            continue
        out.articles.append(article_row(doc, article, run_id, words))
    return out


def refresh_derived(row: dict[str, object]) -> dict[str, object]:
    """Recompute the columns that depend on title and body after a later step edited them."""
    body, title = str(row.get("body") or ""), str(row.get("title") or "")
    row["word_count"] = word_count(body)
    row["content_hash"] = content_hash(title, body)
    return row


def split_repeated_urls(articles: list[dict[str, object]], run_id: str
                        ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Keep the first article per article_id in a run; later ones become quarantine rows.

    Two files in one batch that claim the same URL are two versions of one
    story; the warehouse can hold one, so the other is kept visible here.
    """
    seen: dict[object, dict[str, object]] = {}
    kept, repeated = [], []
    for a in articles:
        first = seen.get(a["article_id"])
        if first is None:
            seen[a["article_id"]] = a
            kept.append(a)
        else:
            repeated.append(quarantine_row(
                a, "load", ["same URL as another document in this run; the first one was kept"],
                f"kept {first.get('doc_key')} for {first['url']}", run_id))
    return kept, repeated
