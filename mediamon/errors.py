"""mediamon's exceptions: one small tree, so the CLI can turn any of them into one line.

    MediamonError
    ├── ConfigError            the config file or an option is unusable
    │   ├── WatchlistError     a watchlist file cannot be used (transforms/entities/watchlist.py)
    │   └── QueryError         a topic or search query does not parse (transforms/monitoring/boolean_query.py)
    ├── SourceError            a whole source could not be read (one bad document is data, not an error)
    ├── WarehouseError         the DuckDB warehouse cannot be opened, is locked, or a write failed
    ├── QualityError           the run's own invariants do not hold (e.g. counts that don't add up)
    └── AlertDeliveryError     the webhook did not take the alerts (mediamon/raise_alerts.py)

Raised and caught inside mediamon, never shown as such (so outside the tree):

    DecodeError(ValueError)          transforms/extraction/decoding.py: bytes that are not a text document;
                                     the document becomes a quarantine row with its message
    OverBudget(Exception)            transforms/extraction/clean.py: one document used up its time budget;
                                     the document becomes a quarantine row
    RunInterrupted(KeyboardInterrupt)  mediamon/interrupts.py: SIGINT/SIGTERM stopped a run

Messages name the thing that failed and, where there is one, the fix.
"""


class MediamonError(Exception):
    """Base class: `str(error)` is a complete one-line message for the user."""


class ConfigError(MediamonError):
    pass


class WatchlistError(ConfigError):
    """A watchlist file that cannot be used; the message names the file and the fix."""


class QueryError(ConfigError):
    """A query that does not parse; `position` is the 1-based character where it went wrong."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at position {position})")
        self.reason = message
        self.position = position


class SourceError(MediamonError):
    pass


class WarehouseError(MediamonError):
    pass


class QualityError(MediamonError):
    pass


class AlertDeliveryError(MediamonError):
    """The webhook did not take the alerts; they stay stored and are sent again next time."""
