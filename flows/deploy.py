"""Scheduled monitoring: one Prefect deployment per source group, served in the foreground.

    mediamon deploy   registers (or updates) the deployments on the Prefect server
    mediamon serve    registers them and runs their flow runs until stopped (systemd, containers)

Both use Prefect's own mechanism (`Flow.to_deployment` + `prefect.serve`), so schedules,
runs, logs and the run-summary artifacts show in the Prefect UI. A group's schedule is its
`[groups.NAME]` table (`cron` wins over `interval_minutes`), else the shortest
`interval_minutes` of its sources, else none (run it from the UI or the API).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prefect import flow

from mediamon.config import Settings, load_settings
from mediamon.errors import ConfigError, MediamonError

FLOW_NAME = "mediamon-scheduled"


@dataclass(frozen=True)
class GroupPlan:
    """What `mediamon deploy` registers for one source group."""

    group: str
    sources: tuple[str, ...]
    cron: str | None
    interval_minutes: int | None
    timezone: str = "UTC"

    @property
    def deployment_name(self) -> str:
        return f"{FLOW_NAME}/{self.group}"

    def describe(self) -> str:
        when = (f"cron '{self.cron}' ({self.timezone})" if self.cron else
                f"every {self.interval_minutes} min" if self.interval_minutes else "no schedule (run on demand)")
        return f"{self.deployment_name}: {when}; sources: {', '.join(self.sources)}"


def plan_groups(settings: Settings) -> list[GroupPlan]:
    """One plan per source group, in config order; a config without sources is a `ConfigError`."""
    if settings.config_path is None:
        raise ConfigError("deployments are made from a config file: give --config FILE or run where "
                          "mediamon.toml is")
    if not settings.sources:
        raise ConfigError(f"config {settings.config_path} has no [[sources]] to deploy")
    groups: dict[str, list[Any]] = {}
    for spec in settings.sources:
        groups.setdefault(spec.group, []).append(spec)
    unknown = sorted(set(settings.groups) - set(groups))
    if unknown:
        raise ConfigError(f"config {settings.config_path}: [groups.{unknown[0]}] has no sources "
                          f"(set group = \"{unknown[0]}\" on some [[sources]] or remove the table)")
    plans = []
    for group, specs in groups.items():
        schedule = settings.groups.get(group)
        intervals = [s.interval_minutes for s in specs if s.interval_minutes]
        cron = schedule.cron if schedule else None
        interval = (schedule.interval_minutes if schedule and schedule.interval_minutes else
                    min(intervals) if intervals else None)
        plans.append(GroupPlan(group=group, sources=tuple(s.name for s in specs), cron=cron,
                               interval_minutes=None if cron else interval,
                               timezone=schedule.timezone if schedule else "UTC"))
    return plans


@flow(name=FLOW_NAME, log_prints=False)
def scheduled_run(config: str, group: str) -> dict[str, Any]:
    """One run of a source group, as the deployments start it: reads the config, runs its sources."""
    from flows.pipeline import run_pipeline

    def say(line: str) -> None:  # one line per run on `mediamon serve`'s output
        print(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC {FLOW_NAME}/{group}: {line}", flush=True)

    try:
        settings = load_settings(Path(config))
        sources = [s for s in settings.sources if s.group == group]
        if not sources:
            raise ConfigError(f"config {config} has no [[sources]] in group '{group}' any more; "
                              "run `mediamon deploy` again")
        summary = run_pipeline(settings, sources)
    except Exception as exc:
        say(f"failed: {exc}")
        raise
    failed = f"; {len(summary.failed_sources)} sources failed entirely: {', '.join(summary.failed_sources)}" \
        if summary.failed_sources else ""
    say(f"run {summary.run_id}: {summary.documents_in} documents in, {summary.articles} articles "
        f"({summary.articles_new} new), {summary.quarantined} quarantined{failed}")
    return {"run_id": summary.run_id, "documents_in": summary.documents_in, "articles_new": summary.articles_new,
            "articles_updated": summary.articles_updated, "quarantined": summary.quarantined}


def build_deployments(settings: Settings) -> list[Any]:
    """`RunnerDeployment`s for every group (module entrypoint: works from any directory)."""
    from prefect.deployments.runner import EntrypointType

    out = []
    for plan in plan_groups(settings):
        schedule: dict[str, Any] = {}
        if plan.cron:
            from prefect.schedules import Cron

            schedule["schedule"] = Cron(plan.cron, timezone=plan.timezone)
        elif plan.interval_minutes:
            schedule["interval"] = timedelta(minutes=plan.interval_minutes)
        out.append(scheduled_run.to_deployment(
            name=plan.group, parameters={"config": str(settings.config_path), "group": plan.group},
            description=f"mediamon: sources {', '.join(plan.sources)}", tags=["mediamon", f"group:{plan.group}"],
            entrypoint_type=EntrypointType.MODULE_PATH, **schedule))
    return out


def require_server() -> str:
    """The Prefect API URL, once its server answered; deployments need a real server, not the
    embedded one. Checked before anything is printed or registered."""
    import httpx

    url = os.environ.get("PREFECT_API_URL", "")
    if not url:
        raise MediamonError(
            "scheduled runs need a Prefect server: start one (`prefect server start`) and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (see README, 'Scheduled monitoring')")
    try:
        status = httpx.get(url.rstrip("/") + "/health", timeout=10).status_code
    except httpx.HTTPError as exc:
        raise MediamonError(f"the Prefect server at {url} (PREFECT_API_URL) does not answer ({exc}); start it "
                            "(`prefect server start`) or correct PREFECT_API_URL") from exc
    if status != 200:
        raise MediamonError(f"the Prefect server at {url} (PREFECT_API_URL) answered HTTP {status} to its "
                            "health check; is that a Prefect API URL (ending in /api)?")
    return url


def register(settings: Settings) -> list[GroupPlan]:
    """Create or update the deployments on the server; returns what was registered."""
    require_server()
    plans = plan_groups(settings)
    for deployment in build_deployments(settings):
        try:
            deployment.apply()
        except Exception as exc:  # connection refused, HTTP errors: the server is the problem
            raise MediamonError(f"could not register deployment {FLOW_NAME}/{deployment.name} with the Prefect "
                                f"server at {os.environ.get('PREFECT_API_URL')}: {exc}") from exc
    return plans


def serve(settings: Settings) -> None:
    """Register the deployments and run their flow runs here until interrupted.

    One run at a time: the DuckDB warehouse has one writer.
    """
    require_server()
    from prefect import serve as prefect_serve

    deployments = build_deployments(settings)
    prefect_serve(*deployments, limit=1, print_starting_message=False)
