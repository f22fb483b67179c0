"""Clean text: agency copy, a newsletter, a story pasted from a CMS. Every line of it is story.

A `.txt` document is one of two things:

- `text`: clean copy with no site chrome. It passes through whole: tables, scoreboards,
  standings, numbered lists, Q&A and one-line paragraphs are story. Only the wire header is
  read off (`transforms.extraction.wire_copy`): headline, byline, dateline, correction and slug lines.
- `page-text`: the text of a web page copied with its chrome (menus, share bars, legal lines,
  related links); `transforms.extraction.text_dump` classifies its lines.

`judge_text_kind` decides when the source did not say (`kind` in a manifest entry or a
`[[sources]]` table): a text shows chrome when it has lines only a web page has (known
chrome such as cookie, share, login or newsletter prompts that are not sentences, a
"Related stories" heading, teaser and caption lines, "a | b | c" link labels, a repeated
page title) or runs of bare menu labels. Agency copy that opens with a dateline needs
stronger evidence, since its tables and section headings look like menus to a line classifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from transforms.article import Article
from transforms.document import TEXT_KINDS  # defined there: sources/local.py need not import this module
from transforms.extraction.boilerplate import (
    is_caption_line,
    is_inline_marker,
    is_teaser_line,
    line_signals,
)
from transforms.dates.dump_dates import find_byline
from transforms.extraction.text_dump import _split_title, parse_text_dump
from transforms.extraction.wire_copy import (
    Dateline,
    correction_of,
    date_line,
    dateline_of,
    is_all_caps,
    is_slug_line,
    place_line,
    split_inline_dateline,
)

# The header (headline, byline, dateline, notices) lies within this many non-empty lines.
HEADER_LINES = 6
# Menu labels: lines of at most this many words, in runs of at least `MENU_RUN` lines.
MENU_WORDS = 3
MENU_RUN = 4
# Evidence (lines that only a web page has) needed to say a text shows chrome; agency copy
# (a dateline in the header) needs more: its section headings and tables look like menus.
CHROME_EVIDENCE = 2
CHROME_EVIDENCE_WIRE = 4
# A headline is at most this long; a longer first line is already story.
HEADLINE_CHARS = 200
HEADLINE_WORDS = 30
# A title made from the first sentence is cut at a word boundary past this many characters.
LEAD_TITLE_CHARS = 120
_DIGIT = re.compile(r"\d")
# A sentence ends inside the line: a lower-case word, its full stop, a capital ("U.S. Open" is none).
_SENTENCE_BREAK = re.compile(r"([a-zß]{2,}[.!?])\s+[A-Z]")
# "Powered by WordPress", "Designed by Elegant Themes": a site's theme credit.
_SITE_CREDIT = re.compile(r"\b(?:powered by|designed by|theme by|proudly powered)\b", re.I)
# "► February (4)", "Followers (7)", "Politik (12)": archive and category widgets with counts.
_ARCHIVE_COUNT = re.compile(r"^[►▼▶•·»]?\s*[^\W\d][\w .'’-]{0,30}\s\(\d+\)$")
# "[CC-BY-2.0 (http://…)]", "via Wikimedia Commons", "Urheber: …": a web picture's licence credit.
_IMAGE_LICENCE = re.compile(r"\bCC[- ]BY(?:[- ][A-Z]{2})*(?:[- ]\d\.\d)?\b|\bvia Wikimedia Commons\b|"
                            r"\bUrheber\s*:|\bBildrechte\s*:|\bimage (?:by|credit)\s*:", re.I)
_SENTENCE_MARK = re.compile(r"[.!?。！？…]\W*$")


@dataclass
class ChromeEvidence:
    """Lines of a text that only a web page has, by kind."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _lines(text: str) -> list[str]:
    return [line.replace("\u00a0", " ").strip() for line in text.replace("\r\n", "\n").replace("\r", "\n")
            .split("\n") if line.strip()]


def _table_like(line: str) -> bool:
    """A row of a table or scoreboard: figures, or mostly one- and two-letter column heads."""
    tokens = line.split()
    return bool(_DIGIT.search(line)) or (len(tokens) >= 3 and sum(map(len, tokens)) / len(tokens) <= 2.5)


def chrome_evidence(lines: list[str]) -> ChromeEvidence:
    """Count the lines that show a web page's chrome (see the module docstring)."""
    evidence = ChromeEvidence()
    counts: dict[str, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    run = 0
    if lines and len(lines[0]) <= HEADLINE_CHARS and _split_title(lines[0], lines[1:40])[2] is not None:
        # "Headline - Site" over the headline repeated as its own line: a page's <title> and <h1>.
        evidence.add("title-and-headline")
        evidence.add("title-and-headline")
    repeated = {line for line, n in counts.items() if n > 1}
    for line in repeated:
        signals = line_signals(line)
        # Section headings of a results table repeat too, in capitals ("EASTERN DIVISION").
        if 0 < signals.n_words <= MENU_WORDS * 3 and not _table_like(line) and not is_all_caps(line):
            evidence.add("repeated-line")  # a menu or teaser printed twice (header and footer)
    for index, line in enumerate(lines):
        signals = line_signals(line)
        sentence = signals.sentence_end and signals.n_words >= 4 and signals.stop_density >= 0.2
        table = _table_like(line)
        if signals.chrome is not None and not sentence and not table:
            evidence.add(f"chrome:{signals.chrome}")
        if signals.end_marker or is_inline_marker(line):
            evidence.add("end-heading")
        if is_teaser_line(line) or is_caption_line(line):
            evidence.add("teaser")
        if " | " in line and not signals.sentence_end and not table:
            evidence.add("link-label")
        if _SITE_CREDIT.search(line) and signals.n_words <= MENU_WORDS * 4:
            evidence.add("site-credit")
        if _ARCHIVE_COUNT.match(line):
            evidence.add("archive-count")
        if _IMAGE_LICENCE.search(line):
            evidence.add("image-credit")  # a picture's caption with its licence or author credit
        menu = (0 < signals.n_words <= MENU_WORDS and not table and not signals.sentence_end
                and not is_all_caps(line))
        run = run + 1 if menu else 0
        if run >= MENU_RUN:
            evidence.add("menu")
    return evidence


def judge_text_kind(text: str) -> str:
    """'text' (clean copy, kept whole) or 'page-text' (a page dump with chrome)."""
    lines = _lines(text)
    evidence = chrome_evidence(lines)
    wire = any(_header_dateline(lines, i) for i in range(min(HEADER_LINES, len(lines))))
    return "page-text" if evidence.total >= (CHROME_EVIDENCE_WIRE if wire else CHROME_EVIDENCE) else "text"


def _header_dateline(lines: list[str], index: int, reference: datetime | None = None
                     ) -> tuple[Dateline, int] | None:
    """(dateline, lines it spans) when `lines[index]` starts a standalone dateline."""
    found = dateline_of(lines[index], reference)
    if found is not None:
        return found, 1
    place = place_line(lines[index])
    if place is not None and index + 1 < len(lines):
        day = date_line(lines[index + 1], reference)
        if day is not None:
            return Dateline(place, day, None), 2
    return None


def _headline_like(line: str) -> bool:
    """One short sentence or phrase ("U.S. debt futures end lower." counts: "U.S." is no sentence end)."""
    signals = line_signals(line)
    return (0 < signals.n_words <= HEADLINE_WORDS and len(line) <= HEADLINE_CHARS
            and _SENTENCE_BREAK.search(line) is None)


def lead_title(body: str) -> str:
    """A title made from the story's first sentence, for copy that has no headline."""
    first = body.strip().split("\n", 1)[0]
    match = _SENTENCE_BREAK.search(first)
    sentence = first[: match.end(1)] if match else first
    if len(sentence) > LEAD_TITLE_CHARS:
        sentence = sentence[:LEAD_TITLE_CHARS].rsplit(" ", 1)[0] + " …"
    return sentence.strip()


def _byline_names(line: str) -> list[str]:
    """Names of a byline line: "By Jane Doe" or a bare "Jane Doe" (2-4 capitalised words)."""
    names = find_byline(line)
    if names:
        return names
    tokens = line.split()
    if 2 <= len(tokens) <= 4 and all(t[:1].isupper() and t[1:].replace("-", "").replace("'", "").isalpha()
                                     and not t.isupper() for t in tokens):
        return [line.strip()]
    return []


def _paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated paragraphs, each a list of its stripped non-empty lines."""
    out: list[list[str]] = []
    current: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.replace("\u00a0", " ").strip()
        if line:
            current.append(line)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _set_date(article: Article, dateline: Dateline) -> None:
    if dateline.day is not None and article.published_at is None:
        # No time of day: midnight UTC keeps the calendar day the one written.
        article.published_at = datetime(dateline.day.year, dateline.day.month, dateline.day.day, tzinfo=UTC)
        article.published_on = dateline.day
        article.published_at_source = "dateline"


def parse_plain_text(text: str, url: str | None = None, reference: datetime | None = None) -> Article:
    """Clean text -> `Article`: the wire header read off, every other line kept as the body.

    `reference` (when the document was fetched) gives the year of a dateline that names
    none ("3. Mai"). Paragraphs are joined by a blank line, lines within one by a newline,
    so table rows stay rows.
    """
    article = Article(canonical_url=url)
    paragraphs = _paragraphs(text)
    flat = [(p, i) for p, para in enumerate(paragraphs) for i in range(len(para))]
    lines = [paragraphs[p][i] for p, i in flat]
    if not lines:
        return article
    header: set[int] = set()  # indexes into `lines` that are not body
    corrections: list[str] = []

    # Notices and slugs sit in the header, before the story starts.
    for index in range(min(HEADER_LINES, len(lines))):
        notice = correction_of(lines[index])
        if notice and not notice[1]:
            corrections.append(notice[0])
            header.add(index)
        elif is_slug_line(lines[index]) and article.slug_line is None:
            article.slug_line = lines[index]
            header.add(index)

    dateline: Dateline | None = None
    title_index: int | None = None
    for index in range(min(HEADER_LINES + len(header), len(lines))):
        if index in header:
            continue
        found = _header_dateline(lines, index, reference)
        if found is None:
            continue
        dateline, span = found
        header.update(range(index, index + span))
        # The headline is the nearest headline-like line above, past a byline; lines above it
        # (the tail of another story, a filing code) are header too.
        above = [i for i in range(index) if i not in header]
        for i in reversed(above):
            names = _byline_names(lines[i])
            if names and not article.authors and i != above[0]:
                article.authors = names
                header.add(i)
                continue
            if _headline_like(lines[i]):
                title_index = i
            break
        header.update(above if title_index is not None else [])
        break

    if title_index is None:
        first = next((i for i in range(len(lines)) if i not in header), None)
        # Without a dateline, a short first line (or one in capitals) over more text is the headline.
        if first is not None and first + 1 < len(lines) and _headline_like(lines[first]) and (
            is_all_caps(lines[first]) or not _SENTENCE_MARK.search(lines[first])
        ):
            title_index = first
    if title_index is not None:
        header.add(title_index)
        article.title = lines[title_index]
        notice = correction_of(article.title)
        if notice and notice[1]:
            corrections.append(notice[0])
            article.title = notice[1]

    body_lines = [i for i in range(len(lines)) if i not in header]
    if dateline is None and body_lines:
        # The dateline may open the first paragraph: "WASHINGTON (Reuters) - The Senate ...".
        first = body_lines[0]
        notice = correction_of(lines[first])
        if notice and notice[1]:
            corrections.append(notice[0])
            lines[first] = notice[1]
        inline = split_inline_dateline(lines[first], reference)
        if inline is not None:
            dateline, lines[first] = inline
    if dateline is not None:
        article.dateline_place = dateline.place
        if dateline.agency:
            article.agency = dateline.agency
        _set_date(article, dateline)
    article.correction = "; ".join(corrections) or None

    # Rebuild the paragraphs from the kept lines.
    kept = set(body_lines)
    out: list[str] = []
    for p, para in enumerate(paragraphs):
        start = sum(len(x) for x in paragraphs[:p])
        rows = [lines[start + i] for i in range(len(para)) if start + i in kept]
        if rows:
            out.append("\n".join(rows))
    article.body = "\n\n".join(out)
    if not article.title and dateline is not None and article.body:
        # Agency copy without a headline: its first sentence says what the story is.
        article.title = lead_title(article.body)
    return article


def parse_text(text: str, url: str | None = None, kind: str | None = None, kind_source: str | None = None,
               reference: datetime | None = None) -> Article:
    """A `.txt` document -> `Article`, as clean copy or as a page dump.

    `kind` ("text" or "page-text") is what the source declared (`kind_source`: "manifest" or
    "source"); without it the text is judged (`judge_text_kind`, source "judged"). The decision
    is recorded on the article (`text_kind`, `text_kind_source`).
    """
    if kind not in TEXT_KINDS:
        kind, kind_source = judge_text_kind(text), "judged"
    if kind == "text":
        article = parse_plain_text(text, url, reference)
    else:
        article = parse_text_dump(text, url)
    article.text_kind, article.text_kind_source = kind, kind_source
    return article
