"""The one place that reads configuration.

`load_settings()` reads `mediamon.toml` (or the file named by `--config`) once,
applies command-line overrides, and returns a frozen `Settings`. Everything
below the CLI receives that object; no module reads files or environment
variables for its configuration on its own.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mediamon.errors import ConfigError

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
class Settings:
    config_path: Path | None
    warehouse_dir: Path
    sources: tuple[SourceSpec, ...] = ()
    lock_timeout_seconds: float = 30.0
    batch_size: int = 200
    workers: int = 2
    min_words: int = 50
    languages: tuple[str, ...] = ()
    watchlist_path: Path | None = None
    publishers: dict[str, str] = field(default_factory=dict)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    debug: bool = False

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
        return Settings(config_path=None, warehouse_dir=(cwd / "data").resolve())
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
            batch_size=int(pipeline.get("batch_size", 200)),
            workers=int(pipeline.get("workers", 2)),
            min_words=int(pipeline.get("min_words", 50)),
            languages=tuple(pipeline.get("languages", [])),
            watchlist_path=Path(resolve_location(str(watchlist), base)) if watchlist else None,
            publishers={str(k).lower(): str(v) for k, v in publishers.items()},
            fetch=fetch_config,
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"config {path}: {exc}") from exc
