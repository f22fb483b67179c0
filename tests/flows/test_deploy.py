"""Deployments: group plans from the config, and a real `prefect server start` running one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from flows.deploy import FLOW_NAME, plan_groups
from mediamon.config import load_settings
from mediamon.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def stop_process(process: subprocess.Popen[Any], grace: float = 5.0) -> None:
    """Terminate `process` if it still runs; kill it if it has not exited after `grace` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
SEED = REPO / "seeds" / "000_7210ad52eb561afc.txt"
BIN = Path(sys.executable).parent


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mediamon.toml"
    path.write_text(body)
    return path


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param('[[sources]]\nname = "a"\nlocation = "x"\ninterval_minutes = 30\n'
                 '[[sources]]\nname = "b"\nlocation = "y"\ninterval_minutes = 10\n',
                 [("default", ("a", "b"), None, 10)], id="shortest-interval-of-the-group"),
    pytest.param('[[sources]]\nname = "a"\nlocation = "x"\ngroup = "news"\ninterval_minutes = 30\n'
                 '[[sources]]\nname = "b"\nlocation = "y"\n'
                 '[groups.news]\ncron = "*/15 * * * *"\n',
                 [("news", ("a",), "*/15 * * * *", None), ("default", ("b",), None, None)],
                 id="cron-wins-and-a-group-without-schedule"),
    pytest.param('[[sources]]\nname = "a"\nlocation = "x"\ngroup = "g"\n[groups.g]\ninterval_minutes = 5\n',
                 [("g", ("a",), None, 5)], id="group-interval"),
])
def test_plan_groups(tmp_path, body, expected) -> None:
    plans = plan_groups(load_settings(_config(tmp_path, body)))
    assert [(p.group, p.sources, p.cron, p.interval_minutes) for p in plans] == expected


@pytest.mark.parametrize(("body", "message"), [
    pytest.param("", "no [[sources]]", id="no-sources"),
    pytest.param('[[sources]]\nname = "a"\nlocation = "x"\n[groups.other]\ncron = "0 * * * *"\n',
                 "[groups.other] has no sources", id="group-without-sources"),
    pytest.param('[[sources]]\nname = "a"\nlocation = "x"\n[groups.default]\ncron = "hourly"\n',
                 "cron must be a cron expression", id="bad-cron"),
    pytest.param('[[sources]]\nname = "a"\nlocation = "x"\n[groups.default]\nevery = 5\n',
                 "unknown key [groups.default] every", id="unknown-key"),
])
def test_bad_group_config_is_one_clear_error(tmp_path, body, message) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        plan_groups(load_settings(_config(tmp_path, body)))


def test_deploy_without_a_server_says_how_to_get_one(tmp_path) -> None:
    config = _config(tmp_path, '[[sources]]\nname = "a"\nlocation = "x"\n')
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    out = subprocess.run([str(BIN / "mediamon"), "deploy", "--config", str(config)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert out.stderr.startswith("mediamon: error: scheduled runs need a Prefect server")
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("api", [None, "closed-port"])
def test_serve_without_a_server_fails_before_serving_anything(tmp_path, api) -> None:
    config = _config(tmp_path, '[[sources]]\nname = "a"\nlocation = "x"\n')
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    if api:
        env["PREFECT_API_URL"] = f"http://127.0.0.1:{_free_port()}/api"
    out = subprocess.run([str(BIN / "mediamon"), "serve", "--config", str(config)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "serving" not in out.stdout
    expected = "does not answer" if api else "scheduled runs need a Prefect server"
    assert expected in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.5)
    detail = log.read_text()[-3000:] if log is not None and log.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n{detail}")


@pytest.mark.slow
def test_scheduled_deployment_runs_on_a_real_prefect_server(tmp_path, corpus_dir) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(SEED, pages / SEED.name)
    for page in sorted((corpus_dir / "pages").iterdir())[:3]:
        shutil.copy(page, pages / page.name)
    config = _config(tmp_path, f'[warehouse]\npath = "{tmp_path / "wh"}"\n[pipeline]\nworkers = 1\n'
                               f'[[sources]]\nname = "local"\nlocation = "{pages}"\ngroup = "news"\n'
                               'interval_minutes = 60\n')
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_UI_ENABLED="false", PREFECT_SERVER_UI_ENABLED="false")
    server_log = tmp_path / "server.log"
    with server_log.open("w") as log:
        server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port",
                                   str(port), "--no-ui"], env=env, stdout=log, stderr=subprocess.STDOUT)
    serve = None
    try:
        def healthy() -> bool:
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _wait_for(healthy, 90, "the Prefect server's /api/health", server, server_log)
        client_env = {**env, "PREFECT_API_URL": api, "PREFECT_RUNNER_POLL_FREQUENCY": "2"}

        deployed = subprocess.run([str(BIN / "mediamon"), "deploy", "--config", str(config)], env=client_env,
                                  capture_output=True, text=True, timeout=120)
        assert deployed.returncode == 0, deployed.stderr
        assert f"registered {FLOW_NAME}/news: every 60 min; sources: local" in deployed.stdout

        deployment = httpx.get(f"{api}/deployments/name/{FLOW_NAME}/news", timeout=10).json()
        assert deployment["parameters"] == {"config": str(config), "group": "news"}
        intervals = [s["schedule"].get("interval") for s in deployment["schedules"]]
        assert intervals == [3600.0]

        created = httpx.post(f"{api}/deployments/{deployment['id']}/create_flow_run", json={}, timeout=10)
        assert created.status_code == 201, created.text
        run_id = created.json()["id"]

        serve_log = tmp_path / "serve.log"
        with serve_log.open("w") as log:
            serve = subprocess.Popen([str(BIN / "mediamon"), "serve", "--config", str(config)], env=client_env,
                                     stdout=log, stderr=subprocess.STDOUT)

        def finished() -> dict | None:
            state = httpx.get(f"{api}/flow_runs/{run_id}", timeout=10).json()["state"]
            return state if state and state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

        state = _wait_for(finished, 150, "the deployment's flow run to finish", serve, serve_log)
        assert state["type"] == "COMPLETED", serve_log.read_text()[-3000:]
        # The server holds the flow run's logs (its UI shows them), and serve printed a line for the run.
        own = httpx.post(f"{api}/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}},
                         timeout=10).json()
        assert own, "no logs on the server for the deployment's flow run"
        # The subflow's lines reach the server in the log worker's own time, and a run writes hundreds of task
        # lines, so read every page of logs and poll rather than look at the first page once.
        def all_messages() -> list[str]:
            messages, offset = [], 0
            while True:
                page = httpx.post(f"{api}/logs/filter", json={"limit": 200, "offset": offset}, timeout=10).json()
                messages += [entry["message"] for entry in page]
                if len(page) < 200:
                    return messages
                offset += 200

        _wait_for(lambda: any("chunk 1: 4/4 documents" in m for m in all_messages()), 30,
                  "the pipeline subflow's chunk line in the server's logs", serve, serve_log)
        printed = _wait_for(lambda: [line for line in serve_log.read_text().splitlines()
                                     if f"{FLOW_NAME}/news: run " in line], 30, "serve's line for the run")
        assert "4 documents in" in printed[0]

        artifacts = httpx.post(f"{api}/artifacts/filter", json={"artifacts": {"key": {"any_": [
            "mediamon-run-summary"]}}}, timeout=10).json()
        assert any("documents in | 4 |" in (a.get("data") or "") for a in artifacts)
    finally:
        if serve is not None:
            stop_process(serve, grace=20)
        stop_process(server, grace=20)

    with duckdb.connect(str(tmp_path / "wh" / "mediamon.duckdb"), read_only=True) as con:
        documents_in, status = con.execute("SELECT documents_in, status FROM runs ORDER BY started_at LIMIT 1"
                                           ).fetchone()
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        titles = [r[0] for r in con.execute("SELECT title FROM articles").fetchall()]
    assert (documents_in, status) == (4, "completed")
    assert articles >= 3
    assert "RECAP: What signals did Putin-Kim meeting send?" in titles
