"""`mediamon sources`: the configured sources with what the warehouse knows about them.

Read-only and offline: a source's kind is sniffed from a local file or guessed from a URL's
name, and its status comes from `fetch_state` (web URLs ok / failed, last fetch, latest
error), `raw_documents`, `articles` and `quarantine`, aggregated per source name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mediamon.config import Settings
from mediamon.errors import WarehouseError
from mediamon.warehouse import source_activity
from sources.kinds import detect


@dataclass
class SourcesReport:
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per configured source, config order
    note: str | None = None  # why there is no status (no warehouse yet, warehouse busy)
    unconfigured: list[str] = field(default_factory=list)  # names in the warehouse not in the config


def sources_report(settings: Settings) -> SourcesReport:
    """Every configured `[[sources]]` entry with its kind and last fetch status."""
    report = SourcesReport()
    activity: dict[str, dict[str, Any]] = {}
    if not settings.duckdb_path.exists():
        report.note = f"no warehouse at {settings.duckdb_path} yet: nothing fetched so far"
    else:
        try:
            activity = source_activity(settings.warehouse_dir, settings.lock_timeout_seconds)
        except WarehouseError as exc:
            report.note = f"status unavailable: {exc}"
    for spec in settings.sources:
        seen = activity.get(spec.name, {})
        last = max((t for t in (seen.get("last_fetched_at"), seen.get("last_document_at")) if t is not None),
                   default=None)
        report.rows.append({
            "name": spec.name,
            "kind": detect(spec.location, offline=True),
            "location": spec.location,
            "group": spec.group,
            "interval_minutes": spec.interval_minutes,
            "publisher": spec.publisher,
            "urls_ok": seen.get("urls_ok", 0),
            "urls_failed": seen.get("urls_failed", 0),
            "documents": seen.get("documents", 0),
            "articles": seen.get("articles", 0),
            "quarantined": seen.get("quarantined", 0),
            "last_fetched_at": last,
            "last_error": seen.get("last_error"),
        })
    configured = {s.name for s in settings.sources}
    report.unconfigured = sorted(name for name in activity if name not in configured)
    return report
