"""What a source location is: the one place that decides it.

    detect(location, offline=False, settings=None) -> kind
    fetched_kind(body) -> kind                 what fetched bytes are
    looks_like_json(data) -> bool              bytes that are JSON (an agency feed), not a page
    local_path(location) -> Path | None       a plain path or file:// URL as a path
    page_kind(path) -> "html" | "text" | None  a page file's kind from its name

Kinds: "folder", "page" (one HTML or text file, or a web page), "warc", "jsonl" (JSON Lines
stories), "feed", "sitemap", "urllist". Offline, an http(s) URL is judged by its name ("url"
when only fetching can tell) and a local path that is not there is "missing" ("unreadable"
when it cannot be opened). A plain path and its `file://` URL are the same location.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mediamon.config import FetchConfig
from mediamon.errors import SourceError
from transforms.extraction.feeds import GZIP_MAGIC, kind_from_url, sniff_listing

PAGE_SUFFIXES = {".html": "html", ".htm": "html", ".txt": "text", ".xhtml": "html"}
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz")
URL_LIST_SUFFIXES = (".urls", ".lst")  # a .txt is a URL list only when its lines are URLs


def local_path(location: str) -> Path | None:
    """The path a location names (`file://` URLs included); None for http(s) URLs."""
    parts = urlsplit(location)
    scheme = parts.scheme.lower()
    if scheme == "file":
        return Path(unquote(parts.path))
    if scheme in ("http", "https"):
        return None
    return Path(location).expanduser()


def page_kind(path: Path) -> str | None:
    """'html' or 'text' from the file name (a trailing .gz is looked through)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return PAGE_SUFFIXES.get(Path(name).suffix)


def read_head(path: Path, size: int = 65536) -> bytes:
    """The first `size` bytes of a file, unpacked when it is gzip."""
    with path.open("rb") as fh:
        head = fh.read(size)
    if head.startswith(GZIP_MAGIC):
        with gzip.open(path, "rb") as fh:
            try:
                head = fh.read(size)
            except (OSError, EOFError):
                pass
    return head


def local_kind(path: Path) -> str:
    """The kind of an existing local file or folder, from its name and first bytes."""
    if path.is_dir():
        return "folder"
    name = path.name.lower()
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    head = read_head(path)
    if head.startswith(b"WARC/"):
        return "warc"
    listing = sniff_listing(head)
    if listing != "page":
        return listing
    if name.endswith(URL_LIST_SUFFIXES) or (page_kind(path) == "text" and _only_comments(head)):
        return "urllist"  # a .txt of nothing but `#` lines is a URL list still empty, not a story
    return "page"


def _only_comments(head: bytes) -> bool:
    lines = [ln.strip() for ln in head.splitlines() if ln.strip()]
    return bool(lines) and all(ln.startswith(b"#") for ln in lines)


def detect(location: str, offline: bool = False, settings: FetchConfig | None = None) -> str:
    """The kind of a source location.

    A local path (or `file://` URL) is judged from its name and first bytes. An http(s) URL is
    fetched once and sniffed; with `offline` it is judged by its name only. Raises SourceError
    when a local path does not exist or a URL cannot be fetched (never with `offline`).
    """
    path = local_path(location)
    if path is not None:
        if not path.exists():
            if offline:
                return "missing"
            raise SourceError(f"source location {location} does not exist; check the path in the config")
        try:
            return local_kind(path)
        except OSError as exc:
            if offline:
                return "unreadable"
            raise SourceError(f"source location {location} could not be read ({exc})") from exc
    if urlsplit(location).path.lower().endswith(JSONL_SUFFIXES):
        return "jsonl"
    if offline:
        return kind_from_url(location) or "url"
    return _sniff_url(location, settings)


def looks_like_json(data: bytes) -> bool:
    """True when the bytes start like a JSON object or array (after a BOM and white space)."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def fetched_kind(body: bytes) -> str:
    """What fetched bytes are: "feed", "sitemap", "urllist", "jsonl" or "page"."""
    kind = sniff_listing(body)
    return "jsonl" if kind == "page" and looks_like_json(body) else kind


def _sniff_url(location: str, settings: FetchConfig | None) -> str:
    """Fetch a URL once (it is the operator's own location: private addresses allowed) and sniff it."""
    from sources.fetch import Fetcher, FetchRequest, run_sync  # the HTTP client only when a URL is sniffed

    async def sniff() -> str:
        async with Fetcher(settings or FetchConfig()) as fetcher:
            (first,) = await fetcher.fetch([FetchRequest(url=location, source="detect", accept="any",
                                                         allow_private=True)])
        if first.error is not None:
            raise SourceError(f"source location {location} could not be fetched: {first.error}")
        return fetched_kind(first.body or b"")

    return run_sync(sniff())
