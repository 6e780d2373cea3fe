"""Roles in a real browser: a regional manager on a phone lands on the morning
check and can only ever pick their own region; the login cookie keeps a
session signed in across a reload, and logout ends it."""
import pytest

from browser_kit import PHONE, DESKTOP, login, no_horizontal_overflow, open_sidebar, screenshot, wait_idle

pytestmark = pytest.mark.browser


def test_regional_manager_on_a_phone_sees_only_their_region(browser, app_url):
    page = browser.new_page(viewport=PHONE)
    login(page, app_url, "east", "east-demo-2026")
    page.get_by_role("heading", name="晨检").wait_for(timeout=30000)
    assert no_horizontal_overflow(page)
    open_sidebar(page)
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="大区")
    box.click()
    options = page.get_by_role("option").all_inner_texts()
    assert options == ["华东"]
    page.keyboard.press("Escape")
    screenshot(page, "east-phone-morning-check")
    page.close()


def test_cookie_keeps_the_session_until_logout(browser, app_url):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    login(page, app_url, "hq", "hq-demo-2026")
    page.wait_for_selector('[data-kpi="sales"]')
    page.wait_for_timeout(1500)  # the cookie is set by a component after the sign-in run
    page.goto(app_url + "/leaderboards")
    wait_idle(page)
    page.get_by_role("heading", name="门店/导购排行").wait_for(timeout=30000)
    page.get_by_role("button", name="退出登录").click()
    wait_idle(page)
    page.get_by_role("button", name="登录", exact=True).wait_for(timeout=30000)
    page.goto(app_url + "/leaderboards")
    wait_idle(page)
    page.wait_for_timeout(1500)
    assert page.get_by_role("button", name="登录", exact=True).count() == 1
    assert page.get_by_role("heading", name="门店/导购排行").count() == 0
    context.close()


def test_first_request_after_start_for_a_page_still_meets_the_login(browser, app_env):
    """Streamlit runs pages/*.py directly until the first st.navigation call of a
    process: a fresh server's first visitor asking for a page by URL must get the
    login form, never the page."""
    from browser_kit import running_app
    with running_app(app_env) as url:
        page = browser.new_page(viewport=DESKTOP)
        page.goto(url + "/leaderboards")
        wait_idle(page)
        page.get_by_role("button", name="登录", exact=True).wait_for(timeout=30000)
        assert page.get_by_role("heading", name="门店/导购排行").count() == 0
        login(page, url + "/leaderboards", "hq", "hq-demo-2026")
        page.get_by_role("heading", name="门店/导购排行").wait_for(timeout=30000)
        page.close()
