"""`mediamon`: the command line. Parses arguments, calls the library, prints results.

Errors from the library (`MediamonError`) become one line on stderr and exit
code 1 (2 for usage errors); `--debug` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from mediamon.config import Settings, SourceSpec, load_settings, resolve_location
from mediamon.errors import MediamonError


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(Path(args.config) if args.config else None)
    if getattr(args, "warehouse", None):
        settings = settings.with_overrides(warehouse_dir=Path(args.warehouse).resolve())
    return settings.with_overrides(debug=args.debug)


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    sources = None
    if args.source:
        sources = [SourceSpec(name=_source_name(loc), location=resolve_location(loc, Path.cwd()))
                   for loc in args.source]
        settings = settings.with_overrides(source_origins={s.name: "--source" for s in sources})
    if not (sources or settings.sources):
        raise MediamonError("nothing to run: give --source PATH_OR_URL or add [[sources]] to the config")
    from mediamon.runtime import prepare_environment

    prepare_environment(None, settings.debug)
    from mediamon.interrupts import RunInterrupted, stop_on_signals
    from mediamon.precheck import precheck_run
    from mediamon.progress import ProgressPrinter

    if args.full:
        settings = settings.with_overrides(full=True)
    # Nothing new (a re-run over unchanged local files): the run is recorded without the pipeline.
    with stop_on_signals() as stop:
        try:
            checked = precheck_run(settings, sources, progress=ProgressPrinter(sys.stderr))
        except RunInterrupted:
            return stop.report()
    if checked.summary is not None:
        print(format_summary(checked.summary))
        print(f"  {NOT_STARTED}")
        return exit_code(checked.summary)
    if settings.debug:
        print(f"mediamon: starting the pipeline: {checked.reason}", file=sys.stderr)
    from mediamon.runtime import start_embedded_api, use_embedded_api

    api = start_embedded_api()  # comes up while the pipeline imports
    if checked.new_documents is not None and not settings.dask_address:
        from mediamon.worker_server import start_early

        # The workers' models load meanwhile too, not after the flow's first read.
        start_early(checked.new_documents, settings.workers)
    from flows.pipeline import run_pipeline

    with stop_on_signals() as stop, use_embedded_api(api):
        try:
            summary = run_pipeline(settings, sources, progress=ProgressPrinter(sys.stderr))
        except RunInterrupted:
            return stop.report()
    print(format_summary(summary))
    return exit_code(summary)


NOT_STARTED = "pipeline not started: nothing new since the last run (--full runs it anyway)"
EXIT_SOURCE_FAILED = 3  # the run completed, but a source yielded nothing at all (see README)


def exit_code(summary: Any) -> int:
    """0 when every source was collected (or not modified), 3 when some source failed entirely."""
    if summary.failed_sources:
        print(f"mediamon: {len(summary.failed_sources)} source{'s' if len(summary.failed_sources) != 1 else ''} "
              f"failed entirely: {', '.join(summary.failed_sources)} (exit {EXIT_SOURCE_FAILED})", file=sys.stderr)
        return EXIT_SOURCE_FAILED
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from mediamon.runtime import prepare_environment

    prepare_environment(None, settings.debug)
    from flows.deploy import register

    for plan in register(settings):
        print(f"registered {plan.describe()}")
    print("start `mediamon serve` (e.g. as a systemd service) to run them")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from mediamon.runtime import prepare_environment

    prepare_environment(None, settings.debug)
    from flows.deploy import plan_groups, require_server, serve

    plans = plan_groups(settings)
    require_server()  # before "serving …": a missing or dead server fails up-front
    for plan in plans:
        print(f"serving {plan.describe()}", flush=True)
    serve(settings)
    return 0


def _source_name(location: str) -> str:
    if "://" in location:
        from urllib.parse import urlsplit

        return urlsplit(location).hostname or location
    return Path(location).name or location


def format_summary(s: Any) -> str:
    lines = [
        f"run {s.run_id}: {s.documents_in} documents in, {s.articles} articles "
        f"({s.articles_new} new, {s.articles_updated} updated, {s.articles_unchanged} unchanged, "
        f"{s.duplicates} duplicates), {s.quarantined} quarantined"
        + (f", {s.not_modified} web pages not modified" if getattr(s, "not_modified", 0) else ""),
    ]
    if getattr(s, "skipped_unchanged", 0):
        lines.append(f"  {s.skipped_unchanged} documents unchanged since an earlier run: counted, not parsed "
                     "again (--full reprocesses them)")
    if s.quarantine_reasons:
        top = sorted(s.quarantine_reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
        lines.append("  quarantined: " + "; ".join(f"{reason} ({n})" for reason, n in top))
    if s.dq_warnings:
        lines.append("  DQ warnings: " + ", ".join(f"{k} {v}" for k, v in sorted(s.dq_warnings.items())))
    else:
        lines.append("  DQ warnings: none")
    for problem in s.problems[:10]:
        lines.append(f"  warning: {problem}")
    if len(s.problems) > 10:
        lines.append(f"  … and {len(s.problems) - 10} more source warnings")
    if s.skipped_files:
        lines.append(f"  skipped {s.skipped_files} files that are not .html/.htm/.txt pages")
    from mediamon.retag import describe_retag

    lines.extend(f"  {line}" for line in describe_retag(getattr(s, "retag", None) or {}))
    if s.stage_seconds:
        lines.append("  stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in s.stage_seconds.items()))
    lines.append(f"  warehouse: {s.warehouse}")
    lines.append(f"  parquet:   {s.parquet}/{{articles,mentions,entities,article_clusters,article_topics}}")
    return "\n".join(lines)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, list | tuple):
        return [_cell(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _cell(v) for k, v in value.items()}
    return value


def cmd_sql(args: argparse.Namespace) -> int:
    from mediamon.warehouse import read_query

    settings = _settings(args)
    if _is_empty_sql(args.query):
        raise MediamonError('empty query: give the SQL to run, e.g. mediamon sql "SELECT count(*) FROM articles"')
    columns, rows = read_query(settings.warehouse_dir, args.query, settings.lock_timeout_seconds)
    out = sys.stdout
    if args.format == "json":
        json.dump([{c: _cell(v) for c, v in zip(columns, row, strict=True)} for row in rows], out,
                  ensure_ascii=False, indent=None)
        out.write("\n")
    elif args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([json.dumps(_cell(v), ensure_ascii=False) if isinstance(v, list | dict) else v
                             for v in row])
    else:
        out.write(format_table(columns, rows) + "\n")
    return 0


def _is_empty_sql(query: str) -> bool:
    """Nothing but blanks, comments and semicolons (a syntax error is for the query to report)."""
    import duckdb

    try:
        return not duckdb.extract_statements(query)
    except duckdb.Error:
        return False


def cmd_export(args: argparse.Namespace) -> int:
    from mediamon.export import export_snapshot

    settings = _settings(args)
    target = Path(args.to).resolve()
    counts = export_snapshot(settings.warehouse_dir, target, force=args.force,
                             lock_timeout=settings.lock_timeout_seconds)
    print(f"exported {len(counts)} tables ({sum(counts.values())} rows) to {target}")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from sources.status import sources_report

    settings = _settings(args)
    report = sources_report(settings)
    if args.format == "json":
        json.dump({"sources": [{k: _cell(v) for k, v in row.items()} for row in report.rows],
                   "note": report.note, "unconfigured": report.unconfigured}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not report.rows:
        where = settings.config_path or "the config (no mediamon.toml here)"
        print(f"no [[sources]] in {where}; add some, or give `mediamon run --source PATH_OR_URL`")
    else:
        columns = ["name", "kind", "location", "group", "every", "publisher", "urls ok", "failed", "articles",
                   "quarantined", "last fetched", "last error"]
        rows = [[r["name"], r["kind"], r["location"], r["group"],
                 f"{r['interval_minutes']} min" if r["interval_minutes"] else "-", r["publisher"] or "-",
                 r["urls_ok"], r["urls_failed"], r["articles"], r["quarantined"],
                 _when(r["last_fetched_at"]), r["last_error"] or "-"] for r in report.rows]
        print(format_table(columns, rows))
    if report.note:
        print(report.note)
    if report.unconfigured:
        print("also in the warehouse, not in the config: " + ", ".join(report.unconfigured))
    return 0


def _when(value: Any) -> str:
    if value is None:
        return "never"
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _since(value: str) -> datetime:
    """--since: a date (midnight UTC) or an ISO date-time (UTC unless it says otherwise)."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date: {value!r} (expected e.g. 2024-05-01 or 2024-05-01T10:00Z)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def cmd_reprocess(args: argparse.Namespace) -> int:
    from mediamon.warehouse import count_raw_documents

    settings = _settings(args)
    if not settings.duckdb_path.exists():
        raise MediamonError(f"no warehouse at {settings.duckdb_path}; run `mediamon run` first")
    if args.tags_only:
        return _retag_only(settings)
    stored = count_raw_documents(settings.warehouse_dir, args.since, args.source)
    if stored == 0:
        which = (f" of source '{args.source}'" if args.source else "") + \
            (f" fetched since {args.since.isoformat()}" if args.since else "")
        raise MediamonError(f"nothing to reprocess: the warehouse holds no stored documents{which} "
                            "(`mediamon sources` shows what it has)")
    from mediamon.runtime import prepare_environment

    prepare_environment(None, settings.debug)
    from sources.stored import Reprocess
    from flows.pipeline import run_pipeline

    sources = None
    if args.source:
        sources = [s for s in settings.sources if s.name == args.source] or [
            SourceSpec(name=args.source, location="")]
    from mediamon.interrupts import RunInterrupted, stop_on_signals

    with stop_on_signals() as stop:
        try:
            summary = run_pipeline(settings, sources, reprocess=Reprocess(since=args.since, source=args.source))
        except RunInterrupted:
            return stop.report()
    print(format_summary(summary))
    return 0


def _retag_only(settings: Settings) -> int:
    from mediamon.retag import describe_retag, retag_warehouse

    run_id, counts = retag_warehouse(settings)
    print(f"run {run_id}: stored articles re-tagged (watchlist and topics only; no NER, no extraction)")
    for line in describe_retag(counts) or ["no watchlist entries and no topics configured: nothing to match"]:
        print(f"  {line}")
    index = counts.get("search_index", {})
    print(f"  search index: {index.get('articles_indexed', 0)} articles indexed")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from mediamon.search import search
    from transforms.monitoring.boolean_query import QueryError

    settings = _settings(args)
    try:
        result = search(settings.warehouse_dir, args.query, since=args.since, publisher=args.publisher,
                        limit=args.limit, timeout=settings.lock_timeout_seconds)
    except QueryError as exc:
        raise MediamonError(f"the query does not parse at position {exc.position}: {exc.reason}") from exc
    columns = ["day", "publisher", "title", "snippet", "url", "matched_terms"]
    rows = [[h.day, h.publisher, h.title, h.snippet, h.url, list(h.matched_terms)] for h in result.hits]
    if args.format == "json":
        json.dump([{c: _cell(v) for c, v in zip(columns, row, strict=True)} for row in rows], sys.stdout,
                  ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([*(_cell(v) for v in row[:-1]), "; ".join(row[-1])])
    else:
        print(format_table(columns[:4], [r[:4] for r in rows], max_width=80))
    return 0


def _since_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (expected YYYY-MM-DD)") from None


def _since_period(value: str) -> Any:
    """--since of report/alerts: `7d` (the last 7 days that have articles) or a date."""
    from transforms.monitoring.alert_rules import parse_since

    try:
        return parse_since(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix(f"--since {value!r}: ")) from None


def cmd_report(args: argparse.Namespace) -> int:
    from mediamon.report import build_report

    settings = _settings(args)
    result = build_report(settings, args.since, Path(args.out).resolve() if args.out else None)
    print(f"report written to {result.path}: {result.note}")
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from mediamon.raise_alerts import AlertDeliveryError, alert_json, format_alert, run_alerts

    settings = _settings(args)
    outcome = run_alerts(settings, args.since)
    fired = [alert_json(a) for a in outcome.fired.iter_rows(named=True)]
    if args.format == "json":
        json.dump({"period": outcome.period.label, "alerts": fired, "not_judged": outcome.not_judged,
                   "delivered": outcome.delivered, "delivery_error": outcome.delivery_error}, sys.stdout,
                  ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        if not outcome.period.days:
            print("no articles yet: nothing to judge")
        else:
            watched = f"{outcome.watched} watchlist entit{'ies' if outcome.watched != 1 else 'y'}"
            if outcome.topics:
                watched += f" and {outcome.topics} topic{'s' if outcome.topics != 1 else ''}"
            print(f"{len(fired)} new alert{'s' if len(fired) != 1 else ''} for {outcome.period.label} "
                  f"({watched} watched for spikes)")
        for alert in fired:
            print("  " + format_alert(alert))
        for note in outcome.not_judged:
            print(f"  spikes not judged on {note}")
        if outcome.delivered:
            print(f"  webhook: {outcome.delivered} alert{'s' if outcome.delivered != 1 else ''} delivered")
    if outcome.delivery_error:
        raise AlertDeliveryError(outcome.delivery_error)
    return 0


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 60) -> str:
    def show(v: Any) -> str:
        text = "NULL" if v is None else str(_cell(v))
        text = " ".join(text.split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[show(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda vals: " | ".join(v.ljust(w) for v, w in zip(vals, widths, strict=True))  # noqa: E731
    parts = [line(columns), "-+-".join("-" * w for w in widths)] + [line(r) for r in cells]
    parts.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(parts)


def _global_options(parser: argparse.ArgumentParser, *, inherited: bool) -> None:
    """The options every command takes, before or after its name (`mediamon --config X run` and
    `mediamon run --config X`). A sub-command's copy has no default of its own (SUPPRESS), so it
    only sets a value the user typed after the command and never overwrites one typed before it."""
    default: dict[str, Any] = {"default": argparse.SUPPRESS} if inherited else {}
    parser.add_argument("--config", metavar="FILE", help="config file (default: ./mediamon.toml)",
                        **({"default": None} | default))
    parser.add_argument("--debug", action="store_true", help="show tracebacks and library logs",
                        **({"default": False} | default))
    parser.add_argument("--warehouse", metavar="DIR",
                        help="warehouse directory (default from config: data/)", **({"default": None} | default))


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, inherited=True)

    parser = argparse.ArgumentParser(
        prog="mediamon",
        description="Media-monitoring ETL: news pages in, clean tagged articles out (DuckDB + Parquet).")
    _global_options(parser, inherited=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser("run", parents=[common], help="run the whole pipeline once",
                         description="Extract, clean, check, tag and load every source once.")
    run.add_argument("--source", action="append", metavar="PATH_OR_URL",
                     help="a folder, file, feed, sitemap, URL list or WARC (repeatable); "
                          "default: the config's [[sources]]")
    run.add_argument("--full", action="store_true",
                     help="process every document again, even those whose bytes did not change since "
                          "the last run (e.g. after upgrading mediamon's extraction)")
    run.set_defaults(func=cmd_run)

    sql = sub.add_parser("sql", parents=[common], help="run a read-only SQL query on the warehouse",
                         description="Run ad-hoc DuckDB SQL against the warehouse, read-only.")
    sql.add_argument("query", metavar="QUERY", help="the SQL to run")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table",
                     help="output format (json: an array of row objects)")
    sql.set_defaults(func=cmd_sql)

    export = sub.add_parser(
        "export", parents=[common], help="write a self-contained Parquet snapshot of the warehouse",
        description="Write every table (articles, mentions, entities, quarantine, runs, clusters, ...) as "
                    "one Parquet file each, with manifest.json (row counts, schema version) and a README, "
                    "to an empty folder. Reads the warehouse read-only.")
    export.add_argument("--to", metavar="DIR", required=True, help="the folder to write (must be empty)")
    export.add_argument("--force", action="store_true",
                        help="write into a non-empty folder, replacing the snapshot files there")
    export.set_defaults(func=cmd_export)

    deploy = sub.add_parser(
        "deploy", parents=[common], help="register one Prefect deployment per source group",
        description="Register (or update) a Prefect deployment per [[sources]] group, with the group's cron or "
                    "interval schedule, on the Prefect server named by PREFECT_API_URL.")
    deploy.set_defaults(func=cmd_deploy)
    serve = sub.add_parser(
        "serve", parents=[common], help="run the scheduled deployments in the foreground",
        description="Register the deployments and execute their runs here, one at a time, until stopped "
                    "(what a systemd unit or a container starts). Needs PREFECT_API_URL.")
    serve.set_defaults(func=cmd_serve)

    sources = sub.add_parser(
        "sources", parents=[common], help="list the configured sources and their last fetch",
        description="List the config's [[sources]] (kind, group, interval, publisher) with their last "
                    "fetch status from the warehouse. Read-only, no network.")
    sources.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    sources.set_defaults(func=cmd_sources)

    reprocess = sub.add_parser(
        "reprocess", parents=[common], help="re-run clean, quality, tag and load on stored raw pages",
        description="Run clean → quality → tag → load again on the raw bytes stored in the warehouse "
                    "(raw_documents), without touching the network. Unchanged articles add nothing.")
    reprocess.add_argument("--since", metavar="DATE", type=_since,
                           help="only documents fetched at or after DATE "
                                "(2024-05-01 or an ISO date-time, UTC)")
    reprocess.add_argument("--source", metavar="NAME", help="only documents of this source name")
    reprocess.add_argument("--tags-only", action="store_true",
                           help="only re-match the watchlist and [[topics]] on the stored article bodies "
                                "(no extraction, no NER); fast, e.g. after editing definitions")
    reprocess.set_defaults(func=cmd_reprocess)

    report = sub.add_parser(
        "report", parents=[common], help="write the offline HTML monitoring report",
        description="Write one self-contained HTML page (opens offline) with volume, top entities, "
                    "watchlist spikes, syndication, data quality and the most-mentioned stories. "
                    "Reads the warehouse read-only.")
    report.add_argument("--since", metavar="7d|DATE", type=_since_period,
                        help="period: the last N days that have articles (default 7d, from [report] days), "
                             "or every day from DATE (YYYY-MM-DD) on")
    report.add_argument("--out", metavar="FILE.html",
                        help="where to write it (default: [report] path, else <warehouse>/report.html)")
    report.set_defaults(func=cmd_report)

    alerts = sub.add_parser(
        "alerts", parents=[common], help="raise spike and new-entity alerts",
        description="Judge the newest days against the [alerts] rules (watchlist spikes: median + k × MAD "
                    "of the 28 days before; entities new in more than M outlets), store new alerts "
                    "(each fires once), print them and POST them to [alerts] webhook when set.")
    alerts.add_argument("--since", metavar="1d|DATE", type=_since_period,
                        help="days to judge: the last N days that have articles (default 1d), "
                             "or every day from DATE (YYYY-MM-DD) on")
    alerts.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    alerts.set_defaults(func=cmd_alerts)

    search = sub.add_parser(
        "search", parents=[common], help="Boolean search over the stored articles, newest first",
        description="Search the warehouse read-only with the [[topics]] query language: AND, OR, NOT, "
                    '(), "phrases", NEAR/n, prefix*, title: and publisher: (README: "Query language"). '
                    "Prints day, publisher, title and a snippet with the matches in [brackets].")
    search.add_argument("query", metavar="QUERY", help='e.g. \'"climate change" AND (EU OR Brussels)\'')
    search.add_argument("--since", metavar="DATE", type=_since_day, help="only articles of DATE (YYYY-MM-DD) on")
    search.add_argument("--publisher", metavar="NAME",
                        help="only this publisher (or site); %% is a wildcard, case is ignored")
    search.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    search.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results (default 20)")
    search.set_defaults(func=cmd_search)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is not None:  # a caller passing arguments (tests): return the code
        return _main(argv)
    # The `mediamon` process itself: leave through exit_process on every path (see there).
    from mediamon.runtime import exit_process

    try:
        code = _main(argv)
    except SystemExit:
        raise  # argparse's usage errors and --help, before anything was opened
    except BaseException:  # --debug lets errors through, or stderr is gone (a closed pipe)
        import traceback

        try:
            traceback.print_exc()
        except BaseException:  # noqa: S110 - nowhere left to say it; still leave cleanly
            pass
        code = 1
    exit_process(code)
    return code


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except MediamonError as exc:
        if args.debug:
            raise
        print(f"mediamon: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mediamon: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`mediamon sql … | head`): not an error. Point stdout at /dev/null so
        # the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: still one line, with the way to see more
        if args.debug:
            raise
        duckdb = sys.modules.get("duckdb")  # loaded if the error is DuckDB's
        if duckdb is not None and isinstance(exc, duckdb.OutOfMemoryException):
            from mediamon.sql import duckdb_message

            print(f"mediamon: error: {duckdb_message(exc)}", file=sys.stderr)
            return 1
        print(f"mediamon: internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
