"""The CLI through its entry point (in-process) and as a real console script (subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mediamon.cli import build_parser, main
from mediamon.warehouse import Warehouse

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_7210ad52eb561afc.txt"
MEDIAMON = Path(sys.executable).with_name("mediamon")


def _commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


@pytest.mark.parametrize("command", [[]] + [[c] for c in _commands()], ids=lambda c: c[0] if c else "top")
def test_every_command_has_help(command: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: mediamon" in out and len(out.splitlines()) > 3


def test_unknown_command_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2


def test_unreadable_config_is_one_line_and_exit_1(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[warehouse\n")
    assert main(["run", "--config", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mediamon: error: config file") and "not valid TOML" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_memory_limit_too_small_for_duckdb_is_one_line_naming_the_setting(tmp_path: Path, capsys) -> None:
    config = tmp_path / "mediamon.toml"
    config.write_text(f'[warehouse]\npath = "{tmp_path / "wh"}"\nmemory_limit = "1MB"\n')
    assert main(["run", "--config", str(config), "--source", str(SEED)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mediamon: error: Out of Memory Error") and "raise [warehouse] memory_limit" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_sql_without_warehouse_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["sql", "--warehouse", str(tmp_path / "none"), "SELECT 1"]) == 1
    assert "no warehouse" in capsys.readouterr().err


@pytest.fixture
def small_warehouse(tmp_path: Path) -> Path:
    with Warehouse(tmp_path) as wh:
        wh.con.execute("""INSERT INTO runs (run_id, started_at, status, documents_in, problems)
                          VALUES ('r1', ?, 'completed', 2, ['a, "quoted" one'])""", [datetime(2024, 1, 2, tzinfo=UTC)])
    return tmp_path


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        pytest.param("json", lambda out: json.loads(out) == [{"run_id": "r1", "documents_in": 2,
                                                               "problems": ['a, "quoted" one']}], id="json"),
        pytest.param("csv", lambda out: out.splitlines()[0] == "run_id,documents_in,problems"
                     and out.splitlines()[1].startswith("r1,2,"), id="csv"),
        pytest.param("table", lambda out: "run_id" in out.splitlines()[0] and "(1 row)" in out, id="table"),
    ],
)
def test_sql_formats(small_warehouse: Path, fmt: str, check, capsys) -> None:
    code = main(["sql", "--warehouse", str(small_warehouse), "--format", fmt,
                 "SELECT run_id, documents_in, problems FROM runs"])
    out = capsys.readouterr().out
    assert code == 0
    assert check(out), out


def test_sql_is_read_only(small_warehouse: Path, capsys) -> None:
    assert main(["sql", "--warehouse", str(small_warehouse), "DELETE FROM runs"]) == 1
    assert "read-only" in capsys.readouterr().err.lower()


@pytest.mark.slow
def test_console_script_runs_the_seed_twice_cleanly(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds)
    config = tmp_path / "mediamon.toml"
    config.write_text('[warehouse]\npath = "wh"\n[pipeline]\nworkers = 1\n[[sources]]\nname = "seeds"\n'
                      'location = "seeds"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    outputs = []
    for _ in range(2):
        proc = subprocess.run([str(MEDIAMON), "run", "--config", str(config)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout + proc.stderr)
    for noise in ["Traceback", "database is locked", "it/s]", "Warning:", "Calculating Metrics"]:
        assert noise not in "\n".join(outputs), noise
    assert "1 documents in, 1 articles (1 new" in outputs[0]
    assert "1 documents in, 1 articles (0 new, 0 updated, 1 unchanged" in outputs[1]
    assert "DQ warnings: " in outputs[0] and "published_at_present 1" in outputs[0]
    assert str(tmp_path / "wh" / "mediamon.duckdb") in outputs[0]
    sql = subprocess.run([str(MEDIAMON), "sql", "--config", str(config), "--format", "json",
                          "SELECT count(*) AS n FROM runs"], env=env, capture_output=True, text=True, timeout=120)
    assert json.loads(sql.stdout) == [{"n": 2}]


def _sources_config(tmp_path: Path) -> Path:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("https://example.org/a\nhttps://example.org/b\n")
    config = tmp_path / "mediamon.toml"
    config.write_text('[warehouse]\npath = "wh"\n'
                      '[[sources]]\nname = "times"\nlocation = "https://example.org/rss.xml"\n'
                      'publisher = "Example Times"\ninterval_minutes = 30\ngroup = "hourly"\n'
                      '[[sources]]\nname = "watch"\nlocation = "feeds.txt"\n'
                      '[[sources]]\nname = "story"\nlocation = "https://example.org/2024/03/story"\n')
    return config


def test_sources_without_warehouse_is_friendly(tmp_path: Path, capsys) -> None:
    assert main(["sources", "--config", str(_sources_config(tmp_path))]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert [c.strip() for c in lines[0].split(" | ")][:3] == ["name", "kind", "location"]
    rows = {line.split(" | ")[0].strip(): [c.strip() for c in line.split(" | ")] for line in lines[2:5]}
    assert rows["times"][1:2] == ["feed"] and "30 min" in rows["times"] and "Example Times" in rows["times"]
    assert rows["watch"][1] == "urllist" and rows["story"][1] == "url"
    assert all(r[-2:] == ["never", "-"] for r in rows.values())
    assert "no warehouse at" in out and "nothing fetched so far" in out
    assert not (tmp_path / "wh").exists()  # read-only: not even created


def test_sources_without_any_configured(tmp_path: Path, capsys) -> None:
    config = tmp_path / "empty.toml"
    config.write_text("")
    assert main(["sources", "--config", str(config), "--warehouse", str(tmp_path / "wh")]) == 0
    assert "no [[sources]] in" in capsys.readouterr().out


def test_sources_show_last_fetch_status(tmp_path: Path, capsys) -> None:
    from transforms.document import CacheEntry

    config = _sources_config(tmp_path)
    fetched = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    with Warehouse(tmp_path / "wh") as wh:
        wh.save_fetch_cache({
            "https://example.org/rss.xml": CacheEntry(last_status=200, fetched_at=fetched, source="times"),
            "https://example.org/1": CacheEntry(etag='"x"', last_status=200, fetched_at=fetched, source="times"),
            "https://example.org/2": CacheEntry(last_status=503, last_error="HTTP 503 after 3 tries",
                                                fetched_at=fetched, source="times"),
            "https://example.org/old": CacheEntry(last_status=200, fetched_at=fetched, source="retired"),
        })
    assert main(["sources", "--config", str(config), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    times = next(r for r in report["sources"] if r["name"] == "times")
    assert (times["urls_ok"], times["urls_failed"], times["last_error"]) == (2, 1, "HTTP 503 after 3 tries")
    assert times["last_fetched_at"] == fetched.isoformat() and times["publisher"] == "Example Times"
    watch = next(r for r in report["sources"] if r["name"] == "watch")
    assert (watch["urls_ok"], watch["last_fetched_at"]) == (0, None)
    assert report["unconfigured"] == ["retired"] and report["note"] is None
    assert main(["sources", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "2024-03-05 09:30 UTC" in out and "HTTP 503 after 3 tries" in out and "retired" in out


def test_reprocess_without_warehouse_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["reprocess", "--warehouse", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mediamon: error: no warehouse at") and len(err.strip().splitlines()) == 1


def test_reprocess_with_nothing_stored_is_one_line(tmp_path: Path, capsys) -> None:
    with Warehouse(tmp_path / "wh"):
        pass
    assert main(["reprocess", "--warehouse", str(tmp_path / "wh"), "--source", "nope"]) == 1
    assert "nothing to reprocess" in capsys.readouterr().err


def test_reprocess_bad_since_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["reprocess", "--since", "last tuesday"])
    assert exit_info.value.code == 2
    assert "not a date: 'last tuesday'" in capsys.readouterr().err
