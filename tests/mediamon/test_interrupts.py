"""Stopping a real `mediamon run`: SIGINT / SIGTERM stop it in seconds with one line and an
honest exit code, and the re-run completes it; a SIGKILL leaves no process of the run behind.

The signal lands at a known point: MEDIAMON_TEST_PAUSE_AT=<stage>[#n] makes the run say
"mediamon: paused at ..." and wait there (mediamon/runtime.py: stage_boundary).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import duckdb
import pytest

MEDIAMON = Path(sys.executable).parent / "mediamon"
PROGRESS = re.compile(r"mediamon: \d+/\d+ documents")
NOISE = ("Traceback", "nanobind", "leaked", "Error logging to API", "KeyboardInterrupt", "internal error")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _pages(root: Path, count: int) -> Path:
    from tests.conftest import CORPUS

    if not (CORPUS / "manifest.jsonl").exists():
        pytest.fail(f"dev corpus not found at {CORPUS}")
    source = root / f"pages{count}"
    if not source.exists():
        (source / "pages").mkdir(parents=True)
        lines = (CORPUS / "manifest.jsonl").read_text(encoding="utf-8").splitlines()[:count]
        for line in lines:
            path = json.loads(line)["path"]
            shutil.copy(CORPUS / path, source / path)
        (source / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


@pytest.fixture(scope="module")
def env_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("interrupts")


class Run:
    """A `mediamon run` in its own process group, tagged so every process it starts can be found."""

    def __init__(self, root: Path, source: Path, warehouse: Path, chunk: int, pause_at: str | None = None):
        config = root / f"chunk{chunk}.toml"
        config.write_text(f"[warehouse]\nlock_timeout_seconds = 0\n[pipeline]\nchunk_size = {chunk}\nworkers = 2\n",
                          encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MEDIAMON_"))}
        env["PREFECT_HOME"] = str(root / "prefect-home")
        self.mark = uuid.uuid4().hex
        env["MEDIAMON_TEST_RUN_MARK"] = self.mark
        if pause_at:
            env["MEDIAMON_TEST_PAUSE_AT"] = pause_at
        self.proc = subprocess.Popen(
            [str(MEDIAMON), "run", "--config", str(config), "--source", str(source), "--warehouse", str(warehouse)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.err: list[str] = []
        self.paused = threading.Event()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.err.append(line)
            if line.startswith("mediamon: paused at"):
                self.paused.set()
        self.paused.set()

    def wait_paused(self) -> None:
        assert self.paused.wait(600), "the run never paused"
        assert any(line.startswith("mediamon: paused at") for line in self.err), "".join(self.err)

    def processes(self) -> list[int]:
        """Live processes carrying this run's mark in their environment (the CLI and its children)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                environ = (entry / "environ").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if f"MEDIAMON_TEST_RUN_MARK={self.mark}".encode() in environ and state != "Z":
                found.append(int(entry.name))
        return found

    def finish(self, timeout: float = 600) -> tuple[int, str, str]:
        """Exit code, stdout and stderr (without the progress lines a slow machine prints)."""
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        code = self.proc.wait(timeout)
        time.sleep(0.1)  # the stderr reader thread drains the pipe
        err = [line for line in self.err if not PROGRESS.match(line)]
        return code, out, "".join(err)


def _content(warehouse: Path) -> dict[str, list[tuple[object, ...]]]:
    queries = {
        "articles": "SELECT article_id, url, title, body, content_hash, duplicate_of, published_at, publisher "
                    "FROM articles ORDER BY article_id",
        "mentions": "SELECT * FROM mentions ORDER BY ALL",
        "entities": "SELECT entity_id, canonical_name, entity_type, aliases FROM entities ORDER BY ALL",
        "quarantine": "SELECT doc_key, url, stage, reasons FROM quarantine ORDER BY ALL",
        "article_clusters": "SELECT article_id, cluster_id, is_original FROM article_clusters ORDER BY ALL",
    }
    with duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}


def _wait_gone(run: Run, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := run.processes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.fixture(scope="module")
def clean_reference(env_root: Path) -> Path:
    warehouse = env_root / "clean"
    code, out, err = Run(env_root, _pages(env_root, 30), warehouse, chunk=10).finish()
    assert code == 0, out + err
    return warehouse


@pytest.mark.parametrize(("signum", "code", "to_group"), [
    pytest.param(signal.SIGINT, 130, True, id="ctrl-c-at-a-terminal"),
    pytest.param(signal.SIGTERM, 143, False, id="sigterm-from-a-scheduler"),
])
def test_a_signal_stops_the_run_after_its_committed_chunks(env_root: Path, clean_reference: Path, signum: int,
                                                          code: int, to_group: bool) -> None:
    warehouse = env_root / f"stopped-{signum}"
    source = _pages(env_root, 30)
    run = Run(env_root, source, warehouse, chunk=10, pause_at="tag#2")  # chunk 1 loaded, chunk 2 tagged
    run.wait_paused()
    started = time.monotonic()
    (os.killpg if to_group else os.kill)(run.proc.pid, signum)
    exit_code, out, err = run.finish(timeout=30)
    elapsed = time.monotonic() - started
    assert exit_code == code, err
    assert elapsed < 10, f"stopping took {elapsed:.1f} s"
    assert out == ""
    assert err.splitlines() == ["mediamon: paused at tag#2",
                                "mediamon: interrupted after 10 documents; the next run resumes"], err
    assert _wait_gone(run, 5) == []
    with duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True) as con:
        assert con.execute("SELECT status, documents_in FROM runs").fetchall() == [("interrupted", 10)]
        stored = con.execute("SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM quarantine)").fetchone()
    assert stored == (10,)
    # The re-run picks up the rest; the warehouse then equals one clean run over the same pages.
    exit_code, out, err = Run(env_root, source, warehouse, chunk=10).finish()
    assert exit_code == 0, err
    assert "30 documents in" in out
    assert not any(noise in out + err for noise in NOISE), err
    assert _content(warehouse) == _content(clean_reference)


def test_ctrl_c_stops_worker_processes_and_the_api_quietly(env_root: Path) -> None:
    # 100 documents in one chunk: cleaned in the worker pool, which is running when the signal comes.
    run = Run(env_root, _pages(env_root, 100), env_root / "workers-int", chunk=100, pause_at="clean")
    run.wait_paused()
    assert len(run.processes()) >= 3, "expected the CLI and two workers (the API is a thread of the CLI)"
    started = time.monotonic()
    os.killpg(run.proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    exit_code, out, err = run.finish(timeout=30)
    assert exit_code == 130, err
    assert time.monotonic() - started < 10
    assert err.splitlines() == ["mediamon: paused at clean",
                                "mediamon: interrupted after 0 documents; the next run resumes"], err
    assert _wait_gone(run, 5) == []


def test_sigkill_leaves_no_process_of_the_run(env_root: Path) -> None:
    run = Run(env_root, _pages(env_root, 100), env_root / "workers-kill", chunk=100, pause_at="clean")
    run.wait_paused()
    children = [pid for pid in run.processes() if pid != run.proc.pid]
    assert len(children) >= 2, "expected the two workers"
    os.kill(run.proc.pid, signal.SIGKILL)  # the CLI alone, as the OOM killer or a timeout would
    run.proc.wait(30)
    assert _wait_gone(run, 5) == [], "processes of the killed run are still alive"
