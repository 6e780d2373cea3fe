"""`bench`: how fast each metric answers on a database, as a page would ask.

Speed is measured here, not in timed tests: run it before and after a change
that could affect it and compare the figures."""
from __future__ import annotations

import statistics
import sys
import time
from datetime import timedelta

from .. import config
from ..metrics import METRICS, MetricArgs, latest_complete_day
from ..period import Period
from ..reader import Reader
from ..scope import Scope
from ..store import Database


def register(sub) -> None:
    p = sub.add_parser("bench", help="time every metric on a database")
    p.add_argument("--db", default=None, help="database file (default: $DASHBOARD_DB or data/demo.duckdb)")
    p.add_argument("--repeat", type=int, default=5, help="runs per metric and period (median reported)")
    p.add_argument("--metric", action="append", default=[], help="only these metrics (repeatable)")
    p.set_defaults(func=run)


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def run(args) -> int:
    db = Database(args.db or config.db_path())
    everyone = Reader(db, Scope.everything())
    as_of = latest_complete_day(everyone)
    if as_of is None:
        raise ValueError("the database has no orders")
    regions = list(everyone.query("SELECT DISTINCT region FROM stores ORDER BY 1")["region"])
    readers = {"hq": everyone}
    if regions:
        readers["region"] = Reader(db, Scope.of(regions=regions[:1]))
    periods = {"day": Period(as_of, as_of), "30d": Period(as_of - timedelta(days=29), as_of),
               "year": Period(as_of - timedelta(days=364), as_of)}
    orders = everyone.scalar("SELECT count(*) FROM orders")
    print(f"database {db.path} ({orders} orders), as of {as_of}, median of {args.repeat} runs, ms")
    print(f"{'metric':24} {'scope':7} " + " ".join(f"{p:>8}" for p in periods))
    names = args.metric or sorted(METRICS)
    for name in names:
        for scope_name, reader in readers.items():
            cells = []
            for period in periods.values():
                margs = MetricArgs(period, as_of)
                cells.append(_median_ms(lambda: METRICS[name](reader, margs), args.repeat))
            print(f"{name:24} {scope_name:7} " + " ".join(f"{c:8.1f}" for c in cells))
            sys.stdout.flush()
    return 0
