"""The clean stage in the run's worker processes (`LocalStages`) gives exactly what it gives in-process."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from flows import runners
from flows.runners import LocalStages
from transforms.document import RawDocument

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_7210ad52eb561afc.txt"


def _comparable(batch):
    """A clean batch's rows without the time they were quarantined (it differs between runs)."""
    return ([{k: v for k, v in a.items() if k != "quarantined_at"} for a in batch.articles],
            [{k: v for k, v in q.items() if k != "quarantined_at"} for q in batch.quarantined])


def test_process_pool_matches_in_process(monkeypatch) -> None:
    monkeypatch.setattr(runners, "MIN_DOCS_FOR_PROCESSES", 1)
    now = datetime(2025, 1, 1, tzinfo=UTC)
    docs = [RawDocument(url=f"https://e.org/{i}", source="t", fetched_at=now, raw=SEED.read_bytes(), kind="text")
            for i in range(4)] + [RawDocument(url="https://e.org/empty", source="t", fetched_at=now, raw=b"")]
    batches = [docs[:2], docs[2:]]
    pooled_stages = LocalStages(workers=2, watchlist=None)
    try:
        pooled = pooled_stages.clean(batches, "r1", {})
        assert pooled_stages._pool is not None  # the batches really went to worker processes
    finally:
        pooled_stages.close()
    local = LocalStages(workers=1, watchlist=None).clean(batches, "r1", {})
    assert [_comparable(b) for b in pooled] == [_comparable(b) for b in local]
    assert sum(len(b.articles) for b in pooled) == 4 and sum(len(b.quarantined) for b in pooled) == 1


def test_workers_fork_from_a_server_that_loaded_the_models(monkeypatch) -> None:
    from mediamon.workers import preloaded
    from transforms.entities.tagging import TagInput

    monkeypatch.setattr(runners, "MIN_DOCS_FOR_PROCESSES", 1)
    inputs = [TagInput(article_id=f"a{i}", title="Merkel meets Macron",
                       body="Angela Merkel met Emmanuel Macron in Paris. Siemens shares rose in Frankfurt.",
                       language="en") for i in range(4)]
    stages = LocalStages(workers=2, watchlist=None)
    try:
        pooled = stages.tag([inputs[:2], inputs[2:]])
        pool = stages._pool
        assert pool is not None
        # Forked by the fork server (not this process), which had the KB and the English model.
        assert pool.submit(os.getppid).result() != os.getpid()
        assert {"en", "kb"} <= set(pool.submit(preloaded).result())
    finally:
        stages.close()
    assert pooled == LocalStages(workers=1, watchlist=None).tag([inputs[:2], inputs[2:]])
    assert any(m.surface == "Angela Merkel" for m in pooled[0][0])


def test_tag_batches_balance_expected_cost_and_keep_order() -> None:
    from flows.runners import TAG_BATCH_SIZE, tag_batches
    from transforms.entities.tag_rows import tag_cost
    from transforms.entities.tagging import TagInput

    # 40 long English articles first, then 200 German ones: by count, the first batch held them all.
    english = [TagInput(f"en{i}", "Title", "word " * 1500, "en") for i in range(40)]
    german = [TagInput(f"de{i}", "Titel", "Wort " * 1500, "de") for i in range(200)]
    inputs = english + german
    batches = tag_batches(inputs, workers=2)
    assert [item for batch in batches for item in batch] == inputs  # consecutive, in order
    assert all(len(batch) <= TAG_BATCH_SIZE for batch in batches)
    costs = [sum(tag_cost(item) for item in batch) for batch in batches]
    assert max(costs) <= 2 * sum(costs) / len(costs)
    assert sum(1 for batch in batches if any(item.language == "en" for item in batch)) >= 4
    assert tag_batches(inputs[:5], workers=2) == [inputs[:5]]


def test_workers_are_replaced_after_a_run_of_batches(monkeypatch) -> None:
    """A worker ends after WORKER_TASKS batches and a fresh one forks from the server; the batches
    still come back complete and in order, as in-process."""
    monkeypatch.setattr(runners, "MIN_DOCS_FOR_PROCESSES", 1)
    monkeypatch.setattr(runners, "WORKER_TASKS", 2)
    now = datetime(2025, 1, 1, tzinfo=UTC)
    page = SEED.read_bytes()
    docs = [RawDocument(url=f"https://e.org/{i}", source="t", fetched_at=now, raw=page, kind="text")
            for i in range(10)]
    batches = [[d] for d in docs]
    stages = LocalStages(workers=2, watchlist=None)
    try:
        pooled = stages.clean(batches, "r1", {})
        pool = stages._pool
        assert pool is not None
        pids = [pool.submit(os.getpid).result() for _ in range(6)]
    finally:
        stages.close()
    # Six calls, one at a time, at most two per process: at least three processes answered.
    assert len(set(pids)) >= 3 and os.getpid() not in pids
    assert [a["url"] for b in pooled for a in b.articles] == [d.url for d in docs]
    local = LocalStages(workers=1, watchlist=None).clean(batches, "r1", {})
    assert [_comparable(b) for b in pooled] == [_comparable(b) for b in local]
