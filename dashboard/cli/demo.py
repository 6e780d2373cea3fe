"""`demo`: build the deterministic demo database (all contract tables)."""
from __future__ import annotations

import argparse
import sys
from datetime import date

from .. import config
from ..demo import DEFAULT_END, generate
from ..demo.progress import TextProgress


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def register(sub) -> None:
    p = sub.add_parser("demo", help="build the demo database",
                       description="Build the deterministic demo dataset (13 months up to --end-date) and publish "
                                   "it atomically at --db. Scale 1 ≈ 200 stores, 2,000 guides, 200,000 members, "
                                   "1M orders; the same seed, scale and end date give identical tables.")
    p.add_argument("--db", default=None, help="database file (default: $DASHBOARD_DB or data/demo.duckdb)")
    p.add_argument("--scale", type=_positive, default=1.0, help="size relative to the default (default 1)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--end-date", dest="end_date", type=date.fromisoformat, default=DEFAULT_END,
                   help=f"last day of data, YYYY-MM-DD (default {DEFAULT_END.isoformat()})")
    p.set_defaults(func=run)


def run(args) -> int:
    path = args.db or config.db_path()
    bar = TextProgress(sys.stderr)
    counts = generate(path, scale=args.scale, seed=args.seed, end_date=args.end_date, progress=bar)
    print("table,rows")
    for table, n in counts.items():
        print(f"{table},{n}")
    print(f"elapsed_seconds,{bar.elapsed:.1f}")
    print(f"database,{path}")
    return 0
