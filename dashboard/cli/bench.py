"""`bench`: how fast the dashboard answers on a database, as its users ask.

    python -m dashboard bench [--db PATH | --scale X] [--sessions N] [--browser]
                              [--out FILE.json] [--metric NAME]... [--repeat N]

- every metric (or those named) for one day, 30 days and a year ending on the
  latest complete day, for HQ and for a region's scope: p50/p95 of `--repeat`
  runs after one warm-up run (the server keeps the file's blocks in memory);
- every page of frame.PAGES that exists (so pages added later are benched
  without an edit here), through AppTest signed in as HQ (admin pages as
  admin): the first render with an empty metric cache, then a series of filter
  changes (period, region, store, drill-down), each a whole rerun;
- `--sessions N`: one real server (`streamlit run`), one user alone and then N
  users at once, each a websocket client speaking Streamlit's protocol, going
  through pages and filter changes (_bench_server.py); p95 of both, and the
  server's peak RSS (`--think-ms`: a pause between a user's clicks);
- `--browser`: the real server and chromium: login to first page drawn, and a
  period change until redrawn;
- peak RSS of this process (the metrics and every AppTest session ran in it)
  and the database file's size.

`--scale X` builds a demo database of that scale first (in a child process, in
a temporary directory, deleted afterwards). Speed is measured here, not in
timed tests: run it before and after a change and compare."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from .. import config
from ..metrics import METRICS, MetricArgs, latest_complete_day, resolved_options
from ..metrics.base import clear_memos
from ..period import Period
from ..reader import Reader
from ..scope import Scope
from ..store import Database
from . import _bench_app
from ._bench_app import percentile, summary


def register(sub) -> None:
    p = sub.add_parser("bench", help="time every metric and page on a database")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--db", default=None, help="database file (default: $DASHBOARD_DB or data/demo.duckdb)")
    src.add_argument("--scale", type=float, default=None, help="build a demo of this scale to bench (temporary)")
    p.add_argument("--repeat", type=int, default=5, help="timed runs per metric and period (default 5)")
    p.add_argument("--metric", action="append", default=[], help="only these metrics (repeatable)")
    p.add_argument("--page", action="append", default=[], help="only these pages, by url path (repeatable)")
    p.add_argument("--no-pages", action="store_true", help="metrics only (no AppTest pass)")
    p.add_argument("--page-repeat", dest="page_repeat", type=int, default=3,
                   help="times each page's series of filter changes runs, each from an empty cache (default 3)")
    p.add_argument("--sessions", type=int, default=0,
                   help="also run N users at once on one real server (websocket clients)")
    p.add_argument("--think-ms", dest="think_ms", type=float, default=0,
                   help="with --sessions: pause between a user's clicks (default 0: back to back)")
    p.add_argument("--browser", action="store_true", help="also time the real app in chromium (Playwright)")
    p.add_argument("--out", default=None, help="write the figures as JSON to this file")
    p.set_defaults(func=run)


def _say(text: str) -> None:
    print(text)
    sys.stdout.flush()


def _times(fn, repeat: int) -> list[float]:
    fn()  # warm-up: the file's blocks in memory, as on a running server
    out = []
    for _ in range(max(1, repeat)):
        clear_memos()  # but no metric's in-process memo: the computation is timed
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def bench_metrics(db: Database, names: list[str], repeat: int) -> tuple[dict, dict]:
    everyone = Reader(db, Scope.everything())
    as_of = latest_complete_day(everyone)
    if as_of is None:
        raise ValueError("the database has no orders")
    regions = list(everyone.query("SELECT region FROM stores GROUP BY region ORDER BY count(*) DESC, region")
                   ["region"])
    readers = {"": everyone}
    if regions:
        readers["region_"] = Reader(db, Scope.of(regions=regions[:1]))
    periods = {"day": Period(as_of, as_of), "30d": Period(as_of - timedelta(days=29), as_of),
               "year": Period(as_of - timedelta(days=364), as_of)}
    _say(f"as of {as_of}; region scope {regions[:1]}; p50/p95 of {repeat} runs, ms")
    _say(f"{'metric':26} {'scope':7} " + " ".join(f"{p:>15}" for p in periods))
    out: dict = {}
    for name in names:
        m = METRICS[name]
        options = resolved_options(m)
        for prefix, reader in readers.items():
            cells = []
            for label, period in periods.items():
                args = MetricArgs(period, as_of, options)
                s = summary(_times(lambda: m(reader, args), repeat))
                out.setdefault(name, {})[prefix + label] = s
                cells.append(f"{s['p50_ms']:7.1f}/{s['p95_ms']:7.1f}")
            _say(f"{name:26} {(prefix.rstrip('_') or 'hq'):7} " + " ".join(cells))
    return out, {"as_of": as_of, "region": regions[0] if regions else None}


def _first_store(db: Database, region: str | None) -> str | None:
    reader = Reader(db, Scope.everything())
    df = reader.query("SELECT store_id FROM stores WHERE region = $r OR $r IS NULL ORDER BY store_id LIMIT 1",
                      {"r": region})
    return None if df.empty else str(df["store_id"].iloc[0])


def bench_pages(db: Database, only: list[str], region: str, store: str, repeat: int = 1) -> tuple[dict, dict]:
    """Pages by url path: first_ms, p50/p95 of the filter changes (the series
    run `repeat` times, each from an empty cache), year_ms; and the details."""
    series = _bench_app.changes(region, store)
    out, details = {}, {}
    _say(f"{'page':18} {'first':>8} {'p50':>8} {'p95':>8} {'year':>8}  (ms; changes: "
         + ", ".join(c.name for c in series) + ")")
    for username, role in (("hq", "hq"), ("admin", "admin")):
        for script, url_path in _bench_app.pages_for(role, only):
            if url_path in out:
                continue
            runs = [_bench_app.run_page(username, script, series) for _ in range(max(1, repeat))]
            run = runs[-1]
            changes = [v for r in runs for v in r.change_ms.values()]
            years = [v for r in runs for v in r.long_ms.values()]
            run.errors = [e for r in runs for e in r.errors]
            out[url_path] = {"first_ms": round(max(r.first_ms for r in runs), 1), **summary(changes),
                             "year_ms": round(percentile(years, 95), 1) if years else None}  # p95 of the this-year reruns
            details[url_path] = {"changes": {k: round(v, 1) for k, v in run.change_ms.items()},
                                 "year": {k: round(v, 1) for k, v in run.long_ms.items()}, "errors": run.errors}
            year = out[url_path]["year_ms"] if years else float("nan")
            p = out[url_path]
            _say(f"{url_path:18} {p['first_ms']:8.1f} {p['p50_ms'] or 0:8.1f} {p['p95_ms'] or 0:8.1f} {year:8.1f}"
                 + (f"  ERRORS: {run.errors}" if run.errors else ""))
            _say("    " + ", ".join(f"{k} {v:.0f}" for k, v in {**run.change_ms, **run.long_ms}.items()))
    return out, details


CONCURRENT_PAGES = ("overview", "leaderboards", "morning_check")


def _timed_pass(proc, run) -> tuple[list[float], list[str], dict]:
    """run() -> (rerun ms, errors), with the wall time and the CPU time the
    server and this process (the websocket clients) used meanwhile."""
    from ._bench_browser import cpu_seconds
    server0, clients0, wall0 = cpu_seconds(proc.pid), time.process_time(), time.perf_counter()
    times, errors = run()
    server1, clients1, wall1 = cpu_seconds(proc.pid), time.process_time(), time.perf_counter()
    server = None if server0 is None or server1 is None else server1 - server0
    return times, errors, {"wall_s": wall1 - wall0, "server_cpu_s": server, "clients_cpu_s": clients1 - clients0}


def cpu_floor(sessions: int, cores: int, together: dict, reruns: int, single_mean_ms: float) -> dict:
    """What the machine allows N back-to-back users, from the CPU their reruns cost.

    With no pause between clicks, N users keep N reruns in flight; the
    server's cores finish at most `cores / cpu` of them a second (`cpu`: the
    server's CPU seconds per rerun in that pass), so by Little's law a rerun
    takes at least N × cpu / cores on average. Divided by a lone user's mean
    rerun, that is the least ratio any scheduling reaches at that CPU cost.
    `server_cores_used`: the server's CPU seconds per second of the pass (one
    core is as far as Python's own work goes, the GIL being one)."""
    if not together.get("server_cpu_s") or not reruns or not single_mean_ms or not together.get("wall_s"):
        return {}
    cpu_ms = together["server_cpu_s"] * 1000 / reruns
    floor_ms = sessions * cpu_ms / cores
    return {"server_cpu_ms_per_rerun": round(cpu_ms, 1), "cores": cores,
            "server_cores_used": round(together["server_cpu_s"] / together["wall_s"], 2),
            "mean_floor_ms": round(floor_ms, 1), "mean_floor_ratio": round(floor_ms / single_mean_ms, 2)}


def bench_concurrent(sessions: int, env: dict, db: Database, think_ms: float = 0) -> dict:
    """One real server; first one user alone, then `sessions` users at once
    (each its own region and store), through the same pages and filter
    changes (_bench_server); the cache is emptied before each pass. Also the
    CPU each pass cost the server and the clients, and the floor that one
    user's CPU cost sets on the ratio (cpu_floor)."""
    from . import _bench_server
    from ._bench_browser import peak_rss_mb, server_process
    reader = Reader(db, Scope.everything())
    stores = reader.query("SELECT store_id, region FROM stores ORDER BY store_id")
    regions = sorted(set(stores["region"]))
    at = []  # each session its own region and store, so caches do not make it free
    for i in range(sessions):
        r = regions[i % len(regions)]
        s_ids = stores.loc[stores["region"] == r, "store_id"].tolist()
        at.append((r, s_ids[(i // len(regions)) % len(s_ids)]))
    password = _bench_app.password("hq")
    with server_process(env) as (url, proc):
        run = lambda users: _bench_server.sessions(url, "hq", password, list(CONCURRENT_PAGES), users,  # noqa: E731
                                                   think_ms)
        alone, alone_errors, alone_cost = _timed_pass(proc, lambda: run(at[:1]))
        times, errors, cost = _timed_pass(proc, lambda: run(at))
        rss = peak_rss_mb(proc.pid)
    errors = alone_errors + errors
    p95, single = percentile(times, 95), percentile(alone, 95)
    cores = os.cpu_count() or 1
    mean = lambda xs: sum(xs) / len(xs) if xs else None  # noqa: E731
    result = {"sessions": sessions, "p95_ms": round(p95, 1) if p95 else None,
              "p50_ms": summary(times)["p50_ms"], "mean_ms": round(mean(times), 1) if times else None,
              "single_p95_ms": round(single, 1) if single else None,
              "single_mean_ms": round(mean(alone), 1) if alone else None, "reruns": len(times),
              "think_ms": think_ms, "errors": len(errors), "server_peak_rss_mb": rss,
              "alone_cost": {k: round(v, 2) if v is not None else None for k, v in alone_cost.items()},
              "together_cost": {k: round(v, 2) if v is not None else None for k, v in cost.items()}}
    result.update(cpu_floor(sessions, cores, cost, len(times), mean(alone)) if think_ms == 0 else {})
    ratio = f"{p95 / single:.1f}×" if p95 and single else "-"
    _say(f"concurrent (one server, websocket clients, think time {think_ms:g} ms): {sessions} sessions, "
         f"{len(times)} reruns, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms; one session alone on the "
         f"same server: p95 {result['single_p95_ms']} ms ({ratio}); errors: {len(errors)}; "
         f"server peak RSS {rss} MB")
    if cost["server_cpu_s"] is not None:
        busy = (cost["server_cpu_s"] + cost["clients_cpu_s"]) / (cost["wall_s"] * cores)
        _say(f"  CPU: the server {cost['server_cpu_s']:.1f} s and the clients {cost['clients_cpu_s']:.1f} s in "
             f"{cost['wall_s']:.1f} s on {cores} cores ({busy:.0%} busy) with {sessions} users")
    if "mean_floor_ratio" in result:
        _say(f"  {result['server_cpu_ms_per_rerun']} ms of server CPU per rerun with {sessions} users (the server "
             f"used {result['server_cores_used']} cores): {sessions} back-to-back users on {cores} cores average "
             f"no better than {result['mean_floor_ms']} ms at that cost, {result['mean_floor_ratio']}× a lone "
             f"user's mean rerun of {result['single_mean_ms']} ms; measured mean {result['mean_ms']} ms")
    for e in errors[:10]:
        _say(f"  {e}")
    return result


def _build_demo(scale: float, directory: Path) -> Path:
    path = directory / f"bench-scale{scale:g}.duckdb"
    _say(f"building a demo of scale {scale:g} at {path} ...")
    subprocess.run([sys.executable, "-m", "dashboard", "demo", "--db", str(path), "--scale", str(scale)],
                   cwd=config.ROOT, check=True, stdout=subprocess.DEVNULL)
    return path


def run(args) -> int:
    names = args.metric or sorted(METRICS)
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-db-") as tmp:
        path = _build_demo(args.scale, Path(tmp)) if args.scale else Path(args.db or config.db_path())
        if not path.exists():
            raise FileNotFoundError(f"database not found: {path}")
        return _run(args, path, names)


def _run(args, path: Path, names: list[str]) -> int:
    db = Database(path)
    orders = int(Reader(db, Scope.everything()).scalar("SELECT count(*) FROM orders"))
    db_mb = round(os.path.getsize(os.path.realpath(path)) / 2**20, 1)
    _say(f"database {path} ({orders} orders, {db_mb} MB)")
    result: dict = {"orders": orders, "peak_rss_mb": None, "db_mb": db_mb, "metrics": {}, "pages": {},
                    "concurrent": None, "browser": None}
    result["metrics"], ctx = bench_metrics(db, names, args.repeat)
    region = ctx["region"]
    store = _first_store(db, region)
    result["pages"] = {}
    if not args.no_pages or args.sessions or args.browser:
        with _bench_app.app_env(path) as env:
            if not args.no_pages:
                result["pages"], _ = bench_pages(db, args.page, region, store, args.page_repeat)
            if args.sessions:
                result["concurrent"] = bench_concurrent(args.sessions, env, db, args.think_ms)
            if args.browser:
                from ._bench_browser import browser_pass
                try:
                    result["browser"] = browser_pass(env, "hq", _bench_app.password("hq"))
                    _say(f"browser: first page {result['browser']['first_page_ms']} ms after login, "
                         f"a period change redrawn in {result['browser']['filter_change_ms']} ms")
                except Exception as exc:  # noqa: BLE001 - the other figures still count; say why
                    result["browser"] = {"first_page_ms": None, "filter_change_ms": None}
                    _say(f"browser pass failed: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    children = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    _say(f"peak RSS {result['peak_rss_mb']} MB (this process: metrics and AppTest pages); "
         f"largest child {children} MB (a concurrent session, the browser's server or the demo build)")
    if args.out:
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        _say(f"figures written to {args.out}")
    return 0
