"""The morning check's risers and fallers come from the morning-movers metric:
on a phone, in the regional manager's scope, the page lists exactly the stores
the CLI prints for that user, and still fits 390 px."""
import json
import subprocess
import sys

import pytest

from browser_kit import PHONE, ROOT, login, no_horizontal_overflow, screenshot

pytestmark = pytest.mark.browser


def test_risers_and_fallers_match_the_cli(browser, app_url, app_env):
    out = subprocess.run([sys.executable, "-m", "dashboard", "metric", "morning-movers", "--user", "east",
                          "--format", "json"], cwd=ROOT, env=app_env, check=True, capture_output=True, text=True)
    moved = json.loads(out.stdout)
    page = browser.new_page(viewport=PHONE)
    login(page, app_url + "/morning_check", "east", "east-demo-2026")
    page.locator('[data-mc="sales"]').wait_for(timeout=30000)
    for direction in ("riser", "faller"):
        expected = [r["store_name"] for r in moved if r["direction"] == direction]
        listed = page.locator(f'[data-mc="{direction}s"] tr td:nth-child(2)')
        assert listed.all_inner_texts() == expected, direction
    assert moved, "the demo day should have movers in 华东"
    page.locator('[data-mc="fallers"]').scroll_into_view_if_needed()
    screenshot(page, "morning_check_movers_phone")
    assert no_horizontal_overflow(page)
    page.close()
