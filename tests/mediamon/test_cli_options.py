"""Global options: one parser, options taken before or after the command, none overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediamon.cli import build_parser, main
from mediamon.errors import WarehouseError
from mediamon.warehouse import Warehouse


@pytest.mark.parametrize("argv", [
    pytest.param(["--config", "X.toml", "--warehouse", "W", "--debug", "run"], id="before"),
    pytest.param(["run", "--config", "X.toml", "--warehouse", "W", "--debug"], id="after"),
    pytest.param(["--config", "X.toml", "run", "--warehouse", "W", "--debug"], id="mixed"),
])
def test_global_options_reach_the_command_wherever_they_stand(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.config, args.warehouse, args.debug) == ("X.toml", "W", True)


def test_a_sub_command_default_does_not_overwrite_a_top_level_value() -> None:
    args = build_parser().parse_args(["--config", "top.toml", "sql", "SELECT 1"])
    assert args.config == "top.toml" and args.debug is False and args.warehouse is None


def _config(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(f'[warehouse]\npath = "wh"\n[[sources]]\nname = "{source}"\nlocation = "pages"\n')
    return path


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_named_before_or_after_the_command_is_used(tmp_path: Path, monkeypatch, capsys,
                                                          where: str) -> None:
    monkeypatch.chdir(tmp_path)
    _config(tmp_path, "mediamon.toml", "from-default")
    other = _config(tmp_path, "other.toml", "from-other")
    argv = ["--config", str(other), "sources"] if where == "before" else ["sources", "--config", str(other)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "from-other" in out and "from-default" not in out


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_missing_config_file_says_it_does_not_exist(tmp_path: Path, monkeypatch, capsys, where: str) -> None:
    monkeypatch.chdir(tmp_path)
    missing = str(tmp_path / "nope.toml")
    argv = ["--config", missing, "run"] if where == "before" else ["run", "--config", missing]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "nope.toml does not exist" in err and "nothing to run" not in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_anywhere_shows_the_traceback(tmp_path: Path, where: str) -> None:
    with Warehouse(tmp_path):
        pass
    query = ["sql", "SELECT * FROM no_such_table"]
    argv = ["--debug", "--warehouse", str(tmp_path), *query] if where == "before" else \
        [*query, "--debug", "--warehouse", str(tmp_path)]
    with pytest.raises(WarehouseError):  # re-raised: Python prints the traceback
        main(argv)
