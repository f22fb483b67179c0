"""Defusing HTML that would make the parser's cost explode, before parsing.

libxml2 (under lxml and trafilatura) checks each attribute of a tag against the ones before
it: a tag with tens of thousands of attributes takes seconds to minutes of C code per parse,
which no Python-level time budget can interrupt (50,000 attributes: about 6 s per parse, and a
page is parsed several times). No real page has more than a few dozen attributes on one tag, so
such a tag keeps its name and loses its attributes; the text around it is untouched.
"""

from __future__ import annotations

import re

MAX_ATTRIBUTES = 2_000  # parsing a tag with this many takes ~0.1 s; the cost grows with the square

# A start tag with a long attribute part (at least ~8 bytes per attribute beyond the limit).
_LONG_TAG = re.compile(r"<([A-Za-z][\w:.-]*)(\s[^<>]{16000,})>")


def defuse_html(html: str) -> str:
    """`html` with the attributes of any tag that has more than MAX_ATTRIBUTES of them removed."""
    if len(html) < 16_000:
        return html

    def strip(match: re.Match[str]) -> str:
        if match.group(2).count("=") <= MAX_ATTRIBUTES:
            return match.group(0)
        return f"<{match.group(1)}>"

    return _LONG_TAG.sub(strip, html)
