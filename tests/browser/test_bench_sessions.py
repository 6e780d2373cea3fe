"""The bench's concurrent pass (issue 15): users of one real server, each a
websocket client speaking Streamlit's protocol. What it clicks must reach the
app (a region picked comes back in the page's URL and narrows the numbers),
and `bench --sessions` reports every rerun of every user, with no error."""
import json
import subprocess
import sys

import pytest

from browser_kit import ROOT
from dashboard.cli import _bench_server
from dashboard.cli._bench_app import password

pytestmark = pytest.mark.browser


def test_a_websocket_user_signs_in_and_filters_like_a_browser(app_url, app_env):
    import duckdb
    con = duckdb.connect(app_env["DASHBOARD_DB"], read_only=True)
    south = sorted(r[0] for r in con.execute("SELECT store_id FROM stores WHERE region = '华南'").fetchall())
    con.close()

    async def go():
        s = _bench_server.Session(app_url)
        await s.sign_in("hq", password("hq"))
        assert "overview" in s.pages and "leaderboards" in s.pages
        await s.open_page("leaderboards")
        assert s.set("fb_preset", _bench_server._labels()["last30"])
        await s.run()
        assert "preset=last30" in s.query
        assert s.set("fb_region", ["华南"])
        await s.run()
        assert "region=%E5%8D%8E%E5%8D%97" in s.query          # 华南, as the app wrote it back
        # the store list now holds only 华南's stores, as a browser would show it
        options = s.widgets.by_key["fb_store"][1].options
        assert south and sorted(o.rsplit("(", 1)[1].rstrip(")") for o in options) == south
        assert s.errors == []
        s.ws.close()
    _bench_server.run_async(go)  # its own thread: the browser fixture's thread runs Playwright's loop


def test_bench_sessions_reports_every_users_reruns(app_env, tmp_path):
    out = tmp_path / "bench.json"
    subprocess.run([sys.executable, "-m", "dashboard", "bench", "--db", app_env["DASHBOARD_DB"], "--repeat", "1",
                    "--metric", "kpis", "--no-pages", "--sessions", "2", "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True, timeout=600)
    got = json.loads(out.read_text(encoding="utf-8"))["concurrent"]
    # 3 pages × (open + 10 filter changes) per user
    assert got["sessions"] == 2 and got["reruns"] == 2 * 3 * 11 and got["errors"] == 0
    assert 0 < got["p50_ms"] <= got["p95_ms"] and got["single_p95_ms"] > 0
    assert got["server_peak_rss_mb"] > 0
    # the CPU the passes cost (read from /proc), and the floor it sets on the ratio
    assert got["alone_cost"]["server_cpu_s"] > 0 and got["together_cost"]["server_cpu_s"] > 0
    assert got["together_cost"]["wall_s"] > 0 and got["together_cost"]["clients_cpu_s"] > 0
    assert got["server_cpu_ms_per_rerun"] > 0 and got["cores"] >= 1 and got["server_cores_used"] > 0
    assert got["mean_floor_ms"] == pytest.approx(2 * got["server_cpu_ms_per_rerun"] / got["cores"], abs=0.2)
