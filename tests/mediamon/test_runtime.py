"""Process set-up: the embedded Prefect API started ahead of the flow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import httpx, sys
from mediamon.runtime import prepare_environment, start_embedded_api
prepare_environment(sys.argv[1])
wait = start_embedded_api()
wait()
from prefect.server.api.server import SubprocessASGIServer
server = SubprocessASGIServer()
if server.server_process is None:
    print("no server")
else:
    print("health", httpx.get(server.api_url + "/health").status_code)
"""


def _probe(tmp_path: Path, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    out = subprocess.run([sys.executable, "-c", _PROBE, str(tmp_path / "prefect")], cwd=REPO,
                         env={**clean, **env}, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_embedded_api_is_up_when_the_wait_returns(tmp_path: Path) -> None:
    assert _probe(tmp_path) == "health 200"


def test_nothing_is_started_when_a_server_is_configured(tmp_path: Path) -> None:
    assert _probe(tmp_path, PREFECT_API_URL="http://127.0.0.1:9/api") == "no server"
