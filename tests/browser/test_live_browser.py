"""The live-streams page (直播) in a real browser on the demo data: a session's
detail opened from its link (live=ID) at 1280×900 and 390×844 — the curve with
its live and tail parts and the median session, the tail by brand, the guides
and stores; no horizontal scroll on the phone."""
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from browser_kit import DESKTOP, PHONE, login, no_horizontal_overflow, screenshot, wait_idle
from dashboard.metrics import METRICS, MetricArgs, latest_complete_day
from dashboard.period import Period
from dashboard.reader import Reader
from dashboard.scope import Scope
from dashboard.store import Database

pytestmark = pytest.mark.browser


def a_complete_live(app_env):
    reader = Reader(Database(app_env["DASHBOARD_DB"]), Scope.everything())
    as_of = latest_complete_day(reader)
    facts = METRICS["live-tail"](reader, MetricArgs(Period(as_of - timedelta(days=29), as_of), as_of))
    done = facts[facts["complete"] == "true"]
    return done.sort_values(["tail_sales", "live_id"], ascending=[False, True]).iloc[0]


@pytest.mark.parametrize("size,name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_sessions_detail_opens_from_its_link(browser, app_url, app_env, size, name):
    live = a_complete_live(app_env)
    page = browser.new_page(viewport=size)
    login(page, app_url, "hq", "hq-demo-2026")
    page.goto(app_url + f"/live?live={live['live_id']}")
    wait_idle(page, 90000)
    page.get_by_role("heading", name="直播", exact=True).wait_for(timeout=30000)
    # the detail draws after the session list (a busy machine: give it time)
    page.get_by_role("heading", name="场次详情", exact=False).wait_for(timeout=90000)
    assert parse_qs(urlparse(page.url).query).get("live") == [live["live_id"]]
    # the curve: live part, tail part and the median session as three traces
    page.get_by_text("距直播结束小时数").first.wait_for(timeout=30000)
    legend = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot .legendtext')].map(e => e.textContent)")
    assert {"直播中", "尾量", "中位场次"} <= set(legend), legend
    page.get_by_text("尾量卖了什么（按品牌）").wait_for(timeout=30000)
    page.get_by_text("邀约观看", exact=True).wait_for(timeout=30000)
    page.locator('[data-testid="stTab"]').first.wait_for(timeout=30000)
    # Streamlit scrolls inside its own container: bring each part into view to look at it.
    page.get_by_role("heading", name="场次详情", exact=False).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, f"live_detail_{name}")
    page.get_by_text("邀约观看", exact=True).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, f"live_detail_inviters_{name}")
    page.get_by_role("heading", name="场次对比", exact=False).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, f"live_compare_{name}")
    if size is PHONE:
        assert no_horizontal_overflow(page)
    page.close()


def test_morning_check_panel_on_a_phone(browser, app_url):
    page = browser.new_page(viewport=PHONE)
    login(page, app_url + "/morning_check", "hq", "hq-demo-2026")
    heading = page.get_by_role("heading", name="直播尾量（72小时内）")
    heading.wait_for(timeout=60000)
    heading.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    items = page.locator("[data-live]")
    assert items.count() >= 1  # the demo ends with lives inside their 72 hours
    assert "中位场次同一小时" in items.first.inner_text()
    screenshot(page, "live_morning_phone")
    assert no_horizontal_overflow(page)
    page.close()
