import gzip
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from sources.kinds import page_kind
from sources.local import plan_folder, plan_page_file


def read_folder(folder: Path, source: str, **kwargs: Any) -> SimpleNamespace:
    """Every file of the folder's plan, read (as a run reads them, chunk by chunk)."""
    plan = plan_folder(folder, source, **kwargs)
    return SimpleNamespace(documents=[p.read() for p in plan.pending], problems=plan.problems,
                           skipped_files=plan.skipped_files)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        pytest.param("a.html", "html", id="html"),
        pytest.param("a.HTM", "html", id="htm-upper"),
        pytest.param("a.txt", "text", id="text-dump"),
        pytest.param("a.html.gz", "html", id="gzipped-html"),
        pytest.param("a.txt.gz", "text", id="gzipped-text"),
        pytest.param("README.md", None, id="not-a-page"),
        pytest.param("a.gz", None, id="bare-gz"),
    ],
)
def test_page_kind(name: str, kind: str | None) -> None:
    assert page_kind(Path(name)) == kind


def test_reads_pages_gzip_and_manifest(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<html><body><p>x</p></body></html>")
    (tmp_path / "b.txt.gz").write_bytes(gzip.compress("Title - Site\nbody".encode()))
    (tmp_path / "notes.md").write_text("not a page")
    (tmp_path / "manifest.jsonl").write_text(
        json.dumps({"path": "b.txt.gz", "url": "https://example.org/b", "publisher": "Example",
                    "fetched_at": "2024-05-01T10:00:00Z"}) + "\n")
    got = read_folder(tmp_path, "test")
    by_name = {Path(d.path).name: d for d in got.documents}
    assert set(by_name) == {"a.html", "b.txt.gz"}
    assert by_name["a.html"].url.startswith("file://")
    assert by_name["a.html"].kind == "html"
    b = by_name["b.txt.gz"]
    assert (b.url, b.publisher_hint, b.kind, b.raw) == ("https://example.org/b", "Example", "text", b"Title - Site\nbody")
    assert b.fetched_at.isoformat() == "2024-05-01T10:00:00+00:00"
    assert got.skipped_files == 1 and got.problems == []


def test_bad_manifest_line_is_reported_and_missing_file_becomes_a_document(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<p>x</p>")
    (tmp_path / "manifest.jsonl").write_text(
        '{"path": "a.html", "url": "https://e.org/a"}\n{not json\n{"path": "gone.html", "url": "https://e.org/gone"}\n')
    got = read_folder(tmp_path, "test")
    assert len(got.problems) == 1 and "line 2 is not valid JSON" in got.problems[0]
    missing = [d for d in got.documents if d.url == "https://e.org/gone"]
    assert len(missing) == 1 and missing[0].raw is None
    assert "does not exist" in (missing[0].error or "")


def test_oversize_and_broken_gzip_become_errors_not_exceptions(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 2000)
    (tmp_path / "bad.html.gz").write_bytes(b"\x1f\x8bnot really gzip")
    got = read_folder(tmp_path, "test", max_bytes=1000)
    errors = {Path(d.path).name: d.error for d in got.documents}
    assert "over the" in errors["big.txt"]
    assert "not valid gzip" in errors["bad.html.gz"]


def test_single_page_file_keeps_its_manifest_entry_and_reads_nothing_else(tmp_path: Path) -> None:

    (tmp_path / "a.html").write_text("<p>a</p>")
    (tmp_path / "b.html").write_text("<p>b</p>")
    (tmp_path / "manifest.jsonl").write_text(
        '{"path": "a.html", "url": "https://e.org/a"}\n{"path": "gone.html", "url": "https://e.org/gone"}\n')
    plan = plan_page_file(tmp_path / "a.html", "test")
    got = SimpleNamespace(documents=[p.read() for p in plan.pending], problems=plan.problems)
    assert [(d.url, d.raw) for d in got.documents] == [("https://e.org/a", b"<p>a</p>")]


def test_text_kind_from_manifest_entry_or_source(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text("Headline\n\nStory.")
    (tmp_path / "manifest.jsonl").write_text(
        json.dumps({"path": "a.txt", "kind": "text"}) + "\n"
        + json.dumps({"path": "b.txt", "kind": "newsletter"}) + "\n")
    plain = read_folder(tmp_path, "t")
    kinds = {Path(d.path).name: (d.text_kind, d.text_kind_source) for d in plain.documents}
    assert kinds == {"a.txt": ("text", "manifest"), "b.txt": (None, None), "c.txt": (None, None)}
    assert any("kind 'newsletter'" in p for p in plain.problems)
    declared = read_folder(tmp_path, "t", text_kind="page-text")
    kinds = {Path(d.path).name: (d.text_kind, d.text_kind_source) for d in declared.documents}
    assert kinds == {"a.txt": ("text", "manifest"), "b.txt": ("page-text", "source"),
                     "c.txt": ("page-text", "source")}
