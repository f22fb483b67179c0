"""mediamon's exceptions: one small tree, so the CLI can turn any of them into one line.

    MediamonError
    ├── ConfigError      the config file or an option is unusable
    ├── SourceError      a whole source could not be read (one bad document is data, not an error)
    ├── WarehouseError   the DuckDB warehouse cannot be opened, is locked, or a write failed
    └── QualityError     the run's own invariants do not hold (e.g. counts that don't add up)

Messages name the thing that failed and, where there is one, the fix.
"""


class MediamonError(Exception):
    """Base class: `str(error)` is a complete one-line message for the user."""


class ConfigError(MediamonError):
    pass


class SourceError(MediamonError):
    pass


class WarehouseError(MediamonError):
    pass


class QualityError(MediamonError):
    pass
