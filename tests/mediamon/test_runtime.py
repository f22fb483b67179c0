"""Process set-up: the embedded Prefect API started ahead of the flow, the allocators' settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import httpx, sys
from mediamon.runtime import prepare_environment, start_embedded_api, use_embedded_api
prepare_environment(sys.argv[1])
api = start_embedded_api()
if not api.port:
    print("no server")
    sys.exit(0)
with use_embedded_api(api):
    from prefect.settings import get_current_settings
    url = get_current_settings().api.url
    import psutil
    # served by this process: no interpreter of its own
    print(url == api.url, httpx.get(url + "/health").status_code, len(psutil.Process().children()))
"""


def _probe(tmp_path: Path, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    out = subprocess.run([sys.executable, "-c", _PROBE, str(tmp_path / "prefect")], cwd=REPO,
                         env={**clean, **env}, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_flows_run_against_the_embedded_api_started_ahead(tmp_path: Path) -> None:
    assert _probe(tmp_path) == "True 200 0"


def test_nothing_is_started_when_a_server_is_configured(tmp_path: Path) -> None:
    assert _probe(tmp_path, PREFECT_API_URL="http://127.0.0.1:9/api") == "no server"


_DUCKDB_FREED = """
from mediamon.runtime import prepare_environment
prepare_environment()
import duckdb
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
con = duckdb.connect()
con.execute("SET memory_limit = '400MB'")
before = rss()
# a hash aggregate of 1.5M distinct strings: about 100 MB of DuckDB's memory, freed at its end
con.execute("SELECT s, count(*) FROM (SELECT md5(i::VARCHAR) AS s FROM range(1500000) r(i)) "
            "GROUP BY s ORDER BY 2 DESC LIMIT 1").fetchall()
print(round(rss() - before))
"""


def _held_after_query(**env: str) -> int:
    clean = {k: v for k, v in os.environ.items() if k != "DUCKDB_JE_MALLOC_CONF"}
    out = subprocess.run([sys.executable, "-c", _DUCKDB_FREED], cwd=REPO, env={**clean, **env},
                         capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="jemalloc's page purging, read from /proc")
def test_duckdb_hands_freed_memory_back_at_once() -> None:
    """DuckDB's own jemalloc keeps freed pages for seconds unless the run's environment says not
    to; with a decay of 10 s, as a user could set, the same query leaves them in the process."""
    held = _held_after_query()
    kept = _held_after_query(DUCKDB_JE_MALLOC_CONF="dirty_decay_ms:10000,muzzy_decay_ms:10000")
    assert kept > 60, kept       # the contrast: the query's memory stays when decay is on
    assert held < kept / 2, (held, kept)
