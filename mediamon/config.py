"""The one place that reads configuration.

`load_settings()` reads `mediamon.toml` (or the file named by `--config`) once,
applies command-line overrides, and returns a frozen `Settings`. Everything
below the CLI receives that object; no module reads files or environment
variables for its configuration on its own.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mediamon.errors import ConfigError
from transforms.boolean_query import QueryError
from transforms.retag import Topic

DEFAULT_CONFIG_NAME = "mediamon.toml"


@dataclass(frozen=True)
class SourceSpec:
    """One configured source: a folder, a file, or a URL."""

    name: str
    location: str
    publisher: str | None = None  # overrides whatever the page says
    interval_minutes: int | None = None  # for the scheduled flow
    group: str = "default"  # sources of one group share a deployment/schedule


@dataclass(frozen=True)
class GroupSchedule:
    """A `[groups.NAME]` table: when the group's deployment runs (cron wins over the interval)."""

    cron: str | None = None
    interval_minutes: int | None = None
    timezone: str = "UTC"


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = "mediamon/0.1 (+https://github.com/mediamon/mediamon; contact: ops@example.org)"
    max_concurrency: int = 16
    per_host: int = 4
    min_host_delay: float = 0.0
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_redirects: int = 5
    max_bytes: int = 10_000_000
    max_tries: int = 3
    obey_robots: bool = True


@dataclass(frozen=True)
class ReportConfig:
    """`[report]`: the offline HTML report (`mediamon report`)."""

    after_run: bool = False  # write the report after every successful run
    path: Path | None = None  # default: <warehouse>/report.html
    days: int = 7  # default period: this many days that have articles


@dataclass(frozen=True)
class AlertsConfig:
    """`[alerts]`: spike and new-entity alerts (`mediamon alerts`); see transforms/alerts.py."""

    after_run: bool = False  # evaluate alerts after every successful run
    window_days: int = 28  # baseline: the calendar days before the day judged
    min_mentions: int = 5  # a spike needs at least this many mentions that day
    mad_multiplier: float = 3.0  # ... and more than median + k * MAD of the baseline
    min_history_days: int = 7  # days with articles the baseline needs before anything is judged
    new_entity_outlets: int = 3  # a never-seen entity in MORE than this many outlets in a day alerts
    webhook: str = ""  # https://… receives new alerts as JSON (POST); empty = none
    webhook_timeout_seconds: float = 10.0
    webhook_tries: int = 3


@dataclass(frozen=True)
class Settings:
    config_path: Path | None
    warehouse_dir: Path
    sources: tuple[SourceSpec, ...] = ()
    lock_timeout_seconds: float = 30.0
    # DuckDB's buffer pool defaults to 80% of RAM and grows with the warehouse; a run's writer needs
    # far less, and a cap keeps the flow process flat as input grows (DuckDB spills to disk past it).
    memory_limit: str = "512MB"
    batch_size: int = 200
    workers: int = 2
    min_words: int = 50
    languages: tuple[str, ...] = ()
    watchlist_path: Path | None = None
    publishers: dict[str, str] = field(default_factory=dict)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    debug: bool = False
    chunk_size: int = 250  # documents per streamed chunk: clean → quality → tag → load, one transaction each
    full: bool = False  # reprocess every document, even those whose raw bytes did not change
    task_timeout_seconds: float = 3600.0  # any single task (a chunk's stage) running longer fails the run
    dask_address: str = ""  # tcp://scheduler:8786 runs clean and tag on that Dask cluster; empty = local
    groups: dict[str, GroupSchedule] = field(default_factory=dict)
    report: ReportConfig = field(default_factory=ReportConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    topics: tuple[Topic, ...] = ()  # [[topics]]: name + Boolean query (transforms/boolean_query.py)
    # Crash tests only: MEDIAMON_TEST_PAUSE_AT=<stage> makes a run announce that stage on stderr and
    # wait there, so a test can SIGKILL it at a known point (mediamon/runtime.py: stage_boundary).
    test_pause_at: str = ""

    @property
    def duckdb_path(self) -> Path:
        return self.warehouse_dir / "mediamon.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse_dir / "parquet"

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _table(doc: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"config {path}: [{key}] must be a table")
    return value


def _source_specs(raw: Any, base: Path, path: Path) -> tuple[SourceSpec, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"config {path}: [[sources]] must be an array of tables")
    specs = []
    for i, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or "location" not in entry:
            raise ConfigError(f"config {path}: source #{i} needs a 'location'")
        specs.append(
            SourceSpec(
                name=str(entry.get("name") or f"source{i}"),
                location=resolve_location(str(entry["location"]), base),
                publisher=entry.get("publisher"),
                interval_minutes=entry.get("interval_minutes"),
                group=str(entry.get("group", "default")),
            )
        )
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ConfigError(f"config {path}: source names must be unique, got {names}")
    return tuple(specs)


def _positive(value: Any, name: str, path: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"config {path}: {name} must be a whole number of at least 1, got {value!r}")
    return value


def _groups(raw: dict[str, Any], path: Path) -> dict[str, GroupSchedule]:
    """`[groups.NAME]` tables: `cron = "*/15 * * * *"` or `interval_minutes = 15`, optional `timezone`."""
    groups = {}
    for name, entry in raw.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"config {path}: [groups.{name}] must be a table")
        unknown = set(entry) - {"cron", "interval_minutes", "timezone"}
        if unknown:
            raise ConfigError(f"config {path}: unknown [groups.{name}] setting(s) {sorted(unknown)}; "
                              "use cron, interval_minutes or timezone")
        cron = entry.get("cron")
        if cron is not None and (not isinstance(cron, str) or len(cron.split()) not in (5, 6)):
            raise ConfigError(f"config {path}: [groups.{name}] cron must be a cron expression such as "
                              f"\"*/15 * * * *\", got {cron!r}")
        interval = entry.get("interval_minutes")
        if interval is not None:
            interval = _positive(interval, f"[groups.{name}] interval_minutes", path)
        groups[str(name)] = GroupSchedule(cron=cron, interval_minutes=interval,
                                          timezone=str(entry.get("timezone", "UTC")))
    return groups


def _report_config(raw: dict[str, Any], base: Path, path: Path) -> ReportConfig:
    unknown = set(raw) - {"after_run", "path", "days"}
    if unknown:
        raise ConfigError(f"config {path}: unknown [report] setting(s) {sorted(unknown)}; "
                          "use after_run, path or days")
    out = raw.get("path")
    return ReportConfig(after_run=_flag(raw.get("after_run", False), "[report] after_run", path),
                        path=Path(resolve_location(str(out), base)) if out else None,
                        days=_positive(raw.get("days", 7), "[report] days", path))


def _alerts_config(raw: dict[str, Any], path: Path) -> AlertsConfig:
    names = set(AlertsConfig.__dataclass_fields__)
    unknown = set(raw) - names
    if unknown:
        raise ConfigError(f"config {path}: unknown [alerts] setting(s) {sorted(unknown)}; "
                          f"use {', '.join(sorted(names))}")
    k = raw.get("mad_multiplier", 3.0)
    if isinstance(k, bool) or not isinstance(k, int | float) or k < 0:
        raise ConfigError(f"config {path}: [alerts] mad_multiplier must be a number >= 0, got {k!r}")
    timeout = raw.get("webhook_timeout_seconds", 10.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"config {path}: [alerts] webhook_timeout_seconds must be a number > 0, "
                          f"got {timeout!r}")
    webhook = raw.get("webhook", "")
    if not isinstance(webhook, str) or (webhook and not webhook.startswith(("http://", "https://"))):
        raise ConfigError(f"config {path}: [alerts] webhook must be an http:// or https:// URL, "
                          f"got {webhook!r}")
    outlets = raw.get("new_entity_outlets", 3)
    if isinstance(outlets, bool) or not isinstance(outlets, int) or outlets < 0:
        raise ConfigError(f"config {path}: [alerts] new_entity_outlets must be a whole number >= 0, "
                          f"got {outlets!r}")
    return AlertsConfig(
        after_run=_flag(raw.get("after_run", False), "[alerts] after_run", path),
        window_days=_positive(raw.get("window_days", 28), "[alerts] window_days", path),
        min_mentions=_positive(raw.get("min_mentions", 5), "[alerts] min_mentions", path),
        mad_multiplier=float(k),
        min_history_days=_positive(raw.get("min_history_days", 7), "[alerts] min_history_days", path),
        new_entity_outlets=outlets, webhook=webhook, webhook_timeout_seconds=float(timeout),
        webhook_tries=_positive(raw.get("webhook_tries", 3), "[alerts] webhook_tries", path))


def _topics(raw: Any, path: Path) -> tuple[Topic, ...]:
    """`[[topics]]`: `name` and `query`; a query that does not parse names the topic and the position."""
    if not isinstance(raw, list):
        raise ConfigError(f"config {path}: [[topics]] must be an array of tables")
    topics: list[Topic] = []
    for i, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) \
                or not entry["name"].strip() or not isinstance(entry.get("query"), str):
            raise ConfigError(f"config {path}: topic #{i} needs a name and a query (strings)")
        unknown = set(entry) - {"name", "query"}
        if unknown:
            raise ConfigError(f"config {path}: topic {entry['name']!r} has unknown setting(s) "
                              f"{sorted(unknown)}; use name and query")
        name = entry["name"].strip()
        if any(t.name == name for t in topics):
            raise ConfigError(f"config {path}: topic names must be unique; {name!r} appears twice")
        try:
            topics.append(Topic.parse(name, entry["query"]))
        except QueryError as exc:
            raise ConfigError(f"config {path}: topic {name!r}: the query does not parse at position "
                              f"{exc.position}: {exc.reason}") from exc
    return tuple(topics)


def _flag(value: Any, name: str, path: Path) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"config {path}: {name} must be true or false, got {value!r}")
    return value


def _test_pause_at() -> str:
    """The crash tests' pause point (empty: none); never set it outside a test."""
    return os.environ.get("MEDIAMON_TEST_PAUSE_AT", "").strip()


def resolve_location(location: str, base: Path) -> str:
    """URLs stay as they are; relative paths are taken relative to `base`."""
    if "://" in location:
        return location
    p = Path(location).expanduser()
    return str(p if p.is_absolute() else (base / p).resolve())


def load_settings(config: Path | None = None, *, cwd: Path | None = None) -> Settings:
    """Read the config file (default: ./mediamon.toml when present) into `Settings`.

    A missing default file is fine (built-in defaults, warehouse `./data`); a
    missing or unreadable file named explicitly is a `ConfigError`.
    """
    cwd = cwd or Path.cwd()
    explicit = config is not None
    path = Path(config) if config else cwd / DEFAULT_CONFIG_NAME
    if not path.exists():
        if explicit:
            raise ConfigError(f"config file {path} does not exist")
        return Settings(config_path=None, warehouse_dir=(cwd / "data").resolve(),
                        test_pause_at=_test_pause_at())
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc

    base = path.resolve().parent
    warehouse = _table(doc, "warehouse", path)
    pipeline = _table(doc, "pipeline", path)
    entities = _table(doc, "entities", path)
    publishers = _table(doc, "publishers", path)
    fetch = _table(doc, "fetch", path)
    dask = _table(doc, "dask", path)
    groups = _groups(_table(doc, "groups", path), path)
    report = _report_config(_table(doc, "report", path), base, path)
    alerts = _alerts_config(_table(doc, "alerts", path), path)
    try:
        fetch_config = FetchConfig(**fetch)
    except TypeError as exc:
        raise ConfigError(f"config {path}: unknown [fetch] setting ({exc})") from exc
    watchlist = entities.get("watchlist")
    try:
        return Settings(
            config_path=path.resolve(),
            warehouse_dir=Path(resolve_location(str(warehouse.get("path", "data")), base)),
            sources=_source_specs(doc.get("sources", []), base, path),
            lock_timeout_seconds=float(warehouse.get("lock_timeout_seconds", 30)),
            memory_limit=str(warehouse.get("memory_limit", "512MB")),
            batch_size=int(pipeline.get("batch_size", 200)),
            workers=int(pipeline.get("workers", 2)),
            min_words=int(pipeline.get("min_words", 50)),
            languages=tuple(pipeline.get("languages", [])),
            watchlist_path=Path(resolve_location(str(watchlist), base)) if watchlist else None,
            publishers={str(k).lower(): str(v) for k, v in publishers.items()},
            fetch=fetch_config,
            chunk_size=_positive(pipeline.get("chunk_size", 250), "[pipeline] chunk_size", path),
            task_timeout_seconds=float(pipeline.get("task_timeout_seconds", 3600)),
            dask_address=str(dask.get("address", "") or ""),
            groups=groups,
            report=report,
            alerts=alerts,
            topics=_topics(doc.get("topics", []), path),
            test_pause_at=_test_pause_at(),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"config {path}: {exc}") from exc
