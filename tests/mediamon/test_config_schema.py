"""The config schema: unknown keys with a "did you mean", types and ranges, each error naming key and file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mediamon.cli import main
from mediamon.config import load_settings
from mediamon.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("[pipeline]\nbatchsize = 100\n", "unknown key [pipeline] batchsize; did you mean "
                 "[pipeline] batch_size?", id="typo-in-table"),
    pytest.param("[[source]]\nname = 'a'\nlocation = 'x'\n", "unknown key [[source]]; did you mean [[sources]]?",
                 id="typo-of-sources"),
    pytest.param("batch_size = 100\n", "unknown key batch_size; did you mean [pipeline] batch_size?",
                 id="key-outside-its-table"),
    pytest.param("[[sources]]\nlocation = 'x'\nintervl_minutes = 5\n",
                 "unknown key [[sources]] #1 intervl_minutes; did you mean [[sources]] #1 interval_minutes?",
                 id="typo-in-a-source"),
    pytest.param("[pipeline]\nworkers = -2\n", "[pipeline] workers must be a whole number of at least 1, got -2",
                 id="range"),
    pytest.param('[warehouse]\nlock_timeout_seconds = "thirty"\n',
                 "[warehouse] lock_timeout_seconds must be a number of at least 0, got 'thirty'", id="type"),
    pytest.param("[pipeline]\nworkers = true\n", "[pipeline] workers must be a whole number", id="bool-is-no-int"),
    pytest.param('[fetch]\nobey_robots = "no"\n', "[fetch] obey_robots must be true or false", id="bool"),
    pytest.param('[pipeline]\nlanguages = "en"\n', "[pipeline] languages must be a list, got 'en'", id="list"),
    pytest.param("pipeline = 3\n", "[pipeline] must be a table, got 3", id="table"),
    pytest.param("[groups.news]\ncron = 'hourly'\n", "[groups.news] cron must be a cron expression", id="cron"),
])
def test_a_config_mistake_names_its_key_and_file(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "m.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert str(info.value) == f"config {cfg}: {message}" or str(info.value).startswith(f"config {cfg}: {message}")


def test_every_mistake_is_reported_at_once_one_line_each(tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "m.toml"
    cfg.write_text("[pipeline]\nbatchsize = 1\nworkers = 0\n[warehouse]\nlock_timeout_seconds = 'x'\n")
    assert main(["sources", "--config", str(cfg)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3, lines
    assert all(str(cfg) in line for line in lines)
    assert {re.search(r"(batchsize|workers|lock_timeout_seconds)", line).group(1) for line in lines} == {
        "batchsize", "workers", "lock_timeout_seconds"}


def test_valid_values_come_through_typed_and_relative_to_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "conf" / "m.toml"
    cfg.parent.mkdir()
    cfg.write_text('[warehouse]\nlock_timeout_seconds = 5\n[pipeline]\nlanguages = ["en", "de"]\n'
                   '[entities]\nwatchlist = "w.toml"\n[report]\npath = "out/r.html"\n[fetch]\nmax_tries = 2\n')
    s = load_settings(cfg)
    assert s.lock_timeout_seconds == 5.0 and isinstance(s.lock_timeout_seconds, float)
    assert s.languages == ("en", "de")
    assert s.watchlist_path == (cfg.parent / "w.toml").resolve()
    assert s.report.path == (cfg.parent / "out" / "r.html").resolve()
    assert s.fetch.max_tries == 2 and s.fetch.per_host == 4


def _readme_config() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Configuration"):]
    return section[section.index("```toml") + len("```toml"):section.index("```", section.index("```toml") + 7)]


@pytest.mark.parametrize("text", [
    pytest.param((REPO / "mediamon.toml").read_text(encoding="utf-8"), id="shipped-mediamon.toml"),
    pytest.param(_readme_config(), id="readme-example"),
])
def test_the_shipped_and_documented_configs_are_valid(tmp_path: Path, text: str) -> None:
    cfg = tmp_path / "mediamon.toml"
    cfg.write_text(text)
    load_settings(cfg)
