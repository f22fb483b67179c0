"""`mediamon report`: built from a real `mediamon run` over corpus pages + the seed, rendered in headless
Chromium (Debian's `chromium`; `make test` installs it). The page must draw every chart with data and
log no JavaScript error, offline."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

from mediamon.cli import main
from mediamon.warehouse import Warehouse, read_query

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpora" / "web"
SEED = REPO / "seeds" / "000_7210ad52eb561afc.txt"
MEDIAMON = Path(sys.executable).parent / "mediamon"

WATCHLIST = """
[[entity]]
name = "Joe Biden"
type = "PERSON"
aliases = ["Biden"]
id = "watch:biden"

[[entity]]
name = "Donald Trump"
type = "PERSON"
aliases = ["Trump"]
id = "watch:trump"

[[entity]]
name = "Israel"
type = "GPE"
id = "watch:israel"
"""

# Records JavaScript errors (uncaught and console.error) into the page, where --dump-dom shows them.
ERROR_RECORDER = """<script>
window.__mmErrors = [];
window.addEventListener('error', function (e) { window.__mmErrors.push('error: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) {
  window.__mmErrors.push('rejection: ' + e.reason); });
(function () { var original = console.error; console.error = function () {
  window.__mmErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
  return original.apply(console, arguments); }; })();
window.addEventListener('load', function () { setTimeout(function () {
  var out = document.createElement('pre'); out.id = 'mm-errors';
  out.textContent = JSON.stringify(window.__mmErrors); document.body.appendChild(out); }, 0); });
</script>"""


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is not installed: the report tests render the page in Debian's headless "
                    "chromium (`make test` installs it; or run `apt-get install -y chromium` as root)")
    return path


def run_chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}",
           # Offline for real: any attempt to fetch from a CDN fails, and the page would then break.
           "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=15000",
           *extra, page.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def rendered_dom(report: Path, tmp: Path) -> lxml.html.HtmlElement:
    """Load `report` with the error recorder injected; return the DOM after plotly has drawn."""
    page = tmp / f"checked-{report.name}"
    text = report.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in text
    page.write_text(text.replace('<meta charset="utf-8">', '<meta charset="utf-8">' + ERROR_RECORDER, 1),
                    encoding="utf-8")
    proc = run_chromium(page, tmp / "profile-dom", "--dump-dom", "--enable-logging=stderr", "--v=0")
    # Chromium's own console log is a second witness next to the recorder.
    assert "Uncaught" not in proc.stderr, proc.stderr[-2000:]
    return lxml.html.fromstring(proc.stdout)


def js_errors(dom: lxml.html.HtmlElement) -> list[str]:
    found = dom.xpath('//pre[@id="mm-errors"]')
    assert found, "the page never finished loading (no error record was written)"
    return json.loads(found[0].text_content())


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def report_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real `mediamon run` (console script) over 3 corpus pages a day from 2023-10-25 to 2023-11-09 plus
    the seed, with a watchlist and `after_run` report + alerts on. Returns the config file."""
    if not (CORPUS / "manifest.jsonl").exists():
        pytest.fail(f"dev corpus not found at {CORPUS}: the report tests need ../shared beside the "
                    "repository")
    root = tmp_path_factory.mktemp("report")
    truth = {}
    for line in (CORPUS / "truth-date.jsonl").read_text().splitlines():
        row = json.loads(line)
        truth[row["url"]] = row["date"]
    pages = root / "pages"
    pages.mkdir()
    per_day: dict[str, int] = {}
    manifest = []
    for line in (CORPUS / "manifest.jsonl").read_text().splitlines():
        entry = json.loads(line)
        day = truth.get(entry["url"], "")
        if "2023-10-25" <= day <= "2023-11-09" and per_day.get(day, 0) < 3:
            per_day[day] = per_day.get(day, 0) + 1
            name = Path(entry["path"]).name
            shutil.copy(CORPUS / entry["path"], pages / name)
            manifest.append(json.dumps({"path": name, "url": entry["url"]}))
    (pages / "manifest.jsonl").write_text("\n".join(manifest) + "\n")
    seeds = root / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds)
    (root / "watchlist.toml").write_text(WATCHLIST)
    config = root / "mediamon.toml"
    config.write_text('[warehouse]\npath = "wh"\nlock_timeout_seconds = 1\n[pipeline]\nworkers = 1\n'
                      '[entities]\nwatchlist = "watchlist.toml"\n[report]\nafter_run = true\n'
                      '[alerts]\nafter_run = true\n'
                      '[[sources]]\nname = "corpus"\nlocation = "pages"\n'
                      '[[sources]]\nname = "seeds"\nlocation = "seeds"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(root / "prefect-home")
    proc = subprocess.run([str(MEDIAMON), "run", "--config", str(config)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(manifest) + 1} documents in" in proc.stdout
    assert "failed" not in proc.stdout, proc.stdout  # the after-run hook reports failures as warnings
    yield config


@pytest.mark.slow
def test_run_writes_the_report_and_alerts_after_the_load(report_warehouse: Path) -> None:
    wh = report_warehouse.parent / "wh"
    page = (wh / "report.html").read_text(encoding="utf-8")
    assert "Volume" in page and "Top entities" in page and "No articles yet" not in page
    _, rows = read_query(wh, "SELECT max(version) FROM schema_version")
    assert rows[0][0] >= 3
    _, rows = read_query(wh, "SELECT count(*) FROM alerts")
    assert rows[0][0] >= 0  # the table exists; whether anything fired depends on the corpus


@pytest.mark.slow
def test_report_shows_the_share_of_articles_without_a_person_model(report_warehouse: Path) -> None:
    wh = report_warehouse.parent / "wh"
    # The run flagged every article whose language has no person/organisation model, and only those.
    _, rows = read_query(wh, """
        SELECT lower(split_part(replace(language, '_', '-'), '-', 1)) AS lang,
               bool_and(list_contains(dq_failures, 'ner_model_missing')),
               bool_or(list_contains(dq_failures, 'ner_model_missing'))
        FROM articles WHERE language IS NOT NULL GROUP BY 1""")
    flagged = {lang: (every, some) for lang, every, some in rows}
    assert flagged["de"] == (True, True)
    assert flagged.get("en", (False, False)) == (False, False)
    page = (wh / "report.html").read_text(encoding="utf-8")
    note = lxml.html.fromstring(page).get_element_by_id("ner-model-missing").text_content()
    assert "without a person/organisation model" in note and "de " in note


@pytest.mark.slow
def test_report_renders_in_headless_chromium(report_warehouse: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.html"
    assert main(["report", "--config", str(report_warehouse), "--since", "7d", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"report written to {out}: ") and "7 days with articles" in printed
    text = out.read_text(encoding="utf-8")
    # Self-contained: plotly.js embedded once, nothing loaded from elsewhere.
    assert text.count("plotly.js v") >= 1 and text.count('<script type="text/javascript">/**') == 1
    assert not [src for src in lxml.html.fromstring(text).xpath("//script/@src | //link/@href")]
    for section in ("volume", "entities", "watchlist", "alerts", "syndication", "quality", "stories"):
        assert f'<section id="{section}">' in text

    dom = rendered_dom(out, tmp_path)
    assert js_errors(dom) == []
    charts = dom.xpath('//div[contains(concat(" ", normalize-space(@class), " "), " plotly-graph-div ")]')
    names = [c.get("id") for c in charts]
    assert len(charts) == text.count('class="chart"') and int(dom.body.get("data-charts")) == len(charts)
    assert {"chart-volume", "chart-watchlist", "chart-entities-places"} <= set(names), names
    for chart in charts:
        assert chart.get("data-rendered") == "yes", chart.get("id")
        assert int(chart.get("data-traces")) > 0, chart.get("id")
        assert int(chart.get("data-points")) > 0, chart.get("id")
    stories = dom.xpath('//section[@id="stories"]//tbody/tr')
    assert len(stories) >= 5
    assert all(a.get("href").startswith("http") for a in dom.xpath('//section[@id="stories"]//a'))

    shot = tmp_path / "report.png"
    run_chromium(out, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1280,4000")
    assert png_size(shot) == (1280, 4000)
    assert shot.stat().st_size > 40_000  # charts and text, not a blank page


@pytest.mark.slow
def test_report_since_a_date_and_a_period_without_articles(report_warehouse: Path, tmp_path: Path,
                                                           capsys) -> None:
    out = tmp_path / "r.html"
    config = str(report_warehouse)
    assert main(["report", "--config", config, "--since", "2023-11-06", "--out", str(out)]) == 0
    assert "with articles, 2023-11-06 – " in capsys.readouterr().out
    assert main(["report", "--config", config, "--since", "2031-01-01", "--out", str(out)]) == 0
    assert "no articles since 2031-01-01" in capsys.readouterr().out
    assert "No articles in this period" in out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_report_waits_for_a_run_then_fails_cleanly(report_warehouse: Path, tmp_path: Path, capsys) -> None:
    wh = report_warehouse.parent / "wh"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from mediamon.warehouse import "
                               "Warehouse; w = Warehouse(Path(sys.argv[1])); print('locked', flush=True); "
                               "sys.stdin.read()",
         str(wh)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert main(["report", "--config", str(report_warehouse), "--out", str(tmp_path / "r.html")]) == 1
        err = capsys.readouterr().err
        assert err.startswith("mediamon: error: warehouse") and "in use by another mediamon run" in err
        assert not (tmp_path / "r.html").exists()
    finally:
        holder.communicate("", timeout=30)
    assert main(["report", "--config", str(report_warehouse), "--out", str(tmp_path / "r.html")]) == 0


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_empty_warehouse_gives_a_friendly_page(make: str, tmp_path: Path, capsys) -> None:
    wh = tmp_path / "wh"
    if make == "empty":
        Warehouse(wh).close()
    out = tmp_path / "empty.html"
    assert main(["report", "--warehouse", str(wh), "--out", str(out)]) == 0
    assert "no articles yet" in capsys.readouterr().out.lower()
    dom = rendered_dom(out, tmp_path)
    assert js_errors(dom) == []
    assert "No articles yet" in dom.text_content() and "mediamon run" in dom.text_content()
    assert not dom.xpath('//div[contains(@class, "plotly-graph-div")]')
    assert (make == "empty") is wh.exists()  # a report never creates a warehouse


def test_report_to_an_unwritable_place_is_one_line(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["report", "--warehouse", str(tmp_path / "wh"), "--out", str(blocker / "r.html")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mediamon: error: cannot write the report to")
    assert len(err.strip().splitlines()) == 1
