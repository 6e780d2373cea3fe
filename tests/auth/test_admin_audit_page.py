"""pages/admin_audit.py: admins see the audit trail; other roles are stopped."""
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.app_context import View
from dashboard.auth import audit
from dashboard.period import Period
from dashboard.scope import Filters, Scope

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "admin_audit.py")


def page_as(role):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["_view"] = View("someone", role, Scope.everything(), Filters(),
                                     Period(date(2026, 3, 1), date(2026, 3, 1)), date(2026, 3, 1), "yesterday")
    at.run()
    assert not at.exception
    return at


def test_admin_sees_logins_failures_and_exports(auth_env):
    audit.record("alice", "login", {"method": "password"})
    audit.record("mallory", "login_failed", {"reason": "unknown_user"})
    audit.record_export("alice", "store_ranking", rows=12, format="csv")
    at = page_as("admin")
    df = at.dataframe[0].value
    assert list(df.columns) == ["时间", "用户", "事件", "详情"]
    assert list(df["用户"]) == ["alice", "mallory", "alice"]
    assert list(df["事件"]) == ["导出", "登录失败", "登录"]
    assert df["详情"].iloc[0] == "what=store_ranking, rows=12, format=csv"
    at.text_input(key="audit_user").input("mallory").run()
    assert list(at.dataframe[0].value["用户"]) == ["mallory"]


@pytest.mark.parametrize("role", ["hq", "region", "store"])
def test_other_roles_are_stopped(auth_env, role):
    audit.record("alice", "login")
    at = page_as(role)
    assert not at.dataframe and at.error
