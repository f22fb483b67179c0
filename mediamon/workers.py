"""What runs inside a worker process of the local pool: no Prefect, no polars, no DuckDB.

Workers import only this module and the transforms they run, so each one stays as small as
the extractors and the spaCy model make it (Prefect alone would add ~50 MB each). They fork
from a server process that loaded those once (`preload`), and share its pages.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

from mediamon.native_memory import release_memory

# Texts per nlp.pipe batch inside a worker. Measured on the dev corpus: 16 peaks at ~630 MB
# per worker where 64 peaks at ~950 MB (long bodies), and is faster too (6.6 s vs 10.8 s / 130 docs).
NER_PIPE_BATCH = 16

# One Tagger per process and watchlist: loading spaCy costs seconds, a batch only milliseconds.
_TAGGERS: dict[Path | None, Any] = {}
# What `preload` loaded before the workers forked: the KB and the NER pipelines, by language.
_PRELOADED: dict[str, Any] = {}


@contextmanager
def document_budget(seconds: float) -> Iterator[None]:
    """Raise `transforms.extraction.clean.OverBudget` in the block once it has used `seconds` of CPU time.

    A CPU-time timer (SIGPROF), so a busy machine does not push a document over, and it does not
    disturb the SIGALRM timer Prefect uses for task timeouts. The signal interrupts Python code
    (the extractors' loops); a call into C finishes first. In a thread other than the main one
    (where no signal handler can be set) the time is checked when the document is done.
    """
    from transforms.extraction.clean import OverBudget

    if seconds <= 0:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        started = time.process_time()
        yield
        if time.process_time() - started > seconds:
            raise OverBudget(seconds)
        return

    def over(signum: int, frame: FrameType | None) -> None:
        raise OverBudget(seconds)

    previous = signal.signal(signal.SIGPROF, over)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def budget_guard(seconds: float) -> Callable[[], AbstractContextManager[None]]:
    """The `budget` argument of `clean_batch` for a per-document budget of `seconds`."""
    return partial(document_budget, seconds)


def clean_in_worker(documents: Sequence[Any], run_id: str, publishers: dict[str, str],
                    budget_seconds: float = 0.0) -> Any:
    """`transforms.extraction.clean.clean_batch` in a worker process, then `release_memory`."""
    from transforms.extraction.clean import clean_batch

    try:
        return clean_batch(documents, run_id, publishers, budget_guard(budget_seconds))
    finally:
        release_memory()


def quiet_worker(parent_pid: int | None = None) -> None:
    """Pool initializer: library warnings are not for the terminal (the parent decides), and the
    worker ends with the run that started it, even when that is killed (mediamon.lifeline)."""
    import warnings

    warnings.simplefilter("ignore")
    if parent_pid is not None:
        import os

        from mediamon.lifeline import die_with_parent, die_with_process

        if os.getppid() == parent_pid:  # a spawned worker
            die_with_parent(parent_pid)
        else:
            # Forked by the fork server, which ends only once its workers have (they hold its
            # pipe): the worker follows the run itself, and the server follows its workers.
            die_with_process(parent_pid)


def tag_batch(inputs: Sequence[Any], watchlist: Path | None) -> tuple[list[Any], list[Any]]:
    """Tag one batch of `TagInput`s in this process, loading the model on first use."""
    from transforms.entities.tagging import Tagger

    tagger = _TAGGERS.get(watchlist)
    if tagger is None:
        pipelines = {code: nlp for code, nlp in _PRELOADED.items() if code != "kb"}
        tagger = _TAGGERS[watchlist] = Tagger(watchlist, batch_size=NER_PIPE_BATCH, kb=_PRELOADED.get("kb"),
                                              loaded=pipelines)
    try:
        return tagger.tag(inputs)  # type: ignore[no-any-return]
    finally:
        release_memory()


def preloaded() -> list[str]:
    """What `preload` loaded in this process: "kb" and the NER pipelines' languages."""
    return sorted(_PRELOADED)


def preload() -> None:
    """Import what the workers run and load the models they use, in this process.

    The local pool's workers fork from a server process that ran this (`mediamon.worker_preload`),
    so these pages (about 210 MB of heap: the extractors, the language identifier, spaCy, every
    installed NER pipeline, the KB) are shared copy-on-write between the workers instead of
    being built once in each. The flow process never runs it: forking a process that holds
    threads, Prefect and DuckDB is not safe.
    """
    import gc

    import transforms.extraction.clean  # noqa: F401  (trafilatura, htmldate, lxml)
    from transforms.entities.kb import load_kb
    from transforms.entities.languages import NerRouter
    from transforms.language import load_model

    from transforms.dates.page_dates import warm_up_htmldate

    load_model()
    warm_up_htmldate()
    _PRELOADED["kb"] = load_kb()
    router = NerRouter()
    for code in router.pipelines:  # every installed pipeline: English, French
        if router.has_model(code):
            _PRELOADED[code] = router.pipeline(code)
    # Objects that live as long as the worker: out of the collector's sight, so a collection in a
    # worker does not write to (and un-share) their pages.
    gc.collect()
    gc.freeze()
