"""The live-streams page (直播) through the real app frame with AppTest, over the
small demo database: HQ sees the period's sessions (complete ones in the
table, in-progress ones apart), a session's detail opens from the URL (live=ID)
only when it is in the user's scope, and a regional manager sees only lives
hosted by their region's stores."""
from datetime import timedelta

import pytest

from app_kit import signed_in
from dashboard.metrics import METRICS, MetricArgs, latest_complete_day
from dashboard.period import Period
from dashboard.reader import Reader
from dashboard.scope import Scope
from dashboard.store import Database
from dashboard.ui import format as fmt
from dashboard.ui import live_view


def facts(db, scope=Scope.everything()):
    reader = Reader(Database(db), scope)
    as_of = latest_complete_day(Reader(Database(db), Scope.everything()))
    return METRICS["live-tail"](reader, MetricArgs(Period(as_of - timedelta(days=29), as_of), as_of))


def open_live(username, query=None):
    at = signed_in(username, query)
    at.switch_page("pages/live.py").run()
    assert not at.exception, at.exception
    return at


def frames(at):
    return [d.value for d in at.dataframe]


def test_hq_sees_the_sessions_and_the_band(page_env):
    at = open_live("hq")
    f = facts(page_env)
    done = f[f["complete"] == "true"]
    assert len(done) > 0
    table = frames(at)[0]
    assert len(table) == len(done)
    # Sorted by tail multiple, highest first: the first row is the best complete live.
    best = done.sort_values(["tail_multiple", "live_id"], ascending=[False, True]).iloc[0]
    assert table.iloc[0]["直播标题"] == best["title"]
    assert table.iloc[0]["72小时尾量"] == fmt.money(best["tail_sales"])
    assert table.iloc[0]["邀约观看率"] == fmt.pct(best["invite_watch_rate"])
    assert len(at.get("plotly_chart")) >= 3  # band chart + compare scatter per tab
    assert [e.value for e in at.error] == []


def test_in_progress_sessions_are_listed_apart(page_env):
    at = open_live("hq")
    f = facts(page_env)
    running = f[f["complete"] == "false"]
    if running.empty:
        pytest.fail("the demo database should end with a live inside its 72 hours")
    tables = frames(at)
    apart = [d for d in tables if "剩余小时" in d.columns]
    assert len(apart) == 1 and len(apart[0]) == len(running)
    assert set(apart[0]["场次编号"]) == set(running["live_id"])
    assert not set(running["live_id"]) & set(tables[0]["场次编号"])


def test_detail_opens_from_the_url(page_env):
    f = facts(page_env)
    live = f[f["complete"] == "true"].iloc[0]
    at = open_live("hq", {"live": live["live_id"]})
    assert at.selectbox(key=live_view.pick_key(live["live_id"])).value == live["live_id"]
    assert any(live["title"] in s.value for s in at.subheader)
    assert at.query_params["live"] == [live["live_id"]]
    # curve, median and the inviters' tables are there
    assert any("导购" in d.columns or "受邀且观看" in d.columns for d in frames(at))
    assert [e.value for e in at.error] == []


def test_a_live_out_of_scope_does_not_open(page_env):
    everything = facts(page_env)
    mine = facts(page_env, Scope.of(regions=["华东"]))
    foreign = everything[~everything["live_id"].isin(mine["live_id"])].iloc[0]["live_id"]
    at = open_live("east", {"live": foreign})
    assert at.selectbox(key=live_view.pick_key(None)).value == ""
    assert "live" not in at.query_params
    assert any("不在您的范围" in w.value for w in at.warning)
    shown = set(frames(at)[0]["场次编号"]) if at.dataframe else set()
    assert shown <= set(mine["live_id"])
    assert everything["host_store_id"].isna().any()
    hq_hosted = set(everything[everything["host_store_id"].isna()]["live_id"])
    assert not shown & hq_hosted


def test_picking_a_session_writes_the_url(page_env):
    f = facts(page_env)
    live = f.iloc[-1]["live_id"]
    at = open_live("hq")
    at.selectbox(key=live_view.pick_key(None)).set_value(live).run()
    assert not at.exception
    assert at.query_params["live"] == [live]
    # the selector now belongs to that session; clearing it closes the detail
    assert at.selectbox(key=live_view.pick_key(live)).value == live
    at.selectbox(key=live_view.pick_key(live)).set_value("").run()
    assert "live" not in at.query_params
    assert not any("场次详情" in s.value for s in at.subheader)


def test_morning_check_lists_lives_in_their_tail(page_env):
    import re
    reader = Reader(Database(page_env), Scope.everything())
    as_of = latest_complete_day(reader)
    want = METRICS["morning-lives"](reader, MetricArgs(Period(as_of, as_of), as_of))
    at = signed_in("hq")
    at.switch_page("pages/morning_check.py").run()
    assert not at.exception, at.exception
    shown = [m.group(1) for md in at.markdown for m in re.finditer(r'data-live="([^"]+)"', str(md.value))]
    assert shown == list(want["live_id"])
    assert any(h.value == "直播尾量（72小时内）" for h in at.subheader)


EVIL = "**粗体** <img src=x onerror=alert(1)> [链接](http://e.vil) $x$"


@pytest.fixture
def evil_env(tmp_path, monkeypatch):
    from datetime import datetime

    from builders import build_db, order_row, store_row
    from dashboard.auth import users
    db = build_db(
        tmp_path / "evil.duckdb",
        stores=[store_row("S1", region="华东")],
        live_sessions=[{"live_id": "L1", "title": EVIL, "brand": "B1", "host_store_id": "S1",
                        "started_at": datetime(2026, 3, 1, 19), "ended_at": datetime(2026, 3, 1, 21), "cost": 100},
                       {"live_id": "L2", "title": EVIL, "brand": "B1", "host_store_id": "S1",
                        "started_at": datetime(2026, 3, 9, 19), "ended_at": datetime(2026, 3, 9, 20), "cost": 100}],
        orders=[order_row("o1", "2026-03-01 20:00", "S1", 100, channel="wemall", live_id="L1"),
                order_row("o2", "2026-03-02 20:00", "S1", 300, channel="wemall", live_id="L1"),
                order_row("o3", "2026-03-09 19:30", "S1", 100, channel="wemall", live_id="L2"),
                order_row("o4", "2026-03-10 10:00", "S1", 50, channel="wemall", live_id="L2")],
    )
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    monkeypatch.setenv("DASHBOARD_USERS", str(tmp_path / "users.yaml"))
    monkeypatch.setenv("DASHBOARD_OPS_DB", str(tmp_path / "ops.sqlite"))
    monkeypatch.setenv("DASHBOARD_COOKIE_KEY", "live-test-cookie-key-0123456789abcdefghijklmn")
    monkeypatch.setenv("DASHBOARD_DEMO", "0")
    users.add_user("boss", "correct-horse-9", "hq")
    return db


def test_titles_are_plain_text(evil_env):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file("app.py", default_timeout=60)
    at.query_params["live"] = "L1"
    at.run()
    at.text_input(key="auth_username").input("boss")
    at.text_input(key="auth_password").input("correct-horse-9")
    at.button[0].click()
    at.run()
    at.switch_page("pages/live.py").run()
    assert not at.exception, at.exception
    at.query_params["live"] = "L1"
    at.run()
    detail = [s.value for s in at.subheader if "场次详情" in s.value]
    assert detail and "\\*\\*粗体\\*\\*" in detail[0] and "\\[链接\\]\\(http" in detail[0] and "\\$x\\$" in detail[0]
    html = " ".join(str(m.value) for m in at.markdown)
    assert "<img" not in html
    at.switch_page("pages/morning_check.py").run()
    assert not at.exception, at.exception
    panel = [str(m.value) for m in at.markdown if 'data-live="L2"' in str(m.value)]
    assert panel and "&lt;img src=x onerror=alert(1)&gt;" in panel[0] and "<img" not in panel[0]


def test_the_sessions_table_sorts(page_env):
    at = open_live("hq")
    at.selectbox(key="live_sort").set_value("live_sales").run()
    at.toggle(key="live_desc").set_value(False).run()
    assert not at.exception
    f = facts(page_env)
    done = f[f["complete"] == "true"].sort_values(["live_sales", "live_id"])
    assert list(frames(at)[0]["场次编号"]) == list(done["live_id"])


def test_english(page_env):
    from dashboard.ui.i18n import set_language
    at = signed_in("hq", {"lang": "en"})
    # AppTest re-applies widgets' format_func in this thread: format in the app's language.
    set_language("en")
    try:
        at.switch_page("pages/live.py").run()
        assert not at.exception, at.exception
        assert [x.value for x in at.title] == ["Live streams"]
        assert "Tail multiple" in frames(at)[0].columns
        assert [e.value for e in at.error] == []
    finally:
        set_language("zh")
