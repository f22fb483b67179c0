"""The clean stage in worker processes gives exactly what it gives in-process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flows import clean as clean_flow
from transforms.document import RawDocument

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_7210ad52eb561afc.txt"


def test_process_pool_matches_in_process(monkeypatch) -> None:
    monkeypatch.setattr(clean_flow, "MIN_DOCS_FOR_PROCESSES", 1)
    now = datetime(2025, 1, 1, tzinfo=UTC)
    docs = [RawDocument(url=f"https://e.org/{i}", source="t", fetched_at=now, raw=SEED.read_bytes(), kind="text")
            for i in range(4)] + [RawDocument(url="https://e.org/empty", source="t", fetched_at=now, raw=b"")]
    batches = [docs[:2], docs[2:]]
    pooled = clean_flow.clean_batches(batches, "r1", {}, workers=2)
    local = clean_flow.clean_batches(batches, "r1", {}, workers=1)

    def strip(batch):
        return ([{k: v for k, v in a.items() if k != "quarantined_at"} for a in batch.articles],
                [{k: v for k, v in q.items() if k != "quarantined_at"} for q in batch.quarantined])

    assert [strip(b) for b in pooled] == [strip(b) for b in local]
    assert sum(len(b.articles) for b in pooled) == 4 and sum(len(b.quarantined) for b in pooled) == 1
