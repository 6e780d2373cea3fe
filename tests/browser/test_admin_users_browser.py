"""An admin manages users in the browser: the list, adding a regional manager
with a generated password shown once, and that user signing in with it; the
page fits a phone (390 px) without sideways scrolling."""
import shutil

import pytest

from browser_kit import DESKTOP, PHONE, login, no_horizontal_overflow, open_sidebar, running_app, screenshot, wait_idle

pytestmark = pytest.mark.browser


def pick(page, box, option):
    """Choose `option` in a Streamlit selectbox/multiselect (a locator of its stSelectbox/stMultiSelect)."""
    box.locator("input").first.click()
    page.get_by_role("option", name=option, exact=True).first.click()
    wait_idle(page)


@pytest.mark.parametrize("viewport,tag", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_admin_adds_a_user_who_then_signs_in(browser, app_env, tmp_path, viewport, tag):
    users = tmp_path / "users.yaml"
    shutil.copyfile(app_env["DASHBOARD_USERS"], users)  # this test adds users: its own copy
    users.chmod(0o600)
    env = {**app_env, "DASHBOARD_USERS": str(users), "DASHBOARD_OPS_DB": str(tmp_path / "ops.sqlite")}
    with running_app(env) as url:
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        login(page, url + "/admin_users", "admin", "admin-demo-2026")
        page.get_by_role("heading", name="用户管理").first.wait_for(timeout=30000)
        page.get_by_text("全部用户").first.wait_for()
        screenshot(page, f"admin-users-list-{tag}")
        assert no_horizontal_overflow(page)

        page.get_by_role("heading", name="新增用户").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        screenshot(page, f"admin-users-forms-{tag}")
        name = f"south{tag[0]}"
        page.get_by_label("用户名（小写字母、数字、_ . -）").fill(name)
        page.get_by_label("姓名（显示用）").fill("华南经理")
        page.keyboard.press("Tab")
        wait_idle(page)
        add_role = page.get_by_test_id("stSelectbox").filter(has_text="角色").last
        pick(page, add_role, "区域经理")
        regions = page.get_by_test_id("stMultiSelect").filter(has_text="可见区域").last
        pick(page, regions, "华南")
        page.get_by_role("button", name="新增", exact=True).click()
        wait_idle(page)
        page.get_by_text(f"已新增用户 {name}。").wait_for(timeout=30000)
        password = page.get_by_test_id("stCode").locator("code").inner_text().strip()
        assert len(password) == 14
        page.get_by_test_id("stCode").scroll_into_view_if_needed()
        screenshot(page, f"admin-users-added-{tag}")
        assert no_horizontal_overflow(page)
        context.close()

        other = browser.new_context(viewport=viewport)  # the new user's own browser
        page = other.new_page()
        login(page, url, name, password)
        open_sidebar(page)
        page.get_by_text("华南经理").first.wait_for(timeout=30000)  # signed in as them (sidebar caption)
        screenshot(page, f"admin-users-new-user-{tag}")
        other.close()
