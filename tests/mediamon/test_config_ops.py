"""Config for operations: chunk size, task timeout, Dask address and group schedules."""

from __future__ import annotations

import pytest

from mediamon.config import GroupSchedule, load_settings
from mediamon.errors import ConfigError


def _load(tmp_path, body: str):
    path = tmp_path / "mediamon.toml"
    path.write_text(body)
    return load_settings(path)


def test_defaults(tmp_path) -> None:
    s = _load(tmp_path, "")
    assert (s.chunk_size, s.task_timeout_seconds, s.dask_address, s.groups, s.full) == (250, 3600.0, "", {}, False)


def test_values_are_read(tmp_path) -> None:
    s = _load(tmp_path, '[pipeline]\nchunk_size = 50\ntask_timeout_seconds = 90\n'
                        '[dask]\naddress = "tcp://10.0.0.5:8786"\n'
                        '[groups.news]\ncron = "0 * * * *"\ntimezone = "Europe/Berlin"\n'
                        '[groups.blogs]\ninterval_minutes = 120\n')
    assert (s.chunk_size, s.task_timeout_seconds, s.dask_address) == (50, 90.0, "tcp://10.0.0.5:8786")
    assert s.groups == {"news": GroupSchedule(cron="0 * * * *", timezone="Europe/Berlin"),
                        "blogs": GroupSchedule(interval_minutes=120)}


@pytest.mark.parametrize("body", [
    pytest.param("[pipeline]\nchunk_size = 0\n", id="zero"),
    pytest.param('[pipeline]\nchunk_size = "big"\n', id="text"),
    pytest.param("[pipeline]\nchunk_size = 2.5\n", id="fraction"),
])
def test_bad_chunk_size(tmp_path, body) -> None:
    with pytest.raises(ConfigError, match=r"\[pipeline\] chunk_size must be a whole number of at least 1"):
        _load(tmp_path, body)


def test_bad_group_interval(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"\[groups.news\] interval_minutes must be a whole number"):
        _load(tmp_path, "[groups.news]\ninterval_minutes = -5\n")
