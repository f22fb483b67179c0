"""What runs inside a worker process of the local pool: no Prefect, no polars, no DuckDB.

Spawned workers import only this module and the transforms they run, so each one stays as
small as the extractors and the spaCy model make it (Prefect alone would add ~50 MB each).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Texts per nlp.pipe batch inside a worker. Measured on the dev corpus: 16 peaks at ~630 MB
# per worker where 64 peaks at ~950 MB (long bodies), and is faster too (6.6 s vs 10.8 s / 130 docs).
NER_PIPE_BATCH = 16

# One Tagger per process and watchlist: loading spaCy costs seconds, a batch only milliseconds.
_TAGGERS: dict[Path | None, Any] = {}


def quiet_worker() -> None:
    """Pool initializer: library warnings are not for the terminal (the parent decides)."""
    import warnings

    warnings.simplefilter("ignore")


def tag_batch(inputs: Sequence[Any], watchlist: Path | None) -> tuple[list[Any], list[Any]]:
    """Tag one batch of `TagInput`s in this process, loading the model on first use."""
    from transforms.entities import Tagger

    tagger = _TAGGERS.get(watchlist)
    if tagger is None:
        tagger = _TAGGERS[watchlist] = Tagger(watchlist, batch_size=NER_PIPE_BATCH)
    return tagger.tag(inputs)  # type: ignore[no-any-return]
