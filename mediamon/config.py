"""The one place that reads configuration.

`load_settings()` reads `mediamon.toml` (or the file named by `--config`) once,
validates it, applies command-line overrides, and returns a frozen `Settings`.
Everything below the CLI receives that object; no module reads files or
environment variables for its configuration on its own.

The schema lives in the dataclasses below and nowhere else: a `Settings` field marked
`In("pipeline")` is the key of that name in `[pipeline]`, a field marked `Table()` is a whole
table (or array of tables) whose dataclass lists its keys. pydantic checks the file against
them (unknown keys, types, ranges), so adding a key is one annotated line:

    batch_size: Annotated[int, In("pipeline"), Field(ge=1)] = 200
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model

from mediamon.errors import ConfigError
from transforms.monitoring.boolean_query import QueryError
from transforms.monitoring.retag import Topic

DEFAULT_CONFIG_NAME = "mediamon.toml"
# Tables of keys: a typo is an error with a "did you mean", never silently ignored.
_STRICT_KEYS = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class In:
    """Marks a `Settings` field as key `key` (default: the field's name) of the config's `[table]`."""

    table: str
    key: str | None = None
    default: Any = None  # the file's default for a field without one in `Settings`


@dataclass(frozen=True)
class Table:
    """Marks a `Settings` field as the whole `[name]` table or `[[name]]` array (default: the field's name)."""

    name: str | None = None


def _cron(value: str | None) -> str | None:
    if value is not None and len(value.split()) not in (5, 6):
        raise ValueError(f'must be a cron expression such as "*/15 * * * *", got {value!r}')
    return value


def _web_url(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise ValueError(f"must be an http:// or https:// URL, got {value!r}")
    return value


def _text_kind(value: str | None) -> str | None:
    if value is not None and value not in ("text", "page-text"):
        raise ValueError(f'must be "text" (clean copy) or "page-text" (a page dump with chrome), got {value!r}')
    return value


PositiveInt = Annotated[int, Field(ge=1)]


@dataclass(frozen=True)
class SourceSpec:
    """One configured source (`[[sources]]`): a folder, a file, or a URL."""

    __pydantic_config__ = _STRICT_KEYS

    name: str
    location: str
    publisher: str | None = None  # overrides whatever the page says
    interval_minutes: PositiveInt | None = None  # for the scheduled flow
    group: str = "default"  # sources of one group share a deployment/schedule
    # What its .txt files are: "text" (clean copy, kept whole) or "page-text" (a page dump with
    # chrome); None: mediamon judges each file. A manifest entry's own `kind` wins.
    kind: Annotated[str | None, AfterValidator(_text_kind)] = None


@dataclass(frozen=True)
class TopicSpec:
    """One `[[topics]]` entry as written: a name and a Boolean query (transforms/monitoring/boolean_query.py)."""

    __pydantic_config__ = _STRICT_KEYS

    name: Annotated[str, Field(min_length=1)]
    query: str


@dataclass(frozen=True)
class GroupSchedule:
    """A `[groups.NAME]` table: when the group's deployment runs (cron wins over the interval)."""

    __pydantic_config__ = _STRICT_KEYS

    cron: Annotated[str | None, AfterValidator(_cron)] = None
    interval_minutes: PositiveInt | None = None
    timezone: str = "UTC"


@dataclass(frozen=True)
class FetchConfig:
    """`[fetch]`: how web pages are fetched; the fetcher (sources/fetch.py) takes it as it is.
    Times in seconds, sizes in bytes."""

    __pydantic_config__ = _STRICT_KEYS

    user_agent: str = "mediamon/0.1 (+https://github.com/mediamon/mediamon; contact: ops@example.org)"
    max_concurrency: PositiveInt = 16
    per_host: PositiveInt = 4
    min_host_delay: Annotated[float, Field(ge=0)] = 0.0
    connect_timeout: Annotated[float, Field(gt=0)] = 10.0
    read_timeout: Annotated[float, Field(gt=0)] = 20.0
    total_timeout: Annotated[float, Field(gt=0)] = 60.0
    max_redirects: Annotated[int, Field(ge=0)] = 5
    max_bytes: PositiveInt = 10_000_000
    max_tries: PositiveInt = 3
    backoff_base: Annotated[float, Field(ge=0)] = 0.5  # wait before the second try (jittered, doubling)
    backoff_max: Annotated[float, Field(ge=0)] = 30.0  # longest wait; a longer Retry-After → next run
    obey_robots: bool = True
    proxy: str | None = None  # explicit, since the fetcher does not read the environment


@dataclass(frozen=True)
class ReportConfig:
    """`[report]`: the offline HTML report (`mediamon report`)."""

    __pydantic_config__ = _STRICT_KEYS

    after_run: bool = False  # write the report after every successful run
    path: Path | None = None  # default: <warehouse>/report.html; relative to the config file
    days: PositiveInt = 7  # default period: this many days that have articles


@dataclass(frozen=True)
class AlertsConfig:
    """`[alerts]`: spike and new-entity alerts (`mediamon alerts`); see transforms/monitoring/alert_rules.py."""

    __pydantic_config__ = _STRICT_KEYS

    after_run: bool = False  # evaluate alerts after every successful run
    window_days: PositiveInt = 28  # baseline: the calendar days before the day judged
    min_mentions: PositiveInt = 5  # a spike needs at least this many mentions that day
    mad_multiplier: Annotated[float, Field(ge=0)] = 3.0  # ... and more than median + k * MAD of the baseline
    min_history_days: PositiveInt = 7  # days with articles the baseline needs before anything is judged
    new_entity_outlets: Annotated[int, Field(ge=0)] = 3  # a never-seen entity in MORE than this many outlets
    webhook: Annotated[str, AfterValidator(_web_url)] = ""  # https://… receives new alerts as JSON (POST)
    webhook_timeout_seconds: Annotated[float, Field(gt=0)] = 10.0
    webhook_tries: PositiveInt = 3


@dataclass(frozen=True)
class Settings:
    config_path: Path | None
    warehouse_dir: Annotated[Path, In("warehouse", "path", default="data")]
    sources: Annotated[tuple[SourceSpec, ...], Table()] = ()
    lock_timeout_seconds: Annotated[float, In("warehouse"), Field(ge=0)] = 30.0
    # DuckDB's buffer pool defaults to 80% of RAM and keeps every block the writer read until the
    # connection closes, so a chunk's load grew with the warehouse. A chunk needs about 50 MB; past
    # the cap DuckDB drops cached blocks first, then spills to disk. Re-tagging history and the
    # search index get more (Warehouse.roomier).
    memory_limit: Annotated[str, In("warehouse")] = "64MB"
    batch_size: Annotated[int, In("pipeline"), Field(ge=1)] = 200
    workers: Annotated[int, In("pipeline"), Field(ge=1)] = 2
    min_words: Annotated[int, In("pipeline"), Field(ge=0)] = 50
    languages: Annotated[tuple[str, ...], In("pipeline")] = ()
    watchlist_path: Annotated[Path | None, In("entities", "watchlist")] = None
    publishers: Annotated[dict[str, str], Table()] = field(default_factory=dict)
    fetch: Annotated[FetchConfig, Table()] = field(default_factory=FetchConfig)
    debug: bool = False
    # documents per streamed chunk: clean → quality → tag → load, one transaction each
    chunk_size: Annotated[int, In("pipeline"), Field(ge=1)] = 250
    full: bool = False  # reprocess every document, even those whose raw bytes did not change
    # any single task (a chunk's stage) running longer fails the run
    task_timeout_seconds: Annotated[float, In("pipeline"), Field(gt=0)] = 3600.0
    # CPU seconds one document may take in the clean stage; past it, it is quarantined, the batch goes on.
    document_timeout_seconds: Annotated[float, In("pipeline"), Field(gt=0)] = 30.0
    # tcp://scheduler:8786 runs clean and tag on that Dask cluster; empty = local
    dask_address: Annotated[str, In("dask", "address")] = ""
    groups: Annotated[dict[str, GroupSchedule], Table()] = field(default_factory=dict)
    report: Annotated[ReportConfig, Table()] = field(default_factory=ReportConfig)
    alerts: Annotated[AlertsConfig, Table()] = field(default_factory=AlertsConfig)
    # [[topics]]: written as `TopicSpec`s, stored parsed as `transforms.monitoring.retag.Topic`s
    topics: Annotated[tuple[TopicSpec, ...], Table()] = ()
    # source name -> where its location was given ("--source", "[[sources]] 'x' in FILE"), for messages
    source_origins: dict[str, str] = field(default_factory=dict)
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

    return _settings_from(doc, path)


# -- the schema, derived from the annotated dataclasses above --------------------------------------

def _strip(annotation: Any) -> Any:
    """The type under `Annotated[...]` and `X | None`."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, UnionType) and type(None) in get_args(annotation):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation


def _marked_fields() -> list[tuple[str, In | Table, Any]]:
    """(Settings field, where it lives in the file, its annotation without the marker)."""
    hints = get_type_hints(Settings, include_extras=True)
    out = []
    for f in fields(Settings):
        hint = hints[f.name]
        if get_origin(hint) is not Annotated:
            continue
        base, *meta = get_args(hint)
        marker = next((m for m in meta if isinstance(m, In | Table)), None)
        if marker is None:
            continue
        rest = [m for m in meta if m is not marker]
        out.append((f.name, marker, Annotated[(base, *rest)] if rest else base))
    return out


def _default(name: str, marker: In | Table) -> Any:
    f = next(f for f in fields(Settings) if f.name == name)
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return marker.default if isinstance(marker, In) else None


def _build_schema() -> tuple[type[BaseModel], dict[str, Any]]:
    """The pydantic model of the whole file, and the same layout as a tree of annotations
    (table name -> key -> annotation) that error messages walk to say what a key expects."""
    top: dict[str, Any] = {}
    tree: dict[str, Any] = {}
    tables: dict[str, dict[str, Any]] = {}
    for name, marker, annotation in _marked_fields():
        if isinstance(marker, Table):
            key = marker.name or name
            top[key] = (annotation, _default(name, marker))
            tree[key] = annotation
        else:
            tables.setdefault(marker.table, {})[marker.key or name] = (annotation, _default(name, marker))
            tree.setdefault(marker.table, {})[marker.key or name] = annotation
    for table, keys in tables.items():
        model = create_model(f"config_{table}", __config__=_STRICT_KEYS, **keys)
        top[table] = (model, Field(default_factory=model))
    return create_model("config_file", __config__=_STRICT_KEYS, **top), tree


_SCHEMA, _TREE = _build_schema()


def _child(node: Any, key: Any) -> Any:
    """The annotation of `key` inside `node` (a table of the tree, a dataclass, a list or a dict)."""
    if isinstance(node, dict):
        return node.get(key)
    node = _strip(node)
    if is_dataclass(node):
        return get_type_hints(node, include_extras=True).get(str(key))
    if get_origin(node) in (tuple, list):
        return get_args(node)[0]
    if get_origin(node) is dict:
        return get_args(node)[1]
    return None


def _known_keys(node: Any) -> list[str]:
    if isinstance(node, dict):
        return list(node)
    node = _strip(node)
    return [f.name for f in fields(node)] if is_dataclass(node) else []


def _key_name(loc: tuple[Any, ...]) -> str:
    """`('pipeline', 'batch_size')` -> `[pipeline] batch_size`, `('sources', 0, 'location')` ->
    `[[sources]] #1 location`, `('groups', 'news', 'cron')` -> `[groups.news] cron`."""
    if not loc:
        return "the file"
    head, rest = str(loc[0]), list(loc[1:])
    node = _TREE.get(head)
    if node is None or not rest:
        shape = get_origin(_strip(node)) if node is not None else None
        return f"[[{head}]]" if shape in (tuple, list) else (f"[{head}]" if node is not None else head)
    shape = None if isinstance(node, dict) else get_origin(_strip(node))
    if shape in (tuple, list) and isinstance(rest[0], int):
        where = f"[[{head}]] #{rest.pop(0) + 1}"
    elif shape is dict and _known_keys(_child(node, rest[0])):
        where = f"[{head}.{rest.pop(0)}]"
    else:
        where = f"[{head}]"
    return f"{where} {'.'.join(str(k) for k in rest)}".strip()


def _expects(annotation: Any) -> str:
    """What a key takes, in words: 'a whole number of at least 1', 'true or false', ..."""
    if isinstance(annotation, dict):  # a table of the file
        return "a table"
    bounds = []
    stack = [annotation]
    while stack:
        a = stack.pop()
        if get_origin(a) is Annotated:
            base, *meta = get_args(a)
            stack.append(base)
            for m in meta:
                bounds.extend(getattr(m, "metadata", [m]))
        elif get_origin(a) in (Union, UnionType):
            stack.extend(x for x in get_args(a) if x is not type(None))
    base = _strip(annotation)
    words = {bool: "true or false", int: "a whole number", float: "a number", str: "text",
             Path: "a path"}.get(base)
    if words is None:
        origin = get_origin(base)
        words = ("a list" if origin in (tuple, list) and not is_dataclass(_strip(get_args(base)[0]))
                 else "an array of tables" if origin in (tuple, list) else "a table")
    for bound in bounds:
        for attr, text in (("ge", "at least"), ("gt", "greater than"), ("le", "at most"), ("lt", "less than")):
            value = getattr(bound, attr, None)
            if value is not None:
                words += f" of {text} {value}"
    return words


def _message(error: Any) -> str:
    loc = tuple(error["loc"])
    key = _key_name(loc)
    kind = error["type"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        parent = _TREE if len(loc) == 1 else _child_path(loc[:-1])
        known = _known_keys(parent) if parent is not None else []
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        if len(loc) == 1:  # a top-level key: name it as written ([[x]], [x] or x)
            value = error.get("input")
            key = f"[[{loc[0]}]]" if isinstance(value, list) and value and isinstance(value[0], dict) \
                else f"[{loc[0]}]" if isinstance(value, dict) else str(loc[0])
            if not guess:  # a key of some table written at the top, e.g. `batch_size = 3`
                guess = [f"{table}.{loc[0]}" for table, node in _TREE.items()
                         if isinstance(node, dict) and loc[0] in node][:1]
        if guess:
            hint = f"did you mean {_key_name((*loc[:-1], *guess[0].split('.')))}?"
        else:
            hint = ("known keys: " + ", ".join(sorted(known))) if known else "remove it"
        return f"unknown key {key}; {hint}"
    if kind == "missing":
        return f"{key} is missing"
    if kind in ("value_error", "assertion_error"):
        return f"{key} {error.get('ctx', {}).get('error', error['msg'])}"
    annotation = _child_path(loc)
    expects = _expects(annotation) if annotation is not None else error["msg"].lower()
    return f"{key} must be {expects}, got {error['input']!r}"


def _child_path(loc: tuple[Any, ...]) -> Any:
    node: Any = _TREE
    for part in loc:
        node = _child(node, part)
        if node is None:
            return None
    return node


def _settings_from(doc: dict[str, Any], path: Path) -> Settings:
    """Validate the parsed file against the schema and build `Settings`; every problem is
    reported at once, one line each, naming the file and the key."""
    base = path.resolve().parent
    sources = doc.get("sources")
    if isinstance(sources, list):  # a source without a name is named by its position
        doc = {**doc, "sources": [{"name": f"source{i}", **entry} if isinstance(entry, dict) else entry
                                  for i, entry in enumerate(sources, 1)]}
    try:
        # JSON mode: strict types (`true` is not 1, "30" is not 30), arrays still become tuples.
        parsed = _SCHEMA.model_validate_json(json.dumps(doc, default=str), strict=True)
    except ValidationError as exc:
        raise ConfigError("\n".join(f"config {path}: {_message(e)}" for e in exc.errors())) from None
    values: dict[str, Any] = {}
    for name, marker, _ in _marked_fields():
        value = (getattr(getattr(parsed, marker.table), marker.key or name) if isinstance(marker, In)
                 else getattr(parsed, marker.name or name))
        if isinstance(value, Path):  # paths are relative to the config file
            value = Path(resolve_location(str(value), base))
        values[name] = value
    values["sources"] = tuple(replace(s, location=resolve_location(s.location, base))
                              for s in values["sources"])
    names = [s.name for s in values["sources"]]
    if len(set(names)) != len(names):
        raise ConfigError(f"config {path}: [[sources]] names must be unique, got {names}")
    values["publishers"] = {k.lower(): v for k, v in values["publishers"].items()}
    values["topics"] = _parsed_topics(values["topics"], path)
    if values["report"].path is not None:
        values["report"] = replace(values["report"],
                                   path=Path(resolve_location(str(values["report"].path), base)))
    origins = {name: f"[[sources]] '{name}' location in {path}" for name in names}
    return Settings(config_path=path.resolve(), test_pause_at=_test_pause_at(), source_origins=origins, **values)


def _parsed_topics(specs: tuple[TopicSpec, ...], path: Path) -> tuple[Topic, ...]:
    """Parse each topic's query; one that does not parse names the topic and the position."""
    topics: list[Topic] = []
    for spec in specs:
        name = spec.name.strip()
        if any(t.name == name for t in topics):
            raise ConfigError(f"config {path}: topic names must be unique; {name!r} appears twice")
        try:
            topics.append(Topic.parse(name, spec.query))
        except QueryError as exc:
            raise ConfigError(f"config {path}: topic {name!r}: the query does not parse at position "
                              f"{exc.position}: {exc.reason}") from exc
    return tuple(topics)
