"""Run the great-expectations suites in this folder (articles, mentions, entities) against a batch.

The suites are GX's own JSON format (`articles.json`, ...), so analysts can read
and edit them. Each expectation carries a GX `severity`: `critical` failures mean
there is no usable article (the document is quarantined with every failed check
as a reason), `warning` failures keep the article with `dq_status = 'warn'`.
Per-row failures come from GX's COMPLETE result format, keyed by `article_id`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

SUITE_DIR = Path(__file__).resolve().parent
KEY = "article_id"


@dataclass(frozen=True)
class Failure:
    check: str
    severity: str  # "critical" | "warning" | "info"
    why: str


@dataclass
class SuiteOutcome:
    suite: str
    failures: dict[str, list[Failure]] = field(default_factory=dict)  # by article_id
    results: list[dict[str, Any]] = field(default_factory=list)  # rows for dq_results

    def critical(self, key: str) -> list[Failure]:
        return [f for f in self.failures.get(key, []) if f.severity == "critical"]

    def warnings(self, key: str) -> list[Failure]:
        return [f for f in self.failures.get(key, []) if f.severity != "critical"]


def load_suite_json(name: str, directory: Path = SUITE_DIR) -> dict[str, Any]:
    path = directory / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


class _Context:
    """One ephemeral GX context per process: creating it costs seconds, running a suite milliseconds."""

    _instance: _Context | None = None
    _lock = threading.Lock()  # `warm_up` may be building it in another thread

    def __init__(self) -> None:
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import great_expectations as gx

        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        # No tqdm bars in a CLI summary or a CI log.
        self.context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        self.datasource = self.context.data_sources.add_pandas("mediamon")
        self.definitions: dict[str, Any] = {}

    @classmethod
    def get(cls) -> _Context:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def validation(self, suite_name: str, suite_json: dict[str, Any]) -> Any:
        gx = self.gx
        key = json.dumps(suite_json, sort_keys=True)
        cached = self.definitions.get(suite_name)
        if cached and cached[0] == key:
            return cached[1]
        asset_name = f"{suite_name}_{len(self.definitions)}"
        asset = self.datasource.add_dataframe_asset(asset_name)
        batch = asset.add_batch_definition_whole_dataframe("batch")
        suite = gx.ExpectationSuite(name=asset_name, expectations=suite_json["expectations"],
                                    meta=suite_json.get("meta", {}))
        suite = self.context.suites.add(suite)
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=asset_name, data=batch, suite=suite))
        self.definitions[suite_name] = (key, definition)
        return definition


def warm_up() -> None:
    """Import great-expectations and build the context in a background thread, now.

    The import alone takes about 3 CPU seconds; done by the first chunk's quality check, it held
    up that chunk's tagging while the workers ran out of work. A run calls this when its first
    chunk goes to the workers, so the import happens while the flow process only waits.
    `run_suite` waits for it to finish (the context's lock)."""
    if _Context._instance is None:
        threading.Thread(target=_quiet_context, name="gx-warm-up", daemon=True).start()


def _quiet_context() -> None:
    try:
        _Context.get()
    except Exception:  # noqa: BLE001 - the quality check builds it again and reports the error
        pass


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and value != value:  # NaN/NaT are "missing", and JSON has no NaN
        return None
    if str(value) in ("NaT", "nan", "None"):
        return None
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)


def run_suite(name: str, frame: pl.DataFrame, parameters: dict[str, Any], run_id: str,
              suite_json: dict[str, Any] | None = None, key: str = KEY) -> SuiteOutcome:
    """Validate `frame` against suite `name`; failures are keyed by the values of column `key`.

    The validation result also goes to GX's validation results store, for `build_data_docs`.
    """

    suite_json = suite_json or load_suite_json(name)
    outcome = SuiteOutcome(suite=name)
    checked_at = datetime.now(UTC)
    if frame.height == 0:
        return outcome
    import pandas as pd  # after the empty check: importing GX costs seconds, an empty batch nothing
    from great_expectations.core.run_identifier import RunIdentifier

    ctx = _Context.get()
    definition = ctx.validation(name, suite_json)
    pdf = frame.to_pandas()
    params = {k: (pd.Timestamp(v) if isinstance(v, datetime) else v) for k, v in parameters.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = definition.run(
            batch_parameters={"dataframe": pdf},
            expectation_parameters=params,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [key]},
            run_id=RunIdentifier(run_name=run_id, run_time=checked_at),
        )
    for r in result.results:
        config = r.expectation_config
        meta = config.meta or {}
        check = meta.get("name") or config.type
        severity = getattr(config.severity, "value", str(config.severity)).lower()
        res = r.result or {}
        raised = (r.exception_info or {}).get("raised_exception")
        if raised:
            # A check that cannot run is a failed check for every row, never a silent pass.
            keys = list(frame[key])
            detail: dict[str, Any] = {"error": str((r.exception_info or {}).get("exception_message"))[:500]}
        else:
            keys = [row[key] for row in res.get("unexpected_index_list") or [] if isinstance(row, dict)]
            detail = {"partial_unexpected": [_jsonable(v) for v in (res.get("partial_unexpected_list") or [])[:5]]}
        if not r.success:
            for failed in dict.fromkeys(keys):
                outcome.failures.setdefault(failed, []).append(
                    Failure(check, severity, meta.get("why", check)))
        outcome.results.append({
            "run_id": run_id,
            "suite": name,
            "expectation": check,
            "column_name": config.kwargs.get("column"),
            "severity": severity,
            "success": bool(r.success),
            "unexpected_count": int(res.get("unexpected_count") or (len(keys) if not r.success else 0)),
            "element_count": int(res.get("element_count") or frame.height),
            "details": json.dumps({"type": config.type, **detail}),
            "checked_at": checked_at,
        })
    return outcome


def build_data_docs(directory: Path) -> Path | None:
    """Write GX Data Docs (static HTML) for the validations run in this process since the last call.

    The site lives in `directory` (a filesystem store; nothing is fetched while building: the
    pages load their CSS/JS from CDNs when opened). Returns the index.html path, or None when
    nothing was validated and no site exists yet. With nothing validated the site is left as it
    is (still the latest results). The stored validation results are dropped afterwards, so a
    long-lived process does not accumulate them.
    """
    index = directory / "index.html"
    ctx = _Context._instance
    if ctx is None or not ctx.context.validation_results_store.list_keys():
        return index if index.exists() else None
    context = ctx.context
    site = "mediamon-" + hashlib.sha1(str(directory.resolve()).encode()).hexdigest()[:12]
    if site not in (context.list_data_docs_sites() or {}):
        context.add_data_docs_site(site, {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(directory)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_cta_footer": False},
        })
    directory.mkdir(parents=True, exist_ok=True)
    store = context.validation_results_store
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        context.build_data_docs(site_names=[site])
        for stored in store.list_keys():
            store.remove_key(stored)
    return index


DQ_RESULTS_SCHEMA = {
    "run_id": pl.String, "suite": pl.String, "expectation": pl.String, "column_name": pl.String,
    "severity": pl.String, "success": pl.Boolean, "unexpected_count": pl.Int64, "element_count": pl.Int64,
    "details": pl.String, "checked_at": pl.Datetime("us", "UTC"),
}
