"""The clean stage as Prefect tasks: batches of raw documents to article rows."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from transforms.clean import CleanBatch, clean_batch
from transforms.document import RawDocument


@task(name="clean: extract articles", cache_policy=NO_CACHE, persist_result=False)
def clean_documents(docs: list[RawDocument], run_id: str, publishers: dict[str, str]) -> CleanBatch:
    return clean_batch(docs, run_id, publishers)
