from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def prefect_harness():
    """A real Prefect API on a throwaway SQLite database, shared by the flow tests."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
