"""Page-text dumps: the text of a news page copied with its site chrome attached.

A dump looks like "Title - Site", an app banner, the repeated headline, a
photo credit, the article paragraphs, a "Related News" block of other
stories, a terms footer, a copyright line and a cookie notice. We turn it
into an `Article`:

1. The first line gives title and publisher when it reads "Title - Site" /
   "Title | Site"; a later line repeating the headline anchors the article start.
2. Every line is classified on its own (`boilerplate.classify_line`: length,
   stop-word density in several languages, punctuation, known chrome) and
   then in context (short lines between prose paragraphs are prose).
3. The article is the densest run of prose; it ends at a heading that opens
   other stories or comments ("Related News", "Mehr zum Thema") or at the
   footer (copyright, terms, cookies). Everything else is boilerplate.
4. Dates and bylines are read only from the article header and the first
   body lines: never a copyright year, never a related-story teaser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.article import Article
from transforms.boilerplate import (
    FOOTER_KINDS,
    LineSignals,
    classify_line,
    image_credit_of,
    line_signals,
)
from transforms.dump_dates import DateMention, find_byline, find_date
from transforms.templates import line_fingerprint, normalise_line

# "Title - Site", "Title | Site", "Site | Title": the separators publishers use in <title>.
_TITLE_SEPARATORS = re.compile(r"\s+(?:[-–—|·•:/]|::|»|›)\s+|:\s+")
# Lines this far before the first body line may hold the dateline/byline.
HEADER_LINES = 12
# Non-prose lines allowed between two prose lines of one article run.
MAX_GAP_LINES = 6


@dataclass
class _Line:
    text: str
    signals: LineSignals
    kind: str  # "good" | "near" | "short" | "bad"
    block: int  # blank-line separated block number


def _split_title(first: str, later: list[str]) -> tuple[str, str | None, str | None]:
    """(title, publisher, headline-as-repeated) from the first line of a dump.

    A split is confirmed when one side reappears as its own line later; else
    the last separator wins if the site side is short.
    """
    normalised_later = {normalise_line(line) for line in later}
    cuts = [m for m in _TITLE_SEPARATORS.finditer(first)]
    for match in cuts:
        left, right = first[: match.start()].strip(), first[match.end() :].strip()
        if normalise_line(left) in normalised_later and left:
            return left, right or None, left
        if normalise_line(right) in normalised_later and right:
            return right, left or None, right
    if normalise_line(first) in normalised_later:
        return first, None, first
    for match in reversed(cuts):
        if match.group(0).strip() == ":":
            continue  # "RECAP: What..." — a colon is part of a headline far more often than a site split
        left, right = first[: match.start()].strip(), first[match.end() :].strip()
        if left and right and len(right.split()) <= 6 and len(right) < len(left):
            return left, right, None
        break
    return first, None, None


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    block = 0
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = raw.replace("\u00a0", " ").strip()
        if not stripped:
            block += 1
            continue
        signals = line_signals(stripped)
        lines.append(_Line(stripped, signals, classify_line(signals), block))
    return lines


def _smooth(lines: list[_Line]) -> list[str]:
    """Context classes: near/short lines next to prose become prose, the rest chrome."""
    kinds = [line.kind for line in lines]

    def neighbour(i: int, step: int) -> str:
        j = i + step
        while 0 <= j < len(kinds):
            if kinds[j] in ("good", "bad", "near"):
                return kinds[j]
            j += step
        return "bad"

    out = list(kinds)
    for i, kind in enumerate(kinds):
        if kind == "near":
            out[i] = "good" if "good" in (neighbour(i, -1), neighbour(i, 1)) else "bad"
    kinds = out[:]
    for i, kind in enumerate(kinds):
        if kind != "short":
            continue
        before, after = neighbour(i, -1), neighbour(i, 1)
        signals = lines[i].signals
        sentence = signals.sentence_end and signals.n_words >= 4 and signals.stop_density >= 0.2
        if before == after == "good" or (sentence and "good" in (before, after)):
            out[i] = "good"
        else:
            out[i] = "bad"
    return out


def _main_run(lines: list[_Line], kinds: list[str], anchor: int | None) -> tuple[int, int] | None:
    """(first, last) line index of the densest run of prose, preferring one after the headline."""
    runs: list[tuple[int, int, int]] = []  # first, last, prose chars
    first = last = -1
    chars = gap = 0
    for i, line in enumerate(lines):
        breaks = line.signals.end_marker or line.signals.chrome in FOOTER_KINDS
        if kinds[i] == "good" and not breaks:
            if first < 0:
                first = i
            last, chars, gap = i, chars + line.signals.n_chars, 0
            continue
        gap += 1
        if first >= 0 and (breaks or gap > MAX_GAP_LINES):
            runs.append((first, last, chars))
            first, chars = -1, 0
    if first >= 0:
        runs.append((first, last, chars))
    if not runs:
        return None

    def weight(run: tuple[int, int, int]) -> float:
        # The repeated headline marks where the story starts: favour the run just after it.
        if anchor is not None and run[0] > anchor and not any(
            lines[k].signals.end_marker for k in range(anchor, run[0])
        ):
            return run[2] * 3.0
        return float(run[2])

    best = max(runs, key=weight)
    return best[0], best[1]


def _body_end(lines: list[_Line], start: int) -> int:
    """Index of the first line after `start` that ends the article (end heading or footer)."""
    for i in range(start, len(lines)):
        signals = lines[i].signals
        if signals.end_marker or signals.chrome in FOOTER_KINDS:
            return i
    return len(lines)


def parse_text_dump(text: str, url: str | None = None, known_boilerplate: frozenset[str] = frozenset()) -> Article:
    """Page-text dump -> `Article` (title, publisher, body, dates, authors, image credit, dropped lines).

    `known_boilerplate` holds line fingerprints learned for this publisher
    (`templates.select_boilerplate`); lines matching them are chrome.
    `url` is only recorded as the canonical URL when given.
    """
    lines = _lines(text)
    article = Article(canonical_url=url)
    if not lines:
        return article

    # 1. Title, publisher and the headline anchor.
    title_index: int | None = None
    anchor: int | None = None
    first = lines[0]
    if first.kind != "good" or first.signals.n_chars <= 200:
        title, publisher, repeated = _split_title(first.text, [line.text for line in lines[1:40]])
        if first.signals.n_chars <= 200 and (repeated or publisher or not first.signals.sentence_end):
            article.title, title_index = title, 0
            if publisher:
                article.publisher, article.publisher_source = publisher, "title"
            if repeated:
                key = normalise_line(repeated)
                anchor = next((i for i in range(1, len(lines)) if normalise_line(lines[i].text) == key), None)
            else:
                anchor = 0

    # 2. Line classes, in context; template fingerprints override.
    for line in lines:
        if known_boilerplate and line_fingerprint(line.text) in known_boilerplate:
            line.kind = "bad"
    if title_index is not None:
        lines[title_index].kind = "bad"
    if anchor is not None:
        lines[anchor].kind = "bad"
    kinds = _smooth(lines)

    # 3. The article run and where it ends.
    run = _main_run(lines, kinds, anchor)
    body_lines: list[int] = []
    header_from = 0
    if run is not None:
        start = run[0]
        # Keep short sentences/subheadings at the top of the run that smoothing already accepted.
        end = _body_end(lines, start)
        header_from = max(0, start - HEADER_LINES) if anchor is None else min(anchor, start)
        body_lines = [i for i in range(start, end) if kinds[i] == "good"]
    else:
        start = end = len(lines)

    # 4. Header facts: credit, date, byline; such lines never stay in the body.
    dated: DateMention | None = None
    modified: DateMention | None = None
    header = list(range(header_from, start)) + body_lines[:3]
    facts: set[int] = set()
    for i in header:
        line = lines[i]
        if i != title_index and article.image_credit is None:
            credit = image_credit_of(line.text)
            if credit:
                article.image_credit = credit
                facts.add(i)
                continue
        if line.signals.n_words <= 25:
            mention = find_date(line.text)
            if mention is not None and (line.signals.n_words <= 12 or mention.labelled):
                facts.add(i)
                if mention.modified:
                    modified = modified or mention
                elif dated is None:
                    dated = mention
        names = find_byline(line.text)
        if names and not article.authors:
            article.authors = names
            facts.add(i)
    if dated is not None or modified is not None:
        chosen = dated or modified
        assert chosen is not None
        article.published_at, article.published_at_source = chosen.when, "text"
        article.modified_at = modified.when if modified else None
    body_lines = [i for i in body_lines if i not in facts and image_credit_of(lines[i].text) is None]

    article.body = "\n\n".join(lines[i].text for i in body_lines)
    kept = set(body_lines)
    article.boilerplate_lines = [line.text for i, line in enumerate(lines) if i not in kept]
    return article
