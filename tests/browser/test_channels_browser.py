"""The channels page (渠道ROI) in a real browser on the demo data: HQ at 1280×900
with the table, scatter, cohort curves and a CSV export equal to the CLI's
rows; HQ and a regional manager at 390×844 without horizontal overflow, the
manager without spend and with the note saying why."""
import csv
import io
import json
import subprocess
import sys

import pytest

from browser_kit import DESKTOP, PHONE, ROOT, login, no_horizontal_overflow, screenshot, wait_idle

pytestmark = pytest.mark.browser


def cli(app_env, name, *args):
    out = subprocess.run([sys.executable, "-m", "dashboard", "metric", name, *args, "--format", "json"],
                         cwd=ROOT, env=app_env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def period_args(page):
    """The page's period from its caption ("YYYY-MM-DD 至 YYYY-MM-DD · ...")."""
    text = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()
    start, end = [s.strip() for s in text.split("·")[0].split("至")]
    return ["--start", start, "--end", end]


def shots(page, name):
    """The page scrolls inside Streamlit's main container: one screenshot per section."""
    for i, heading in enumerate(("渠道ROI", "单粉成本 vs 单粉贡献", "月度粉丝队列：累计单粉贡献")):
        target = page.get_by_role("heading", name=heading).first
        if target.count():
            target.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            screenshot(page, f"{name}_{i + 1}")
    page.locator(".js-plotly-plot").last.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, f"{name}_4")


def open_channels(browser, app_url, viewport, user, password, **kw):
    page = browser.new_page(viewport=viewport, **kw)
    login(page, app_url + "/channels?preset=this_quarter", user, password)
    page.get_by_role("heading", name="渠道ROI").first.wait_for(timeout=30000)
    page.get_by_role("heading", name="月度粉丝队列：累计单粉贡献").wait_for(timeout=30000)
    wait_idle(page)
    return page


def test_hq_desktop_table_scatter_cohorts_and_export(browser, app_url, app_env, tmp_path):
    page = open_channels(browser, app_url, DESKTOP, "hq", "hq-demo-2026", accept_downloads=True)
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=30000)   # scatter and cohort curves
    assert page.locator(".js-plotly-plot").count() == 2
    assert page.get_by_text("单粉成本 vs 单粉贡献").count() == 1
    # sortable by value, not by the shown text (¥5,507 vs ¥1.0万): a click on 投放花费's header
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()

    def spend_column():
        return [float(c.inner_text() or 0) for c in grid.locator("table tbody tr td:nth-child(2)").all()]

    default = spend_column()
    box = grid.bounding_box()
    seen = []
    for _ in range(2):
        page.mouse.click(box["x"] + 120, box["y"] + 18)  # the second column's header (after 渠道)
        wait_idle(page)
        page.wait_for_timeout(800)
        seen.append(spend_column())
    assert sorted(default) != default and sorted(default, reverse=True) != default  # not sorted by spend at first
    assert sorted(seen, key=lambda col: col[0]) == [sorted(default), sorted(default, reverse=True)]
    # the 180-day cohorts: more months to compare
    page.get_by_text("近180天加入的粉丝").click()
    wait_idle(page)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=30000)
    shots(page, "channels_hq_desktop")

    with page.expect_download() as info:
        page.get_by_role("button", name="导出 CSV").click()
    path = tmp_path / "channels.csv"
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0][:5] == ["渠道编码", "渠道", "GMV窗口（天）", "投放花费", "新增粉丝"]
    want = cli(app_env, "channel-roi-windows", *period_args(page))
    assert [(r[0], int(r[2]), int(r[4])) for r in rows[1:]] == [
        (w["channel_id"], w["window_days"], w["new_fans"]) for w in want]
    assert sum(w["new_fans"] for w in want) > 0
    page.close()


def test_hq_phone_fits(browser, app_url):
    page = open_channels(browser, app_url, PHONE, "hq", "hq-demo-2026")
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=30000)
    shots(page, "channels_hq_phone")
    assert no_horizontal_overflow(page)
    page.close()


def test_region_manager_phone_sees_fans_and_gmv_without_spend(browser, app_url):
    page = open_channels(browser, app_url, PHONE, "east", "east-demo-2026")
    page.get_by_text("投放花费由总部统一采买").wait_for(timeout=30000)
    assert page.get_by_text("单粉成本 vs 单粉贡献").count() == 0   # no scatter without cost
    assert page.locator(".js-plotly-plot").count() == 1             # the cohort curves only
    shots(page, "channels_east_phone")
    assert no_horizontal_overflow(page)
    page.close()
