"""A fuzz corpus built from the dev pages: truncated, byte-flipped, mis-declared, oversized,
deeply nested, compressed-to-explode and otherwise broken documents, with a manifest that is
itself partly broken (invalid UTF-8 and NUL bytes in URLs, lines that are not JSON).

`build(out, pages, seed)` writes the folder and returns how many documents it holds (files,
plus manifest entries whose file is missing). Deterministic for a given seed.
"""

from __future__ import annotations

import gzip
import json
import random
import zlib
from collections.abc import Callable
from pathlib import Path

Mutation = Callable[[bytes, random.Random], bytes]


def _truncate(share: float) -> Mutation:
    return lambda page, rng: page[: int(len(page) * share)]


def _cut_mid_tag(page: bytes, rng: random.Random) -> bytes:
    at = page.find(b"<", len(page) // 3)
    return page[: at + 3] if at > 0 else page[: len(page) // 3]


def _flip(count: int) -> Mutation:
    def mutate(page: bytes, rng: random.Random) -> bytes:
        data = bytearray(page)
        for _ in range(count):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    return mutate


def _nul_bytes(page: bytes, rng: random.Random) -> bytes:
    return b"\x00".join(page[i:i + 400] for i in range(0, len(page), 400))


def _declare(charset: str) -> Mutation:
    """Claim `charset` in a meta tag (a lie: the bytes stay what they were)."""
    def mutate(page: bytes, rng: random.Random) -> bytes:
        head = page.find(b"<head")
        tag = f'<meta charset="{charset}"><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        if head < 0:
            return tag.encode() + page
        close = page.find(b">", head) + 1
        return page[:close] + tag.encode() + page[close:]
    return mutate


def _reencode(codec: str, declare: str | None = None) -> Mutation:
    def mutate(page: bytes, rng: random.Random) -> bytes:
        text = page.decode("utf-8", errors="replace")
        data = text.encode(codec, errors="replace")
        return _declare(declare)(data, rng) if declare else data
    return mutate


def _insert_in_body(snippet: Callable[[random.Random], bytes]) -> Mutation:
    def mutate(page: bytes, rng: random.Random) -> bytes:
        at = page.find(b"<body")
        at = page.find(b">", at) + 1 if at >= 0 else len(page) // 2
        return page[:at] + snippet(rng) + page[at:]
    return mutate


def _gzip_bomb(page: bytes, rng: random.Random) -> bytes:
    return _BOMB


def _gzip_broken(page: bytes, rng: random.Random) -> bytes:
    packed = gzip.compress(page)
    return packed[: len(packed) // 2]


def _gzip_ok(page: bytes, rng: random.Random) -> bytes:
    return gzip.compress(page)


def _garbage(page: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(20_000)


def _png(page: bytes, rng: random.Random) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(5_000)


def _big_text(page: bytes, rng: random.Random) -> bytes:
    words = page.decode("utf-8", errors="replace").split()[:400] or ["word"]
    return (" ".join(words) + "\n").encode() * 60  # a ~1-2 MB page without a single tag


_BOMB = b""  # 100 MB of zeros, gzip-compressed to ~100 KB; built once in build()

# name, file suffix, mutation
MUTATIONS: list[tuple[str, str, Mutation]] = [
    ("truncated-10", ".html", _truncate(0.10)),
    ("truncated-50", ".html", _truncate(0.50)),
    ("truncated-90", ".html", _truncate(0.90)),
    ("cut-mid-tag", ".html", _cut_mid_tag),
    ("flip-10", ".html", _flip(10)),
    ("flip-500", ".html", _flip(500)),
    ("nul-bytes", ".html", _nul_bytes),
    ("lying-utf16", ".html", _declare("utf-16")),
    ("lying-shift-jis", ".html", _declare("shift_jis")),
    ("unknown-charset", ".html", _declare("x-no-such-charset")),
    ("latin1-says-utf8", ".html", _reencode("latin-1", "utf-8")),
    ("utf16-no-bom", ".html", _reencode("utf-16-le")),
    ("utf8-bom-says-cp1251", ".html", lambda p, r: b"\xef\xbb\xbf" + _declare("windows-1251")(p, r)),
    ("attribute-1mb", ".html", _insert_in_body(lambda r: b'<div data-x="' + b"A" * 1_000_000 + b'">x</div>')),
    ("nested-100k", ".html", _insert_in_body(lambda r: b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000)),
    ("nested-unclosed-100k", ".html", _insert_in_body(lambda r: b"<span><b>" * 50_000)),
    ("attributes-50k", ".html", _insert_in_body(
        lambda r: b"<p " + b" ".join(b'a%d="v"' % i for i in range(50_000)) + b">x</p>")),
    ("script-unclosed", ".html", _insert_in_body(lambda r: b"<script>var a = '")),
    ("comment-unclosed", ".html", _insert_in_body(lambda r: b"<!-- never closed ")),
    ("gzip-bomb", ".html.gz", _gzip_bomb),
    ("gzip-broken", ".html.gz", _gzip_broken),
    ("gzip-ok", ".html.gz", _gzip_ok),
    ("garbage", ".html", _garbage),
    ("png-as-html", ".html", _png),
    ("big-text", ".txt", _big_text),
    ("empty", ".html", lambda p, r: b""),
]


def build(out: Path, pages: list[tuple[bytes, str]], seed: int = 16) -> int:
    """Write the fuzz folder (pages/, manifest.jsonl) under `out` from (page bytes, url) pairs."""
    global _BOMB
    if not _BOMB:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        chunk = b"\x00" * 1_000_000
        _BOMB = b"".join(packer.compress(chunk) for _ in range(100)) + packer.flush()
    rng = random.Random(seed)
    folder = out / "pages"
    folder.mkdir(parents=True)
    manifest: list[bytes] = []
    documents = 0
    for index, (stored, url) in enumerate(pages):
        page = gzip.decompress(stored) if stored[:2] == b"\x1f\x8b" else stored  # the dev pages are .html.gz
        for name, suffix, mutate in MUTATIONS:
            rel = f"pages/{index:03d}-{name}{suffix}"
            (out / rel).write_bytes(mutate(page, rng))
            documents += 1
            entry_url = f"{url}{'&' if '?' in url else '?'}fuzz={name}"
            line = json.dumps({"path": rel, "url": entry_url, "fetched_at": "2024-03-01T10:00:00Z"}).encode()
            if index % 7 == 0:  # invalid UTF-8 and a NUL inside the URL
                line = line.replace(b"fuzz=", b"fuzz=\xff\xfe\\u0000")
            elif index % 7 == 1:
                line = line.replace(b'"2024-03-01T10:00:00Z"', b'"not a date \xc3\x28"')
            manifest.append(line)
        # Files whose names are not UTF-8 (listed by no manifest).
        (folder / f"{index:03d}-\udcff\udcfe-name.html".encode("utf-8", "surrogateescape").decode(
            "utf-8", "surrogateescape")).write_bytes(page)
        documents += 1
        # A manifest entry whose file does not exist: a document that must be quarantined.
        manifest.append(json.dumps({"path": f"pages/{index:03d}-missing.html", "url": f"{url}?missing"}).encode())
        documents += 1
    manifest.insert(3, b"{not json at all")
    manifest.insert(5, b'{"path": 17}')
    manifest.insert(9, b"\xff\xfe\x00\x01 binary line")
    (out / "manifest.jsonl").write_bytes(b"\n".join(manifest) + b"\n")
    return documents
