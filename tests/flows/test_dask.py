"""The same flow on a real dask.distributed cluster (2 worker processes over TCP on loopback)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from mediamon.config import Settings, SourceSpec
from mediamon.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_7210ad52eb561afc.txt"


def _articles(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse / "mediamon.duckdb"), read_only=True) as con:
        return con.execute("""
            SELECT a.article_id, a.title, a.body, a.publisher, a.content_hash, a.dq_status,
                   (SELECT count(*) FROM mentions m WHERE m.article_id = a.article_id) AS mentions
            FROM articles a ORDER BY a.article_id""").fetchall()


def test_bad_dask_address_is_a_config_error() -> None:
    from flows.runners import dask_task_runner

    settings = Settings(config_path=None, warehouse_dir=Path("/nonexistent"), dask_address="scheduler:8786")
    with pytest.raises(ConfigError, match="tcp://host:8786"):
        dask_task_runner(settings)


@pytest.mark.slow
def test_pipeline_on_a_local_dask_cluster_matches_the_local_run(prefect_harness, tmp_path, corpus_dir) -> None:
    from distributed import LocalCluster

    from flows.pipeline import run_pipeline

    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(SEED, pages / SEED.name)
    for page in sorted((corpus_dir / "pages").iterdir())[:20]:
        shutil.copy(page, pages / page.name)
    sources = [SourceSpec(name="pages", location=str(pages))]
    # Small chunks and batches: several chunks, and several batches per chunk for the two workers.
    local = Settings(config_path=None, warehouse_dir=tmp_path / "local", workers=1, chunk_size=8, batch_size=4)
    expected = run_pipeline(local, sources)

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", protocol="tcp",
                      dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        dask = Settings(config_path=None, warehouse_dir=tmp_path / "dask", workers=2, chunk_size=8,
                        batch_size=4, dask_address=cluster.scheduler_address)
        got = run_pipeline(dask, sources)
        with cluster.get_client() as client:
            # The batches really ran on the workers: each one imported the clean stage.
            imported = client.run(lambda: __import__("sys").modules.get("transforms.extraction.clean") is not None)
        assert any(imported.values())

    assert got.documents_in == expected.documents_in == 21
    assert got.chunks == 3
    assert (got.articles_new, got.duplicates, got.quarantined) == (
        expected.articles_new, expected.duplicates, expected.quarantined)
    assert got.articles_new >= 15
    assert _articles(tmp_path / "dask") == _articles(tmp_path / "local")
