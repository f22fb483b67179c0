"""The clean stage as Prefect tasks: batches of raw documents to article rows.

HTML parsing is CPU-bound and holds the GIL, so with `workers > 1` and enough
documents the batches go to a process pool (spawned, so no state is inherited);
each worker imports the extractors once and then handles whole batches.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from prefect import task
from prefect.cache_policies import NO_CACHE

from transforms.clean import CleanBatch, clean_batch
from transforms.document import RawDocument

# Below this many documents, starting worker processes costs more than it saves.
MIN_DOCS_FOR_PROCESSES = 100


def _quiet_worker() -> None:
    import warnings

    warnings.simplefilter("ignore")


def clean_batches(batches: list[list[RawDocument]], run_id: str, publishers: dict[str, str],
                  workers: int) -> list[CleanBatch]:
    """Clean every batch, in order; in `workers` processes when that pays off."""
    total = sum(len(b) for b in batches)
    if workers <= 1 or len(batches) < 2 or total < MIN_DOCS_FOR_PROCESSES:
        return [clean_batch(b, run_id, publishers) for b in batches]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_quiet_worker) as pool:
        futures = [pool.submit(clean_batch, b, run_id, publishers) for b in batches]
        return [f.result() for f in futures]


@task(name="clean: extract articles", cache_policy=NO_CACHE, persist_result=False)
def clean_documents(batches: list[list[RawDocument]], run_id: str, publishers: dict[str, str],
                    workers: int = 1) -> list[CleanBatch]:
    return clean_batches(batches, run_id, publishers, workers)
