"""Bytes of a fetched document -> text, without mojibake, or a one-line reason why not.

Order of trust for the charset: a byte-order mark, the HTTP Content-Type
charset, a `<meta charset>` / `http-equiv` / XML declaration, then detection
(charset-normalizer). A declared charset is only used if the bytes really
decode with it; the two classic lies are handled on purpose:

- declared (or defaulted) UTF-8 that is really Windows-1252: bytes that are not
  valid UTF-8 are read as Windows-1252 one by one, so a mixed page is fixed too;
- declared ISO-8859-1/Windows-1252 that is really UTF-8: valid multi-byte UTF-8
  in a "Latin-1" page is practically never accidental, so UTF-8 wins.

Exceptions::

    ValueError
     └── DecodeError   empty, binary or undecodable input
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer


class DecodeError(ValueError):
    """The bytes are not a text document; the message is a one-line human reason."""


# Magic numbers of things a crawler meets instead of pages.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"ID3", "MP3 audio"),
    (b"OggS", "Ogg media"),
    (b"\x00\x00\x00\x18ftyp", "MP4 video"),
    (b"\x00\x00\x00\x1cftyp", "MP4 video"),
    (b"\x00\x00\x00\x20ftyp", "MP4 video"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
    (b"\x00\x01\x00\x00\x00", "font file"),
    (b"\x7fELF", "executable"),
    (b"MZ", "Windows executable"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:\-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([\w.:\-]+)", re.I)
_XML_ENCODING = re.compile(rb"<\?xml[^>]+encoding\s*=\s*[\"']([\w.:\-]+)", re.I)
# Labels browsers read as Windows-1252 (WHATWG Encoding Standard).
_LATIN1_LABELS = {
    "iso-8859-1",
    "iso8859-1",
    "latin-1",
    "latin1",
    "l1",
    "us-ascii",
    "ascii",
    "windows-1252",
    "cp1252",
    "x-cp1252",
    "iso-8859-15",
    "iso8859-15",
    "latin-9",
}
_UTF8_LABELS = {"utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8"}
# Control characters that never occur in text (tab, LF, FF, CR excluded).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_REPLACEMENT = "\ufffd"


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """codecs error handler: read a byte that is not valid UTF-8 as Windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("mediamon_cp1252", _cp1252_fallback)


def _normalise_label(label: str) -> str | None:
    """A charset label -> a Python codec name; None for unknown labels."""
    label = label.strip().strip("\"'").lower()
    if label in _LATIN1_LABELS:
        return "cp1252"
    if label in _UTF8_LABELS:
        return "utf-8"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _declared_charsets(raw: bytes, content_type: str | None) -> list[str]:
    declared: list[str] = []
    if content_type:
        header = _HEADER_CHARSET.search(content_type)
        if header:
            declared.append(header.group(1))
    head = raw[:8192]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        found = pattern.search(head)
        if found:
            declared.append(found.group(1).decode("ascii", "ignore"))
    codecs_found: list[str] = []
    for label in declared:
        name = _normalise_label(label)
        # A UTF-16 label in an ASCII-compatible page is a leftover; browsers ignore it too.
        if name and name.startswith("utf-16"):
            continue
        if name and name not in codecs_found:
            codecs_found.append(name)
    return codecs_found


def _binary_kind(raw: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            # "MZ" and "ID3" are short: only call them binary if the rest agrees.
            if len(magic) < 4 and raw[:512].count(b"\x00") == 0 and kind != "JPEG image":
                continue
            return kind
    if raw[:4] == b"RIFF" and raw[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}[raw[8:12]]
    return None


def _check_text(text: str) -> str:
    sample = text[:20000]
    if not sample.strip():
        raise DecodeError("document is only whitespace")
    controls = len(_CONTROL.findall(sample))
    replacements = sample.count(_REPLACEMENT)
    if (controls + replacements) / len(sample) > 0.05:
        raise DecodeError("binary content (control characters in the text), not a page")
    return text


def decode_document(raw: bytes, content_type: str | None = None) -> str:
    """Raw page bytes (already un-gzipped) and the HTTP Content-Type -> the page as text.

    Raises DecodeError for empty input, binary content (images, PDF, archives,
    random bytes) and bytes no charset makes sense of.
    """
    if not raw or not raw.strip():
        raise DecodeError("empty document")
    kind = _binary_kind(raw)
    if kind:
        raise DecodeError(f"binary content ({kind}), not a page")
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return _check_text(raw.decode(codec))
            except UnicodeDecodeError:
                break
    head = raw[:4096]
    # Text never holds NUL bytes (UTF-16 pages carry a BOM and were handled above).
    if head.count(b"\x00") > max(2, len(head) // 1000):
        raise DecodeError("binary content (NUL bytes), not a page")

    declared = _declared_charsets(raw, content_type)
    is_utf8 = True
    try:
        as_utf8 = raw.decode("utf-8")
    except UnicodeDecodeError:
        is_utf8 = False
    # Valid UTF-8 wins over any single-byte declaration (a UTF-8 page labelled Latin-1); only
    # 7-bit encodings (ISO-2022, UTF-7) also decode as valid UTF-8 and must keep their label.
    if is_utf8 and not (declared and declared[0].startswith(("iso2022", "utf_7"))):
        return _check_text(as_utf8)
    for codec in declared:
        if codec == "utf-8":
            continue  # strict UTF-8 failed above
        try:
            return _check_text(raw.decode(codec))
        except UnicodeDecodeError:
            continue
    if "utf-8" in declared or _mostly_utf8(raw):
        # Declared UTF-8 but some bytes are Windows-1252: fix those bytes, keep the rest.
        return _check_text(raw.decode("utf-8", errors="mediamon_cp1252"))
    return _check_text(_detect(raw))


def _mostly_utf8(raw: bytes) -> bool:
    """True when most non-ASCII byte runs are valid UTF-8 (a UTF-8 page with a few stray bytes)."""
    valid = invalid = 0
    for chunk in re.findall(rb"[\x80-\xff]+", raw[:200000]):
        try:
            chunk.decode("utf-8")
            valid += 1
        except UnicodeDecodeError:
            invalid += 1
    return valid > 0 and valid >= 3 * invalid


def _detect(raw: bytes) -> str:
    best = charset_normalizer.from_bytes(raw[:200000]).best()
    if best is None or best.encoding is None:
        raise DecodeError("undecodable bytes (no character set fits), not a page")
    encoding = best.encoding
    if encoding != "cp1252" and _single_byte(encoding) and _prefer_cp1252(raw, encoding):
        encoding = "cp1252"
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return str(best)


def _single_byte(encoding: str) -> bool:
    try:
        return len("\u00e9".encode(encoding, errors="replace")) == 1 and not encoding.startswith("utf")
    except LookupError:
        return False


def _prefer_cp1252(raw: bytes, encoding: str) -> bool:
    """Detection names some Latin sibling for undeclared Western text (cp1250 for a French page).

    Browsers read undeclared pages as Windows-1252; keep the detected codec only when its
    reading turns clearly more high bytes into letters (Polish, Cyrillic, Greek pages).
    """
    high = sorted({b for b in raw if b >= 0x80})
    if not high:
        return True
    data = bytes(high)
    try:
        as_detected = data.decode(encoding, errors="replace")
        as_cp1252 = data.decode("cp1252", errors="replace")
    except LookupError:
        return False
    letters = [c for c in as_detected if c.isalpha()]
    latin = sum(unicodedata.name(c, "").startswith("LATIN") for c in letters)
    if latin * 2 < len(letters):
        return False  # a Cyrillic, Greek, Arabic... codepage: detection knows those well
    for_detected = sum(a.isalpha() and not b.isalpha() for a, b in zip(as_detected, as_cp1252, strict=True))
    for_cp1252 = sum(b.isalpha() and not a.isalpha() for a, b in zip(as_detected, as_cp1252, strict=True))
    return for_detected <= for_cp1252


_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head)\b", re.I | re.S
)
_HTML_TAG = re.compile(
    r"<(?:html|head|body|meta|title|div|p|span|a|script|style|link|article|section|table|ul|li|br|img)\b[^>]*>",
    re.I,
)


def looks_like_html(text: str) -> bool:
    """Sniff a decoded document: True for HTML markup, False for a plain page-text dump."""
    if _HTML_START.match(text[:5000]):
        return True
    sample = text[:20000]
    tags = len(_HTML_TAG.findall(sample))
    # A text dump may quote a tag or two; markup has one roughly every few hundred chars.
    return tags >= 5 and tags * 400 >= len(sample)
