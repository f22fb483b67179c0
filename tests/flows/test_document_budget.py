"""The clean stage's per-document time budget: a document that takes too long is quarantined
with the reason, the rest of its batch goes on."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

import transforms.extraction.clean as clean
from mediamon.workers import budget_guard, document_budget
from transforms.extraction.clean import OverBudget, clean_batch
from transforms.document import RawDocument

PAGE = b"<html><head><title>Budget</title></head><body><article><p>" + b"Plain words here. " * 80 + \
    b"</p></article></body></html>"


def _doc(name: str, raw: bytes = PAGE) -> RawDocument:
    return RawDocument(url=f"https://example.org/{name}", source="t", fetched_at=datetime(2024, 1, 1, tzinfo=UTC),
                       raw=raw, path=f"/pages/{name}.html", kind="html")


def test_a_document_over_its_budget_is_quarantined_and_the_batch_goes_on(monkeypatch) -> None:
    real = clean.extract_article

    def slow_for_one(doc, publishers):
        if doc.url.endswith("/stuck"):
            while True:  # a pathological page: the extractor never finishes on its own
                sum(range(1000))
        return real(doc, publishers)

    clean_batch([_doc("warm-up")], "r1", {})  # first use loads the extractors: not a document's cost
    monkeypatch.setattr(clean, "extract_article", slow_for_one)
    started = time.monotonic()
    out = clean_batch([_doc("a"), _doc("stuck"), _doc("b")], "r1", {}, budget_guard(2))
    assert time.monotonic() - started < 30
    assert [a["url"] for a in out.articles], out.quarantined
    assert [a["url"] for a in out.articles] == ["https://example.org/a", "https://example.org/b"]
    assert [(q["url"], q["stage"]) for q in out.quarantined] == [("https://example.org/stuck", "clean")]
    assert "per-document budget" in out.quarantined[0]["reasons"][0]  # type: ignore[index]


def test_the_budget_counts_cpu_time_not_waiting() -> None:
    with document_budget(0.2):
        time.sleep(0.5)  # waiting (a loaded machine, I/O) is not the document's cost


def test_no_budget_leaves_the_timer_off() -> None:
    with document_budget(0):
        pass
    with pytest.raises(OverBudget), document_budget(0.2):
        while True:
            sum(range(1000))
