"""Fixtures for flow tests: a real fault-injecting HTTP server on 127.0.0.1, and a Prefect harness."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

_FAULT_SERVER_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "fault_server.py"


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
