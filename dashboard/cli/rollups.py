"""`rollups`: rebuild the rollups of a published database and republish it.

The demo builder and the loader build them as they publish; this is for a file
whose rollups are older than the code (a new rollup added, a definition fixed),
without regenerating or reloading its facts."""
from __future__ import annotations

import time
from pathlib import Path

from .. import config, rollups, store


def register(sub) -> None:
    p = sub.add_parser("rollups", help="rebuild the rollups of a database",
                       description="Copy the published database, rebuild every rollup in the copy "
                                   "(dashboard/rollups/) and publish it atomically.")
    p.add_argument("--db", default=None, help="database file (default: $DASHBOARD_DB or data/demo.duckdb)")
    p.set_defaults(func=run)


def run(args) -> int:
    path = args.db or config.db_path()
    started = time.perf_counter()
    if not Path(path).exists():
        raise FileNotFoundError(f"{path}: no database to rebuild the rollups of")
    with store.building(path, start_from_current=True):
        pass  # building() rebuilds every rollup before it publishes
    print("rollup,rows")
    con = store.open_read_only(path)
    try:
        for name in rollups.NAMES:
            print(f"{name},{con.execute(f'SELECT count(*) FROM {name}').fetchone()[0]}")
    finally:
        con.close()
    print(f"elapsed_seconds,{time.perf_counter() - started:.1f}")
    return 0
