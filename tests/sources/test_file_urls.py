"""A `file://` URL and the plain path name the same source: the same rows, streamed the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediamon.config import Settings, SourceSpec
from sources.collect import collect

STORY = ("The harbour authority opened the new ferry terminal on Monday after two years of work.\n\n"
         "Passengers can now board from the east quay, a spokesperson said.\n")


def _rows(location: str, tmp_path: Path) -> tuple[int, int, list[str], list[tuple[object, ...]]]:
    settings = Settings(config_path=None, warehouse_dir=tmp_path / "wh")
    got = collect([SourceSpec(name="local", location=location)], settings, {}, lazy=True)
    assert got.documents == [], "local files are listed first and read chunk by chunk"
    docs = [p.read() for p in got.pending]
    rows = [(d.url, d.path, d.kind, d.raw, d.text_kind, d.error) for d in docs]
    return len(got.pending), got.skipped_files, got.problems, rows


def test_file_url_folder_is_the_plain_folder(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html").write_text("<html><body><p>One</p></body></html>")
    (folder / "sub" / "b.txt").write_text(STORY)
    (folder / "README.md").write_text("not a page")
    (folder / "manifest.jsonl").write_text('{"path": "a.html", "url": "https://example.org/a"}\nnot json\n')
    plain = _rows(str(folder), tmp_path)
    assert plain == _rows(folder.as_uri(), tmp_path)
    pending, skipped, problems, rows = plain
    assert (pending, skipped) == (2, 1) and len(problems) == 1
    assert [r[0] for r in rows] == ["https://example.org/a", (folder / "sub" / "b.txt").as_uri()]


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        pytest.param("x.txt", STORY, "text", id="text-dump"),
        pytest.param("x.html", "<html><p>x</p></html>", "html", id="html"),
        pytest.param("story.php", "<html><p>x</p></html>", None, id="named-page-sniffed-later"),
    ],
)
def test_file_url_page_file_is_the_plain_file(tmp_path: Path, name: str, content: str, kind: str | None) -> None:
    page = tmp_path / name
    page.write_text(content)
    plain = _rows(str(page), tmp_path)
    assert plain == _rows(page.as_uri(), tmp_path)
    pending, skipped, problems, rows = plain
    assert (pending, skipped, problems) == (1, 0, [])
    assert rows[0][2] == kind and rows[0][3] == content.encode()
