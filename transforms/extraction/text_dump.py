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
5. Lines that read like prose but are not the story go: teaser links ("Lea: ...",
   "Vorheriger Artikel ..."), photo captions, "a | b | c" link labels, the
   author's bio, closing appeals to follow or subscribe and a dangling heading
   at the end. Code and quantity lists ("250 g Mehl") next to prose stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from transforms.article import Article
from transforms.extraction.boilerplate import (
    FOOTER_KINDS,
    SHORT_CHARS,
    LineSignals,
    classify_line,
    image_credit_of,
    is_call_to_action,
    is_caption_line,
    is_code_line,
    is_comment_signature,
    is_inline_marker,
    is_teaser_line,
    line_signals,
    stop_density,
)
from transforms.dates.dump_dates import DateMention, find_byline, find_date
from transforms.extraction.site_templates import normalise_line

# "Title - Site", "Title | Site", "Site | Title": the separators publishers use in <title>.
_TITLE_SEPARATORS = re.compile(r"\s+(?:[-–—|·•:/]|::|»|›)\s+|:\s+")
# Lines this far before the first body line may hold the dateline/byline.
HEADER_LINES = 12
# Non-prose lines allowed between two prose lines of one article run.
MAX_GAP_LINES = 6
# Consecutive short lines between prose that still read as subheadings, not a menu.
MAX_SHORT_RUN = 2
# Near-prose lines shorter than this without a sentence end read like headlines.
HEADLINE_CHARS = 100
# A short line is a sentence (kept next to prose) with this many words and stop words.
SENTENCE_MIN_WORDS = 4
SENTENCE_MIN_STOP = 0.2
# A later prose run this big (share of the main run) is more of the same story.
EXTEND_SHARE = 0.5
# A list of quantities (ingredients, specifications) has at least this many lines.
QUANTITY_MIN_LINES = 3
# A bio opens with a name of this many capitalised words, then a lower-case word (the verb).
BIO_NAME_WORDS = (2, 3)
# A line naming the author elsewhere on the page (byline, author box) holds little but the
# name: "Heiko Sauer", "Von Jule Radeck", "Moritz Gathmann | 12.03.2020".
NAME_LINE_EXTRA_WORDS = 2
# A dangling heading at the end of the body has at most this many words.
HEADING_WORDS = 4
# A "|"-separated line without a sentence end and at most this many words is a link label.
LABEL_WORDS = 25
# The last body lines checked for an appeal to the reader.
CTA_TAIL_LINES = 3
# An author box puts the name at most this many lines above the bio; a closing bio is
# among the body's last this-many lines.
BIO_BOX_LINES = 3
# A bio is a sentence or two about the author: at least this many words.
BIO_MIN_WORDS = 8


@dataclass
class _Line:
    text: str
    signals: LineSignals
    kind: str  # "good" | "near" | "short" | "bad"


def _split_title(first: str, later: list[str]) -> tuple[str, str | None, str | None]:
    """(title, publisher, headline-as-repeated) from the first line of a dump.

    A split is confirmed when one side reappears as its own line later; else
    the last separator wins if the site side is short.
    """
    normalised_later = {normalise_line(line) for line in later}
    cuts = [m for m in _TITLE_SEPARATORS.finditer(first)]
    confirmed: list[tuple[str, str]] = []  # (headline, site) pairs whose headline reappears
    for match in cuts:
        left, right = first[: match.start()].strip(), first[match.end() :].strip()
        if left and right and normalise_line(left) in normalised_later:
            confirmed.append((left, right))
        if left and right and normalise_line(right) in normalised_later:
            confirmed.append((right, left))
    if confirmed:
        # The site name also reappears (logo, footer); the headline is the longer side.
        headline, site = max(confirmed, key=lambda pair: len(pair[0]) - len(pair[1]))
        if len(headline) >= len(site):
            return headline, site, headline
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


def _headline_lines(lines: list[_Line], headline: str) -> list[int]:
    """Indexes of later lines repeating the headline."""
    key = normalise_line(headline)
    return [i for i in range(1, len(lines)) if normalise_line(lines[i].text) == key]


def _mark_duplicates(lines: list[_Line]) -> None:
    """A line the page prints twice is navigation or a teaser shown in two widgets.

    Short duplicates are chrome wherever they are; of a duplicated paragraph
    only the later copies are (the first is usually the story itself).
    """
    keys = [normalise_line(line.text) for line in lines]
    total: dict[str, int] = {}
    for key in keys:
        total[key] = total.get(key, 0) + 1
    seen: dict[str, int] = {}
    for line, key in zip(lines, keys, strict=True):
        seen[key] = seen.get(key, 0) + 1
        if total[key] > 1 and (line.kind == "short" or (line.kind in ("near", "good") and seen[key] > 1)):
            line.kind = "bad"


def _lines(text: str) -> list[_Line]:
    """Non-empty lines of a dump with their signals and context-free classes."""
    lines: list[_Line] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = raw.replace("\u00a0", " ").strip()
        if stripped:
            signals = line_signals(stripped)
            kind = classify_line(signals)
            # Teaser links and image captions read like prose; their prefix or credit gives them away.
            if kind != "bad" and (is_teaser_line(stripped) or is_caption_line(stripped)):
                kind = "bad"
            # "Headline | Section | Site", "Report PDF | 38 KB": a link label, not a sentence of the story.
            label = " | " in stripped and not signals.sentence_end and signals.n_words <= LABEL_WORDS
            if kind != "bad" and label:
                kind = "bad"
            # Code has no stop words; like a short line, it is kept when prose surrounds it.
            if kind == "bad" and signals.chrome is None and not signals.end_marker and is_code_line(stripped):
                kind = "short"
            lines.append(_Line(stripped, signals, kind))
    boxed = False
    for line in lines:
        # An inline "Mehr zum Thema" box: its heading and link lines up to the next prose are chrome.
        if is_inline_marker(line.text):
            boxed, line.kind = True, "bad"
        elif boxed and line.kind == "good":
            boxed = False
        elif boxed:
            line.kind = "bad"
    for i, line in enumerate(lines):
        # "Anna says:" next to a timestamp opens the comment section.
        if is_comment_signature(line.text) and any(find_date(other.text) for other in lines[i : i + 2]):
            line.signals = replace(line.signals, end_marker=True)
            line.kind = "bad"
    return lines


def _smooth(lines: list[_Line]) -> list[str]:
    """Context classes: near/short lines next to prose become prose, the rest chrome.

    A short line between two prose lines is a subheading or a short sentence,
    but a long run of short lines is a menu or a link list, so runs longer
    than `MAX_SHORT_RUN` keep only their sentence-like lines, unless the run
    reads like a list in the story (ingredients, facts with numbers).
    """
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
            # A headline-like near line (no sentence end) needs prose on both sides:
            # alone next to prose it is usually a teaser or caption.
            sides = (neighbour(i, -1), neighbour(i, 1))
            headline_like = not lines[i].signals.sentence_end and lines[i].signals.n_chars < HEADLINE_CHARS
            needed = 2 if headline_like else 1
            out[i] = "good" if sides.count("good") >= needed else "bad"
    kinds = out[:]
    i = 0
    while i < len(kinds):
        if kinds[i] != "short":
            i += 1
            continue
        j = i
        while j < len(kinds) and kinds[j] == "short":
            j += 1
        before, after = neighbour(i, -1), neighbour(j - 1, 1)
        listing = _reads_like_list(lines[i:j])
        quantities = _reads_like_quantities(lines[i:j])
        for k in range(i, j):
            signals = lines[k].signals
            sentence = (
                signals.sentence_end
                and signals.n_words >= SENTENCE_MIN_WORDS
                and signals.stop_density >= SENTENCE_MIN_STOP
                # A lone question next to prose is more often a call to action than a sentence.
                and not signals.text.endswith("?")
            )
            # A code block often ends in its output or a figure, so prose on one side is enough.
            if (sentence or is_code_line(signals.text)) and "good" in (before, after):
                out[k] = "good"
            elif (
                (before == after == "good" or (quantities and "good" in (before, after)))
                and (j - i <= MAX_SHORT_RUN or listing)
                and not _name_like(signals.text)
            ):
                out[k] = "good"
            else:
                out[k] = "bad"
        i = j
    return out


_QUANTITY = re.compile(r"^\W{0,2}(?:\d|[½¼¾⅓⅔])")


def _reads_like_quantities(run: list[_Line]) -> bool:
    """A run of short lines most of which open with a number ("250 g Mehl", "2 Eier"):
    an ingredient or parts list, which belongs to the article even where prose is only on one side."""
    counted = sum(1 for line in run if _QUANTITY.match(line.text))
    return len(run) >= QUANTITY_MIN_LINES and counted * 3 >= len(run) * 2


def _reads_like_list(run: list[_Line]) -> bool:
    """A run of short lines that is a list in the story (ingredients, facts), not a menu.

    Menu items are bare labels; list items carry numbers, units, colons or
    function words. Most lines must look like that.
    """
    itemised = sum(
        1
        for line in run
        if any(c.isdigit() for c in line.text)
        or ":" in line.text
        or line.signals.stop_density >= 0.2
        or is_code_line(line.text)
    )
    return itemised * 3 >= len(run) * 2


_NAME_WORD = re.compile(r"^[^\W\d_][\w.'’-]*$")


def _name_like(text: str) -> bool:
    """ "Andrew Milligan", "DCV / Oppitz": a bare name between paragraphs is a photo or author credit."""
    tokens = [t for t in text.replace("/", " ").split() if t]
    return (
        2 <= len(tokens) <= 4
        and all(_NAME_WORD.match(t) and t[0].isupper() for t in tokens)
        and stop_density(tokens) == 0.0
    )


@dataclass
class _Run:
    first: int
    last: int
    chars: int  # prose characters
    after_break: bool  # an end heading or footer line lies between this run and the previous one


def _prose_runs(lines: list[_Line], kinds: list[str]) -> list[_Run]:
    """Runs of prose lines with at most `MAX_GAP_LINES` other lines between neighbours."""
    runs: list[_Run] = []
    current: _Run | None = None
    gap, broken = 0, False
    for i, line in enumerate(lines):
        breaks = line.signals.end_marker or line.signals.chrome in FOOTER_KINDS
        if kinds[i] == "good" and not breaks:
            if current is None:
                current = _Run(i, i, 0, broken)
                broken = False
            current.last, current.chars, gap = i, current.chars + line.signals.n_chars, 0
            continue
        gap += 1
        broken = broken or breaks
        if current is not None and (breaks or gap > MAX_GAP_LINES):
            runs.append(current)
            current = None
    if current is not None:
        runs.append(current)
    return runs


def _main_run(lines: list[_Line], kinds: list[str], anchor: int | None) -> tuple[int, int] | None:
    """(first, last) line index of the article's prose: the densest run, preferring one after
    the headline, extended over following runs that are big enough to be more of the story."""
    runs = _prose_runs(lines, kinds)
    if not runs:
        return None

    def weight(run: _Run) -> float:
        # The repeated headline marks where the story starts: favour the runs just after it.
        if (
            anchor is not None
            and run.first > anchor
            and not any(lines[k].signals.end_marker for k in range(anchor, run.first))
        ):
            return run.chars * 3.0
        return float(run.chars)

    best = max(range(len(runs)), key=lambda k: weight(runs[k]))
    last = runs[best].last
    for run in runs[best + 1 :]:
        if run.after_break or run.chars < EXTEND_SHARE * runs[best].chars:
            break
        last = run.last
    return runs[best].first, last


def _body_end(lines: list[_Line], start: int) -> int:
    """Index of the first line after `start` that ends the article (end heading or footer)."""
    for i in range(start, len(lines)):
        signals = lines[i].signals
        if signals.end_marker or signals.chrome in FOOTER_KINDS:
            return i
    return len(lines)


def _dangling_heading(line: _Line) -> bool:
    """A short line that announces what follows ("Ansprechpartner", "Mehr dazu:")."""
    text = line.text.rstrip()
    return (
        line.signals.n_chars < SHORT_CHARS
        and line.signals.n_words <= HEADING_WORDS
        and (not line.signals.sentence_end or text.endswith(":"))
    )


def _post_meta(line: _Line) -> bool:
    """A "Published on <date>" / "Last updated <date>" line anywhere in the body is page meta."""
    if line.signals.n_words > 25:
        return False
    mention = find_date(line.text)
    return mention is not None and (mention.labelled or line.signals.n_words <= 6)


def _leading_name(text: str) -> str | None:
    """ "Heiko Sauer" from "Heiko Sauer is a Professor ...": the capitalised words before the first
    lower-case one, if there are two or three of them and they are not stop words."""
    tokens = text.split(maxsplit=4)
    name: list[str] = []
    for token in tokens:
        if token[0].isupper() and _NAME_WORD.match(token):
            name.append(token)
            continue
        if token[0].islower() and BIO_NAME_WORDS[0] <= len(name) <= BIO_NAME_WORDS[1]:
            return " ".join(name) if stop_density(name) == 0.0 else None
        return None
    return None


def _author_bios(lines: list[_Line], body_lines: list[int], authors: list[str]) -> set[int]:
    """Body lines that describe the article's author, not the story.

    A bio opens with a person's name followed by a verb ("is", "leitet",
    "studierte"). It is a bio, not a sentence about someone in the story, when
    the name is the byline's or stands almost alone on a line of an author box
    just above it (or anywhere, for a bio closing the article), and the story
    itself never mentions the surname.
    """
    bios: set[int] = set()
    for i in body_lines:
        name = _leading_name(lines[i].text)
        if name is None or lines[i].signals.n_words < BIO_MIN_WORDS or not lines[i].signals.sentence_end:
            continue
        tokens = name.split()
        # The name line heads an author box just above the bio, or the bio closes the article.
        near = range(max(0, i - BIO_BOX_LINES), i)
        closing = i in body_lines[-BIO_BOX_LINES:]
        named_elsewhere = any(name in author for author in authors) or any(
            j != i
            and (closing or j in near)
            and name in line.text
            and len(line.text.replace(name, "").split()) <= NAME_LINE_EXTRA_WORDS
            for j, line in enumerate(lines)
        )
        surname = tokens[-1]
        in_story = any(
            surname in lines[j].text and lines[j].text != lines[i].text for j in body_lines if j != i
        )
        if named_elsewhere and not in_story:
            bios.add(i)
    return bios


def _read_header(lines: list[_Line], header: list[int], article: Article) -> set[int]:
    """Fill image credit, dates and authors from the header lines; return the lines used."""
    dated: DateMention | None = None
    modified: DateMention | None = None
    facts: set[int] = set()
    for i in header:
        line = lines[i]
        if article.image_credit is None:
            credit = image_credit_of(line.text)
            if credit:
                article.image_credit = credit
                facts.add(i)
                continue
        if line.signals.n_words <= 25:
            mention = find_date(line.text)
            # A long line with an unlabelled date is a sentence about an event, not a dateline.
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
    # Only an "Updated" date: it still bounds the publication day, so it is the best we have.
    chosen = dated or modified
    if chosen is not None:
        article.published_at, article.published_at_source = chosen.when, "text"
        article.modified_at = modified.when if modified else None
    return facts


def parse_text_dump(text: str, url: str | None = None) -> Article:
    """Page-text dump -> `Article` (title, publisher, body, dates, authors, image credit, dropped lines).

    `url` is only recorded as the canonical URL when given.
    """
    lines = _lines(text)
    article = Article(canonical_url=url)
    if not lines:
        return article

    # 1. Title, publisher and the headline anchor.
    title_index: int | None = None
    anchors: list[int] = []
    first = lines[0]
    if first.signals.n_chars <= 200:
        title, publisher, repeated = _split_title(first.text, [line.text for line in lines[1:40]])
        if repeated or publisher or not first.signals.sentence_end:
            article.title, title_index = title, 0
            if publisher:
                article.publisher, article.publisher_source = publisher, "title"
            if repeated:
                anchors = _headline_lines(lines, repeated)

    # 2. Line classes, in context.
    _mark_duplicates(lines)
    for index in [title_index, *anchors]:
        if index is not None:
            lines[index].kind = "bad"
    kinds = _smooth(lines)

    # 3. The article: prose from the headline (or the top) to the end of the main
    # prose run, or an earlier end heading/footer. Prose above the main run is
    # kept: a lead paragraph is often split from the rest by a photo or an ad.
    run = _main_run(lines, kinds, anchors[0] if anchors else None)
    # The story starts after the last headline repeat above its prose (an earlier one is a breadcrumb).
    before_run = [i for i in anchors if run is None or i < run[0]]
    start = before_run[-1] + 1 if before_run else 0
    end = min(_body_end(lines, run[0]), run[1] + 1) if run is not None else start
    body_lines = [i for i in range(start, end) if kinds[i] == "good"]
    if body_lines:
        # Inside the article a near-prose line is part of it, whatever its neighbours.
        inside = range(body_lines[0], body_lines[-1] + 1)
        body_lines = [i for i in inside if kinds[i] == "good" or lines[i].kind == "near"]
    first_body = body_lines[0] if body_lines else end

    # 4. Header facts: credit, date, byline; such lines never stay in the body.
    header = list(range(max(start, first_body - HEADER_LINES), first_body)) + body_lines[:3]
    facts = _read_header(lines, [i for i in header if i != title_index], article)
    body_lines = [
        i
        for i in body_lines
        if i not in facts and image_credit_of(lines[i].text) is None and not _post_meta(lines[i])
    ]

    # A story never ends on a heading: a short trailing line without a sentence end (or ending
    # in ":") introduces a block that was cut off ("Weitere Informationen", "Unsere Tipps:").
    while body_lines and _dangling_heading(lines[body_lines[-1]]):
        body_lines.pop()
    bios = _author_bios(lines, body_lines, article.authors)
    # Appeals to the reader close an article: "Follow us on ...", "Get our newsletter".
    appeals = {i for i in body_lines[-CTA_TAIL_LINES:] if is_call_to_action(lines[i].text)}
    body_lines = [i for i in body_lines if i not in bios and i not in appeals]

    article.body = "\n\n".join(lines[i].text for i in body_lines)
    return article
