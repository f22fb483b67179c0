"""Bad input is data, not a crash: a real `mediamon run` over a folder of real pages mixed with junk.

Every document must end up in `articles` or in `quarantine` with a reason, the run must exit 0
with no traceback, the Latin-1 page must decode right and the copy must be marked `duplicate_of`.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

MEDIAMON = Path(sys.executable).parent / "mediamon"
REAL_PAGES = 8

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

LATIN1_TEXT = (
    "Grüße aus der Königstraße: Die Bäckerei an der Ecke verkauft seit März wieder Brötchen. "
    "Im Café daneben trinken Gäste Kaffee, während draußen die Straßenbahn vorbeifährt. "
    "Der Bürgermeister sagte, die Maßnahmen zur Verkehrsberuhigung würden im Frühjahr überprüft. "
    "Anwohner begrüßen die Änderung, Händler äußern sich dagegen zurückhaltend über die Umsätze. "
    "Eine Entscheidung über weitere Schritte soll nach Gesprächen mit allen Beteiligten fallen."
)


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from tests.conftest import CORPUS

    if not (CORPUS / "manifest.jsonl").exists():
        pytest.fail(f"dev corpus not found at {CORPUS}")
    root = tmp_path_factory.mktemp("bad-input")
    folder = root / "in"
    (folder / "pages").mkdir(parents=True)
    entries = [json.loads(line) for line in
               (CORPUS / "manifest.jsonl").read_text(encoding="utf-8").splitlines()[:REAL_PAGES]]
    for e in entries:
        shutil.copy(CORPUS / e["path"], folder / e["path"])
    # An exact copy under another URL: the page names no canonical URL, so the copy is its own
    # article, marked duplicate_of the first. (A copy on another site whose <link rel=canonical>
    # names the original is an article of its own outlet too, pointing at the original.)
    original = next(e for e in entries if "dealdoktor.de" in e["url"])
    canonical_original = entries[0]
    shutil.copy(folder / original["path"], folder / "pages/copy.html.gz")
    shutil.copy(folder / canonical_original["path"], folder / "pages/canonical-copy.html.gz")
    manifest = [json.dumps(e) for e in entries] + [
        json.dumps({"path": "pages/copy.html.gz", "url": "https://mirror.example.net/copied-story"}),
        json.dumps({"path": "pages/canonical-copy.html.gz", "url": "https://mirror.example.net/canonical"}),
        "{this line is not JSON",
        json.dumps({"path": "pages/missing.html", "url": "https://example.org/missing"}),
    ]
    (folder / "manifest.jsonl").write_text("\n".join(manifest) + "\n", encoding="utf-8")

    (folder / "empty.html").write_bytes(b"")
    (folder / "random.html").write_bytes(random.Random(7).randbytes(8192))
    (folder / "scripts.html").write_text(
        "<html><head><script>var a = 1;</script></head><body>"
        + "<script>window.track('x');</script>" * 50 + "<noscript></noscript></body></html>")
    with (folder / "huge.txt").open("w") as f:  # 30 MB of text
        line = "All work and no play makes a dull news feed. " * 20 + "\n"
        for _ in range(30 * 1024 * 1024 // len(line) + 1):
            f.write(line)
    (folder / "nested.html").write_text(
        "<html><body>" + "<div>" * 200_000 + "deep" + "</div>" * 200_000 + "</body></html>")
    latin1 = ("<html><head><title>Grüße aus der Königstraße</title></head><body><article>"
              "<h1>Grüße aus der Königstraße</h1>" + "".join(f"<p>{LATIN1_TEXT}</p>" for _ in range(2))
              + "</article></body></html>")
    (folder / "latin1.html").write_bytes(latin1.encode("iso-8859-1"))
    assert b"charset" not in (folder / "latin1.html").read_bytes()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MEDIAMON_"))}
    env["PREFECT_HOME"] = str(root / "prefect-home")
    warehouse = root / "wh"
    proc = subprocess.run([str(MEDIAMON), "run", "--source", str(folder), "--warehouse", str(warehouse)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=500)
    # 8 real pages, two copies, the missing file, six junk files (the bad manifest line is no document).
    return {"proc": proc, "warehouse": warehouse, "folder": folder, "documents": REAL_PAGES + 2 + 1 + 6,
            "original_url": original["url"], "canonical_url": canonical_original["url"]}


def _rows(warehouse: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_run_exits_cleanly(bad_folder: dict[str, object]) -> None:
    proc = bad_folder["proc"]
    assert isinstance(proc, subprocess.CompletedProcess)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"{bad_folder['documents']} documents in" in proc.stdout
    # The bad manifest line is reported as a problem, in one line.
    assert "manifest.jsonl" in proc.stdout + proc.stderr


def test_every_document_is_an_article_or_quarantined_with_a_reason(bad_folder: dict[str, object]) -> None:
    warehouse = bad_folder["warehouse"]
    assert isinstance(warehouse, Path)
    articles = _rows(warehouse, "SELECT count(*) FROM articles")[0][0]
    quarantine = _rows(warehouse, "SELECT url, path, reasons, detail FROM quarantine")
    assert articles + len(quarantine) == bad_folder["documents"]
    assert all(reasons for _, _, reasons, _ in quarantine)
    by_name = {Path(str(path or url)).name: reasons for url, path, reasons, _ in quarantine}
    for junk in ("empty.html", "random.html", "scripts.html", "huge.txt", "nested.html", "missing.html"):
        assert junk in by_name, f"{junk} should be quarantined: {sorted(by_name)}"
    run = _rows(warehouse, "SELECT status, documents_in, articles_new + articles_updated + articles_unchanged "
                           "+ duplicates + quarantined FROM runs")
    assert run == [("completed", bad_folder["documents"], bad_folder["documents"])]


def test_latin1_page_decodes_right(bad_folder: dict[str, object]) -> None:
    warehouse = bad_folder["warehouse"]
    assert isinstance(warehouse, Path)
    rows = _rows(warehouse, "SELECT title, body FROM articles WHERE url LIKE '%latin1.html'")
    assert len(rows) == 1
    title, body = rows[0]
    assert "Grüße aus der Königstraße" in str(title) + str(body)
    assert "Bürgermeister" in str(body) and "Café" in str(body) and "Ã" not in str(body)


def test_copy_under_another_url_is_marked_duplicate(bad_folder: dict[str, object]) -> None:
    warehouse = bad_folder["warehouse"]
    assert isinstance(warehouse, Path)
    rows = _rows(warehouse, "SELECT c.duplicate_of, o.article_id, o.url FROM articles c "
                            "JOIN articles o ON o.article_id = c.duplicate_of "
                            "WHERE c.url = 'https://mirror.example.net/copied-story'")
    assert len(rows) == 1
    assert rows[0][2] == bad_folder["original_url"]
    carried = _rows(warehouse, "SELECT c.site, o.url FROM articles c JOIN articles o ON o.article_id = c.duplicate_of "
                               "WHERE c.url = 'https://mirror.example.net/canonical'")
    assert carried == [("example.net", bad_folder["canonical_url"])]
    assert _rows(warehouse, "SELECT count(*) FROM quarantine WHERE url LIKE 'https://mirror.example.net/%'") == [(0,)]
