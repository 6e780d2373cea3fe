"""The sharing page (分享率) in a real browser on the demo data, at 1280×900 and
390×844: clicking a quadrant lists its guides (and puts it in the URL), the
list's Excel export holds exactly those guides, a region user's quadrant holds
only their region's guides, and the morning check's share panel fits a phone."""
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


def period_args(page):
    text = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()
    start, end = [s.strip() for s in text.split("至")]
    return ["--start", start, "--end", end]


def whole_page(page, name, viewport):
    """The viewport's screenshot, then the whole page (Streamlit scrolls inside
    its main container, so a tall viewport of the same width shows it all)."""
    screenshot(page, name)
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": min(int(height) + 50, 9000)})
    page.wait_for_timeout(800)
    screenshot(page, name + "_full")
    page.set_viewport_size(viewport)


def open_sharing(browser, app_url, viewport, user="hq", password="hq-demo-2026", **kw):
    page = browser.new_page(viewport=viewport, **kw)
    login(page, app_url + "/sharing?preset=last30", user, password)
    page.get_by_role("heading", name="分享率", exact=True).wait_for(timeout=60000)
    page.locator('[data-sh="share_rate"]').wait_for(timeout=60000)
    page.get_by_text("导购诊断").first.wait_for(timeout=60000)
    wait_idle(page)
    return page


def test_clicking_a_dot_lists_its_quadrant_and_the_export_holds_it(browser, app_url, app_env, tmp_path):
    page = open_sharing(browser, app_url, DESKTOP, accept_downloads=True)
    quadrant = page.locator(".js-plotly-plot").filter(has=page.locator(".scatterlayer .point")).first
    quadrant.scroll_into_view_if_needed()
    point = quadrant.locator(".scatterlayer .trace").first.locator(".point").first
    box = point.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_idle(page)
    picked = parse_qs(urlparse(page.url).query).get("sh_q", [None])[0]
    assert picked == "benchmark", page.url   # the first trace holds the 标杆 guides
    page.get_by_text("标杆：").first.wait_for(timeout=60000)
    whole_page(page, "sharing_desktop_quadrant", DESKTOP)

    rows = cli(app_env, "share-rate", "--level", "guide", *period_args(page))
    want = sorted(r["guide_id"] for r in rows if r["diagnosis"] == "标杆")
    # A list of over 50 guides builds its workbook on request first (生成 Excel).
    prepare = page.get_by_role("button", name="生成 Excel", exact=True)
    if len(want) > 50:
        prepare.last.click()
        wait_idle(page)
    with page.expect_download() as info:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="导出 Excel").last.click()
    path = tmp_path / "quadrant.xlsx"
    info.value.save_as(path)
    sheet = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert sheet[0][:2] == ("导购", "导购编号")
    assert sorted(r[1] for r in sheet[1:]) == want and want
    assert {r[-1] for r in sheet[1:]} == {"标杆"}
    page.close()


def test_phone_quadrant_pick_and_region_scope(browser, app_url, app_env):
    page = open_sharing(browser, app_url, PHONE, user="east", password="east-demo-2026")
    assert no_horizontal_overflow(page)
    page.get_by_text("方法问题（").first.scroll_into_view_if_needed()
    page.locator('[data-testid="stRadio"] label').filter(has_text="方法问题").first.click()
    wait_idle(page)
    assert parse_qs(urlparse(page.url).query).get("sh_q") == ["method"], page.url
    page.get_by_text("方法问题：").first.wait_for(timeout=60000)
    whole_page(page, "sharing_phone_quadrant", PHONE)
    assert no_horizontal_overflow(page)
    # The region user's guides are their region's only (the CLI with their scope agrees).
    east = cli(app_env, "share-rate", "--level", "guide", "--user", "east", *period_args(page))
    assert east and {r["region"] for r in east} == {"华东"}
    page.close()


def test_morning_check_share_panel_fits_a_phone(browser, app_url):
    page = browser.new_page(viewport=PHONE)
    login(page, app_url + "/morning_check", "east", "east-demo-2026")
    page.get_by_role("heading", name="昨日分享率").wait_for(timeout=60000)
    page.locator('[data-mc="share_rate"]').wait_for(timeout=60000)
    assert page.locator('[data-mc="share_top"] tr').count() >= 1
    page.get_by_role("heading", name="昨日分享率").scroll_into_view_if_needed()
    whole_page(page, "morning_check_share_phone", PHONE)
    assert no_horizontal_overflow(page)
    page.close()
