"""The GX articles suite, run through GX's validation API for real."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from expectations.runner import load_suite_json, run_suite

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PARAMS = {"now": NOW, "min_words": 50, "earliest_date": datetime(1990, 1, 1, tzinfo=UTC)}
GOOD_BODY = " ".join(["word"] * 60)


def _row(article_id: str, **changes: object) -> dict[str, object]:
    row = {"article_id": article_id, "url": f"https://e.org/{article_id}", "publisher": "E", "title": "T",
           "body": GOOD_BODY, "word_count": 60, "published_at": datetime(2025, 6, 1, tzinfo=UTC),
           "language_ok": True, "ner_model_ok": True}
    row.update(changes)
    return row


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"article_id": pl.String, "url": pl.String, "publisher": pl.String,
                                      "title": pl.String, "body": pl.String, "word_count": pl.Int32,
                                      "published_at": pl.Datetime("us", "UTC"), "language_ok": pl.Boolean,
                                      "ner_model_ok": pl.Boolean})


@pytest.mark.parametrize(
    ("changes", "check", "severity"),
    [
        pytest.param({"word_count": 12}, "body_short", "warning", id="short-body"),
        pytest.param({"publisher": None}, "publisher_present", "warning", id="no-publisher"),
        pytest.param({"published_at": None}, "published_at_present", "warning", id="no-date"),
        pytest.param({"published_at": datetime(2031, 1, 1, tzinfo=UTC)}, "published_at_plausible", "warning",
                     id="future-date"),
        pytest.param({"published_at": datetime(1970, 1, 1, tzinfo=UTC)}, "published_at_plausible", "warning",
                     id="epoch-date"),
        pytest.param({"title": ""}, "title_non_empty", "warning", id="empty-title"),
        pytest.param({"body": GOOD_BODY + "\n\nThis website uses cookies to ensure you get the best experience."},
                     "no_boilerplate_markers", "warning", id="cookie-notice"),
        pytest.param({"body": GOOD_BODY + "\n\nRelated News\nOther story"}, "no_boilerplate_markers", "warning",
                     id="related-news-heading"),
        pytest.param({"body": GOOD_BODY + "\n\n© 2025 Example GmbH. All rights reserved"},
                     "no_boilerplate_markers", "warning", id="copyright-line"),
        pytest.param({"body": GOOD_BODY + "\n\nDiese Website verwendet Cookies."}, "no_boilerplate_markers",
                     "warning", id="german-cookie-notice"),
        pytest.param({"body": GOOD_BODY + "\n\nDownload our appPlay StoreApp Store"}, "no_boilerplate_markers",
                     "warning", id="app-banner"),
        pytest.param({"language_ok": False}, "language_allowed", "warning", id="language"),
        pytest.param({"ner_model_ok": False}, "ner_model_missing", "warning", id="no-ner-model"),
    ],
)
def test_each_check_catches_its_failure(changes: dict[str, object], check: str, severity: str) -> None:
    outcome = run_suite("articles", _frame([_row("good"), _row("bad", **changes)]), PARAMS, "r1")
    assert "good" not in outcome.failures
    failed = {(f.check, f.severity) for f in outcome.failures["bad"]}
    assert (check, severity) in failed
    result = next(r for r in outcome.results if r["expectation"] == check)
    assert result["success"] is False and result["unexpected_count"] == 1


def test_clean_article_passes_everything() -> None:
    outcome = run_suite("articles", _frame([_row("a"), _row("b")]), PARAMS, "r1")
    assert outcome.failures == {}
    assert all(r["success"] for r in outcome.results)
    assert len(outcome.results) == len(load_suite_json("articles")["expectations"])


def test_article_about_cookies_policy_is_not_flagged_by_the_word_alone() -> None:
    body = GOOD_BODY + "\n\nThe regulator said cookies used for tracking need consent, lawyers argued."
    outcome = run_suite("articles", _frame([_row("a", body=body)]), PARAMS, "r1")
    assert "a" not in outcome.failures


def test_every_expectation_has_a_name_and_a_severity() -> None:
    for e in load_suite_json("articles")["expectations"]:
        assert e["meta"]["name"] and e["severity"] in {"critical", "warning", "info"}


def test_warm_up_builds_the_one_context_in_the_background() -> None:
    # A fresh interpreter: the context is built once, by the warm-up thread, and the check uses
    # it (a check that comes first waits on the context's lock instead); its outcome is the usual one.
    code = """
import threading, polars as pl
from expectations import runner
from datetime import datetime, UTC
built = []
original = runner._Context.__init__
def counting(self):
    built.append(threading.current_thread().name)
    original(self)
runner._Context.__init__ = counting
runner.warm_up()
[t.join() for t in threading.enumerate() if t.name == "gx-warm-up"]
runner.warm_up()  # built already: nothing to start
assert not [t for t in threading.enumerate() if t.name == "gx-warm-up"]
frame = pl.DataFrame({"article_id": ["a"], "name": ["x"]})
suite = {"name": "t", "expectations": [{"type": "expect_column_values_to_not_be_null",
         "kwargs": {"column": "name"}, "severity": "critical"}]}
outcome = runner.run_suite("t", frame, {}, "r1", suite_json=suite)
print(len(built), built[0], outcome.failures)
"""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "gx-warm-up", "{}"]
