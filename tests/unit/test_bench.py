"""The bench's output shape (issue 15) and its page discovery from frame.PAGES.
Speed itself is measured by running the bench, not asserted here."""
import json
import subprocess
import sys
from pathlib import Path

from builders import build_db, order_row, store_row
from dashboard.cli import _bench_app
from dashboard.frame import PAGES, PAGES_DIR

ROOT = Path(__file__).resolve().parents[2]


def test_bench_writes_the_json_of_the_issue(tmp_path):
    db = build_db(tmp_path / "b.duckdb", stores=[store_row("S1", region="华东"), store_row("S2", region="华南")],
                  orders=[order_row("o1", "2026-03-01 10:00", "S1", 10),
                          order_row("o2", "2026-03-02 10:00", "S2", 20)])
    out = tmp_path / "bench.json"
    subprocess.run([sys.executable, "-m", "dashboard", "bench", "--db", str(db), "--repeat", "2",
                    "--metric", "kpis", "--metric", "sales-trend", "--no-pages", "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    got = json.loads(out.read_text(encoding="utf-8"))
    assert set(got) == {"orders", "peak_rss_mb", "db_mb", "metrics", "pages", "concurrent", "browser"}
    assert got["orders"] == 2 and got["db_mb"] > 0 and got["peak_rss_mb"] > 0
    assert set(got["metrics"]) == {"kpis", "sales-trend"}
    for periods in got["metrics"].values():
        assert set(periods) == {"day", "30d", "year", "region_day", "region_30d", "region_year"}
        for cell in periods.values():
            assert set(cell) == {"p50_ms", "p95_ms"} and 0 < cell["p50_ms"] <= cell["p95_ms"]


def test_pages_come_from_the_frame():
    """A page listed in frame.PAGES whose file exists is benched, for a role that may open it."""
    expected_hq = [u for s, u, _, _, roles in PAGES if (PAGES_DIR / s).exists() and roles is None]
    assert [u for _, u in _bench_app.pages_for("hq")] == expected_hq
    assert "admin_load" in [u for _, u in _bench_app.pages_for("admin")]
    assert "admin_load" not in [u for _, u in _bench_app.pages_for("hq")]


def test_percentiles_are_nearest_rank():
    assert _bench_app.percentile([5, 1, 3, 2, 4], 95) == 5
    assert _bench_app.percentile(list(range(1, 101)), 95) == 95
    assert _bench_app.percentile([], 95) is None
    assert _bench_app.summary([1, 2, 3]) == {"p50_ms": 2, "p95_ms": 3}


def test_bench_pages_repeats_the_series_and_reports_the_year(tmp_path):
    db = build_db(tmp_path / "b.duckdb", stores=[store_row("S1", region="华东"), store_row("S2", region="华南")],
                  orders=[order_row("o1", "2026-03-01 10:00", "S1", 10),
                          order_row("o2", "2026-03-02 10:00", "S2", 20)])
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "dashboard", "bench", "--db", str(db), "--repeat", "1",
                           "--metric", "kpis", "--page", "overview", "--page-repeat", "2", "--out", str(out)],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    page = json.loads(out.read_text(encoding="utf-8"))["pages"]["overview"]
    assert set(page) == {"first_ms", "p50_ms", "p95_ms", "year_ms"}
    assert 0 < page["p50_ms"] <= page["p95_ms"] and page["year_ms"] > 0 and page["first_ms"] > 0
    assert "ERRORS" not in done.stdout


def test_each_page_series_starts_from_an_empty_cache():
    """The page bench's series are timed from empty caches: the app's metric
    results and every registered memo too, not only st.cache_data (otherwise
    the 2nd and 3rd series of a page read the 1st one's results)."""
    import pandas as pd
    from dashboard.metrics import base
    from dashboard.runtime.cache import RESULTS
    RESULTS.get_or_compute(("bench-test",), lambda: pd.DataFrame({"x": [1]}))
    memo = {"k": 1}
    base.MEMOS.append(memo.clear)
    try:
        assert ("bench-test",) in RESULTS and memo
        _bench_app.clear_caches()
        assert ("bench-test",) not in RESULTS and len(RESULTS) == 0 and not memo
    finally:
        base.MEMOS.remove(memo.clear)


def test_the_cpu_floor_of_back_to_back_users():
    """Little's law, worked by hand: 1.2 s of server CPU for 30 reruns is 40 ms each; 10 users on
    2 cores keep 10 reruns in flight and finish at most 2 / 0.040 = 50 a
    second, so a rerun takes at least 10 / 50 s = 200 ms on average: 2.5× a
    lone user's 80 ms mean."""
    from dashboard.cli.bench import cpu_floor
    got = cpu_floor(10, 2, {"server_cpu_s": 1.2, "wall_s": 0.8}, 30, 80.0)
    assert got == {"server_cpu_ms_per_rerun": 40.0, "cores": 2, "server_cores_used": 1.5,
                   "mean_floor_ms": 200.0, "mean_floor_ratio": 2.5}
    assert cpu_floor(10, 2, {"server_cpu_s": None}, 30, 80.0) == {}   # no /proc: nothing claimed


def test_cpu_seconds_counts_a_busy_process():
    import os
    import time
    from dashboard.cli._bench_browser import cpu_seconds
    before = cpu_seconds(os.getpid())
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    spent = cpu_seconds(os.getpid()) - before
    assert 0.2 <= spent <= 1.0
    assert cpu_seconds(2 ** 31 - 1) is None    # no such process
