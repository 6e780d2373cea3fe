"""The morning check on a phone (390×844, no horizontal overflow) and the
leaderboards' drill-down and Excel export, in a real browser on the demo data."""
import json
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest

from browser_kit import DESKTOP, PHONE, ROOT, login, no_horizontal_overflow, screenshot, wait_idle

pytestmark = pytest.mark.browser


def cli(app_env, name, *args):
    out = subprocess.run([sys.executable, "-m", "dashboard", "metric", name, *args, "--format", "json"],
                         cwd=ROOT, env=app_env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def test_morning_check_fits_a_phone(browser, app_url):
    page = browser.new_page(viewport=PHONE)
    login(page, app_url + "/morning_check", "east", "east-demo-2026")
    page.get_by_role("heading", name="晨检").wait_for(timeout=30000)
    page.locator('[data-mc="sales"]').wait_for(timeout=30000)
    assert page.locator('[data-mc="rank_top"] tr').count() >= 1
    screenshot(page, "morning_check_phone")
    assert no_horizontal_overflow(page)
    page.close()


def test_bar_click_drills_into_a_region_and_excel_holds_the_rows(browser, app_url, app_env, tmp_path):
    page = browser.new_page(viewport=DESKTOP, accept_downloads=True)
    login(page, app_url + "/leaderboards", "hq", "hq-demo-2026")
    page.get_by_role("heading", name="门店/导购排行").wait_for(timeout=30000)
    # Plotly's drag layer sits over the bars: click at the first bar's centre.
    box = page.locator(".js-plotly-plot .bars path").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_idle(page)
    region = parse_qs(urlparse(page.url).query).get("drill_region", [None])[0]
    assert region, page.url
    page.get_by_text(f"全部 › {region}").wait_for(timeout=30000)
    screenshot(page, "leaderboards_drilled")

    # The store table now holds the region's stores: the Excel export holds exactly them.
    with page.expect_download() as info:
        page.get_by_role("button", name="导出 Excel").first.click()
    path = tmp_path / "stores.xlsx"
    info.value.save_as(path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("排名", "名次变化", "门店")
    exported_regions = {r[4] for r in rows[1:]}
    assert exported_regions == {region}
    cli_rows = cli(app_env, "store-leaderboard", "--region", region, *period_args(page))
    assert [r[3] for r in rows[1:]] == [r["store_id"] for r in cli_rows]
    page.close()


def period_args(page):
    """The page's period from its caption ("YYYY-MM-DD 至 YYYY-MM-DD")."""
    text = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()
    start, end = [s.strip() for s in text.split("至")]
    return ["--start", start, "--end", end]
