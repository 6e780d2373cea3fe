"""`metric NAME`: print exactly the table a page shows, as plain CSV or JSON."""
from __future__ import annotations

import csv
import io
import json
import math
import sys
from datetime import date

import pandas as pd

from .. import config, settings
from ..metrics import METRICS, MetricArgs, latest_complete_day, resolved_options
from ..period import Period
from ..reader import Reader
from ..scope import Filters, Scope
from ..store import Database


def register(sub) -> None:
    p = sub.add_parser("metric", help="print one metric as CSV or JSON",
                       description="Print one metric. Available: " + ", ".join(sorted(METRICS)))
    p.add_argument("name", nargs="?", choices=sorted(METRICS), metavar="NAME")
    p.add_argument("--list", action="store_true", help="list every metric: grain, columns with kinds, options, doc")
    p.add_argument("--db", default=None, help="database file (default: $DASHBOARD_DB or data/demo.duckdb)")
    p.add_argument("--start", type=date.fromisoformat, help="first day, YYYY-MM-DD (default: the as-of day)")
    p.add_argument("--end", type=date.fromisoformat, help="last day, inclusive (default: the as-of day)")
    p.add_argument("--as-of", type=date.fromisoformat, dest="as_of",
                   help="as-of date (default: --end, else the latest complete day in the data)")
    for flag in ("brand", "region", "city", "store", "guide"):
        p.add_argument(f"--{flag}", action="append", default=[], help=f"narrow to this {flag} (repeatable)")
    p.add_argument("--user", help="apply this user's scope (default: everything, as an operator)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    seen: dict[str, str] = {}
    for m in METRICS.values():
        for opt, o in m.options.items():
            if opt in seen:
                continue
            seen[opt] = m.name
            default = f"setting {o.setting}, default {o.default}" if o.setting else f"default {o.default}"
            p.add_argument(f"--{opt.replace('_', '-')}", dest=f"opt_{opt}", type=o.type, default=None,
                           choices=o.choices, help=f"{o.help} (metric {m.name}; {default})")
    p.set_defaults(func=run)


def describe() -> str:
    """`metric --list`: every metric with its grain, columns (kinds), options and doc."""
    lines = []
    for name in sorted(METRICS):
        m = METRICS[name]
        lines.append(name)
        lines.append(f"  grain:   {m.grain}")
        lines.append("  columns: " + ", ".join(f"{c.name} ({c.kind})" for c in m.declared))
        for opt, o in m.options.items():
            bound = f", setting {o.setting}" if o.setting else ""
            lines.append(f"  option:  --{opt.replace('_', '-')} {o.type.__name__} (default {o.default}{bound}): {o.help}")
        if m.doc:
            lines.append("  doc:     " + " ".join(m.doc.split()))
        lines.append("")
    return "\n".join(lines)


def scope_for(args) -> Scope:
    if not args.user:
        return Scope.everything()
    from ..auth.users import scope_for_user  # the users file is only needed with --user
    return scope_for_user(args.user)


def run(args) -> int:
    if args.list:
        sys.stdout.write(describe())
        return 0
    if not args.name:
        raise ValueError("name a metric (python -m dashboard metric --list shows them)")
    m = METRICS[args.name]
    db = Database(args.db or config.db_path())
    filters = Filters.of(args.brand, args.region, args.city, args.store, args.guide)
    reader = Reader(db, scope_for(args), filters)
    as_of = args.as_of or args.end or latest_complete_day(reader)
    if as_of is None:
        raise ValueError("no orders in scope to take an as-of date from: pass --as-of")
    period = Period(args.start or args.end or as_of, args.end or args.start or as_of)
    overrides = {opt: getattr(args, f"opt_{opt}", None) for opt in m.options}
    options = resolved_options(m, overrides, settings.current())
    df = m(reader, MetricArgs(period, as_of, options))
    sys.stdout.write(render(df, args.format))
    return 0


def _plain(value):
    """Plain numbers: no units or separators; None for undefined (NaN/NA)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 1e15 else round(value, 6)
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def records(df: pd.DataFrame) -> list[dict]:
    return [{c: _plain(v) for c, v in zip(df.columns, row)} for row in df.itertuples(index=False)]


def _csv_cell(value):
    """Empty for undefined; flags as true/false (JSON has its own true/false)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def render(df: pd.DataFrame, fmt: str) -> str:
    rows = records(df)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False) + "\n"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(df.columns)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row.values()])
    return buf.getvalue()
