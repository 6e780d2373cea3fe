"""The community page (社群) in a real browser on the demo data: a group's
detail opened from its link (?grp=ID) at 1280×900 and 390×844 (no sideways
scroll on the phone), and picking a group in the ranking puts it in the URL."""
import json
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest

from browser_kit import DESKTOP, PHONE, ROOT, login, no_horizontal_overflow, screenshot, wait_idle

pytestmark = pytest.mark.browser


def signed_in(page, url):
    """Sign in as HQ on `url`; once more if the loaded machine was too slow the first time."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        login(page, url, "hq", "hq-demo-2026")
    except PlaywrightTimeout:
        login(page, url, "hq", "hq-demo-2026")


def most_active_group(app_env):
    out = subprocess.run([sys.executable, "-m", "dashboard", "metric", "group-activity", "--format", "json"],
                         cwd=ROOT, env=app_env, check=True, capture_output=True, text=True).stdout
    rows = sorted(json.loads(out), key=lambda r: (r["activity_rank"], r["group_id"]))
    return rows[0]


@pytest.mark.parametrize("size,name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_group_detail_from_its_link(browser, app_url, app_env, size, name):
    group = most_active_group(app_env)
    page = browser.new_page(viewport=size)
    signed_in(page, app_url + f"/community?preset=last30&grp={group['group_id']}")
    page.get_by_role("heading", name="社群", exact=True).wait_for(timeout=60000)
    page.get_by_role("heading", name=f"社群详情：{group['group_name']}").wait_for(timeout=60000)
    wait_idle(page)
    assert page.locator('[data-cm="groups"]').count() == 1
    assert page.get_by_text("当前阈值").count() >= 1
    assert page.locator(".js-plotly-plot").count() >= 5          # trend, members flow, active vs line, types, hours
    assert parse_qs(urlparse(page.url).query).get("grp") == [group["group_id"]]
    screenshot(page, f"community_detail_{name}")
    page.get_by_role("heading", name=f"社群详情：{group['group_name']}").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(ROOT / "test-output" / "screenshots" / f"community_detail_{name}_view.png"))
    if size is PHONE:
        assert no_horizontal_overflow(page)
    page.close()


def test_close_the_detail(browser, app_url, app_env):
    group = most_active_group(app_env)
    page = browser.new_page(viewport=DESKTOP)
    signed_in(page, app_url + f"/community?grp={group['group_id']}")
    page.get_by_role("button", name="关闭详情").click()
    wait_idle(page)
    assert "grp" not in parse_qs(urlparse(page.url).query)
    page.get_by_text("在上面的排行中点选一个社群").wait_for(timeout=30000)
    page.close()


def test_morning_check_community_panel_on_a_phone(browser, app_url):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    page = browser.new_page(viewport=PHONE)
    try:
        login(page, app_url + "/morning_check", "east", "east-demo-2026")
    except PlaywrightTimeout:
        login(page, app_url + "/morning_check", "east", "east-demo-2026")
    heading = page.get_by_role("heading", name="社群提醒")
    heading.wait_for(timeout=60000)
    wait_idle(page)
    heading.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(ROOT / "test-output" / "screenshots" / "morning_check_community_phone.png"))
    assert no_horizontal_overflow(page)
    page.close()
