"""After each load: write the report and raise alerts (`[report] after_run`, `[alerts] after_run`).

Runs at the end of the pipeline flow, after the writer lock is released, so the report and the
alerts always match the data just loaded (also in the scheduled flow). The run's data is already
committed: a failure here is a warning in the run summary, never a failed run.
"""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from mediamon.raise_alerts import alert_json, format_alert, run_alerts
from mediamon.config import Settings
from mediamon.errors import MediamonError
from mediamon.report import build_report


@task(name="after load: report and alerts", cache_policy=NO_CACHE, persist_result=False)
def report_and_alerts(settings: Settings) -> list[str]:
    """Write the report and/or raise alerts as configured; returns warnings for the run summary."""
    logger = get_run_logger()
    warnings: list[str] = []
    if settings.report.after_run:
        try:
            result = build_report(settings)
            logger.info("report written to %s: %s", result.path, result.note)
        except MediamonError as exc:
            warnings.append(f"report after the run failed: {exc}")
    if settings.alerts.after_run:
        try:
            outcome = run_alerts(settings)
            for row in outcome.fired.iter_rows(named=True):
                logger.warning("alert: %s", format_alert(alert_json(row)))
            if outcome.delivery_error:
                warnings.append(f"alerts: {outcome.delivery_error}")
        except MediamonError as exc:
            warnings.append(f"alerts after the run failed: {exc}")
    return warnings


def after_load(settings: Settings) -> list[str]:
    """The pipeline's hook: nothing (and no task run) unless one of the after_run settings is on."""
    if not (settings.report.after_run or settings.alerts.after_run):
        return []
    return report_and_alerts(settings)
