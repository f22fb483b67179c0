"""The article body of a parsed page: trafilatura's main-content pass, then our block filters.

trafilatura (balanced mode) finds the main content well but keeps too much
around it (share prompts, newsletter boxes, "related" link lists, image
credits, cookie text) and often loses the lead paragraph next to the headline.
`extract_body` takes its block tree and

- drops blocks by language-independent signals: link density, a tail of short
  link-heavy blocks, short blocks after the last prose paragraph, an
  end-of-article heading ("Mehr zum Thema", "Related") in the back half;
- drops chrome lines the shared multilingual classifier
  (`transforms.extraction.boilerplate`) recognises, also inside multi-line blocks;
- drops blocks whose fingerprint is in a publisher's learned template;
- puts back the lead (standfirst) when trafilatura left it out.

Every dropped block is returned so the template learner and a debugging analyst
can see it. Measured on the dev corpus: bench/eval_html.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from lxml.etree import _Element
from trafilatura.xml import xmltotxt

from transforms.extraction.boilerplate import FOOTER_KINDS, PROMO_KINDS, chrome_kind, image_credit_of, is_end_marker

# Short UI/promo lines in the languages of the corpus: kept generic (no site names).
_UI_LINE = re.compile(
    r"^(?:(?:mehr|weitere|alle|more|read|lesen|weiterlesen|read more|continue reading|zum artikel|"
    r"zur startseite|zurück|back|top|nach oben|teilen|share|drucken|print|tweet|e-?mail|whatsapp|"
    r"facebook|twitter|linkedin|xing|pinterest|telegram|instagram|youtube|kommentare?|comments?|"
    r"anzeige|advertisement|werbung|sponsored|publicité|pubblicità|newsletter|abonnieren|subscribe|"
    r"jetzt abonnieren|login|anmelden|registrieren|sign in|sign up|log in|artikel merken|merken|"
    r"bookmark|schließen|close|menü|menu|suche|search|startseite|home|impressum|datenschutz|"
    r"kontakt|contact|cookies?|akzeptieren|accept|ok|lesezeit|foto|bild|video|audio|galerie|gallery|"
    r"lire aussi|à lire aussi|leer más|lee también|leggi anche|lees ook|ebenfalls interessant|"
    r"das könnte sie auch interessieren|auch interessant|mehr zum thema|zum thema|related|"
    r"you may also like|recommended|empfohlen|top-?themen|themen|tags?|schlagworte|"
    r"seite \d+|page \d+|\d+ kommentare?|\d+ comments?)"
    r"[\s:.!»>→|\-–]*)+$",
    re.I,
)
# Credits and legal lines: "Foto: dpa", "© 2023 ...", "Bild: Jane Doe/Agency".
_CREDIT_LINE = re.compile(
    r"^(?:©|\(c\)|copyright|foto|fotos|bild|bilder|photo|photos|image|credit|quelle|source|grafik|"
    r"illustration|titelbild|titelfoto|beitragsbild|symbolbild|symbolfoto|video)\b\s*[:©/]",
    re.I,
)
_WORD = re.compile(r"\w+")
# Blocks with at least this many lines are cleaned line by line.
MULTILINE_MIN_LINES = 2
# Longest line (words) the chrome classifier may drop unless it is a footer notice.
CHROME_MAX_WORDS = 12
# A lead is a sentence or a short paragraph, not a whole text or a label.
LEAD_MIN_WORDS = 12
LEAD_MAX_WORDS = 150
# Bodies shorter than this get a second extraction in trafilatura's recall mode.
RETRY_BELOW_WORDS = 60
# Skip trafilatura's readability/jusText comparison pass: +30% pages/s, but -0.004 snippets F1
# on the dev corpus, so off.
FAST = False
# An end-of-article heading only ends the article after this share of its words.
END_MARKER_AFTER = 0.5
# Blocks whose text is at least this share link text are navigation, not prose.
_MAX_LINK_SHARE = 0.6


@dataclass
class BodyResult:
    """Paragraphs kept (in order) and blocks dropped as boilerplate."""

    paragraphs: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _block_text(block: _Element) -> str:
    text = xmltotxt(block, False)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _words(text: str) -> int:
    return len(_WORD.findall(text))


@dataclass
class Block:
    """One top-level block of trafilatura's output: tag (p, head, list, table, quote...), text, link share."""

    tag: str
    text: str
    link_share: float
    words: int

    @cached_property
    def figures(self) -> bool:
        """`_figure_block`, asked by several filters: worked out once per block."""
        return _figure_block(self)


def _is_noise(block: Block) -> bool:
    text = block.text
    if not text.strip():
        return True
    if _UI_LINE.match(text):
        return True
    if _CREDIT_LINE.match(text) and block.words <= 25:
        return True
    if block.link_share >= _MAX_LINK_SHARE and block.words <= 40:
        return True
    if block.tag == "list" and block.link_share >= 0.5:
        return True
    return False


def _drop_link_tail(blocks: list[Block], keep: list[bool]) -> None:
    """A run of short/linky blocks at the end is a related-links or footer area."""
    for index in range(len(blocks) - 1, -1, -1):
        if not keep[index]:
            continue
        block = blocks[index]
        tail_like = (block.link_share >= 0.35 and block.words <= 60) or (
            block.tag in ("head",) and block.words <= 8
        )
        if not tail_like:
            break
        keep[index] = False


# A row of a table as trafilatura writes it ("| 1 | Norway | 1:32:10.4 |") that carries figures:
# a results or market table is story, though "a | b | c" reads like a breadcrumb to the classifier.
_FIGURE_ROW = re.compile(r"^\|.*\d.*\|$")
# "Q: …", "A: …", "Frage: …": the lines of an interview are story, questions included.
_QA_LINE = re.compile(r"^(?:Q|A|F|Frage|Antwort|Question|Answer)\s?[:.]\s", re.I)
# A block is a table, list or preformatted block of figures when this share of its lines has one.
FIGURE_LINES_SHARE = 0.6


# A line of only these characters is a table rule ("|---|---|"), not a row.
_RULE_CHARS = frozenset("|-: ")


def _figure_block(block: Block) -> bool:
    """A results table, scoreboard, standings or market list: most lines carry figures, few links."""
    # Only these tags can hold one; the line count below is the costly part.
    if block.tag not in ("table", "list", "quote", "code") or block.link_share >= 0.35:
        return False
    lines = [line for line in block.text.splitlines() if line.strip() and not set(line) <= _RULE_CHARS]
    figures = sum(1 for line in lines if any(map(str.isdigit, line)))
    return len(lines) >= 2 and figures >= FIGURE_LINES_SHARE * len(lines)


def _clean_lines(block: Block, removed: list[str]) -> Block:
    """Drop chrome lines (credits, share prompts, cookie notes) inside a multi-line block.

    trafilatura's fallback extractors return a whole page region as one block; the block-level
    rules cannot see the boilerplate lines inside it.
    """
    lines = block.text.splitlines()
    if len(lines) < MULTILINE_MIN_LINES or block.figures:
        return block
    kept: list[str] = []
    for line in lines:
        short = len(line.split()) <= CHROME_MAX_WORDS
        if _FIGURE_ROW.match(line):
            kept.append(line)
        elif (
            image_credit_of(line)
            or _UI_LINE.match(line)
            or (short and (chrome_kind(line) or _CREDIT_LINE.match(line)))
        ):
            removed.append(line)
        else:
            kept.append(line)
    if len(kept) == len(lines):
        return block
    text = "\n".join(kept)
    return Block(block.tag, text, block.link_share, len(_WORD.findall(text)))


def _drop_chrome(blocks: list[Block], keep: list[bool]) -> None:
    """Blocks the shared line classifier knows as chrome: cookie/copyright notes, share and
    newsletter prompts, photo credits."""
    total = sum(block.words for block in blocks) or 1
    seen = 0
    for index, block in enumerate(blocks):
        in_back_half = seen >= 0.5 * total
        seen += block.words
        if not keep[index]:
            continue
        lines = block.text.splitlines()
        # The classifier also flags sentence-long lines; in the article's first half a sentence
        # that names "consent" or "comments" is prose, so long lines only count near the end.
        if block.figures:
            continue
        if all(_chrome_line(line, in_back_half) for line in lines):
            keep[index] = False


def _chrome_line(line: str, in_back_half: bool) -> bool:
    """A photo credit, or a line the chrome classifier knows: short, or a footer or promo near the end."""
    if image_credit_of(line):
        return True
    short = len(line.split()) <= CHROME_MAX_WORDS
    if not short and not in_back_half:
        return False  # a sentence in the first half is prose whatever the classifier says: skip it
    kind = chrome_kind(line)
    return kind is not None and (short or kind in FOOTER_KINDS | PROMO_KINDS)


def _cut_at_end_marker(blocks: list[Block], keep: list[bool]) -> None:
    """A "Related stories"/"Comments" heading in the back half of the text ends the article."""
    total = sum(block.words for block in blocks) or 1
    seen = 0
    for index, block in enumerate(blocks):
        if keep[index] and seen >= END_MARKER_AFTER * total and is_end_marker(block.text):
            for rest in range(index, len(blocks)):
                keep[rest] = False
            return
        seen += block.words


_SENTENCE_END = re.compile(r"[.!…。»«\"“”')]\s*$")
TAIL_PROSE_WORDS = 25
TAIL_SHORT_WORDS = 15


def _drop_short_tail(blocks: list[Block], keep: list[bool]) -> None:
    """Short blocks after the last prose paragraph are sign-offs, promos and teaser headings."""
    kept = [index for index, flag in enumerate(keep) if flag]
    prose = [
        index for index in kept if blocks[index].words >= TAIL_PROSE_WORDS and blocks[index].tag != "list"
    ]
    if not prose:
        return
    for index in kept:
        block = blocks[index]
        # A sentence ending in a full stop is a closing line of the text; headings, prompts
        # ("Schon gelesen?", "Mehr Themen:") and labels are not. Tables and lists of figures
        # (results, standings) and interview lines ("Q: …") are story wherever they stand.
        structured = block.figures or _QA_LINE.match(block.text) is not None
        if (index > prose[-1] and block.words < TAIL_SHORT_WORDS and not _SENTENCE_END.search(block.text)
                and not structured):
            keep[index] = False


def blocks_from_tree(postbody: _Element) -> list[Block]:
    blocks: list[Block] = []
    for child in postbody:
        if not isinstance(child.tag, str):
            continue
        linked = sum(len(" ".join("".join(ref.itertext()).split())) for ref in child.iter("ref"))
        # Links only serve the link-density signal; the text must not carry link markup.
        etree.strip_tags(child, "ref")
        text = _block_text(child)
        if not text:
            continue
        flat_length = len(" ".join(text.split()))
        share = min(1.0, linked / flat_length) if flat_length else 0.0
        blocks.append(Block(child.tag, text, share, _words(text)))
    return blocks


def _trafilatura_blocks(tree: lxml_html.HtmlElement, url: str | None, favor_recall: bool) -> list[Block]:
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            favor_recall=favor_recall,
            fast=FAST,
            include_comments=False,
            include_tables=True,
            include_links=True,
            with_metadata=False,
            deduplicate=False,
        )
    except (ValueError, TypeError):
        return []
    body = getattr(document, "body", None)
    if body is None:
        return []
    return blocks_from_tree(body)


_LEAD_CLASS = re.compile(
    r"intro|lead|teaser-?text|standfirst|summary|abstract|excerpt|subline|subtitle|deck\b|\bdek\b|chapo|"
    r"chapeau|entradilla|bajada|sapo|sommario|occhiello|descri",
    re.I,
)
_NOT_LEAD = re.compile(
    r"related|sidebar|comment|footer|nav|menu|teaser-?list|card|slider|promo|newsletter|"
    r"author|autor|bio\b|profile|avatar|user|login|signup|regist|caption|credit|cookie",
    re.I,
)
# The lead must sit within this many elements after the headline.
LEAD_WINDOW = 120


def lead_paragraph(tree: lxml_html.HtmlElement) -> str | None:
    """The article's lead (standfirst/intro) written right after the headline, or None.

    trafilatura often drops it: it sits in the header next to the headline, outside the
    text container it picks.
    """
    headlines = tree.xpath("//article//h1 | //main//h1") or tree.xpath("//h1")
    if not headlines:
        return None
    headline = headlines[0]
    for count, element in enumerate(elements_after(headline)):
        if count > LEAD_WINDOW:
            break
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "a", "li", "ul", "nav"):
            continue
        marker = f"{element.get('class') or ''} {element.get('id') or ''} {element.get('itemprop') or ''}"
        if not _LEAD_CLASS.search(marker) or _NOT_LEAD.search(marker):
            continue
        text = " ".join(element.text_content().split())
        words = len(_WORD.findall(text))
        if LEAD_MIN_WORDS <= words <= LEAD_MAX_WORDS:
            return text
    return None


def elements_after(element: lxml_html.HtmlElement) -> Iterator[lxml_html.HtmlElement]:
    """Elements after `element` in document order (not its own descendants)."""
    node = element
    while node is not None:
        for sibling in node.itersiblings():
            yield sibling
            yield from sibling.iterdescendants()
        node = node.getparent()


def extract_body(
    tree: lxml_html.HtmlElement,
    url: str | None,
) -> BodyResult:
    """A parsed page -> its article paragraphs and the blocks dropped around them.

    trafilatura runs in its balanced mode (its precision mode drops real paragraphs; our block
    filters take the boilerplate out instead). When that finds almost nothing, its recall mode
    gets a second try: short pages and unusual markup are where the balanced mode gives up.
    """
    result = filter_blocks(_trafilatura_blocks(tree, url, favor_recall=False))
    if sum(len(_WORD.findall(p)) for p in result.paragraphs) < RETRY_BELOW_WORDS:
        retry = filter_blocks(_trafilatura_blocks(tree, url, favor_recall=True))
        if sum(map(len, retry.paragraphs)) > sum(map(len, result.paragraphs)):
            result = retry
    lead = lead_paragraph(tree)
    if lead and result.paragraphs and _normal(lead)[:80] not in _normal(" ".join(result.paragraphs)):
        result.paragraphs.insert(0, lead)
    return result


def filter_blocks(blocks: list[Block]) -> BodyResult:
    """trafilatura's content blocks -> the article paragraphs kept and the blocks dropped."""
    result = BodyResult()
    blocks = [_clean_lines(block, result.removed) for block in blocks]
    keep = [not _is_noise(block) for block in blocks]
    _drop_chrome(blocks, keep)
    _cut_at_end_marker(blocks, keep)
    _drop_link_tail(blocks, keep)
    _drop_short_tail(blocks, keep)
    for block, kept in zip(blocks, keep, strict=True):
        (result.paragraphs if kept else result.removed).append(block.text)
    return result
