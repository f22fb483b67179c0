"""Keep per-site field health current after a run's load: read the changed days from the warehouse,
compute with the pure functions of transforms/monitoring/field_health.py, store the result.

No Prefect or great-expectations here: the flow (flows/quality.py) and a re-run that finishes
without the pipeline (mediamon/precheck.py) both call it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from transforms.monitoring.field_health import refreshed_health

if TYPE_CHECKING:
    from mediamon.warehouse import Warehouse


def field_health(warehouse: Warehouse, run_id: str, min_words: int) -> list[str]:
    """Refresh the per-site field health of the days whose articles changed (computed by
    transforms.monitoring.field_health, stored by the warehouse); returns one warning per sharp drop."""
    days = warehouse.field_health_days()
    if not days:
        return []
    articles, past = warehouse.field_health_inputs(days)
    rates, drops = refreshed_health(articles, past, days, min_words)
    warehouse.store_field_health(days, rates, drops, run_id)
    return list(drops["message"])
