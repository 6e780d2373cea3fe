"""The morning check on a phone (390×844) with 昨日要点 and the 达成率 panel,
and the overview's 达成率 vs 时间进度 on a desktop: real app, real browser."""
import pytest

from browser_kit import DESKTOP, OUT, PHONE, login, no_horizontal_overflow, screenshot, wait_idle

pytestmark = pytest.mark.browser


def test_morning_check_on_a_phone_shows_attainment_and_the_digest(browser, app_url):
    page = browser.new_page(viewport=PHONE)
    login(page, app_url + "/morning_check", "east", "east-demo-2026")
    page.get_by_role("heading", name="晨检").wait_for(timeout=30000)
    digest = page.locator('[data-tg="digest"]')
    digest.wait_for(timeout=30000)
    page.get_by_role("heading", name="昨日要点").wait_for(timeout=30000)
    text = digest.inner_text()
    assert "概况" in text and "销售额 ¥" in text and "目标进度" in text
    card = page.locator('[data-tg="summary"]')
    card.wait_for(timeout=30000)
    assert "达成率" in card.inner_text() and "时间进度" in card.inner_text()
    assert page.get_by_role("heading", name="目标达成（2026-11）").count() == 1
    assert page.locator('[data-tg="behind_store"]').count() >= 1
    assert "日均需" in page.locator('[data-tg="behind_store"]').first.inner_text()
    screenshot(page, "morning_targets_phone")
    card.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(OUT / "morning_targets_phone_panel.png"))
    anomaly = page.get_by_text("同星期基线", exact=False)
    if page.locator(".mc-att").filter(has_text="同星期基线").count():
        page.locator(".mc-att").filter(has_text="同星期基线").first.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUT / "morning_targets_phone_attention.png"))
    assert anomaly.count() >= 1
    assert no_horizontal_overflow(page)
    page.close()


def test_overview_shows_attainment_against_time_progress(browser, app_url):
    page = browser.new_page(viewport=DESKTOP)
    login(page, app_url + "/overview", "hq", "hq-demo-2026")
    card = page.locator('[data-tg="summary"]')
    card.wait_for(timeout=30000)
    wait_idle(page)
    assert "/" in card.inner_text() and "%" in card.inner_text()
    assert page.locator(".js-plotly-plot").count() >= 4
    card.scroll_into_view_if_needed()
    screenshot(page, "overview_targets_desktop")
    page.close()
