"""`mediamon`: the command line. Parses arguments, calls the library, prints results.

Errors from the library (`MediamonError`) become one line on stderr and exit
code 1 (2 for usage errors); `--debug` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
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
    if not (sources or settings.sources):
        raise MediamonError("nothing to run: give --source PATH_OR_URL or add [[sources]] to the config")
    from mediamon.runtime import prepare_environment

    prepare_environment(None, settings.debug)
    from flows.pipeline import run_pipeline

    summary = run_pipeline(settings, sources)
    print(format_summary(summary))
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
    if s.stage_seconds:
        lines.append("  stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in s.stage_seconds.items()))
    lines.append(f"  warehouse: {s.warehouse}")
    lines.append(f"  parquet:   {s.parquet}/{{articles,mentions,entities,article_clusters}}")
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
    columns, rows = read_query(settings.warehouse_dir, args.query)
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


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="config file (default: ./mediamon.toml)")
    common.add_argument("--debug", action="store_true", help="show tracebacks and library logs")

    parser = argparse.ArgumentParser(
        prog="mediamon", parents=[common],
        description="Media-monitoring ETL: news pages in, clean tagged articles out (DuckDB + Parquet).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser("run", parents=[common], help="run the whole pipeline once",
                         description="Extract, clean, check, tag and load every source once.")
    run.add_argument("--source", action="append", metavar="PATH_OR_URL",
                     help="a folder, file, feed, sitemap, URL list or WARC (repeatable); "
                          "default: the config's [[sources]]")
    run.add_argument("--warehouse", metavar="DIR", help="warehouse directory (default from config: data/)")
    run.set_defaults(func=cmd_run)

    sql = sub.add_parser("sql", parents=[common], help="run a read-only SQL query on the warehouse",
                         description="Run ad-hoc DuckDB SQL against the warehouse, read-only.")
    sql.add_argument("query", metavar="QUERY", help="the SQL to run")
    sql.add_argument("--warehouse", metavar="DIR", help="warehouse directory (default from config: data/)")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table",
                     help="output format (json: an array of row objects)")
    sql.set_defaults(func=cmd_sql)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
    except Exception as exc:  # a bug: still one line, with the way to see more
        if args.debug:
            raise
        print(f"mediamon: internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
