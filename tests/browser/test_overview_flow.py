"""The overview in a real browser at desktop and phone sizes: sign in, read the
KPI, narrow by region, and see the URL and the numbers follow; a copied link
reproduces the view in a fresh session."""
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest

from browser_kit import DESKTOP, PHONE, ROOT, login, no_horizontal_overflow, open_sidebar, screenshot, wait_idle

pytestmark = pytest.mark.browser


def kpi_text(page, name):
    return page.locator(f'[data-kpi="{name}"] .kpi-value').inner_text()


def pick(page, label, option):
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def cli_sales(app_env, *args):
    out = subprocess.run([sys.executable, "-m", "dashboard", "metric", "kpis", *args, "--format", "json"],
                         cwd=ROOT, env=app_env, check=True, capture_output=True, text=True).stdout
    import json
    return json.loads(out)[0]["sales"]


def wan(value):
    """The page's ¥万 rendering of a CLI number (the same rule as dashboard.ui.format.money)."""
    return f"¥{value / 1e4:.1f}万" if value >= 1e4 else f"¥{value:,.0f}"


@pytest.mark.parametrize("size,name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_region_filter_changes_url_and_numbers(browser, app_url, app_env, size, name):
    page = browser.new_page(viewport=size)
    login(page, app_url, "hq", "hq-demo-2026")
    page.wait_for_selector('[data-kpi="sales"]')
    all_sales = kpi_text(page, "sales")
    assert all_sales == wan(cli_sales(app_env))
    screenshot(page, f"overview-{name}")
    if size is PHONE:
        assert no_horizontal_overflow(page)
        open_sidebar(page)
    pick(page, "大区", "华南")
    page.wait_for_function("() => location.search.includes('region=')")
    query = parse_qs(urlparse(page.url).query)
    assert query["region"] == ["华南"]
    page.wait_for_function(f"() => document.querySelector('[data-kpi=\"sales\"] .kpi-value').innerText !== {all_sales!r}")
    south = kpi_text(page, "sales")
    assert south == wan(cli_sales(app_env, "--region", "华南"))
    screenshot(page, f"overview-{name}-south")
    page.close()


def test_a_copied_link_reproduces_the_view(browser, app_url, app_env):
    page = browser.new_page(viewport=DESKTOP)
    login(page, app_url, "hq", "hq-demo-2026")
    page.goto(app_url + "/overview?preset=last7&region=%E5%8D%8E%E5%8C%97")  # 华北, last 7 days
    wait_idle(page)
    page.wait_for_selector('[data-kpi="sales"]')
    as_of = re.search(r"\d{4}-\d{2}-\d{2} 至 (\d{4}-\d{2}-\d{2})", page.content()).group(1)
    from datetime import date, timedelta
    start = date.fromisoformat(as_of) - timedelta(days=6)
    assert kpi_text(page, "sales") == wan(cli_sales(app_env, "--region", "华北", "--start", str(start), "--end", as_of))
    assert "region=%E5%8D%8E%E5%8C%97" in page.url or "region=华北" in page.url
    page.close()
