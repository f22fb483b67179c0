"""`mediamon sql` as a filter: a reader that stops early, and queries with nothing to run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mediamon.cli import main
from mediamon.warehouse import Warehouse

MEDIAMON = Path(sys.executable).with_name("mediamon")


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path, fmt: str) -> None:
    Warehouse(tmp_path / "wh").close()
    script = (f'"{MEDIAMON}" sql --warehouse "{tmp_path / "wh"}" --format {fmt} '
              f'"SELECT range AS n, repeat(\'x\', 50) AS pad FROM range(300000)" 2>"{tmp_path / "err"}" '
              '| head -n 1 >/dev/null; echo "${PIPESTATUS[0]}"')
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "0"
    assert (tmp_path / "err").read_text() == ""


@pytest.mark.parametrize("query", ["", "   ", "-- just a comment", ";"])
def test_an_empty_query_is_a_clear_error(tmp_path: Path, query: str, capsys) -> None:
    Warehouse(tmp_path).close()
    assert main(["sql", "--warehouse", str(tmp_path), query]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mediamon: error: empty query") and "internal error" not in err
