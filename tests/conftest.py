"""Shared fixtures: paths to the repository, the seed and the shared corpus; a real fault-injecting
HTTP server on 127.0.0.1 and a Prefect harness (flow and source tests)."""

from __future__ import annotations

import importlib.util
import os
import tempfile
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = REPO / "seeds" / "000_7210ad52eb561afc.txt"
CORPUS = SHARED / "corpora" / "web"

# Under pytest-xdist (`make test` runs two workers) each worker gets its own Prefect home, so two
# embedded Prefect APIs never share one SQLite file (set before anything imports Prefect).
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix=f"prefect-{os.environ['PYTEST_XDIST_WORKER']}-"))

# Keep Prefect quiet and off the network in every test process (and its children).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def corpus_dir() -> Path:
    """The dev corpus; the suite runs with ../shared beside the repository (as CI does)."""
    if not (CORPUS / "manifest.jsonl").exists():
        pytest.fail(f"dev corpus not found at {CORPUS}: the quality gates need ../shared beside the repository")
    return CORPUS


_FAULT_SERVER_PATH = Path(__file__).resolve().parent / "fixtures" / "fault_server.py"


def load_fault_server() -> ModuleType:
    """tests/fixtures/fault_server.py as a module (tests are not a package under importlib mode)."""
    name = "mediamon_tests_fault_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _FAULT_SERVER_PATH)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def fault_server() -> Iterator[object]:
    """A started `FaultServer` with no routes; stopped after the test."""
    server = load_fault_server().FaultServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def corpus_pages() -> list[tuple[str, bytes]]:
    """Twelve real pages from the shared corpus (generated ones when it is absent)."""
    return load_fault_server().corpus_pages(12)


@pytest.fixture(scope="session")
def prefect_harness():
    """A real Prefect API on a throwaway SQLite database, shared by the flow tests."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
