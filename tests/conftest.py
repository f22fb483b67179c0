"""Shared fixtures: paths to the repository, the seed and the shared corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = REPO / "seeds" / "000_7210ad52eb561afc.txt"
CORPUS = SHARED / "corpora" / "web"

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
