"""pages/admin_users.py through AppTest: an admin lists users (role, scope,
status, last sign-in), adds users (regions/stores chosen from the data),
changes role and scope, resets passwords (generated and shown once, or typed),
disables/enables, ends sessions, unlocks and removes; every change is audited
and reaches a signed-in user at their next rerun; the last active admin stays."""
import re
import time
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from builders import build_db, store_row
from dashboard import ops
from dashboard.app_context import View
from dashboard.auth import lockout, manage, users
from dashboard.period import Period
from dashboard.scope import Filters, Scope

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "admin_users.py")
LOGIN_APP = str(Path(__file__).with_name("login_app.py"))
PW = "correct-horse-9"


@pytest.fixture
def env(auth_env, monkeypatch):
    db = build_db(auth_env / "live.duckdb", stores=[
        store_row("S1", store_name="静安店", region="华东"), store_row("S2", store_name="徐汇店", region="华东"),
        store_row("S9", store_name="天河店", region="华南")])
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    users.add_user("boss", PW, "admin", name="管理员")
    users.add_user("east", PW, "region", regions=["华东"], name="华东经理")
    return auth_env


def page_as(role="admin", username="boss"):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["_view"] = View(username, role, Scope.everything(), Filters(),
                                     Period(date(2026, 3, 1), date(2026, 3, 1)), date(2026, 3, 1), "yesterday")
    at.run()
    assert not at.exception, at.exception
    return at


def table(at):
    return at.dataframe[0].value


def audit_events(actor="boss"):
    return [(r["event"], r["detail"]) for r in reversed(ops.audit_rows()) if r["username"] == actor]


def login(username, password=PW):
    at = AppTest.from_file(LOGIN_APP, default_timeout=60)
    at.run()
    at.text_input(key="auth_username").input(username)
    at.text_input(key="auth_password").input(password)
    at.button[0].click()
    at.run()
    return at


def signed_in_line(at):
    lines = [m.value for m in at.markdown if str(m.value).startswith("signed-in:")]
    return lines[0] if lines else None


def test_the_list_shows_role_scope_status_and_last_login(env):
    users.add_user("shop", PW, "store", stores=["S2", "S1"], name="店长")
    users.set_disabled("shop")
    ops.record_audit("east", "login", {"method": "password"})
    for i in range(lockout.MAX_FAILURES):
        lockout.failed(lockout.begin_attempt("east"))
    df = table(page_as())
    assert list(df.columns) == ["用户名", "姓名", "角色", "数据范围", "状态", "最近登录"]
    assert df.values.tolist()[0][:5] == ["boss", "管理员", "管理员", "全部数据", "正常"]
    east = df.set_index("用户名").loc["east"]
    assert east["角色"] == "区域经理" and east["数据范围"] == "华东"
    assert east["状态"].startswith("正常 · 已锁定至 ") and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",
                                                                      east["最近登录"])
    shop = df.set_index("用户名").loc["shop"]
    assert shop["数据范围"] == "S1 静安店、S2 徐汇店" and shop["状态"] == "已停用" and shop["最近登录"] == "从未登录"


def test_add_a_regional_manager_with_a_generated_password_shown_once(env):
    at = page_as()
    at.text_input(key="users_add_username").input("south")
    at.text_input(key="users_add_name").input("华南经理")
    at.selectbox(key="users_add_role").set_value("region").run()
    assert at.multiselect(key="users_add_regions").options == ["华东", "华南"]  # from the data
    at.multiselect(key="users_add_regions").set_value(["华南"])
    at.button(key="users_add_submit").click().run()
    assert not at.exception and [s.value for s in at.success] == ["已新增用户 south。"]
    password = at.code[0].value
    assert len(password) == manage.GENERATED_LENGTH
    entry = users.get_entry("south")
    assert entry.user.role == "region" and entry.user.regions == ("华南",) and entry.user.name == "华南经理"
    assert users.check_password(password, entry.password_hash)
    assert audit_events()[-1] == ("user_added", '{"user": "south", "role": "region", "regions": ["华南"], "stores": []}')
    at.run()  # shown once: gone at the next rerun
    assert not at.code and not at.success
    assert signed_in_line(login("south", password)) == "signed-in:south:region:(('华南',), None)"


def test_add_a_store_manager_with_a_typed_password_and_refusals(env):
    at = page_as()
    at.text_input(key="users_add_username").input("shop1")
    at.selectbox(key="users_add_role").set_value("store").run()
    assert at.multiselect(key="users_add_stores").options == ["S1 · 静安店", "S2 · 徐汇店", "S9 · 天河店"]
    at.multiselect(key="users_add_stores").set_value(["S9"])
    at.radio(key="users_add_pwmode").set_value("type").run()
    at.text_input(key="users_add_pw").input("short")
    at.button(key="users_add_submit").click().run()
    assert "未保存" in at.error[0].value and users.get_user("shop1") is None  # too short: nothing added
    at.text_input(key="users_add_pw").input("store-pass-77")
    at.button(key="users_add_submit").click().run()
    assert not at.code  # typed: nothing to show
    assert users.get_user("shop1").stores == ("S9",)
    assert users.check_password("store-pass-77", users.get_entry("shop1").password_hash)


def test_change_role_and_scope_reaches_a_signed_in_user_at_the_next_rerun(env):
    session = login("east")
    assert signed_in_line(session) == "signed-in:east:region:(('华东',), None)"
    at = page_as()
    at.selectbox(key="users_pick").set_value("east").run()
    at.selectbox(key="users_edit_east_role").set_value("store").run()
    at.multiselect(key="users_edit_east_stores").set_value(["S9"])
    at.button(key="users_edit_east_save").click().run()
    assert not at.exception
    assert at.success[0].value == "已修改 east 的角色与范围，下次操作时生效。"
    assert users.get_user("east").role == "store" and users.get_user("east").stores == ("S9",)
    assert audit_events()[-1][0] == "user_changed" and '"was": "region"' in audit_events()[-1][1]
    session.run()  # the user's next rerun: the login gate re-reads the user
    assert signed_in_line(session) == "signed-in:east:store:(None, ('S9',))"


def test_reset_password_typed_ends_sessions_and_disable_enable_unlock(env):
    session = login("east")
    time.sleep(0.01)
    at = page_as()
    at.selectbox(key="users_pick").set_value("east").run()
    at.radio(key="users_edit_east_pwmode").set_value("type").run()
    at.text_input(key="users_edit_east_pw").input("brand-new-pass-1")
    at.button(key="users_edit_east_reset").click().run()
    assert at.success[0].value == "已重置 east 的密码，其现有会话已结束。" and not at.code
    session.run()
    assert signed_in_line(session) is None  # the old session is over
    assert signed_in_line(login("east", "brand-new-pass-1")) is not None

    at.button(key="users_edit_east_toggle").click().run()
    assert users.get_user("east").disabled and at.success[0].value == "已停用 east，其会话已结束。"
    assert signed_in_line(login("east", "brand-new-pass-1")) is None
    at.button(key="users_edit_east_toggle").click().run()
    assert not users.get_user("east").disabled

    for i in range(lockout.MAX_FAILURES):
        lockout.failed(lockout.begin_attempt("east"))
    at.run()
    assert not at.button(key="users_edit_east_unlock").disabled
    at.button(key="users_edit_east_unlock").click().run()
    assert lockout.locked_until("east") is None and at.success[0].value == "已解除 east 的锁定。"
    at.button(key="users_edit_east_logout").click().run()
    assert at.success[0].value == "已注销 east 的全部会话。"
    assert [e for e, _ in audit_events()] == ["user_password_reset", "user_disabled", "user_enabled",
                                             "user_unlocked", "user_sessions_ended"]


def test_generated_reset_and_remove(env):
    at = page_as()
    at.selectbox(key="users_pick").set_value("east").run()
    at.button(key="users_edit_east_reset").click().run()
    password = at.code[0].value
    assert users.check_password(password, users.get_entry("east").password_hash)
    assert at.button(key="users_edit_east_remove").disabled  # confirm first
    at.checkbox(key="users_edit_east_confirm").check().run()
    at.button(key="users_edit_east_remove").click().run()
    assert users.get_user("east") is None and at.success[0].value == "已删除用户 east。"
    assert audit_events()[-1] == ("user_removed", '{"user": "east"}')


@pytest.mark.parametrize("action", ["disable", "demote", "remove"])
def test_the_last_active_admin_cannot_be_disabled_demoted_or_removed(env, action):
    at = page_as()
    at.selectbox(key="users_pick").set_value("boss").run()
    if action == "disable":
        at.button(key="users_edit_boss_toggle").click().run()
    elif action == "demote":
        at.selectbox(key="users_edit_boss_role").set_value("hq").run()
        at.button(key="users_edit_boss_save").click().run()
    else:
        at.checkbox(key="users_edit_boss_confirm").check().run()
        at.button(key="users_edit_boss_remove").click().run()
    assert at.error[0].value == "不能这样做：boss 是最后一位启用中的管理员。请先新增或启用另一位管理员。"
    assert users.get_user("boss").is_admin
    assert audit_events() == []
    # With a second active admin the same change is allowed.
    users.add_user("admin2", PW, "admin")
    manage.set_disabled("boss", "boss") if action == "disable" else manage.change_role("boss", "boss", "hq")
    assert not users.get_user("boss").is_admin


def test_names_from_the_users_file_render_literally(env):
    users.add_user("mark", PW, "hq", name="**b** [x](http://e) $x^2$ <a href=x>y</a>")
    at = page_as()
    assert "**b** [x](http://e) $x^2$ <a href=x>y</a>" in table(at)["姓名"].tolist()  # a table cell: plain text
    at.selectbox(key="users_pick").set_value("mark").run()
    at.button(key="users_edit_mark_logout").click().run()
    assert at.success[0].value == "已注销 mark 的全部会话。"


@pytest.mark.parametrize("role", ["hq", "region", "store"])
def test_other_roles_are_stopped(env, role):
    at = page_as(role, "east")
    assert not at.dataframe and at.error and not at.button


def test_cli_shares_the_functions_and_the_last_admin_rule(env):
    import os
    import subprocess
    import sys
    cmd = [sys.executable, "-m", "dashboard", "users"]
    res = subprocess.run(cmd + ["disable", "boss"], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True)
    assert res.returncode == 2 and "last active administrator" in res.stderr
    res = subprocess.run(cmd + ["disable", "east"], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True)
    assert res.returncode == 0 and users.get_user("east").disabled
    row = ops.audit_rows()[0]
    assert row["event"] == "user_disabled" and row["username"].startswith("cli:")
