"""`mediamon sql` is read-only: no writes to the warehouse, no file reads or writes outside it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mediamon.cli import main
from mediamon.warehouse import Warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    with Warehouse(tmp_path / "wh") as wh:
        wh.con.execute("INSERT INTO runs (run_id, started_at, status, documents_in) VALUES ('r1', ?, 'completed', 2)",
                       [datetime(2024, 1, 2, tzinfo=UTC)])
    return tmp_path / "wh"


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("COPY (SELECT * FROM runs) TO '{out}'", id="copy-to-file"),
        pytest.param("SELECT * FROM read_csv('{secret}')", id="read-csv"),
        pytest.param("SELECT * FROM read_text('{secret}')", id="read-text"),
        pytest.param("SELECT * FROM glob('{dir}/*')", id="glob"),
        pytest.param("ATTACH '{dir}/other.duckdb' AS other", id="attach"),
        pytest.param("EXPORT DATABASE '{dir}/dump'", id="export-database"),
        pytest.param("INSTALL httpfs", id="install-extension"),
        pytest.param("SET enable_external_access = true", id="re-enable"),
        pytest.param("DELETE FROM runs", id="delete"),
        pytest.param("CREATE TABLE t (a INTEGER)", id="create"),
    ],
)
def test_sql_touches_nothing_outside_the_warehouse(warehouse: Path, tmp_path: Path, query: str, capsys) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("user,password\nroot,hunter2\n", encoding="utf-8")
    out = tmp_path / "leak.csv"
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(["sql", "--warehouse", str(warehouse),
                 query.format(out=out, secret=secret, dir=tmp_path)])
    captured = capsys.readouterr()
    assert code == 1
    assert "hunter2" not in captured.out + captured.err
    assert len(captured.err.strip().splitlines()) == 1, captured.err
    assert captured.err.startswith("mediamon: error: query ")
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    assert main(["sql", "--warehouse", str(warehouse), "--format", "csv", "SELECT count(*) AS n FROM runs"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "1"]


def test_file_access_is_refused_with_the_way_to_export(warehouse: Path, tmp_path: Path, capsys) -> None:
    assert main(["sql", "--warehouse", str(warehouse), f"COPY runs TO '{tmp_path / 'x.csv'}'"]) == 1
    err = capsys.readouterr().err
    assert "mediamon export --to DIR" in err
    assert not (tmp_path / "x.csv").exists()
