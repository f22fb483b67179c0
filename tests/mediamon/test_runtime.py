"""Process set-up: the embedded Prefect API started ahead of the flow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
