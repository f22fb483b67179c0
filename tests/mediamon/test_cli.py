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
