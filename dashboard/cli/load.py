"""`load PATH... --db PATH [--mapping FILE] [--strict]`: load exports, publish atomically,
print a summary and the problems by reason: a count and the first rows of each
(file, row, column, value, reason in zh / en); every row is in the report's rejected.csv."""
from __future__ import annotations

import getpass
import sys

from .. import config


SHOW_PER_REASON = 5


def print_problems(problems, report_dir, show: int = SHOW_PER_REASON, out=None) -> None:
    """Problems by reason: '<count> × <file> <column>: <reason>' then the first
    `show` rows of it, and where the rest are."""
    from ..loader.report import by_reason
    out = out or sys.stderr
    groups = by_reason(problems)
    if not groups:
        return
    print(f"problems by reason ({len(problems)} in all; every row in {report_dir}/rejected.csv):", file=out)
    for (kind, file, column, zh, en), items in groups:
        where = f"{file} {column}".strip()
        print(f"  {len(items)} × {kind} {where}: {zh} / {en}", file=out)
        for p in items[:max(show, 0)]:
            print(f"    {p.message}", file=out)
        if len(items) > show:
            print(f"    … {len(items) - show} more", file=out)


def register(sub) -> None:
    p = sub.add_parser("load", help="load export files (CSV/XLSX/XLS/Parquet) into the database",
                       description="Load exports named after contract tables (orders.csv, stores.xlsx ...) or "
                                   "described by a mapping file; validate, upsert and publish atomically.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files to load")
    p.add_argument("--db", default=None, help="database file (default: $DASHBOARD_DB or data/demo.duckdb)")
    p.add_argument("--mapping", action="append", default=[], metavar="FILE",
                   help="YAML mapping file (repeatable; see data/mappings/)")
    p.add_argument("--strict", action="store_true", help="load nothing if any row is bad")
    p.add_argument("--check", action="store_true", help="validate only; publish nothing")
    p.add_argument("--user", default=None, help="who is loading (recorded in the load history)")
    p.add_argument("--show", type=int, default=SHOW_PER_REASON, metavar="N",
                   help=f"rows printed per reason (default {SHOW_PER_REASON}); all are in rejected.csv")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..loader import load  # import late: `python -m dashboard metric` need not load pyarrow/xlrd

    user = args.user or getpass.getuser()
    result = load(args.paths, args.db or config.db_path(), mappings=args.mapping, strict=args.strict,
                  user=user, dry_run=args.check)
    for f in result.files:
        enc = f" {f.encoding}" if f.encoding else ""
        print(f"{f.file} -> {f.table} [{f.format}{enc}]: rows {f.rows}, loaded {f.loaded}, "
              f"rejected {f.rejected}, excluded {f.excluded}")
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print_problems(result.problems, result.report_dir, args.show)
    print(f"status {result.status}: loaded {result.rows_loaded}, rejected {result.rows_rejected}, "
          f"excluded {result.rows_excluded}, {result.duration_s:.2f}s; report {result.report_dir}")
    if result.message and result.status != "published":
        print(result.message, file=sys.stderr)
    return {"published": 0, "checked": 0, "strict_rejected": 1}.get(result.status, 2)
